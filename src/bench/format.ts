// The human-readable form of a benchmark report: one table row per measurement, then the
// ratios and the targets.
import type { BenchLine } from './run.js';

function fmtSeconds(s: number): string {
  if (s >= 1) return `${s.toFixed(2)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(2)} ms`;
  return `${(s * 1e6).toFixed(2)} us`;
}

function fmtBytes(b: number | undefined): string {
  if (b === undefined) return '';
  return b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : `${(b / 2 ** 20).toFixed(1)} MiB`;
}

function pad(rows: string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  return rows.map((r) => r.map((c, j) => (j < 2 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ')).join('\n');
}

/** The report as a table plus ratio and target lines. */
export function formatReport(lines: BenchLine[]): string {
  const rows: string[][] = [['what', 'backend', 'mode', 'B', 'T', 'H', 'threads', 'median', 'GFLOP/s', 'activations', 'loss']];
  const notes: string[] = [];
  const ratioText: string[] = [];
  for (const l of lines) {
    if (l.source === 'skipped') { notes.push(`skipped ${l.what}: ${l.reason}`); continue; }
    if (l.source === 'ratios') {
      ratioText.push(`ratios at ${l.mode} B=${l.B} T=${l.T} H=${l.H} (best thread count of each):`);
      for (const [k, v] of Object.entries(l.best)) ratioText.push(`  ${k.padEnd(20)} ${fmtSeconds(v.median_s).padStart(10)}  (threads ${v.threads})`);
      for (const [k, v] of Object.entries(l.ratios)) ratioText.push(`  ${k.padEnd(28)} ${v.toFixed(3)}`);
      for (const t of l.targets) {
        ratioText.push(`  target ${t.pass ? 'PASS' : 'FAIL'}: ${t.name} = ${t.value.toFixed(3)} (${t.kind === 'max' ? 'at most' : 'at least'} ${t.limit})`);
      }
      continue;
    }
    const what = l.source === 'plstm' ? `ours ${l.cell}` : `${l.source} ${l.impl}`;
    const backend = l.source === 'plstm' ? l.backend
      : l.source === 'tfjs' ? `tfjs-${String(l.backend ?? '')}` : `torch ${String(l.torch ?? '')}`;
    const loss = l.source === 'plstm'
      ? (l.loss === undefined ? '' : (l.finite ? l.loss.toFixed(4) : 'NOT FINITE'))
      : (typeof l.loss === 'number' ? l.loss.toFixed(4) : '');
    rows.push([what, backend, l.mode, String(l.B), String(l.T), String(l.H), String(l.threads),
      fmtSeconds(l.median_s) + (l.mode === 'infer-step' ? '/step' : '/batch'), l.gflops.toFixed(2),
      l.source === 'plstm' ? fmtBytes(l.activation_bytes)
        + (l.measured_activation_bytes !== undefined ? ` (heap ${fmtBytes(l.measured_activation_bytes)})` : '') : '',
      loss]);
  }
  const loads = lines.flatMap((l) => (l.source === 'plstm' ? [l.load1] : []));
  if (loads.length) {
    notes.unshift(`machine load (1-minute average) while timing ours: ${Math.min(...loads).toFixed(2)} to ${Math.max(...loads).toFixed(2)}`);
  }
  const parts = [pad(rows)];
  if (ratioText.length) parts.push(ratioText.join('\n'));
  if (notes.length) parts.push(notes.join('\n'));
  return parts.join('\n\n');
}
