// The Forecaster's model file: the network's weights (the model file format of
// model/serialize.ts) with the forecaster's settings, scalers and, in stateful mode, each
// series' live state in its metadata under one key. Files saved before a field existed still
// load: every field added later is optional here and has its old meaning when absent.

import { DataError, ShapeError } from '../errors.js';
import type { RuntimeOptions } from '../model/config.js';
import { restoreState, saveState, type SavedState } from '../model/saved-state.js';
import { deserializeModel, serializeModel } from '../model/serialize.js';
import type { SequenceModel } from '../model/sequence-model.js';
import type { ModelState } from '../model/model-state.js';
import type { Scaler } from './scaler.js';
import type { Frequency } from './series.js';
import type { ResolvedForecasterConfig } from './settings.js';
import type { LiveSeries } from './stateful.js';

/** The metadata key of the forecaster's state. */
export const META_KEY = 'forecaster';

/** The forecaster's state saved in the model file's metadata. */
export interface SavedForecaster {
  settings: ResolvedForecasterConfig;
  scalers: Record<string, Scaler>;
  calendar: string[];
  /** Names of the past covariates (absent in files saved before they existed: none). */
  covariates?: string[];
  /** Per series, one scaler per past covariate, fitted on its training part. */
  covariateScalers?: Record<string, Scaler[]>;
  trainEnds: Record<string, number>;
  info: Record<string, unknown>;
  /** normalize 'seasonal': whether windows are framed in logs (absent in files saved before: false). */
  log?: boolean;
  /** Stateful mode, normalize 'seasonal': each series' base lag (absent in files saved before: none). */
  lags?: Record<string, number>;
  /** Stateful mode: each series' live state, where update() continues after loading. */
  live?: Record<string, SavedLive>;
}

/** A LiveSeries as JSON (its state's layers as saveState writes them, B = 1): numbers print back to the same float32 / float64 values. */
interface SavedLive {
  layers: SavedState['layers'];
  out: number[];
  last: number;
  freq: Frequency;
  timeKind: 'date' | 'number';
  /** normalize 'seasonal': the base lag and the scaled values the next base reads. */
  lag?: number;
  recent?: number[];
}

/** The model file's bytes: the model's weights with `saved` (and each live state, if any) in its metadata. */
export function forecasterBytes(model: SequenceModel, saved: Omit<SavedForecaster, 'live'>, live: ReadonlyMap<string, LiveSeries>): Uint8Array {
  const meta: SavedForecaster = { ...saved };
  if (live.size > 0) {
    meta.live = Object.fromEntries([...live].map(([id, l]) => [id, {
      layers: saveState(l.state).layers,
      out: Array.from(l.out), last: l.last, freq: l.freq, timeKind: l.timeKind, ...(l.recent ? { lag: l.lag, recent: [...l.recent] } : {}),
    }]));
  }
  return serializeModel(model, null, { [META_KEY]: meta });
}

/** The model and the forecaster's saved state from a model file; a model without them is a DataError. */
export function readForecasterFile(bytes: Uint8Array, runtime: RuntimeOptions, what: string): { model: SequenceModel; saved: SavedForecaster } {
  const { model, meta } = deserializeModel(bytes, runtime, what);
  const saved = meta[META_KEY] as SavedForecaster | undefined;
  if (saved === undefined || typeof saved !== 'object') {
    model.dispose();
    throw new DataError(`${what} is a model but not a forecaster (no forecaster settings inside); train one with plstm forecast fit`);
  }
  return { model, saved };
}

/** The saved live states back into the model's buffers (its dtype), checked against its shapes. */
export function restoreLive(model: SequenceModel, saved: SavedForecaster, what: string): Map<string, LiveSeries> {
  const live = new Map<string, LiveSeries>();
  for (const [id, l] of Object.entries(saved.live ?? {})) {
    let state: ModelState;
    try {
      state = restoreState(model, { B: 1, layers: l.layers });
    } catch (err) {
      if (err instanceof ShapeError) throw new DataError(`${what}: its saved live state does not fit its model (corrupt file); fit the forecaster again`);
      throw err;
    }
    live.set(id, { state, out: Float32Array.from(l.out), last: l.last, freq: l.freq, timeKind: l.timeKind, ...(l.recent ? { lag: l.lag, recent: [...l.recent] } : {}) });
  }
  return live;
}
