// Readable and JSON reports of conformance runs.
import { TOLERANCES, type Comparison } from './compare.js';
import type { ConformanceRun } from './run.js';

function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return 'inf';
  return v === 0 ? '0' : v.toExponential(2);
}

function tolText(c: Comparison): string {
  const t = c.tolerance;
  return t.relativeOnly ? `rel ${num(t.rtol)} of max(|k|,|a|,1)` : `abs ${num(t.atol)} or rel ${num(t.rtol)}`;
}

/** A table per run: worst absolute and relative error of every output and gradient, pass/fail. */
export function formatRuns(runs: ConformanceRun[]): string {
  const lines: string[] = [];
  for (const run of runs) {
    lines.push(`${run.file}  [${run.fixture}, ${run.cell}]  backend ${run.backend} ${run.dtype}`);
    if (run.error) {
      lines.push(`  FAIL: the backend threw ${run.error}`);
      lines.push('');
      continue;
    }
    const w = Math.max(6, ...run.comparisons.map((c) => c.name.length));
    lines.push(`  ${'tensor'.padEnd(w)}  ${'worst abs'.padStart(9)}  ${'worst rel'.padStart(9)}  ${'err/tol'.padStart(8)}  result  tolerance`);
    for (const c of run.comparisons) {
      const result = c.pass ? 'ok' : `FAIL (${c.failures}/${c.count}, worst at [${c.worstIndex}])`;
      lines.push(`  ${c.name.padEnd(w)}  ${num(c.worstAbs).padStart(9)}  ${num(c.worstRel).padStart(9)}  ${num(c.worstRatio).padStart(8)}  ${result.padEnd(6)}  ${tolText(c)}`);
    }
    lines.push(`  => ${run.pass ? 'pass' : 'FAIL'}`);
    lines.push('');
  }
  lines.push(summaryLine(runs));
  return lines.join('\n');
}

/** The final line: how many runs passed. */
export function summaryLine(runs: ConformanceRun[]): string {
  const passed = runs.filter((r) => r.pass).length;
  const files = new Set(runs.map((r) => r.file)).size;
  const backends = new Set(runs.map((r) => `${r.backend} ${r.dtype}`));
  const verdict = passed === runs.length ? 'PASS' : 'FAIL';
  return `conformance ${verdict}: ${passed}/${runs.length} runs passed (${files} file(s) x ${backends.size} backend(s): ${[...backends].join(', ')})`;
}

/** Non-finite numbers are written as strings ("NaN", "Infinity") so the JSON stays valid and lossless. */
function finiteOrString(v: number): number | string {
  return Number.isFinite(v) ? v : String(v);
}

/** One JSON object with every run. */
export function runsToJson(runs: ConformanceRun[]): object {
  return {
    pass: runs.every((r) => r.pass),
    passed: runs.filter((r) => r.pass).length,
    total: runs.length,
    tolerances: TOLERANCES,
    runs: runs.map((r) => ({
      file: r.file,
      fixture: r.fixture,
      cell: r.cell,
      backend: r.backend,
      dtype: r.dtype,
      pass: r.pass,
      ...(r.error ? { error: r.error } : {}),
      checks: r.comparisons.map((c) => ({
        name: c.name,
        worstAbs: finiteOrString(c.worstAbs),
        worstRel: finiteOrString(c.worstRel),
        failures: c.failures,
        count: c.count,
        worstIndex: c.worstIndex,
        worstRatio: finiteOrString(c.worstRatio),
        tolerance: c.tolerance,
        pass: c.pass,
      })),
    })),
  };
}
