// The windowed forecaster, direct multi-output (Darts' BlockRNNModel): `lookback` scaled values
// (and past covariates and calendar features) in, `horizon` values (or horizon x Q quantiles)
// out from the head on the last step. Trained on the windows of every series pooled and
// shuffled, the latest of them optionally held out to keep the best epoch.

import { DataError } from '../errors.js';
import type { FitCallbacks } from '../model/fit.js';
import { createOptimizer } from '../model/optimizers.js';
import type { SequenceModel } from '../model/sequence-model.js';
import type { SeriesFeatures } from './features.js';
import type { NetworkStrategy, TrainingSeries } from './network-strategy.js';
import { quantileCount } from './quantiles.js';
import type { TimeSeries } from './series.js';
import type { ResolvedForecasterSettings } from './settings.js';
import { trainWindows, type TrainSummary } from './train.js';
import { windowInputs, windowOrigins } from './windows.js';
import { removeLevels, windowLevel } from './window-level.js';

/** Windows per predict() call of the model: bounds the memory of a long backtest. */
const FORECAST_CHUNK = 256;

/** Windowed forecasting (see the file's header). W = windows, L = lookback, F = features per step. */
export class WindowedStrategy implements NetworkStrategy {
  readonly headSteps = 'last';

  constructor(private readonly settings: ResolvedForecasterSettings) {}

  get minHistory(): number {
    return this.settings.lookback;
  }

  reset(): void {}

  async train(model: SequenceModel, prepared: TrainingSeries[], callbacks: FitCallbacks[] | undefined): Promise<TrainSummary> {
    const s = this.settings, Q = quantileCount(s.quantiles);
    const windows: { p: number; o: number }[] = [];
    prepared.forEach((p, i) => {
      for (const o of windowOrigins({ lookback: s.lookback, horizon: s.horizon, end: p.end })) windows.push({ p: i, o });
    });
    const nVal = Math.floor(windows.length * s.validationShare);
    // validation: the latest windows of the pool (by origin), so it looks like the future
    const byTime = windows.map((w, i) => i).sort((a, b) => windows[b].o - windows[a].o);
    const validation = byTime.slice(0, nVal);
    const F = 1 + prepared[0].C, O = s.horizon * Q;
    const fill = (idx: number[], x: Float32Array, y: Float32Array): void => {
      idx.forEach((wi, b) => writeWindows(s, prepared[windows[wi].p], [windows[wi].o], x, b, y));
    };
    return trainWindows(model, createOptimizer(s.optimizer), windows.length, s.lookback, F, O, fill, {
      epochs: s.epochs, batchSize: s.batchSize, seed: s.seed, clip: s.clip, timeLimit: s.timeLimit,
      validation, patience: nVal > 0 ? 5 : undefined, callbacks,
    });
  }

  outputsAt(model: SequenceModel, _ser: TimeSeries, f: SeriesFeatures, origins: number[]): Float32Array {
    const s = this.settings, HQ = s.horizon * quantileCount(s.quantiles);
    const raw = new Float32Array(origins.length * HQ); // [W, H * Q], scaled
    for (let at = 0; at < origins.length; at += FORECAST_CHUNK) {
      const part = origins.slice(at, at + FORECAST_CHUNK);
      const x = new Float32Array(part.length * s.lookback * (1 + f.C)); // [B, L, F]
      const levels = writeWindows(s, f, part, x, 0, null); // [B]
      const out = model.predict(x, part.length, s.lookback); // [B, H * Q], relative to each level
      levels.forEach((l, b) => { for (let k = 0; k < HQ; k++) raw[(at + b) * HQ + k] = out[b * HQ + k] + l; });
    }
    return raw;
  }

  outputsAfter(model: SequenceModel, ser: TimeSeries, features: () => SeriesFeatures): Float32Array {
    const T = ser.values.length;
    if (T < this.settings.lookback) {
      throw new DataError(`series "${ser.id}" has ${T} steps, fewer than the lookback ${this.settings.lookback}`);
    }
    return this.outputsAt(model, ser, features(), [T]);
  }
}

/**
 * The windows from `origins` of one series' features, written from window `at` on: inputs
 * x [W, lookback, F] and (unless null) targets y [W, horizon, Q], both relative to each
 * window's level (normalize 'window'; else 0). Returns the levels [W]. What training,
 * Forecaster.windowsOf and forecasts all read.
 */
export function writeWindows(s: ResolvedForecasterSettings, f: Pick<SeriesFeatures, 'scaled' | 'cov' | 'C'>, origins: number[],
  x: Float32Array, at: number, y: Float32Array | null): number[] {
  const H = s.horizon, Q = quantileCount(s.quantiles);
  windowInputs(f.scaled, f.cov, f.C, origins, s.lookback, x, at);
  // what a window's scaled values are taken relative to: 0, or its last observed value with normalize 'window'
  const levels = origins.map((o) => (s.normalize === 'window' ? windowLevel(f.scaled, o) : 0));
  if (s.normalize === 'window') removeLevels(x, levels, s.lookback, 1 + f.C, at);
  if (y !== null) {
    origins.forEach((o, w) => {
      for (let h = 0; h < H; h++) for (let q = 0; q < Q; q++) y[((at + w) * H + h) * Q + q] = f.scaled[o + h] - levels[w];
    });
  }
  return levels;
}
