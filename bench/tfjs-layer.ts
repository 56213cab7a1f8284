// `npm run bench -- --mode tfjs-layer`: one training batch of the copy-task shape through TF.js's
// model.fit, with tf.layers.lstm, our FastLSTM and our PowerLawLSTM (powerlaw-lstm/tfjs) on
// the same TF.js backend, and our own SequenceModel on the same batch
// (tfjs/bench_tfjs_layers.mjs, in its own process so TF.js's memory is its own), then
// the ratios: how much faster our layers train than tf.layers.lstm, and what going through
// TF.js costs against our own model.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../src/errors.js';

/** Options of the TF.js layer bench. */
export interface TfjsLayerBenchOptions {
  /** B (default 128). */
  batch?: number;
  /** T (default 219). */
  steps?: number;
  /** H (default 128). */
  hidden?: number;
  /** Timed batches per model after one warm-up (default 3). */
  reps?: number;
  /** TF.js backend: 'wasm' (default) or 'cpu'. */
  backend?: 'wasm' | 'cpu';
}

/** Runs the bench; emits each model's line, then one ratios line. */
export function runTfjsLayerBench(o: TfjsLayerBenchOptions, emit: (line: Record<string, unknown>) => void,
  progress: (msg: string) => void): void {
  const script = fileURLToPath(new URL('tfjs/bench_tfjs_layers.mjs', import.meta.url));
  const args = [script, '--batch', String(o.batch ?? 128), '--steps', String(o.steps ?? 219), '--hidden', String(o.hidden ?? 128),
    '--reps', String(o.reps ?? 3), '--backend', o.backend ?? 'wasm'];
  progress(`tfjs-layer: model.fit on one batch with tf.layers.lstm, FastLSTM, PowerLawLSTM, and our SequenceModel ...`);
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new ConfigError(`the TF.js layer bench failed: ${(r.stderr || '').trim().split('\n').pop()}`);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { model: string; median_s: number });
  for (const l of lines) emit({ case: 'tfjs-layer', ...l });
  const s = (name: string) => lines.find((l) => l.model === name)?.median_s;
  const lstm = s('tf.layers.lstm'), fast = s('FastLSTM'), pl = s('PowerLawLSTM'), ours = s('SequenceModel plstm');
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a / b : null);
  emit({
    case: 'tfjs-layer-ratios',
    'tf.layers.lstm/PowerLawLSTM': ratio(lstm, pl),
    'tf.layers.lstm/FastLSTM': ratio(lstm, fast),
    'PowerLawLSTM/SequenceModel': ratio(pl, ours),
  });
}
