// The one contract every forecaster meets, so that one backtest compares them (as Darts'
// ForecastingModel does): the networks (Forecaster, windowed or stateful) and every baseline.

import type { FitCallbacks } from '../model/fit.js';
import type { TimeSeries } from './series.js';
import type { TrainSummary } from './train.js';
import { deprecated } from '../deprecated.js';

/**
 * Adds the deprecated `mean` getter of the previous release to a forecast (not enumerable:
 * copies, JSON and deepEqual see `point` only); `what` names the type in the warning.
 */
export function withMeanAlias<F extends { point: Float64Array }>(f: F, what: string): F & { readonly mean: Float64Array } {
  return Object.defineProperty(f, 'mean', {
    get(this: F) {
      deprecated(`${what}.mean`, `${what}.point (the median when there are quantiles)`);
      return this.point;
    },
    enumerable: false,
  }) as F & { readonly mean: Float64Array };
}

/** The point forecasts of a model's forecastAt; a model of the previous release returns them as mean (warns once). */
export function pointOf(f: OriginForecasts): Float64Array {
  if (f.point !== undefined) return f.point;
  const own = Object.getOwnPropertyDescriptor(f, 'mean');
  if (own?.value instanceof Float64Array) {
    deprecated('forecastAt returning { mean }', 'forecastAt returning { point }');
    return own.value;
  }
  throw new TypeError('forecastAt must return { point, quantiles }');
}

/** Options of ForecastModel.fit. */
export interface ForecastFitOptions {
  /** First step of each series to fit on. Default 0. */
  trainStart?: (s: TimeSeries) => number;
  /** End (exclusive) of each series' part to fit on. Default its length. */
  trainEnd?: (s: TimeSeries) => number;
  /** The caller's hooks into a training loop (see FitCallbacks); models that do not train ignore them. */
  callbacks?: FitCallbacks[];
}

/** Forecasts from several origins of one series, in the series' units. */
export interface OriginForecasts {
  /** Point forecasts [origins, H]: the median (the middle quantile) with quantiles, else the mean. */
  point: Float64Array;
  /** @deprecated use point (it holds the median when there are quantiles); warns once */
  readonly mean?: Float64Array;
  /** Quantile forecasts [origins, H, Q], monotone in Q; null for point forecasts. */
  quantiles: Float64Array | null;
}

/** A forecaster of `horizon` steps from any origin of a series. */
export interface ForecastModel {
  /** Name in results and in the CLI's --models (e.g. 'plstm', 'lstm', 'snaive'). */
  readonly name: string;
  /** Steps forecast from each origin (H). */
  readonly horizon: number;
  /** Quantile levels of the quantile forecasts (Q of them), or null: point forecasts only. */
  readonly quantileLevels: number[] | null;
  /** Whether the model can forecast without a fit first. */
  readonly fitted: boolean;
  /** Steps of history needed before a forecast origin. */
  minHistory(series: TimeSeries): number;
  /** Seasonal period of the series for MASE (and for seasonal methods). */
  seasonOf(series: TimeSeries): number;
  /**
   * End (exclusive) of the part of this series the model learnt from; 0 when it learnt nothing
   * from it. A backtest without refit checks that it ends before the test part.
   */
  fittedUntil(series: TimeSeries): number;
  /**
   * Fits on each series' values[trainStart(s) .. trainEnd(s)). Returns what training did, or
   * null for a model with nothing to learn (local baselines just keep their settings).
   */
  fit(series: TimeSeries[], opts?: ForecastFitOptions): Promise<TrainSummary | null>;
  /** Forecasts of `horizon` steps from each origin o, reading values[0 .. o) only. */
  forecastAt(series: TimeSeries, origins: number[]): OriginForecasts;
  /** Bytes that the model's loader turns back into the same model. */
  toBytes(): Uint8Array;
  /** Frees what the model holds (its weights, its backend). */
  dispose(): void;
}
