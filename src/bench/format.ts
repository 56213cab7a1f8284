// The human-readable form of a benchmark report: one table row per measurement, then any
// further sections (the repository's bench/ adds the baselines' ratios) and the notes.
import type { OursResult } from './ours.js';
import type { BenchLine } from './run.js';

/** One row of the table: a timing of ours or of a baseline, already in words. */
export interface ReportRow {
  what: string;
  backend: string;
  mode: string;
  B: number; T: number; H: number;
  threads: number;
  median_s: number;
  gflops: number;
  /** Activation memory (ours only), in words. */
  activations: string;
  /** Loss of the last timed batch, in words ('' when not known). */
  loss: string;
}

/** Seconds in the unit that reads best (s, ms, us). */
export function fmtSeconds(s: number): string {
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

/** The table row of one timing of our model. */
export function oursRow(l: OursResult): ReportRow {
  return {
    what: `ours ${l.cell}`, backend: l.backend, mode: l.mode, B: l.B, T: l.T, H: l.H, threads: l.threads,
    median_s: l.median_s, gflops: l.gflops,
    activations: fmtBytes(l.activation_bytes)
      + (l.measured_activation_bytes !== undefined ? ` (heap ${fmtBytes(l.measured_activation_bytes)})` : ''),
    loss: l.loss === undefined ? '' : (l.finite ? l.loss.toFixed(4) : 'NOT FINITE'),
  };
}

/** The table, then each of `sections` (blocks of lines), then the notes. */
export function formatTable(rows: ReportRow[], sections: string[], notes: string[]): string {
  const cells = [['what', 'backend', 'mode', 'B', 'T', 'H', 'threads', 'median', 'GFLOP/s', 'activations', 'loss'],
    ...rows.map((r) => [r.what, r.backend, r.mode, String(r.B), String(r.T), String(r.H), String(r.threads),
      fmtSeconds(r.median_s) + (r.mode === 'infer-step' ? '/step' : '/batch'), r.gflops.toFixed(2), r.activations, r.loss])];
  return [pad(cells), ...sections, ...(notes.length ? [notes.join('\n')] : [])].join('\n\n');
}

/** The notes of our lines: the machine's load while timing, and every case left out. */
export function reportNotes(lines: BenchLine[]): string[] {
  const notes = lines.flatMap((l) => (l.source === 'skipped' ? [`skipped ${l.what}: ${l.reason}`] : []));
  const loads = lines.flatMap((l) => (l.source === 'plstm' ? [l.load1] : []));
  if (loads.length) {
    notes.unshift(`machine load (1-minute average) while timing ours: ${Math.min(...loads).toFixed(2)} to ${Math.max(...loads).toFixed(2)}`);
  }
  return notes;
}

/** The report of `plstm bench`: a table of our timings and the notes. */
export function formatReport(lines: BenchLine[]): string {
  const rows = lines.flatMap((l) => (l.source === 'plstm' ? [oursRow(l)] : []));
  return formatTable(rows, [], reportNotes(lines));
}
