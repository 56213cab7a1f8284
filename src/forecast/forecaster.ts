// Forecaster on the pLSTM or LSTM, two ways on the same model family:
// - windowed, direct multi-output (Darts' BlockRNNModel): `lookback` scaled values (and
//   past covariates and calendar features) in, `horizon` values (or horizon x Q quantiles) out from the head on
//   the last step;
// - stateful (what the pLSTM's slow memory is for): the state runs through the whole history,
//   trained with truncated BPTT in chunks of `lookback` steps, a head on every step forecasting
//   the next `horizon` values; the forecast comes from the final state, and update(value)
//   advances that state by one observation with the streaming step instead of re-reading the
//   history.
// Settings take Darts-like names, with their defaults in FORECASTER_DEFAULTS.

import { ConfigError, DataError, ShapeError } from '../errors.js';
import { restoreState, saveState, type SavedState } from '../model/saved-state.js';
import type { ModelState } from '../model/validate.js';
import { SequenceModel } from '../model/sequence-model.js';
import { createOptimizer, type OptimizerSpec } from '../model/optimizers.js';
import { deserializeModel, serializeModel } from '../model/serialize.js';
import { DEFAULTS, resolvePInit, type LayerSpec, type ModelConfig, type PInit, type RuntimeOptions } from '../model/config.js';
import { checkEps, checkFinite, checkPositiveInt, requireSetting } from '../cells/bounds.js';
import type { FitCallbacks } from '../model/fit.js';
import { seriesCalendar, stepCalendar } from './calendar.js';
import { fitScaler, scale, unscale, type Scaler } from './scaler.js';
import { futureTimes, nextTime, sliceSeries, type Frequency, type TimeSeries } from './series.js';
import { windowInputs, windowOrigins } from './windows.js';
import { removeLevels, windowLevel, type Normalization } from './window-level.js';
import { DEFAULT_QUANTILES, medianIndex, sortQuantiles } from './quantiles.js';
import { trainChunks, trainWindows, type TrainSummary } from './train.js';
import { MetricAccumulator, maseScale, type ForecastMetrics } from './metrics.js';
import { baselineForecast, type BaselineName } from './baselines.js';

/** The recurrent cell: pLSTM, LSTM, or LSTM with chrono initialisation (Tmax = lookback). */
export type ForecastCell = 'plstm' | 'lstm' | 'lstm-chrono';

/**
 * 'windowed': a window of `lookback` steps in, `horizon` values out. 'stateful': the state
 * runs through the whole history (truncated BPTT in chunks of `lookback` steps) and every step
 * forecasts the next `horizon` values; forecasts come from the final state.
 */
export type ForecastMode = 'windowed' | 'stateful';

/** Settings of a Forecaster (Darts-like names). */
export interface ForecasterSettings {
  /**
   * Windowed: input chunk, the steps the model reads before each forecast. Stateful: the
   * truncation length of BPTT (steps per training chunk; the forecast reads the whole history).
   */
  lookback: number;
  /** Output chunk: steps forecast at once. */
  horizon: number;
  /** Windowed or stateful forecasting (see ForecastMode). Default 'windowed'. */
  mode?: ForecastMode;
  /** Cell of every layer. Default 'plstm'. */
  cell?: ForecastCell;
  /** Hidden units per layer. Default 32. */
  hidden?: number;
  /** Stacked recurrent layers. Default 1. */
  layers?: number;
  /** Dropout on each layer's outputs while training. Default 0. */
  dropout?: number;
  /** pLSTM only: the eps of every layer's age update and forget gate, in (0, 1). Default DEFAULTS.eps (1e-3). */
  eps?: number;
  /**
   * pLSTM only: how every layer's decay exponents p start ('uniform', 'range' of theta, or
   * 'fixed', not trained). Default DEFAULTS.pInit ({ mode: 'uniform' }).
   */
  pInit?: PInit;
  /**
   * 'lstm' only: constant added to every layer's forget-gate bias at init. Default
   * DEFAULTS.forgetBias (0). Not with 'lstm-chrono', whose chrono init sets that bias itself.
   */
  forgetBias?: number;
  /** Optimizer. Default Adam, lr 3e-3. */
  optimizer?: OptimizerSpec;
  /** Passes over the training windows. Default 30. */
  epochs?: number;
  /** Windows per training step. Default 32. */
  batchSize?: number;
  /** Seed of the weights and the shuffling. Default 1. */
  seed?: number;
  /** Quantile levels forecast with the pinball loss; null: point forecasts with MSE. Default [0.1, 0.5, 0.9]. */
  quantiles?: number[] | null;
  /** Feed calendar features (by frequency) with each step. Default true. */
  calendar?: boolean;
  /**
   * Known future covariates: each input step t also carries the calendar features of time
   * t + horizon, so the last `horizon` input steps carry those of every forecast step (and in
   * stateful mode the step whose head forecasts t+1 .. t+horizon carries those of the last).
   * Needs calendar. Default off: on a regular time grid these are a fixed function of the
   * step's own calendar features, and on daily Seattle temp_max (three seeds) they made the
   * pLSTM's MASE worse (0.884 vs 0.858); they are for grids where that does not hold.
   */
  futureCalendar?: boolean;
  /** Max gradient norm. Default 1. */
  clip?: number;
  /** Cap on training seconds; null = none. Default null. */
  timeLimit?: number | null;
  /** Share of the latest training windows held out to keep the best epoch; 0 = none (windowed mode only). Default 0. */
  validationShare?: number;
  /** Seasonal period of MASE and seasonal naive; default from the frequency (24, 7, 52, 12, 4, else 1). */
  season?: number;
  /**
   * 'series': values scaled by the training part's mean and standard deviation. 'window'
   * (windowed mode only): each window's inputs and targets also taken relative to its last
   * observed value, which is added back to the forecasts, so that a trend can leave the
   * training range. Default 'series'.
   */
  normalize?: Normalization;
}

/** The settings of one cell only (pLSTM: eps, pInit; 'lstm': forgetBias). */
type CellSettingKey = 'eps' | 'pInit' | 'forgetBias';

/**
 * Every setting with its default filled in; of the cell settings only the forecaster's cell's
 * own (pLSTM: eps and pInit; 'lstm': forgetBias; 'lstm-chrono': none).
 */
export type ResolvedForecasterSettings = Required<Omit<ForecasterSettings, 'season' | CellSettingKey>> &
  Pick<ForecasterSettings, CellSettingKey> & { season: number | null };

/** Defaults of the optional settings, in one place. */
export const FORECASTER_DEFAULTS = {
  mode: 'windowed' as ForecastMode,
  cell: 'plstm' as ForecastCell,
  hidden: 32,
  layers: 1,
  dropout: 0,
  eps: DEFAULTS.eps,
  pInit: DEFAULTS.pInit,
  forgetBias: DEFAULTS.forgetBias,
  optimizer: { kind: 'adam', lr: 3e-3 } as OptimizerSpec,
  epochs: 30,
  batchSize: 32,
  seed: 1,
  quantiles: [...DEFAULT_QUANTILES] as number[] | null,
  calendar: true,
  futureCalendar: false,
  clip: 1,
  timeLimit: null as number | null,
  validationShare: 0,
  normalize: 'series' as Normalization,
} as const;

/** The seasonal period a frequency suggests. */
export function defaultSeason(freq: Frequency): number {
  return { hour: 24, day: 7, week: 52, month: 12, quarter: 4, year: 1, fixed: 1 }[freq.unit];
}

function posInt(v: unknown, what: string): number {
  requireSetting(what, v, checkPositiveInt);
  return v as number;
}

/** Fills in defaults and validates; throws ConfigError naming the first problem. */
export function resolveForecasterSettings(s: ForecasterSettings): ResolvedForecasterSettings {
  const { eps, pInit, forgetBias, ...general } = FORECASTER_DEFAULTS;
  const { eps: _e, pInit: _p, forgetBias: _b, ...given } = stripUndefined(s);
  const r = { ...general, ...given, season: s.season ?? null } as ResolvedForecasterSettings;
  if (r.futureCalendar && !r.calendar) throw new ConfigError('futureCalendar needs calendar: turn calendar on, or futureCalendar off');
  posInt(r.lookback, 'lookback');
  posInt(r.horizon, 'horizon');
  posInt(r.hidden, 'hidden');
  posInt(r.layers, 'layers');
  posInt(r.epochs, 'epochs');
  posInt(r.batchSize, 'batchSize');
  if (!['windowed', 'stateful'].includes(r.mode)) throw new ConfigError(`unknown mode "${r.mode}": use windowed or stateful`);
  if (r.mode === 'stateful' && r.validationShare > 0) throw new ConfigError('validationShare is for windowed mode; a stateful forecaster trains on the whole history in order');
  if (!['series', 'window'].includes(r.normalize)) throw new ConfigError(`unknown normalize "${r.normalize}": use series or window`);
  if (r.mode === 'stateful' && r.normalize === 'window') throw new ConfigError('normalize \'window\' is for windowed mode; a stateful forecaster reads the whole history, not windows');
  if (!['plstm', 'lstm', 'lstm-chrono'].includes(r.cell)) throw new ConfigError(`unknown cell "${r.cell}": use plstm, lstm or lstm-chrono`);
  if (r.cell === 'lstm-chrono' && r.lookback <= 2) throw new ConfigError('cell lstm-chrono needs lookback > 2 (its Tmax)');
  Object.assign(r, resolveCellSettings(s, r.cell, { eps, pInit, forgetBias }));
  if (r.season !== null) posInt(r.season, 'season');
  if (r.quantiles !== null && (r.quantiles.length === 0 || !r.quantiles.every((q) => q > 0 && q < 1))) {
    throw new ConfigError('quantiles must be levels in (0, 1), e.g. [0.1, 0.5, 0.9], or null for point forecasts');
  }
  if (!(r.validationShare >= 0 && r.validationShare < 1)) throw new ConfigError(`validationShare must lie in [0, 1), got ${r.validationShare}`);
  if (r.timeLimit !== null && !(r.timeLimit > 0)) throw new ConfigError(`timeLimit must be > 0 seconds, got ${r.timeLimit}`);
  if (r.quantiles !== null) r.quantiles = [...r.quantiles].sort((a, b) => a - b);
  return r;
}

/** The cell's own settings with their defaults, checked with the model's bounds; another cell's is an error. */
function resolveCellSettings(s: ForecasterSettings, cell: ForecastCell,
  defaults: { eps: number; pInit: PInit; forgetBias: number }): Pick<ForecasterSettings, CellSettingKey> {
  if (cell !== 'plstm') {
    for (const k of ['eps', 'pInit'] as const) {
      if (s[k] !== undefined) throw new ConfigError(`${k} is a pLSTM setting; this forecaster's cell is ${cell}`);
    }
  }
  if (cell === 'plstm' && s.forgetBias !== undefined) throw new ConfigError('forgetBias is an LSTM setting; this forecaster\'s cell is plstm');
  if (cell === 'lstm-chrono' && s.forgetBias !== undefined) {
    throw new ConfigError('forgetBias with cell lstm-chrono: chrono init sets the forget-gate bias itself; use cell lstm with forgetBias, or lstm-chrono alone');
  }
  if (cell === 'plstm') {
    const eps = s.eps ?? defaults.eps;
    requireSetting('eps', eps, checkEps);
    return { eps, pInit: resolvePInit(s.pInit ?? defaults.pInit, 'pInit') };
  }
  if (cell === 'lstm') {
    const forgetBias = s.forgetBias ?? defaults.forgetBias;
    requireSetting('forgetBias', forgetBias, checkFinite);
    return { forgetBias };
  }
  return {};
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A forecast of one series after an origin, in the series' units. */
export interface SeriesForecast {
  id: string;
  /** Times of the forecast steps. */
  times: number[];
  /** Point forecast [h] (the median with quantiles). */
  mean: Float64Array;
  /** Quantile levels, or null for point forecasts. */
  levels: number[] | null;
  /** Quantile forecasts [h, Q], monotone in Q; null for point forecasts. */
  quantiles: Float64Array | null;
}

/** Options of backtest. */
export interface BacktestOptions {
  /** Steps at the end of each series held out; the model trains on what comes before. */
  testSize: number;
  /** Steps between forecast origins. Default 1. */
  stride?: number;
  /**
   * Train anew before the backtest (on everything before the test part). Default true when
   * the forecaster is not fitted yet; with false a fitted forecaster is used as it is (its
   * training part must end before the test part: the backtest checks it).
   */
  refit?: boolean;
  /**
   * Retrain every this many origins: before the 1st, (k+1)-th, (2k+1)-th ... origin, on data
   * before that origin only, so ceil(origins / refitEvery) trainings. Each starts from the same
   * seed (fresh weights, same shuffling), so refits differ only by their data. Default: none,
   * one training before the test part.
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
  model: string;
  overall: ForecastMetrics;
  perStep: ForecastMetrics[];
  /** Origins (index of the first forecast step) per series. */
  origins: number[][];
  /** Point forecasts [origins, horizon] per series, in the series' units. */
  forecasts: Float64Array[];
  /** Quantile forecasts [origins, horizon, Q] per series, or null. */
  quantiles: Float64Array[] | null;
  /** The training before the test part (the first refit's, when refitting). */
  train?: TrainSummary;
  /** With refitEvery: every training, in order. */
  refits?: BacktestRefit[];
}

/** The forecaster's state saved in the model file's metadata. */
interface SavedForecaster {
  settings: ResolvedForecasterSettings;
  scalers: Record<string, Scaler>;
  calendar: string[];
  /** Names of the past covariates (absent in files saved before they existed: none). */
  covariates?: string[];
  /** Per series, one scaler per past covariate, fitted on its training part. */
  covariateScalers?: Record<string, Scaler[]>;
  trainEnds: Record<string, number>;
  info: Record<string, unknown>;
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
}

const META_KEY = 'forecaster';

/** A series' live state in stateful mode: where update() continues from. */
interface LiveSeries {
  /** The model's state after the last observation read (B = 1). */
  state: ModelState;
  /** The head's outputs at that step [horizon * Q] (scaled): the forecast of the next steps. */
  out: Float32Array;
  /** Time of the last observation read. */
  last: number;
  freq: Frequency;
  timeKind: 'date' | 'number';
}

/** Windowed or stateful forecaster (see ForecastMode). */
export class Forecaster {
  readonly settings: ResolvedForecasterSettings;
  private model: SequenceModel | null = null;
  private scalers = new Map<string, Scaler>();
  private trainEnds = new Map<string, number>();
  private calendarNames: string[] | null = null;
  private covariateNames: string[] | null = null;
  private covariateScalers = new Map<string, Scaler[]>();
  private live = new Map<string, LiveSeries>();
  /** What the last fit did. */
  lastTrain: TrainSummary | null = null;
  /** Caller's JSON-safe notes saved with the model (e.g. which CSV columns it was trained on). */
  info: Record<string, unknown> = {};

  constructor(settings: ForecasterSettings, private readonly runtime: RuntimeOptions = {}) {
    this.settings = resolveForecasterSettings(settings);
  }

  /** Quantile outputs per step (1 for point forecasts). */
  get Q(): number {
    return this.settings.quantiles?.length ?? 1;
  }

  get fitted(): boolean {
    return this.model !== null;
  }

  /** The underlying model (after fit or load). */
  get sequenceModel(): SequenceModel {
    if (this.model === null) throw new ConfigError('the forecaster is not fitted: call fit() first');
    return this.model;
  }

  /** The scalers of a series' past covariates (in their order), fitted on its training part. */
  covariateScalersOf(id: string): Scaler[] {
    this.scalerOf(id);
    return this.covariateScalers.get(id) ?? [];
  }

  /** The scaler fitted on a series' training part. */
  scalerOf(id: string): Scaler {
    const s = this.scalers.get(id);
    if (s === undefined) throw new DataError(`series "${id}" was not part of training: the model has no scaler for it`);
    return s;
  }

  private modelConfig(F: number): ModelConfig {
    const s = this.settings;
    const layer = (): LayerSpec => s.cell === 'plstm'
      ? { cell: 'plstm', hidden: s.hidden, dropout: s.dropout, eps: s.eps, pInit: s.pInit }
      : s.cell === 'lstm'
        ? { cell: 'lstm', hidden: s.hidden, dropout: s.dropout, forgetBias: s.forgetBias }
        : { cell: 'lstm', hidden: s.hidden, dropout: s.dropout, chrono: s.lookback };
    const cfg: ModelConfig = {
      input: { kind: 'dense', size: F },
      layers: Array.from({ length: s.layers }, layer),
      head: { size: s.horizon * this.Q, steps: s.mode === 'stateful' ? 'all' : 'last' },
      loss: s.quantiles === null ? 'mse' : 'pinball',
      seed: s.seed,
    };
    if (s.quantiles !== null) cfg.quantiles = s.quantiles;
    return cfg;
  }

  /**
   * Trains on each series' values[0 .. trainEnd) (default: all of it): one scaler per series
   * fitted on that part only. Windowed: windows of every series pooled and shuffled. Stateful:
   * one row per series, run in order in chunks of `lookback` steps with the state carried.
   * opts.callbacks: the caller's hooks into the training loop (see FitCallbacks), e.g. live
   * progress, or a Promise that pauses training between steps.
   */
  async fit(series: TimeSeries | TimeSeries[], opts: { trainEnd?: (s: TimeSeries) => number; callbacks?: FitCallbacks[] } = {}): Promise<TrainSummary> {
    const all = Array.isArray(series) ? series : [series];
    const s = this.settings;
    this.model?.dispose();
    this.scalers.clear();
    this.covariateScalers.clear();
    this.trainEnds.clear();
    this.live.clear();
    // the first series names the covariates; every other one must match it
    this.calendarNames = null;
    this.covariateNames = null;
    const prepared = all.map((ser) => {
      const end = opts.trainEnd?.(ser) ?? ser.values.length;
      if (end < s.lookback + s.horizon) {
        throw new DataError(`series "${ser.id}" has ${end} training steps, fewer than lookback + horizon = ${s.lookback + s.horizon}; lower them or give more data`);
      }
      // scalers of the value and of each past covariate: the training part only
      this.scalers.set(ser.id, fitScaler(ser.values, end));
      this.covariateScalers.set(ser.id, (ser.covariates ?? []).map((c) => fitScaler(c.values, end)));
      this.trainEnds.set(ser.id, end);
      const f = this.features(ser);
      this.calendarNames ??= f.calendarNames;
      this.covariateNames ??= f.covariateNames;
      return { ser, end, ...f };
    });
    const C = prepared[0].C;
    if (s.mode === 'stateful') {
      this.lastTrain = await this.fitStateful(prepared, C, opts.callbacks);
      return this.lastTrain;
    }
    const windows: { p: number; o: number }[] = [];
    prepared.forEach((p, i) => {
      for (const o of windowOrigins({ lookback: s.lookback, horizon: s.horizon, end: p.end })) windows.push({ p: i, o });
    });
    const nVal = Math.floor(windows.length * s.validationShare);
    // validation: the latest windows of the pool (by origin), so it looks like the future
    const byTime = windows.map((w, i) => i).sort((a, b) => windows[b].o - windows[a].o);
    const validation = byTime.slice(0, nVal);
    const F = 1 + C, O = s.horizon * this.Q, Q = this.Q;
    const model = SequenceModel.create(this.modelConfig(F), this.runtime);
    this.model = model;
    const opt = createOptimizer(s.optimizer);
    const fill = (idx: number[], x: Float32Array, y: Float32Array): void => {
      idx.forEach((wi, b) => this.writeWindows(prepared[windows[wi].p], [windows[wi].o], x, b, y));
    };
    this.lastTrain = await trainWindows(model, opt, windows.length, s.lookback, F, O, fill, {
      epochs: s.epochs, batchSize: s.batchSize, seed: s.seed, clip: s.clip, timeLimit: s.timeLimit,
      validation, patience: nVal > 0 ? 5 : undefined, callbacks: opts.callbacks,
    });
    return this.lastTrain;
  }

  /**
   * Stateful training: row b is series b from its first step; chunk k holds steps
   * k*lookback .. (k+1)*lookback - 1; step t's targets are the scaled values t+1 .. t+horizon,
   * weighted 0 where they reach past the training part (and on the padding of shorter series).
   */
  private async fitStateful(prepared: { end: number; scaled: Float64Array; cov: Float64Array }[], C: number,
    callbacks?: FitCallbacks[]): Promise<TrainSummary> {
    const s = this.settings, Q = this.Q, H = s.horizon, F = 1 + C, O = H * Q, L = s.lookback;
    const B = prepared.length;
    // the last step with a whole horizon inside some series' training part, plus one
    const steps = Math.max(...prepared.map((p) => p.end - H));
    const model = SequenceModel.create(this.modelConfig(F), this.runtime);
    this.model = model;
    const opt = createOptimizer(s.optimizer);
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
    return trainChunks(model, opt, chunk, Math.ceil(steps / L), null, {
      epochs: s.epochs, clip: s.clip, timeLimit: s.timeLimit, callbacks,
    });
  }

  /**
   * The windows from `origins` of one series' features, written from window `at` on: inputs
   * x [W, lookback, F] and (unless null) targets y [W, horizon, Q], both relative to each
   * window's level (normalize 'window'; else 0). Returns the levels [W]. What training,
   * windowsOf and forecastAt all read.
   */
  private writeWindows(f: { scaled: Float64Array; cov: Float64Array; C: number }, origins: number[],
    x: Float32Array, at: number, y: Float32Array | null): number[] {
    const s = this.settings, H = s.horizon, Q = this.Q;
    windowInputs(f.scaled, f.cov, f.C, origins, s.lookback, x, at);
    const levels = origins.map((o) => this.levelOf(f.scaled, o));
    if (s.normalize === 'window') removeLevels(x, levels, s.lookback, 1 + f.C, at);
    if (y !== null) {
      origins.forEach((o, w) => {
        for (let h = 0; h < H; h++) for (let q = 0; q < Q; q++) y[((at + w) * H + h) * Q + q] = f.scaled[o + h] - levels[w];
      });
    }
    return levels;
  }

  /** What a window's scaled values are taken relative to: 0, or its last observed value with normalize 'window'. */
  private levelOf(scaled: ArrayLike<number>, o: number): number {
    return this.settings.normalize === 'window' ? windowLevel(scaled, o) : 0;
  }

  /** How far ahead the calendar features of each step reach: the horizon with futureCalendar, else 0. */
  private get calendarLead(): number {
    return this.settings.futureCalendar ? this.settings.horizon : 0;
  }

  /**
   * Scaled values and calendar covariates of a whole series. A lead of `horizon` (not of 1 ..
   * horizon) keeps one extra feature block per step and still reaches every forecast step: in a
   * window the last `horizon` inputs carry the features of the `horizon` forecast steps, in the
   * same layout in windowed and stateful mode, and update() computes them from the live time.
   */
  private features(ser: TimeSeries): { scaled: Float64Array; cov: Float64Array; C: number; calendarNames: string[]; covariateNames: string[] } {
    const scaler = this.scalerOf(ser.id);
    const scaled = ser.values.map((v) => scale(scaler, v));
    const T = ser.values.length;
    const past = ser.covariates ?? [];
    const covariateNames = past.map((c) => c.name);
    if (this.covariateNames !== null && covariateNames.join() !== this.covariateNames.join()) {
      throw new DataError(`series "${ser.id}" has past covariates ${covariateNames.join(', ') || 'none'}, the model was trained with ${this.covariateNames.join(', ') || 'none'}; give the same columns`);
    }
    past.forEach((c) => checkCovariate(ser, c.name, c.values));
    const cal = this.settings.calendar ? seriesCalendar(ser, this.calendarLead) : { names: [], data: new Float64Array(0) };
    if (this.calendarNames !== null && cal.names.join() !== this.calendarNames.join()) {
      throw new DataError(`series "${ser.id}" has calendar features ${cal.names.join(', ') || 'none'}, the model was trained with ${this.calendarNames.join(', ') || 'none'}; give data of the training frequency`);
    }
    const P = past.length, K = cal.names.length, C = P + K;
    const covScalers = this.covariateScalers.get(ser.id) ?? [];
    const cov = new Float64Array(T * C); // [T, P + K]: past covariates (scaled), then calendar features
    for (let t = 0; t < T; t++) {
      for (let p = 0; p < P; p++) cov[t * C + p] = scale(covScalers[p], past[p].values[t]);
      if (K > 0) cov.set(cal.data.subarray(t * K, (t + 1) * K), t * C + P);
    }
    return { scaled, cov, C, calendarNames: cal.names, covariateNames };
  }

  /**
   * The model's inputs and scaled targets for windows of one series (a series it was trained
   * on) from the given origins: x [W, lookback, 1 + past covariates + calendar features],
   * y [W, horizon, Q].
   * What the analysis of a forecaster's model runs on.
   */
  windowsOf(ser: TimeSeries, origins: number[]): { x: Float32Array; y: Float32Array } {
    const s = this.settings;
    const { scaled, cov, C } = this.features(ser);
    for (const o of origins) {
      if (o < s.lookback || o + s.horizon > ser.values.length) throw new DataError(`series "${ser.id}": no window of ${s.lookback} + ${s.horizon} steps at origin ${o}`);
    }
    const x = new Float32Array(origins.length * s.lookback * (1 + C)); // [W, L, F]
    const y = new Float32Array(origins.length * s.horizon * this.Q); // [W, H, Q]
    this.writeWindows({ scaled, cov, C }, origins, x, 0, y);
    return { x, y };
  }

  /**
   * Forecasts from the given origins of one series (the index of each forecast's first step;
   * windowed: each origin >= lookback, stateful: >= 1): point forecasts [W, horizon] and
   * quantiles [W, horizon, Q] (monotone), in the series' units.
   */
  forecastAt(ser: TimeSeries, origins: number[]): { mean: Float64Array; quantiles: Float64Array | null } {
    const model = this.sequenceModel;
    const s = this.settings, HQ = s.horizon * this.Q;
    const scaler = this.scalerOf(ser.id);
    const { scaled, cov, C } = this.features(ser);
    const first = s.mode === 'stateful' ? 1 : s.lookback;
    for (const o of origins) {
      if (!(o >= first && o <= ser.values.length)) throw new DataError(`series "${ser.id}": a forecast from step ${o} needs ${first} steps before it`);
    }
    const raw = new Float32Array(origins.length * HQ); // [W, H * Q], scaled
    if (s.mode === 'stateful') {
      // one pass over the history up to the latest origin; the head's outputs at step o - 1
      // forecast steps o .. o + horizon - 1
      const T = Math.max(...origins);
      const out = model.predict(windowInputs(scaled, cov, C, [T], T), 1, T); // [1, T, H * Q]
      origins.forEach((o, w) => raw.set(out.subarray((o - 1) * HQ, o * HQ), w * HQ));
    } else {
      const chunk = 256;
      for (let at = 0; at < origins.length; at += chunk) {
        const part = origins.slice(at, at + chunk);
        const x = new Float32Array(part.length * s.lookback * (1 + C)); // [B, L, F]
        const levels = this.writeWindows({ scaled, cov, C }, part, x, 0, null); // [B]
        const out = model.predict(x, part.length, s.lookback); // [B, H * Q], relative to each level
        levels.forEach((l, b) => { for (let k = 0; k < HQ; k++) raw[(at + b) * HQ + k] = out[b * HQ + k] + l; });
      }
    }
    return this.unscaleOutputs(raw, origins.length, scaler);
  }

  /** Scaled head outputs [W, H * Q] to forecasts in the series' units, quantiles sorted. */
  private unscaleOutputs(raw: Float32Array, W: number, scaler: Scaler): { mean: Float64Array; quantiles: Float64Array | null } {
    const s = this.settings, Q = this.Q, H = s.horizon;
    if (Q > 1) sortQuantiles(raw, Q);
    const mean = new Float64Array(W * H); // [W, H]
    const quantiles = s.quantiles === null ? null : new Float64Array(W * H * Q); // [W, H, Q]
    const mid = s.quantiles === null ? 0 : medianIndex(s.quantiles);
    for (let row = 0; row < W * H; row++) {
      mean[row] = unscale(scaler, raw[row * Q + mid]);
      if (quantiles !== null) for (let q = 0; q < Q; q++) quantiles[row * Q + q] = unscale(scaler, raw[row * Q + q]);
    }
    return { mean, quantiles };
  }

  /**
   * Forecasts h <= horizon steps after the end of each series. Stateful mode reads each whole
   * series and keeps its final state, from which update() continues.
   */
  predict(series: TimeSeries | TimeSeries[], h: number = this.settings.horizon): SeriesForecast[] {
    const all = Array.isArray(series) ? series : [series];
    this.checkH(h);
    return all.map((ser) => {
      if (this.settings.mode === 'stateful') {
        this.readHistory(ser);
        return this.liveForecast(ser.id, h);
      }
      if (ser.values.length < this.settings.lookback) {
        throw new DataError(`series "${ser.id}" has ${ser.values.length} steps, fewer than the lookback ${this.settings.lookback}`);
      }
      const { mean, quantiles } = this.forecastAt(ser, [ser.values.length]);
      return this.seriesForecast(ser.id, futureTimes(ser, h), mean, quantiles, h);
    });
  }

  /**
   * Stateful mode: advances series `id`'s state by one new observation (the step after the
   * last one read, by predict() or update()) with the model's streaming step, and returns the
   * new forecast of h <= horizon steps. The history is not read again. A model with past
   * covariates needs their values at the same step, by name (e.g. { temp: 21.5 }).
   */
  update(value: number, id?: string, h: number = this.settings.horizon, covariates: Record<string, number> = {}): SeriesForecast {
    if (this.settings.mode !== 'stateful') throw new ConfigError('update() needs a stateful forecaster (mode: \'stateful\'); a windowed one forecasts with predict()');
    this.checkH(h);
    const key = id ?? (this.live.size === 1 ? this.live.keys().next().value! : undefined);
    const live = key === undefined ? undefined : this.live.get(key);
    if (key === undefined || live === undefined) {
      throw new ConfigError(`no live state for series ${key === undefined ? '(give its id)' : `"${key}"`}: call predict() with its history first`);
    }
    if (!Number.isFinite(value)) throw new DataError(`update() got ${value} for series "${key}": give a finite number`);
    const scaler = this.scalerOf(key);
    const t = nextTime(live.last, live.freq);
    const names = this.covariateNames ?? [], P = names.length, K = this.calendarNames?.length ?? 0;
    const x = new Float32Array(1 + P + K); // [1, F]: value, past covariates, calendar features
    x[0] = scale(scaler, value);
    const covScalers = this.covariateScalers.get(key)!;
    names.forEach((name, p) => {
      const v = covariates[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new DataError(`update() for series "${key}" needs a finite value of past covariate "${name}" (covariates: { ${names.map((n) => `${n}: number`).join(', ')} })`);
      }
      x[1 + p] = scale(covScalers[p], v);
    });
    if (K > 0) x.set(stepCalendar(t, live.freq, live.timeKind, this.calendarLead), 1 + P);
    live.out = this.sequenceModel.step(live.state, x);
    live.last = t;
    return this.liveForecast(key, h);
  }

  /** Stateful mode: runs a whole series through the model and keeps its final state. */
  private readHistory(ser: TimeSeries): void {
    const model = this.sequenceModel;
    const scaler = this.scalerOf(ser.id);
    const { scaled, cov, C } = this.features(ser);
    const T = ser.values.length, HQ = this.settings.horizon * this.Q;
    const x = windowInputs(scaled, cov, C, [T], T); // [1, T, F]
    const { outputs, state } = model.evaluate({ B: 1, T, x, y: new Float32Array(T * HQ) }); // outputs [1, T, H * Q]
    this.live.set(ser.id, {
      state, out: outputs.slice((T - 1) * HQ), last: ser.times[T - 1], freq: ser.freq, timeKind: ser.timeKind,
    });
  }

  private liveForecast(id: string, h: number): SeriesForecast {
    const live = this.live.get(id)!;
    const { mean, quantiles } = this.unscaleOutputs(live.out.slice(), 1, this.scalerOf(id));
    const times = Array.from({ length: h }, (_, k) => nextTime(live.last, live.freq, k + 1));
    return this.seriesForecast(id, times, mean, quantiles, h);
  }

  private seriesForecast(id: string, times: number[], mean: Float64Array, quantiles: Float64Array | null, h: number): SeriesForecast {
    return {
      id, times, mean: mean.slice(0, h), levels: this.settings.quantiles,
      quantiles: quantiles === null ? null : quantiles.slice(0, h * this.Q),
    };
  }

  private checkH(h: number): void {
    const H = this.settings.horizon;
    if (!Number.isInteger(h) || h < 1 || h > H) {
      throw new ConfigError(`horizon ${h} is outside 1..${H}: this model forecasts at most ${H} steps at once; train one with a longer horizon`);
    }
  }

  /**
   * Rolling-origin backtest: trained (unless refit is false and the forecaster is fitted) on
   * everything before the last testSize steps of each series, then forecasts from every origin
   * of the test part, `stride` apart, whose whole horizon lies inside it. With refitEvery it
   * trains again every refitEvery origins on data before them only (expanding or fixed window);
   * without, no refitting between origins. MASE is scaled by each series' initial training part
   * (before the test part) either way, so results stay comparable.
   */
  async backtest(series: TimeSeries | TimeSeries[], opts: BacktestOptions): Promise<BacktestResult> {
    const all = Array.isArray(series) ? series : [series];
    const { testSize, stride } = checkBacktest(opts, this.settings.horizon);
    const window = opts.window ?? 'expanding';
    if (window !== 'expanding' && window !== 'fixed') throw new ConfigError(`unknown window "${String(window)}": use expanding or fixed`);
    if (opts.refitEvery !== undefined) {
      const every = posInt(opts.refitEvery, 'refitEvery');
      if (opts.refit === false) throw new ConfigError('refitEvery trains again during the backtest: leave refit unset (or true) with it');
      return this.refittingBacktest(all, testSize, stride, every, window);
    }
    const refit = opts.refit ?? !this.fitted;
    if (!refit) return this.backtestFitted(all, opts);
    const train = await this.fit(all, { trainEnd: (ser) => ser.values.length - testSize });
    return { ...this.backtestFitted(all, opts), train };
  }

  /**
   * backtest() of the fitted model as it is, without training (synchronous): its training part
   * must end before each series' test part.
   */
  backtestFitted(series: TimeSeries | TimeSeries[], opts: Pick<BacktestOptions, 'testSize' | 'stride'>): BacktestResult {
    const all = Array.isArray(series) ? series : [series];
    const { testSize, stride } = checkBacktest(opts, this.settings.horizon);
    for (const ser of all) {
      const end = this.trainEnds.get(ser.id);
      if (end !== undefined && end > ser.values.length - testSize) {
        throw new ConfigError(`the forecaster was trained on ${end} steps of "${ser.id}", past the start of the test part; backtest with refit`);
      }
    }
    const origins = this.testOriginsOf(all, testSize, stride);
    const forecasts = all.map((ser, i) => this.forecastAt(ser, origins[i]));
    return this.scored(all, testSize, origins, forecasts.map((f) => f.mean),
      this.settings.quantiles === null ? null : forecasts.map((f) => f.quantiles!));
  }

  /** Each series' forecast origins in its test part (a windowed model needs lookback steps before each). */
  private testOriginsOf(all: TimeSeries[], testSize: number, stride: number): number[][] {
    const s = this.settings, first = s.mode === 'stateful' ? 1 : s.lookback;
    return all.map((ser) => testOrigins(ser.values.length, testSize, stride, s.horizon, first, ser.id));
  }

  /**
   * backtest() with refitEvery: origin groups of `every`, each forecast by a model trained just
   * before the group's first origin (everything before it, or the last N steps with 'fixed').
   */
  private async refittingBacktest(all: TimeSeries[], testSize: number, stride: number, every: number,
    window: 'expanding' | 'fixed'): Promise<BacktestResult> {
    const s = this.settings, H = s.horizon, Q = this.Q;
    const origins = this.testOriginsOf(all, testSize, stride);
    const mean = origins.map((o) => new Float64Array(o.length * H)); // per series [origins, H]
    const quant = origins.map((o) => new Float64Array(o.length * H * Q)); // per series [origins, H, Q]
    const refits: BacktestRefit[] = [];
    // every series' test part has the same length, so each has the same number of origins
    for (let g = 0; g < origins[0].length; g += every) {
      const spans: Record<string, { start: number; end: number }> = {};
      const slices = all.map((ser, i) => {
        const end = origins[i][g];
        const start = window === 'fixed' ? end - (ser.values.length - testSize) : 0;
        spans[ser.id] = { start, end };
        return sliceSeries(ser, start, end);
      });
      const train = await this.fit(slices);
      refits.push({ firstOrigin: g, spans, train });
      all.forEach((ser, i) => {
        const group = origins[i].slice(g, g + every);
        const f = this.forecastAt(ser, group);
        mean[i].set(f.mean, g * H);
        if (f.quantiles !== null) quant[i].set(f.quantiles, g * H * Q);
      });
    }
    // what the last model saw, in the series' own step numbers
    for (const ser of all) this.trainEnds.set(ser.id, refits[refits.length - 1].spans[ser.id].end);
    return { ...this.scored(all, testSize, origins, mean, s.quantiles === null ? null : quant), train: refits[0].train, refits };
  }

  /**
   * A backtest's result: the forecasts [origins, H] (and quantiles [origins, H, Q]) of each
   * series scored against its actual values, MASE scaled by the part before the test part.
   */
  private scored(all: TimeSeries[], testSize: number, origins: number[][], forecasts: Float64Array[],
    quantiles: Float64Array[] | null): BacktestResult {
    const H = this.settings.horizon, Q = this.Q;
    const acc = new MetricAccumulator(H, this.settings.quantiles);
    all.forEach((ser, i) => {
      const sc = seasonScale(ser, ser.values.length - testSize, this.seasonOf(ser));
      origins[i].forEach((o, w) => acc.add(ser.values.subarray(o, o + H), forecasts[i].subarray(w * H, (w + 1) * H), sc,
        quantiles === null ? null : quantiles[i].subarray(w * H * Q, (w + 1) * H * Q)));
    });
    return { model: this.settings.cell, overall: acc.overall(), perStep: acc.perStep(), origins, forecasts, quantiles };
  }

  /** The seasonal period used for MASE: the setting, else the frequency's. */
  seasonOf(ser: TimeSeries): number {
    return this.settings.season ?? defaultSeason(ser.freq);
  }

  /**
   * The model file's bytes: weights, settings and scalers (in its metadata), and in stateful
   * mode each series' live state, so that fromBytes(bytes).update(v) continues where this one is.
   */
  toBytes(): Uint8Array {
    const saved: SavedForecaster = {
      settings: this.settings,
      scalers: Object.fromEntries(this.scalers),
      calendar: this.calendarNames ?? [],
      covariates: this.covariateNames ?? [],
      covariateScalers: Object.fromEntries(this.covariateScalers),
      trainEnds: Object.fromEntries(this.trainEnds),
      info: this.info,
    };
    if (this.live.size > 0) {
      saved.live = Object.fromEntries([...this.live].map(([id, l]) => [id, {
        layers: saveState(l.state).layers,
        out: Array.from(l.out), last: l.last, freq: l.freq, timeKind: l.timeKind,
      }]));
    }
    return serializeModel(this.sequenceModel, null, { [META_KEY]: saved });
  }

  /** A forecaster from toBytes()' bytes. */
  static fromBytes(bytes: Uint8Array, runtime: RuntimeOptions = {}, what = 'model file'): Forecaster {
    const { model, meta } = deserializeModel(bytes, runtime, what);
    const saved = meta[META_KEY] as SavedForecaster | undefined;
    if (saved === undefined || typeof saved !== 'object') {
      model.dispose();
      throw new DataError(`${what} is a model but not a forecaster (no forecaster settings inside); train one with plstm forecast fit`);
    }
    // files saved before futureCalendar existed fed no lead features; those saved before eps,
    // pInit and forgetBias existed built their layers with the library's defaults, which the
    // settings fill in
    const f = new Forecaster({ ...saved.settings, season: saved.settings.season ?? undefined,
      futureCalendar: saved.settings.futureCalendar ?? false }, runtime);
    f.model = model;
    f.scalers = new Map(Object.entries(saved.scalers));
    f.trainEnds = new Map(Object.entries(saved.trainEnds ?? {}));
    f.calendarNames = saved.calendar;
    f.covariateNames = saved.covariates ?? [];
    f.covariateScalers = new Map(Object.entries(saved.covariateScalers ?? {}));
    f.info = saved.info ?? {};
    try {
      for (const [id, l] of Object.entries(saved.live ?? {})) f.live.set(id, restoreLive(model, l, what));
    } catch (e) {
      f.dispose();
      throw e;
    }
    return f;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
    this.live.clear();
  }
}

function checkBacktest(opts: BacktestOptions, horizon: number): { testSize: number; stride: number } {
  const testSize = posInt(opts.testSize, 'testSize');
  const stride = posInt(opts.stride ?? 1, 'stride');
  if (testSize < horizon) throw new ConfigError(`testSize ${testSize} is shorter than the horizon ${horizon}: no forecast fits inside the test part`);
  return { testSize, stride };
}

/** A saved live state back into the model's buffers (its dtype), checked against its shapes. */
function restoreLive(model: SequenceModel, l: SavedLive, what: string): LiveSeries {
  let state: ModelState;
  try {
    state = restoreState(model, { B: 1, layers: l.layers });
  } catch (err) {
    if (err instanceof ShapeError) throw new DataError(`${what}: its saved live state does not fit its model (corrupt file); fit the forecaster again`);
    throw err;
  }
  return { state, out: Float32Array.from(l.out), last: l.last, freq: l.freq, timeKind: l.timeKind };
}

/** A past covariate must have one finite value per step of its series. */
function checkCovariate(ser: TimeSeries, name: string, values: ArrayLike<number>): void {
  if (values.length !== ser.values.length) {
    throw new DataError(`series "${ser.id}": past covariate "${name}" has ${values.length} values for ${ser.values.length} steps; give one per step`);
  }
  for (let t = 0; t < values.length; t++) {
    if (!Number.isFinite(values[t])) throw new DataError(`series "${ser.id}": past covariate "${name}" is ${values[t]} at step ${t}; fill it (or use --fill interpolate)`);
  }
}

/** Origins of the test part: T - testSize, then every stride steps while the horizon fits. */
export function testOrigins(T: number, testSize: number, stride: number, horizon: number, lookback: number, id = 'series'): number[] {
  const start = T - testSize;
  if (start < lookback) {
    throw new DataError(`series "${id}" has ${T} steps: ${start} before the test part, fewer than the lookback ${lookback}; use a smaller --test-size or --lookback`);
  }
  return windowOrigins({ lookback, horizon, start, end: T, stride });
}

function seasonScale(ser: TimeSeries, trainEnd: number, m: number): number {
  const s = maseScale(ser.values, trainEnd, m);
  if (!Number.isFinite(s)) {
    throw new DataError(`series "${ser.id}": MASE is undefined (the training part has no seasonal-naive error at period ${m}); give another --season`);
  }
  return s;
}

/** The same backtest for a baseline (no training): naive, seasonal naive (period m) or drift. */
export function backtestBaseline(name: BaselineName, series: TimeSeries[], opts: BacktestOptions & { horizon: number; season?: number }): BacktestResult {
  const { testSize, stride } = checkBacktest(opts, opts.horizon);
  const H = opts.horizon;
  const acc = new MetricAccumulator(H);
  const result: BacktestResult = { model: name, overall: acc.overall(), perStep: [], origins: [], forecasts: [], quantiles: null };
  for (const ser of series) {
    const T = ser.values.length;
    const m = opts.season ?? defaultSeason(ser.freq);
    const origins = testOrigins(T, testSize, stride, H, name === 'snaive' ? m : 1, ser.id);
    const sc = seasonScale(ser, T - testSize, m);
    const all = new Float64Array(origins.length * H);
    origins.forEach((o, w) => {
      const f = baselineForecast(name, ser.values, o, H, m);
      all.set(f, w * H);
      acc.add(ser.values.subarray(o, o + H), f, sc);
    });
    result.origins.push(origins);
    result.forecasts.push(all);
  }
  result.overall = acc.overall();
  result.perStep = acc.perStep();
  return result;
}
