// The two ways a Forecaster's network forecasts (windowed and stateful) behind one internal
// contract: how it trains, where its head sits, and what it outputs from an origin. The
// Forecaster owns the settings, scalers and model file; a strategy only runs the network.

import type { FitCallbacks } from '../model/fit.js';
import type { SequenceModel } from '../model/sequence-model.js';
import type { SeriesFeatures } from './features.js';
import type { TimeSeries } from './series.js';
import type { TrainSummary } from './train.js';

/** One series ready for training: its features and the end (exclusive) of its training part. */
export interface TrainingSeries extends SeriesFeatures {
  /** The series' id. */
  id: string;
  end: number;
}

/** How a Forecaster's network trains and forecasts (windowed or stateful). */
export interface NetworkStrategy {
  /** Steps of history needed before a forecast origin. */
  minHistory(ser: TimeSeries): number;
  /** Where the model's head reads: the last step of a window, or every step. */
  readonly headSteps: 'last' | 'all';
  /** Forgets what the last model left behind (fit() starts afresh). */
  reset(): void;
  /** Trains `model` (fresh weights) on the training parts of the prepared series. */
  train(model: SequenceModel, prepared: TrainingSeries[], callbacks: FitCallbacks[] | undefined): Promise<TrainSummary>;
  /** The head's scaled outputs [W, H * Q] for the forecasts from each origin (each >= minHistory, <= T). */
  outputsAt(model: SequenceModel, ser: TimeSeries, f: SeriesFeatures, origins: number[]): Float32Array;
  /** The head's scaled outputs [H * Q] for the forecast after the series' end (predict()). */
  outputsAfter(model: SequenceModel, ser: TimeSeries, features: () => SeriesFeatures): Float32Array;
}
