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
import { frameSeasons, lookbackOf, type ResolvedForecasterConfig } from './settings.js';
import { trainWindows, type TrainSummary } from './train.js';
import { windowInputs, windowOrigins } from './windows.js';
import { removeLevels, windowLevel } from './window-level.js';
import { frameHistory, seasonalFrame } from './seasonal-frame.js';
import { scale } from './scaler.js';

/** Windows per predict() call of the model: bounds the memory of a long backtest. */
const FORECAST_CHUNK = 256;

/** Windowed forecasting (see the file's header). W = windows, L = lookback, F = features per step. */
export class WindowedStrategy implements NetworkStrategy {
  readonly headSteps = 'last';

  /**
   * normalize 'seasonal': whether windows are framed in logs (set by the Forecaster when every
   * training value is positive; else in the series-scaled values).
   */
  log = false;

  constructor(private readonly settings: ResolvedForecasterConfig) {}

  minHistory(ser: TimeSeries): number {
    const s = this.settings;
    return s.normalize === 'seasonal' ? frameHistory(lookbackOf(s), frameSeasons(s, ser.freq)) : lookbackOf(s);
  }

  reset(): void {}

  async train(model: SequenceModel, prepared: TrainingSeries[], callbacks: FitCallbacks[] | undefined): Promise<TrainSummary> {
    const s = this.settings, Q = quantileCount(s.quantiles);
    const windows: { p: number; o: number }[] = [];
    const sources = prepared.map((p) => this.source(p, s.seasons ?? []));
    prepared.forEach((p, i) => {
      for (const o of windowOrigins({ lookback: sources[i].first, horizon: s.horizon, end: p.end })) windows.push({ p: i, o });
    });
    const nVal = Math.floor(windows.length * s.validationShare);
    // validation: the latest windows of the pool (by origin), so it looks like the future
    const byTime = windows.map((w, i) => i).sort((a, b) => windows[b].o - windows[a].o);
    const validation = byTime.slice(0, nVal);
    const F = 1 + prepared[0].C, O = s.horizon * Q;
    const fill = (idx: number[], x: Float32Array, y: Float32Array): void => {
      idx.forEach((wi, b) => writeWindows(s, sources[windows[wi].p], [windows[wi].o], x, b, y));
    };
    return trainWindows(model, createOptimizer(s.optimizer), windows.length, lookbackOf(s), F, O, fill, {
      epochs: s.epochs, maxSteps: s.maxSteps, schedule: s.schedule, batchSize: s.batchSize, seed: s.seed, clip: s.clip,
      timeLimit: s.timeLimit, validation, patience: nVal > 0 ? 5 : undefined, callbacks,
    });
  }

  outputsAt(model: SequenceModel, ser: TimeSeries, f: SeriesFeatures, origins: number[]): Float32Array {
    const s = this.settings, Q = quantileCount(s.quantiles), HQ = s.horizon * Q;
    const src = this.sourceOf(f, ser);
    const raw = new Float32Array(origins.length * HQ); // [W, H * Q], scaled
    for (let at = 0; at < origins.length; at += FORECAST_CHUNK) {
      const part = origins.slice(at, at + FORECAST_CHUNK);
      const x = new Float32Array(part.length * lookbackOf(s) * (1 + f.C)); // [B, L, F]
      const frames = writeWindows(s, src, part, x, 0, null); // [B]
      const out = model.predict({ x, B: part.length, T: lookbackOf(s) }); // [B, H * Q], in each window's frame
      frames.forEach((fr, b) => {
        for (let k = 0; k < HQ; k++) raw[(at + b) * HQ + k] = src.toScaled(fr.base[Math.floor(k / Q)] + fr.spread * out[b * HQ + k]);
      });
    }
    return raw;
  }

  /** What windows of `ser` read (its seasons: the setting's, else its frequency's). */
  sourceOf(f: SeriesFeatures, ser: TimeSeries): WindowSource {
    return this.source(f, frameSeasons(this.settings, ser.freq));
  }

  /** What windows of one series read: its features, the values windows are framed in, and the way back. */
  private source(f: SeriesFeatures, seasons: readonly number[]): WindowSource {
    const s = this.settings;
    if (s.normalize !== 'seasonal') return { ...f, v: f.scaled, toScaled: (v) => v, seasons: [], first: lookbackOf(s) };
    const toScaled = this.log ? (v: number) => scale(f.scaler, Math.exp(v)) : (v: number) => v;
    const v = this.log ? f.values.map((y) => logOf(y)) : f.scaled;
    return { ...f, v, toScaled, seasons, first: frameHistory(lookbackOf(s), seasons) };
  }

  outputsAfter(model: SequenceModel, ser: TimeSeries, features: () => SeriesFeatures): Float32Array {
    const T = ser.values.length, first = this.minHistory(ser);
    if (T < first) {
      const what = first > lookbackOf(this.settings) ? `the ${first} steps of history a window's seasonal frame reads` : `the lookback ${first}`;
      throw new DataError(`series "${ser.id}" has ${T} steps, fewer than ${what}`);
    }
    return this.outputsAt(model, ser, features(), [T]);
  }
}

/** The values a window is written from (see WindowedStrategy.source). */
export interface WindowSource extends Pick<SeriesFeatures, 'scaled' | 'cov' | 'C'> {
  /** The values windows are framed in [T]: logs or scaled values ('seasonal'), else the scaled values. */
  v: Float64Array;
  /** From v's units to the scaler's units. */
  toScaled: (v: number) => number;
  /** Seasonal periods of the frame ('seasonal' only). */
  seasons: readonly number[];
  /** The first origin a window can have. */
  first: number;
}

/** The log of a value that a log-framed model reads; a non-positive one is an error. */
function logOf(y: number): number {
  if (!(y > 0)) throw new DataError(`this forecaster works in logs (every training value was positive), but got ${y}; forecast this series with normalize 'series'`);
  return Math.log(y);
}

/**
 * The windows from `origins` of one series' features, written from window `at` on: inputs
 * x [W, lookback, F] and (unless null) targets y [W, horizon, Q], in each window's frame
 * (normalize 'seasonal': see seasonal-frame.ts; 'window': relative to its last value; 'series':
 * as scaled). Returns the frames [W] that map outputs back. What training,
 * Forecaster.windowsOf and forecasts all read.
 */
export function writeWindows(s: ResolvedForecasterConfig, f: WindowSource, origins: number[],
  x: Float32Array, at: number, y: Float32Array | null): WindowFrame[] {
  const H = s.horizon, Q = quantileCount(s.quantiles);
  if (s.normalize === 'seasonal') return writeSeasonalWindows(s, f, origins, x, at, y);
  windowInputs(f.scaled, f.cov, f.C, origins, lookbackOf(s), x, at);
  // what a window's scaled values are taken relative to: 0, or its last observed value with normalize 'window'
  const levels = origins.map((o) => (s.normalize === 'window' ? windowLevel(f.scaled, o) : 0));
  if (s.normalize === 'window') removeLevels(x, levels, lookbackOf(s), 1 + f.C, at);
  if (y !== null) {
    origins.forEach((o, w) => {
      for (let h = 0; h < H; h++) for (let q = 0; q < Q; q++) y[((at + w) * H + h) * Q + q] = f.scaled[o + h] - levels[w];
    });
  }
  return levels.map((l) => ({ spread: 1, base: new Float64Array(H).fill(l) }));
}

/** How a window's outputs map back: value of step h = base[h] + spread * output. */
export interface WindowFrame {
  spread: number;
  /** [H] */
  base: Float64Array;
}

/** writeWindows under normalize 'seasonal': inputs (v - level) / spread, targets (v - base) / spread (see seasonal-frame.ts). */
function writeSeasonalWindows(s: ResolvedForecasterConfig, f: WindowSource, origins: number[],
  x: Float32Array, at: number, y: Float32Array | null): WindowFrame[] {
  const H = s.horizon, Q = quantileCount(s.quantiles), L = lookbackOf(s), F = 1 + f.C;
  windowInputs(f.v, f.cov, f.C, origins, L, x, at);
  return origins.map((o, w) => {
    const frame = seasonalFrame(f.v, o, L, f.seasons, H);
    const base = (at + w) * L * F;
    for (let t = 0; t < L; t++) x[base + t * F] = (x[base + t * F] - frame.level) / frame.spread;
    if (y !== null) {
      for (let h = 0; h < H; h++) {
        const target = (f.v[o + h] - frame.base[h]) / frame.spread;
        for (let q = 0; q < Q; q++) y[((at + w) * H + h) * Q + q] = target;
      }
    }
    return frame;
  });
}
