// The stateful forecaster (what the pLSTM's slow memory is for): the state runs through the
// whole history, trained with truncated BPTT in chunks of `lookback` steps, a head on every step
// forecasting the next `horizon` values. A forecast from origin o is the head's output at step
// o - 1; predict() keeps each series' final state (its live state), from which update(value)
// advances by one observation with the streaming step instead of re-reading the history.
// With normalize 'seasonal' each series reads its seasonal differences and the head forecasts
// the differences from its base, the last two cycles (seasonal-difference.ts), mapped back here.

import { ConfigError, DataError } from '../errors.js';
import type { FitCallbacks } from '../model/fit.js';
import { createOptimizer } from '../model/optimizers.js';
import type { SequenceModel } from '../model/sequence-model.js';
import type { ModelState } from '../model/model-state.js';
import type { SeriesFeatures } from './features.js';
import type { NetworkStrategy, TrainingSeries } from './network-strategy.js';
import { quantileCount } from './quantiles.js';
import type { Frequency, TimeSeries } from './series.js';
import { lookbackOf, type ResolvedForecasterConfig } from './settings.js';
import { trainChunks, type TrainSummary } from './train.js';
import { windowInputs } from './windows.js';
import { baseValue, bestDifferenceLag, differenceHistory, differenceLags, seasonalDifferences } from './seasonal-difference.js';

/** A series' live state: where update() continues from. */
export interface LiveSeries {
  /** The model's state after the last observation read (B = 1). */
  state: ModelState;
  /** The head's outputs at that step [horizon * Q] (scaled): the forecast of the next steps. */
  out: Float32Array;
  /** Time of the last observation read. */
  last: number;
  freq: Frequency;
  timeKind: 'date' | 'number';
  /** normalize 'seasonal': the series' base lag. */
  lag?: number;
  /** normalize 'seasonal': the scaled values of the last steps its base reads (differenceHistory), oldest first. */
  recent?: number[];
}

/**
 * The steps where each series' training rows start: R = ceil(batchSize / series) rows per
 * series (one when there are batchSize series or more), staggered floor(r * lookback / R)
 * apart, so that a lone series fills a batch and its chunks are cut at R different phases.
 */
export function rowStarts(series: number, batchSize: number, lookback: number): number[] {
  const R = Math.max(1, Math.ceil(batchSize / series));
  return Array.from({ length: R }, (_, r) => Math.floor((r * lookback) / R));
}

/** Stateful forecasting (see the file's header). B = series, T = steps, F = features per step. */
export class StatefulStrategy implements NetworkStrategy {
  readonly headSteps = 'all';
  /** Each series' live state, by id. */
  readonly live = new Map<string, LiveSeries>();
  /** normalize 'seasonal': each series' base lag (chosen on its training part at fit()), by id. */
  readonly lags = new Map<string, number>();

  constructor(private readonly settings: ResolvedForecasterConfig) {}

  /** Whether series read their seasonal differences (normalize 'seasonal'). */
  private get differenced(): boolean {
    return this.settings.normalize === 'seasonal';
  }

  /** normalize 'seasonal': a forecast needs a whole cycle of the series' lag before it. */
  minHistory(ser: TimeSeries): number {
    return this.differenced ? differenceHistory(this.lags.get(ser.id) ?? 1) : 1;
  }

  reset(): void {
    this.live.clear();
    this.lags.clear();
  }

  /** The base lag of a series the model was trained on. */
  private lagOf(id: string): number {
    const m = this.lags.get(id);
    if (m === undefined) throw new ConfigError(`series "${id}" was not part of training: the model has no base lag for it`);
    return m;
  }

  /**
   * Each series runs in the rows of rowStarts (staggered starts d); chunk k of a row holds its
   * steps d + k*lookback .. on, the state carried from the chunk before. Step t's targets are
   * the scaled values t+1 .. t+horizon (normalize 'seasonal': less their base), weighted 0
   * where they reach past the training part, where there is no whole cycle before them, and on
   * the padding of shorter rows.
   */
  async train(model: SequenceModel, prepared: TrainingSeries[], callbacks: FitCallbacks[] | undefined): Promise<TrainSummary> {
    const s = this.settings, Q = quantileCount(s.quantiles), H = s.horizon, C = prepared[0].C, F = 1 + C, O = H * Q, L = lookbackOf(s);
    // the value each step reads (its seasonal difference, or its scaled value) and its base lag
    const inputs = prepared.map((p) => {
      if (!this.differenced) return { m: 0, x: p.scaled };
      const m = bestDifferenceLag(p.scaled, p.end, differenceLags(s.seasons ?? []), H);
      this.lags.set(p.id, m);
      return { m, x: seasonalDifferences(p.scaled.subarray(0, p.end), m) };
    });
    const starts = rowStarts(prepared.length, s.batchSize, L);
    // a row starts at most one chunk before its first step with a whole base, so that its first
    // chunk has a step to learn from (a longer history only feeds the state before it)
    const skip = (m: number) => (m > 0 ? Math.max(0, differenceHistory(m) - L) : 0);
    const rows = prepared.flatMap((p, i) => starts.map((d) => ({ p, d: d + skip(inputs[i].m), ...inputs[i] })));
    const B = rows.length;
    // the last step with a whole horizon inside some row's training part, plus one (in row steps)
    const steps = Math.max(...rows.map(({ p, d }) => p.end - H - d));
    const chunk = (k: number) => {
      const j0 = k * L, T = Math.min(L, steps - j0);
      const x = new Float32Array(B * T * F); // [B, T, F]
      const y = new Float32Array(B * T * O); // [B, T, H * Q]
      const weights = new Float32Array(B * T); // [B, T]
      rows.forEach(({ p, d, m, x: xs }, b) => {
        const at = (i: number) => p.scaled[i];
        for (let i = 0; i < T; i++) {
          const t = d + j0 + i;
          if (t >= p.end) break; // padding after a shorter row: zeros, weight 0
          const row = b * T + i;
          x[row * F] = xs[t];
          for (let c = 0; c < C; c++) x[row * F + 1 + c] = p.cov[t * C + c];
          // the horizon reaches past the training part, or there is no whole base before it
          if (t + H >= p.end || (m > 0 && t + 1 < differenceHistory(m))) continue;
          weights[row] = 1;
          for (let h = 0; h < H; h++) {
            const target = p.scaled[t + 1 + h] - (m > 0 ? baseValue(at, t + 1, m, h) : 0);
            for (let q = 0; q < Q; q++) y[(row * H + h) * Q + q] = target;
          }
        }
      });
      return { B, T, x, y, weights };
    };
    return trainChunks(model, createOptimizer(s.optimizer), chunk, Math.ceil(steps / L), null, {
      epochs: s.epochs, clip: s.clip, timeLimit: s.timeLimit, callbacks,
    });
  }

  /** The inputs [1, T, F] of a whole series: its features, the value as a seasonal difference under normalize 'seasonal'. */
  private seriesInputs(ser: TimeSeries, f: SeriesFeatures, T: number): Float32Array {
    const x = windowInputs(f.scaled, f.cov, f.C, [T], T); // [1, T, F]
    if (this.differenced) {
      const d = seasonalDifferences(f.scaled.subarray(0, T), this.lagOf(ser.id)), F = 1 + f.C;
      for (let t = 0; t < T; t++) x[t * F] = d[t];
    }
    return x;
  }

  /** Head outputs [H * Q] at origin o back to scaled forecasts: plus the base under normalize 'seasonal'. */
  private withBase(out: Float32Array, value: (i: number) => number, o: number, m: number): Float32Array {
    const Q = quantileCount(this.settings.quantiles);
    if (this.differenced) for (let k = 0; k < out.length; k++) out[k] += baseValue(value, o, m, Math.floor(k / Q));
    return out;
  }

  /** One pass over the history up to the latest origin; the head's outputs at step o - 1 forecast steps o .. o + horizon - 1. */
  outputsAt(model: SequenceModel, ser: TimeSeries, f: SeriesFeatures, origins: number[]): Float32Array {
    const HQ = this.settings.horizon * quantileCount(this.settings.quantiles);
    const raw = new Float32Array(origins.length * HQ); // [W, H * Q], scaled
    const T = Math.max(...origins), m = this.differenced ? this.lagOf(ser.id) : 0;
    const out = model.predict({ x: this.seriesInputs(ser, f, T), B: 1, T }); // [1, T, H * Q]
    origins.forEach((o, w) => raw.set(this.withBase(out.slice((o - 1) * HQ, o * HQ), (i) => f.scaled[i], o, m), w * HQ));
    return raw;
  }

  /** Runs the whole series through the model and keeps its final state as the series' live state. */
  outputsAfter(model: SequenceModel, ser: TimeSeries, features: () => SeriesFeatures): Float32Array {
    const f = features();
    const T = ser.values.length, HQ = this.settings.horizon * quantileCount(this.settings.quantiles);
    const m = this.differenced ? this.lagOf(ser.id) : 0;
    if (T < differenceHistory(m)) throw new DataError(`series "${ser.id}" has ${T} steps, fewer than the ${differenceHistory(m)} its seasonal base reads`);
    const x = this.seriesInputs(ser, f, T); // [1, T, F]
    const { outputs, state } = model.evaluate({ B: 1, T, x, y: new Float32Array(T * HQ) }); // outputs [1, T, H * Q]
    const live: LiveSeries = {
      state, out: this.withBase(outputs.slice((T - 1) * HQ), (i) => f.scaled[i], T, m), last: ser.times[T - 1], freq: ser.freq, timeKind: ser.timeKind,
      ...(this.differenced ? { lag: m, recent: Array.from(f.scaled.subarray(T - differenceHistory(m), T)) } : {}),
    };
    this.live.set(ser.id, live);
    return live.out.slice();
  }

  /** The live series `id` (or the only one when id is left out). */
  liveOf(id: string | undefined): { id: string; live: LiveSeries } {
    const key = id ?? (this.live.size === 1 ? this.live.keys().next().value! : undefined);
    const live = key === undefined ? undefined : this.live.get(key);
    if (key === undefined || live === undefined) {
      throw new ConfigError(`no live state for series ${key === undefined ? '(give its id)' : `"${key}"`}: call predict() with its history first`);
    }
    return { id: key, live };
  }

  /**
   * Advances a live series by one step of inputs x [1, F] (x[0]: the scaled value, `scaled`
   * before its float32 rounding) at time t
   * with the streaming step; under normalize 'seasonal' the value goes in as its seasonal
   * difference and the forecast comes out over the new base.
   */
  advance(model: SequenceModel, live: LiveSeries, x: Float32Array, t: number, scaled: number = x[0]): void {
    const recent = live.recent, m = live.lag;
    if (this.differenced && recent !== undefined && m !== undefined) {
      // recent holds the R steps before the new one: the new step is origin R of recent's
      // indices. `scaled` is the new value unrounded, as re-reading the history would hold it.
      const R = recent.length, value = scaled;
      x[0] = value - baseValue((i) => recent[i], R, m, 0);
      recent.shift();
      recent.push(value);
      // and the next origin is again R steps after recent[0]
      live.out = this.withBase(model.step({ x }, { state: live.state }), (i) => recent[i], R, m);
    } else {
      live.out = model.step({ x }, { state: live.state });
    }
    live.last = t;
  }
}
