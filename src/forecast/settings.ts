// The Forecaster's settings: Darts-like names, their defaults in FORECASTER_DEFAULTS (one
// place), and the one function that fills them in and checks them.

import { ConfigError } from '../errors.js';
import { deprecated } from '../deprecated.js';
import { DEFAULTS, resolvePInit, type PInit } from '../model/config.js';
import type { OptimizerConfig } from '../model/optimizers.js';
import { checkChrono, checkEps, checkFinite, checkPositiveInt, requireSetting } from '../cells/bounds.js';
import type { Normalization } from './window-level.js';
import { DEFAULT_QUANTILES } from './quantiles.js';
import { defaultSeasons, type Frequency } from './series.js';

/**
 * The recurrent cell: 'plstm' or 'lstm' (with `chrono` for chrono initialisation, as a
 * model's LayerConfig). 'lstm-chrono' is deprecated: it reads as { cell: 'lstm', chrono: true }
 * (it stays the NAME of such a forecaster in backtests and the CLI's --cell and --models).
 */
export type ForecastCell = 'plstm' | 'lstm' | 'lstm-chrono';

/**
 * 'windowed': a window of `lookback` steps in, `horizon` values out. 'stateful': the state
 * runs through the whole history (truncated BPTT in chunks of `lookback` steps) and every step
 * forecasts the next `horizon` values; forecasts come from the final state.
 */
export type ForecastMode = 'windowed' | 'stateful';

/** Settings of a Forecaster (Darts-like names). */
export interface ForecasterConfig {
  /**
   * Windowed: input chunk, the steps the model reads before each forecast. Stateful: the
   * truncation length of BPTT (steps per training chunk; the forecast reads the whole history).
   * Default: chosen at fit() from the first series' frequency and the shortest training part
   * (defaultLookback: two weeks of hours, a year of days, ...; shorter when the data cannot
   * hold it), then saved with the model.
   */
  lookback?: number;
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
   * DEFAULTS.forgetBias (0). Not with chrono, whose init sets that bias itself.
   */
  forgetBias?: number;
  /**
   * 'lstm' only: chrono initialisation (Tallec and Ollivier 2018) of every layer's gate biases,
   * as a model layer's `chrono`: true (Tmax = lookback) or Tmax itself (> 2). It sets the
   * forget-gate bias itself, so not with forgetBias. Default false (off).
   */
  chrono?: boolean | number;
  /** Optimizer. Default Adam, lr 3e-3. */
  optimizer?: OptimizerConfig;
  /** Passes over the training windows. Default 30. */
  epochs?: number;
  /**
   * Training steps (batches) at most, whatever `epochs` says; null: no cap. Default 3000: on the
   * 414 M4 hourly series (0.6 of an epoch) more steps did not pay for their time (EXPERIMENTS.md).
   */
  maxSteps?: number | null;
  /**
   * The learning rate over training: 'constant' (the optimizer's lr), or 'cosine' (from that lr
   * down to 0 over the planned steps, min(epochs x batches per epoch, maxSteps)). Default 'cosine'.
   */
  schedule?: 'constant' | 'cosine';
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
   * 'seasonal': windowed, each window framed by its own level, spread and seasonal base, in
   * logs when every training value is positive, the network forecasting the residual over the
   * base (seasonal-frame.ts); stateful, each series read as its seasonal differences over one
   * lag (the one whose seasonal naive best forecast its training part, 1 for none) and
   * forecast as differences from the mean of its last two cycles (seasonal-difference.ts). 'series': values
   * scaled by the training part's mean and standard deviation. 'window' (windowed mode only):
   * each window's inputs and targets also taken relative to its last observed value, which is
   * added back to the forecasts, so that a trend can leave the training range. Default
   * 'seasonal' (on weekly M4 hourly series the stateful mode's MASE went from 2.3 with 'series'
   * to 0.77; on Seattle's daily temperatures 'series' was better, 0.74 against 0.83:
   * EXPERIMENTS.md).
   */
  normalize?: Normalization;
  /**
   * normalize 'seasonal': the seasonal periods a window's base may repeat (the shortest with
   * its neighbours m - 1 and m + 1); those longer than the lookback are left out. Default:
   * [season] when `season` is given, else the first series' frequency's (defaultSeasons: hourly
   * 24 and 168, daily 7 and 365), fixed at fit() and saved with the model.
   */
  seasons?: number[];
}

/** The settings of one cell only (pLSTM: eps, pInit; 'lstm': forgetBias or chrono). */
type CellSettingKey = 'eps' | 'pInit' | 'forgetBias' | 'chrono';

/**
 * Every setting with its default filled in; cell 'plstm' or 'lstm' (never 'lstm-chrono'), and
 * of the cell settings only the cell's own (pLSTM: eps and pInit; LSTM: forgetBias, or chrono
 * as its Tmax).
 */
export type ResolvedForecasterConfig = Required<Omit<ForecasterConfig, 'lookback' | 'season' | 'seasons' | CellSettingKey>> &
  Pick<ForecasterConfig, 'eps' | 'pInit' | 'forgetBias'> & {
    /** LSTM: chrono's Tmax, or true: the lookback (chosen at fit() when not given). */
    chrono?: number | true;
    season: number | null; seasons: number[] | null;
    /** The lookback given, or chosen by fit() (null until then: see lookbackOf). */
    lookback: number | null;
  };

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
  chrono: false as boolean | number,
  optimizer: { kind: 'adam', lr: 3e-3 } as OptimizerConfig,
  epochs: 30,
  maxSteps: 3000 as number | null,
  schedule: 'cosine' as 'constant' | 'cosine',
  batchSize: 32,
  seed: 1,
  quantiles: [...DEFAULT_QUANTILES] as number[] | null,
  calendar: true,
  futureCalendar: false,
  clip: 1,
  timeLimit: null as number | null,
  validationShare: 0,
} as const;

/** The seasons of a seasonal frame: the setting, else [season], else the frequency's. */
export function frameSeasons(s: Pick<ResolvedForecasterConfig, 'season' | 'seasons'>, freq: Frequency): number[] {
  return s.seasons ?? (s.season !== null ? [s.season] : defaultSeasons(freq));
}

/** The default normalize of each mode. */
export const DEFAULT_NORMALIZE: Record<ForecastMode, Normalization> = { windowed: 'seasonal', stateful: 'seasonal' };

/** The lookback of a fitted forecaster's settings (given, or chosen by fit()). */
export function lookbackOf(s: Pick<ResolvedForecasterConfig, 'lookback'>): number {
  if (s.lookback === null) throw new ConfigError('the forecaster is not fitted: its lookback is chosen at fit() (or give lookback)');
  return s.lookback;
}

/**
 * The lookback a frequency suggests for a horizon: two weeks of hours (two cycles of the weekly
 * season: what M4 Hourly was tuned on, EXPERIMENTS.md), a year of days, two years of weeks,
 * months or quarters; for yearly and numeric steps, four horizons.
 */
export function defaultLookback(freq: Frequency, horizon: number): number {
  switch (freq.unit) {
    case 'hour': return 336;
    case 'day': return 365;
    case 'week': return 104;
    case 'month': return 24;
    case 'quarter': return 8;
    default: return 4 * horizon;
  }
}

/** A setting that must be a positive integer, checked with the cells' bound. */
export function posInt(v: unknown, what: string): number {
  requireSetting(what, v, checkPositiveInt);
  return v as number;
}

/** Fills in defaults and validates; throws ConfigError naming the first problem. */
export function resolveForecasterConfig(s: ForecasterConfig): ResolvedForecasterConfig {
  const { eps, pInit, forgetBias, chrono: _noChrono, ...general } = FORECASTER_DEFAULTS;
  const { eps: _e, pInit: _p, forgetBias: _b, chrono: _c, ...given } = stripUndefined(s);
  const r = { ...general, ...given, lookback: s.lookback ?? null, season: s.season ?? null, seasons: s.seasons ?? null } as ResolvedForecasterConfig;
  r.normalize ??= DEFAULT_NORMALIZE[r.mode] ?? 'series';
  if (r.futureCalendar && !r.calendar) throw new ConfigError('futureCalendar needs calendar: turn calendar on, or futureCalendar off');
  if (r.lookback !== null) posInt(r.lookback, 'lookback');
  posInt(r.horizon, 'horizon');
  posInt(r.hidden, 'hidden');
  posInt(r.layers, 'layers');
  posInt(r.epochs, 'epochs');
  posInt(r.batchSize, 'batchSize');
  if (!['windowed', 'stateful'].includes(r.mode)) throw new ConfigError(`unknown mode "${r.mode}": use windowed or stateful`);
  if (r.mode === 'stateful' && r.validationShare > 0) throw new ConfigError('validationShare is for windowed mode; a stateful forecaster trains on the whole history in order');
  if (!['seasonal', 'series', 'window'].includes(r.normalize)) throw new ConfigError(`unknown normalize "${r.normalize}": use seasonal, series or window`);
  if (r.mode === 'stateful' && r.normalize === 'window') throw new ConfigError(`normalize 'window' is for windowed mode; a stateful forecaster reads the whole history, not windows: use normalize 'series' or 'seasonal'`);
  if (r.maxSteps !== null) posInt(r.maxSteps, 'maxSteps');
  if (r.schedule !== 'constant' && r.schedule !== 'cosine') throw new ConfigError(`unknown schedule "${String(r.schedule)}": use cosine or constant`);
  if (r.seasons !== null) {
    if (r.seasons.length === 0) throw new ConfigError('seasons must name at least one period (e.g. [24, 168]), or be left out');
    r.seasons.forEach((m) => posInt(m, 'seasons'));
    r.seasons = [...r.seasons];
  }
  if (!['plstm', 'lstm', 'lstm-chrono'].includes(r.cell)) throw new ConfigError(`unknown cell "${r.cell}": use plstm or lstm`);
  if (r.cell === 'lstm-chrono') {
    deprecated("cell: 'lstm-chrono'", "cell: 'lstm', chrono: true");
    if (s.chrono !== undefined) throw new ConfigError("chrono with cell lstm-chrono: use cell lstm with chrono");
    s = { ...s, cell: 'lstm', chrono: true };
    r.cell = 'lstm';
  }
  Object.assign(r, resolveCellSettings(s, r.cell, r.lookback, { eps, pInit, forgetBias }));
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
function resolveCellSettings(s: ForecasterConfig, cell: ForecastCell, lookback: number | null,
  defaults: { eps: number; pInit: PInit; forgetBias: number }): Pick<ResolvedForecasterConfig, CellSettingKey> {
  if (cell !== 'plstm') {
    for (const k of ['eps', 'pInit'] as const) {
      if (s[k] !== undefined) throw new ConfigError(`${k} is a pLSTM setting; this forecaster's cell is ${cell}`);
    }
  }
  const given = s.chrono ?? FORECASTER_DEFAULTS.chrono;
  const chrono = given === false ? null : given;
  if (cell === 'plstm') {
    if (s.forgetBias !== undefined) throw new ConfigError('forgetBias is an LSTM setting; this forecaster\'s cell is plstm');
    if (chrono !== null) throw new ConfigError('chrono is an LSTM setting; this forecaster\'s cell is plstm');
    const eps = s.eps ?? defaults.eps;
    requireSetting('eps', eps, checkEps);
    return { eps, pInit: resolvePInit(s.pInit ?? defaults.pInit, 'pInit') };
  }
  if (chrono !== null) {
    if (s.forgetBias !== undefined) {
      throw new ConfigError('forgetBias with chrono: chrono init sets the forget-gate bias itself; give one of them');
    }
    if (chrono === true) {
      // no lookback given: Tmax is the one fit() chooses
      if (lookback === null) return { chrono: true };
      if (lookback <= 2) throw new ConfigError('chrono: true needs lookback > 2 (its Tmax)');
      return { chrono: lookback };
    }
    requireSetting('chrono', chrono, checkChrono);
    return { chrono };
  }
  const forgetBias = s.forgetBias ?? defaults.forgetBias;
  requireSetting('forgetBias', forgetBias, checkFinite);
  return { forgetBias };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// Names of the previous release (settings objects saved in a model file are ...Config).
/** @deprecated use ForecasterConfig */
export type ForecasterSettings = ForecasterConfig;
/** @deprecated use ResolvedForecasterConfig */
export type ResolvedForecasterSettings = ResolvedForecasterConfig;
/** @deprecated use resolveForecasterConfig */
export function resolveForecasterSettings(s: ForecasterConfig): ResolvedForecasterConfig {
  deprecated('resolveForecasterSettings', 'resolveForecasterConfig');
  return resolveForecasterConfig(s);
}
