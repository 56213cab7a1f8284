// Rolling-origin backtest of any ForecastModel: trained (unless refit is false and the model
// is fitted) on everything before the last testSize steps of each series, then forecasts from
// every origin of the test part, `stride` apart, whose whole horizon lies inside it. With
// refitEvery it trains again every refitEvery origins on data before them only (expanding or
// fixed window). MASE is scaled by each series' part before the test part either way, so
// results stay comparable across models and refits.

import { ConfigError, DataError } from '../errors.js';
import { pointOf, type ForecastModel } from './forecast-model.js';
import { MetricAccumulator, maseScale, type ForecastMetrics } from './metrics.js';
import type { TimeSeries } from './series.js';
import { posInt } from './settings.js';
import type { TrainSummary } from './train.js';
import { windowOrigins } from './windows.js';

/** Options of backtest. */
export interface BacktestOptions {
  /** Steps at the end of each series held out; the model trains on what comes before. */
  testSize: number;
  /** Steps between forecast origins. Default 1. */
  stride?: number;
  /**
   * Train anew before the backtest (on everything before the test part). Default true when
   * the model is not fitted yet; with false a fitted model is used as it is (what it learnt
   * from must end before the test part: the backtest checks it).
   */
  refit?: boolean;
  /**
   * Retrain every this many origins: before the 1st, (k+1)-th, (2k+1)-th ... origin, on data
   * before that origin only, so ceil(origins / refitEvery) trainings. A network starts each from
   * the same seed (fresh weights, same shuffling), so refits differ only by their data.
   * Default: none, one training before the test part.
   */
  refitEvery?: number;
  /**
   * What each refit trains on: 'expanding', everything before its origin; 'fixed', the last N
   * steps before it, N the length of the initial training part (series length - testSize).
   * Default 'expanding'.
   */
  window?: 'expanding' | 'fixed';
}

/** One training of a refitting backtest. */
export interface BacktestRefit {
  /** Index (into each series' origins) of the first origin forecast by this training's model. */
  firstOrigin: number;
  /** Per series: the steps trained on, start .. end - 1 (end is that first origin). */
  spans: Record<string, { start: number; end: number }>;
  train: TrainSummary;
}

/** What a backtest measured, for one model over every series, origin and step. */
export interface BacktestResult {
  /** The model's name. */
  model: string;
  overall: ForecastMetrics;
  perStep: ForecastMetrics[];
  /** Origins (index of the first forecast step) per series. */
  origins: number[][];
  /** Point forecasts [origins, horizon] per series, in the series' units. */
  forecasts: Float64Array[];
  /** Quantile forecasts [origins, horizon, Q] per series, or null. */
  quantiles: Float64Array[] | null;
  /** The training before the test part (the first refit's, when refitting); absent for a model that does not train. */
  train?: TrainSummary;
  /** With refitEvery, for a model that trains: every training, in order. */
  refits?: BacktestRefit[];
}

/** Backtests `model` on the last opts.testSize steps of each series (see the file's header). */
export async function backtest(model: ForecastModel, series: TimeSeries | TimeSeries[], opts: BacktestOptions): Promise<BacktestResult> {
  const all = Array.isArray(series) ? series : [series];
  const { testSize, stride } = checkBacktest(opts, model.horizon);
  const window = opts.window ?? 'expanding';
  if (window !== 'expanding' && window !== 'fixed') throw new ConfigError(`unknown window "${String(window)}": use expanding or fixed`);
  if (opts.refitEvery !== undefined) {
    const every = posInt(opts.refitEvery, 'refitEvery');
    if (opts.refit === false) throw new ConfigError('refitEvery trains again during the backtest: leave refit unset (or true) with it');
    return refittingBacktest(model, all, testSize, stride, every, window);
  }
  const refit = opts.refit ?? !model.fitted;
  const train = refit ? await model.fit(all, { trainEnd: (ser) => ser.values.length - testSize }) : null;
  if (!refit) {
    for (const ser of all) {
      const end = model.fittedUntil(ser);
      if (end > ser.values.length - testSize) {
        throw new ConfigError(`the model was trained on ${end} steps of "${ser.id}", past the start of the test part; backtest with refit`);
      }
    }
  }
  const origins = originsOf(model, all, testSize, stride);
  const forecasts = all.map((ser, i) => model.forecastAt(ser, origins[i]));
  const result = scored(model, all, testSize, origins, forecasts.map(pointOf),
    model.quantileLevels === null ? null : forecasts.map((f) => f.quantiles!));
  return train === null ? result : { ...result, train };
}

/**
 * backtest() with refitEvery: origin groups of `every`, each forecast by the model fitted just
 * before the group's first origin (everything before it, or the last N steps with 'fixed').
 */
async function refittingBacktest(model: ForecastModel, all: TimeSeries[], testSize: number, stride: number, every: number,
  window: 'expanding' | 'fixed'): Promise<BacktestResult> {
  const H = model.horizon, Q = model.quantileLevels?.length ?? 1;
  const origins = originsOf(model, all, testSize, stride);
  const mean = origins.map((o) => new Float64Array(o.length * H)); // per series [origins, H]
  const quant = origins.map((o) => new Float64Array(o.length * H * Q)); // per series [origins, H, Q]
  const refits: BacktestRefit[] = [];
  // every series' test part has the same length, so each has the same number of origins
  for (let g = 0; g < origins[0].length; g += every) {
    const spans: Record<string, { start: number; end: number }> = {};
    all.forEach((ser, i) => {
      const end = origins[i][g];
      spans[ser.id] = { start: window === 'fixed' ? end - (ser.values.length - testSize) : 0, end };
    });
    const train = await model.fit(all, { trainStart: (ser) => spans[ser.id].start, trainEnd: (ser) => spans[ser.id].end });
    if (train !== null) refits.push({ firstOrigin: g, spans, train });
    all.forEach((ser, i) => {
      const f = model.forecastAt(ser, origins[i].slice(g, g + every));
      mean[i].set(pointOf(f), g * H);
      if (f.quantiles !== null) quant[i].set(f.quantiles, g * H * Q);
    });
  }
  const result = scored(model, all, testSize, origins, mean, model.quantileLevels === null ? null : quant);
  return refits.length === 0 ? result : { ...result, train: refits[0].train, refits };
}

function checkBacktest(opts: BacktestOptions, horizon: number): { testSize: number; stride: number } {
  const testSize = posInt(opts.testSize, 'testSize');
  const stride = posInt(opts.stride ?? 1, 'stride');
  if (testSize < horizon) throw new ConfigError(`testSize ${testSize} is shorter than the horizon ${horizon}: no forecast fits inside the test part`);
  return { testSize, stride };
}

/** Each series' forecast origins in its test part, with the model's history before each. */
function originsOf(model: ForecastModel, all: TimeSeries[], testSize: number, stride: number): number[][] {
  return all.map((ser) => testOrigins(ser.values.length, testSize, stride, model.horizon, model.minHistory(ser), ser.id));
}

/** Origins of the test part: T - testSize, then every stride steps while the horizon fits. */
export function testOrigins(T: number, testSize: number, stride: number, horizon: number, lookback: number, id = 'series'): number[] {
  const start = T - testSize;
  if (start < lookback) {
    throw new DataError(`series "${id}" has ${T} steps: ${start} before the test part, fewer than the lookback ${lookback}; use a smaller testSize or lookback`);
  }
  return windowOrigins({ lookback, horizon, start, end: T, stride });
}

/**
 * A backtest's result: the forecasts [origins, H] (and quantiles [origins, H, Q]) of each
 * series scored against its actual values, MASE scaled by the part before the test part.
 */
function scored(model: ForecastModel, all: TimeSeries[], testSize: number, origins: number[][], forecasts: Float64Array[],
  quantiles: Float64Array[] | null): BacktestResult {
  const H = model.horizon, Q = model.quantileLevels?.length ?? 1;
  const acc = new MetricAccumulator(H, model.quantileLevels);
  all.forEach((ser, i) => {
    const sc = seasonScale(ser, ser.values.length - testSize, model.seasonOf(ser));
    origins[i].forEach((o, w) => acc.add(ser.values.subarray(o, o + H), forecasts[i].subarray(w * H, (w + 1) * H), sc,
      quantiles === null ? null : quantiles[i].subarray(w * H * Q, (w + 1) * H * Q)));
  });
  return { model: model.name, overall: acc.overall(), perStep: acc.perStep(), origins, forecasts, quantiles };
}

function seasonScale(ser: TimeSeries, trainEnd: number, m: number): number {
  const s = maseScale(ser.values, trainEnd, m);
  if (!Number.isFinite(s)) {
    throw new DataError(`series "${ser.id}": MASE is undefined (the training part has no seasonal-naive error at period ${m}); give another season`);
  }
  return s;
}
