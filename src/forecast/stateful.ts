// The stateful forecaster (what the pLSTM's slow memory is for): the state runs through the
// whole history, trained with truncated BPTT in chunks of `lookback` steps, a head on every step
// forecasting the next `horizon` values. A forecast from origin o is the head's output at step
// o - 1; predict() keeps each series' final state (its live state), from which update(value)
// advances by one observation with the streaming step instead of re-reading the history.

import { ConfigError } from '../errors.js';
import type { FitCallbacks } from '../model/fit.js';
import { createOptimizer } from '../model/optimizers.js';
import type { SequenceModel } from '../model/sequence-model.js';
import type { ModelState } from '../model/validate.js';
import type { SeriesFeatures } from './features.js';
import type { NetworkStrategy, TrainingSeries } from './network-strategy.js';
import { quantileCount } from './quantiles.js';
import type { Frequency, TimeSeries } from './series.js';
import type { ResolvedForecasterConfig } from './settings.js';
import { trainChunks, type TrainSummary } from './train.js';
import { windowInputs } from './windows.js';

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
}

/** Stateful forecasting (see the file's header). B = series, T = steps, F = features per step. */
export class StatefulStrategy implements NetworkStrategy {
  readonly headSteps = 'all';
  minHistory(): number {
    return 1;
  }
  /** Each series' live state, by id. */
  readonly live = new Map<string, LiveSeries>();

  constructor(private readonly settings: ResolvedForecasterConfig) {}

  reset(): void {
    this.live.clear();
  }

  /**
   * Row b is series b from its first step; chunk k holds steps k*lookback .. (k+1)*lookback - 1;
   * step t's targets are the scaled values t+1 .. t+horizon, weighted 0 where they reach past
   * the training part (and on the padding of shorter series).
   */
  async train(model: SequenceModel, prepared: TrainingSeries[], callbacks: FitCallbacks[] | undefined): Promise<TrainSummary> {
    const s = this.settings, Q = quantileCount(s.quantiles), H = s.horizon, C = prepared[0].C, F = 1 + C, O = H * Q, L = s.lookback;
    const B = prepared.length;
    // the last step with a whole horizon inside some series' training part, plus one
    const steps = Math.max(...prepared.map((p) => p.end - H));
    const chunk = (k: number) => {
      const t0 = k * L, T = Math.min(L, steps - t0);
      const x = new Float32Array(B * T * F); // [B, T, F]
      const y = new Float32Array(B * T * O); // [B, T, H * Q]
      const weights = new Float32Array(B * T); // [B, T]
      prepared.forEach((p, b) => {
        for (let i = 0; i < T; i++) {
          const t = t0 + i;
          if (t >= p.end) break; // padding after a shorter series: zeros, weight 0
          const row = b * T + i;
          x[row * F] = p.scaled[t];
          for (let c = 0; c < C; c++) x[row * F + 1 + c] = p.cov[t * C + c];
          if (t + H >= p.end) continue; // the horizon reaches past the training part
          weights[row] = 1;
          for (let h = 0; h < H; h++) for (let q = 0; q < Q; q++) y[(row * H + h) * Q + q] = p.scaled[t + 1 + h];
        }
      });
      return { B, T, x, y, weights };
    };
    return trainChunks(model, createOptimizer(s.optimizer), chunk, Math.ceil(steps / L), null, {
      epochs: s.epochs, clip: s.clip, timeLimit: s.timeLimit, callbacks,
    });
  }

  /** One pass over the history up to the latest origin; the head's outputs at step o - 1 forecast steps o .. o + horizon - 1. */
  outputsAt(model: SequenceModel, _ser: TimeSeries, f: SeriesFeatures, origins: number[]): Float32Array {
    const HQ = this.settings.horizon * quantileCount(this.settings.quantiles);
    const raw = new Float32Array(origins.length * HQ); // [W, H * Q], scaled
    const T = Math.max(...origins);
    const out = model.predict({ x: windowInputs(f.scaled, f.cov, f.C, [T], T), B: 1, T }); // [1, T, H * Q]
    origins.forEach((o, w) => raw.set(out.subarray((o - 1) * HQ, o * HQ), w * HQ));
    return raw;
  }

  /** Runs the whole series through the model and keeps its final state as the series' live state. */
  outputsAfter(model: SequenceModel, ser: TimeSeries, features: () => SeriesFeatures): Float32Array {
    const { scaled, cov, C } = features();
    const T = ser.values.length, HQ = this.settings.horizon * quantileCount(this.settings.quantiles);
    const x = windowInputs(scaled, cov, C, [T], T); // [1, T, F]
    const { outputs, state } = model.evaluate({ B: 1, T, x, y: new Float32Array(T * HQ) }); // outputs [1, T, H * Q]
    const live: LiveSeries = { state, out: outputs.slice((T - 1) * HQ), last: ser.times[T - 1], freq: ser.freq, timeKind: ser.timeKind };
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

  /** Advances a live series by one step of inputs x [1, F] at time t with the streaming step. */
  advance(model: SequenceModel, live: LiveSeries, x: Float32Array, t: number): void {
    live.out = model.step({ x }, { state: live.state });
    live.last = t;
  }
}
