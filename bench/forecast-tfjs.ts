// `npm run bench -- --mode forecast`: the same network as the forecaster's epoch of
// src/bench/forecast.ts (a), built the way a TF.js user builds it (tfjs/forecast_tfjs.mjs, in
// its own process), timed on a few batches and scaled to the epoch's batch count, and the
// ratio of the two epochs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FORECAST_EPOCH, type ForecastEpochs } from '../src/bench/forecast.js';

/** Times TF.js on `batchesTimed` batches (an epoch takes minutes there); emits its line and one ratio line per cell of ours. */
export function runForecastTfjs(ours: ForecastEpochs, batchesTimed: number, emit: (line: Record<string, unknown>) => void,
  progress: (msg: string) => void): void {
  const { lookback, horizon, batchSize, features } = FORECAST_EPOCH;
  const script = fileURLToPath(new URL('tfjs/forecast_tfjs.mjs', import.meta.url));
  progress(`forecast (a): TF.js, ${batchesTimed} batches of the same network ...`);
  const r = spawnSync(process.execPath, [script, '--lookback', String(lookback), '--horizon', String(horizon),
    '--features', String(features), '--hidden', String(ours.hidden), '--batch', String(batchSize), '--batches', String(batchesTimed)],
  { encoding: 'utf8', timeout: 3_600_000 });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  const tf = line === undefined ? { skipped: `TF.js script failed: ${r.stderr.trim().split('\n').pop()}` } : JSON.parse(line);
  if (tf.skipped !== undefined) {
    emit({ case: 'forecast-epoch', impl: 'tfjs', skipped: tf.skipped });
    return;
  }
  const epoch = tf.seconds_per_batch * ours.batches;
  emit({ case: 'forecast-epoch', impl: 'tfjs', lookback, horizon, hidden: ours.hidden, batchSize, batches: ours.batches,
    batches_timed: batchesTimed, epoch_s: epoch, seconds_per_batch: tf.seconds_per_batch, backend: tf.backend, tfjs: tf.tfjs });
  for (const [cell, s] of Object.entries(ours.seconds)) emit({ case: 'forecast-epoch-ratio', cell, tfjs_over_ours: epoch / s });
}
