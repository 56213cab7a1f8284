// The report of `npm run bench`: the table of src/bench/format.ts with the baselines' rows
// beside ours, then per shape the headline (our pLSTM against the fastest PyTorch
// implementation), every ratio and the targets.
import { fmtSeconds, formatTable, oursRow, reportNotes, type ReportRow } from '../src/bench/format.js';
import type { BenchLine } from '../src/bench/run.js';
import type { BaselineLine, BaselineReportLine } from './harness.js';
import type { RatiosLine } from './compare.js';

function baselineRow(l: BaselineLine): ReportRow {
  return {
    what: `${l.source} ${l.impl}`, backend: l.source === 'tfjs' ? `tfjs-${String(l.backend ?? '')}` : `torch ${String(l.torch ?? '')}`,
    mode: l.mode, B: l.B, T: l.T, H: l.H, threads: l.threads, median_s: l.median_s, gflops: l.gflops, activations: '',
    loss: typeof l.loss === 'number' ? l.loss.toFixed(4) : '',
  };
}

function ratiosSection(l: RatiosLine): string {
  const out = [`ratios at ${l.mode} B=${l.B} T=${l.T} H=${l.H} (best thread count of each):`];
  if (l.headline) {
    out.push(`  headline: pLSTM time / fastest PyTorch (${l.headline.baseline}) = ${l.headline.ratio.toFixed(3)}`
      + ` (${l.headline.ratio < 1 ? `ours ${(1 / l.headline.ratio).toFixed(2)}x faster` : `ours ${l.headline.ratio.toFixed(2)}x slower`})`);
  }
  for (const [k, v] of Object.entries(l.best)) out.push(`  ${k.padEnd(20)} ${fmtSeconds(v.median_s).padStart(10)}  (threads ${v.threads})`);
  for (const [k, v] of Object.entries(l.ratios)) out.push(`  ${k.padEnd(28)} ${v.toFixed(3)}`);
  for (const t of l.targets) {
    out.push(`  target ${t.pass ? 'PASS' : 'FAIL'}: ${t.name} = ${t.value.toFixed(3)} (${t.kind === 'max' ? 'at most' : 'at least'} ${t.limit})`);
  }
  return out.join('\n');
}

/** Our lines and the baselines' lines as one table, the ratios and the notes. */
export function formatComparison(ours: BenchLine[], baselines: BaselineReportLine[]): string {
  const rows: ReportRow[] = [];
  for (const l of ours) if (l.source === 'plstm') rows.push(oursRow(l));
  for (const l of baselines) if (l.source === 'torch' || l.source === 'tfjs') rows.push(baselineRow(l));
  const sections = baselines.flatMap((l) => (l.source === 'ratios' ? [ratiosSection(l)] : []));
  const notes = [...reportNotes(ours), ...baselines.flatMap((l) => (l.source === 'skipped' ? [`skipped ${l.what}: ${l.reason}`] : []))];
  return formatTable(rows, sections, notes);
}
