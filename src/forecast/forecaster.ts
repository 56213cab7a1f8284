// Forecaster on the pLSTM or LSTM, two ways on the same model family (settings.ts):
// - windowed, direct multi-output (Darts' BlockRNNModel): `lookback` steps in, `horizon` values
//   (or horizon x Q quantiles) out (windowed.ts);
// - stateful (what the pLSTM's slow memory is for): the state runs through the whole history and
//   update(value) advances it by one observation with the streaming step (stateful.ts).
// The Forecaster owns what both share: settings, per-series scalers (features.ts), the model,
// the model file (file-format.ts); it is a ForecastModel, so backtest() compares it with the
// baselines.

import { ConfigError, DataError } from '../errors.js';
import { deprecated } from '../deprecated.js';
import { SequenceModel } from '../model/sequence-model.js';
import type { LayerConfig, ModelConfig, RuntimeOptions } from '../model/config.js';
import { seriesFeatures, stepFeatures, type FeatureLayout, type SeriesFeatures, type SeriesScalers } from './features.js';
import { forecasterBytes, readForecasterFile, restoreLive, type SavedForecaster } from './file-format.js';
import { forecasterOnnxMetadata } from './onnx-metadata.js';
import { withMeanAlias, type ForecastFitOptions, type ForecastModel, type OriginForecasts } from './forecast-model.js';
import type { NetworkStrategy, TrainingSeries } from './network-strategy.js';
import { medianIndex, quantileCount, sortQuantiles } from './quantiles.js';
import { fitScaler, scale, unscale, type Scaler } from './scaler.js';
import { defaultSeason, futureTimes, nextTime, sliceSeries, type TimeSeries } from './series.js';
import { defaultLookback, frameSeasons, lookbackOf, resolveForecasterConfig, type ForecastCell, type ForecasterConfig, type ResolvedForecasterConfig } from './settings.js';
import { StatefulStrategy } from './stateful.js';
import type { TrainSummary } from './train.js';
import { WindowedStrategy, writeWindows } from './windowed.js';

/** A forecast of one series after an origin, in the series' units. */
export interface SeriesForecast {
  id: string;
  /** Times of the forecast steps. */
  times: number[];
  /**
   * The point forecast [h]: the median (the middle quantile) when the forecaster has quantiles,
   * else the forecast of the squared-error loss (the mean).
   */
  point: Float64Array;
  /** Quantile levels, or null for point forecasts. */
  levels: number[] | null;
  /** Quantile forecasts [h, Q], monotone in Q; null for point forecasts. */
  quantiles: Float64Array | null;
  /** @deprecated use point (it holds the median when there are quantiles); warns once */
  readonly mean: Float64Array;
}

/** Options of Forecaster.update. */
export interface UpdateOptions {
  /** The series the value belongs to; may be left out when the forecaster holds one live series. */
  id?: string;
  /** Steps to forecast, 1..the model's horizon (default: the model's horizon). */
  horizon?: number;
  /** The past covariates' values at the same step, by name (e.g. { temp: 21.5 }); default none. */
  covariates?: Record<string, number>;
}

/** Windowed or stateful forecaster (see ForecastMode). */
export class Forecaster implements ForecastModel {
  readonly settings: ResolvedForecasterConfig;
  private model: SequenceModel | null = null;
  private readonly strategy: NetworkStrategy;
  private scalers = new Map<string, Scaler>();
  private trainEnds = new Map<string, number>();
  private calendarNames: string[] | null = null;
  private covariateNames: string[] | null = null;
  private covariateScalers = new Map<string, Scaler[]>();
  /** What the last fit did. */
  lastTrain: TrainSummary | null = null;
  /** Caller's JSON-safe notes saved with the model (e.g. which CSV columns it was trained on). */
  info: Record<string, unknown> = {};

  constructor(settings: ForecasterConfig, private readonly runtime: RuntimeOptions = {}) {
    this.settings = resolveForecasterConfig(settings);
    this.strategy = this.settings.mode === 'stateful' ? new StatefulStrategy(this.settings) : new WindowedStrategy(this.settings);
  }

  /**
   * The model's name in backtests: 'plstm', 'lstm', or 'lstm-chrono' for an LSTM with chrono
   * initialisation.
   */
  get name(): ForecastCell {
    return this.settings.cell === 'lstm' && this.settings.chrono !== undefined ? 'lstm-chrono' : this.settings.cell;
  }

  get horizon(): number {
    return this.settings.horizon;
  }

  get quantileLevels(): number[] | null {
    return this.settings.quantiles;
  }

  /** Quantile outputs per step (1 for point forecasts). */
  get Q(): number {
    return quantileCount(this.settings.quantiles);
  }

  get fitted(): boolean {
    return this.model !== null;
  }

  /** Windowed: lookback steps before each origin (more with normalize 'seasonal': see frameHistory); stateful: one. */
  minHistory(ser: TimeSeries): number {
    if (this.settings.lookback !== null) return this.strategy.minHistory(ser);
    // not fitted, no lookback given: the history under the lookback fit() would choose for this series
    return this.withLookback(this.chooseLookback([ser], {}), () => this.strategy.minHistory(ser));
  }

  /** The seasonal period used for MASE: the setting, else the frequency's. */
  seasonOf(ser: TimeSeries): number {
    return this.settings.season ?? defaultSeason(ser.freq);
  }

  fittedUntil(ser: TimeSeries): number {
    return this.trainEnds.get(ser.id) ?? 0;
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
    const layer = (): LayerConfig => s.cell === 'plstm'
      ? { cell: 'plstm', hidden: s.hidden, dropout: s.dropout, eps: s.eps, pInit: s.pInit }
      : s.chrono !== undefined
        ? { cell: 'lstm', hidden: s.hidden, dropout: s.dropout, chrono: s.chrono === true ? lookbackOf(s) : s.chrono }
        : { cell: 'lstm', hidden: s.hidden, dropout: s.dropout, forgetBias: s.forgetBias };
    const cfg: ModelConfig = {
      input: { kind: 'dense', size: F },
      layers: Array.from({ length: s.layers }, layer),
      head: { size: s.horizon * this.Q, steps: this.strategy.headSteps },
      loss: s.quantiles === null ? 'mse' : 'pinball',
      seed: s.seed,
    };
    if (s.quantiles !== null) cfg.quantiles = s.quantiles;
    return cfg;
  }

  /**
   * Trains on each series' values[trainStart .. trainEnd) (default: all of it): one scaler per
   * series fitted on that part only. Windowed: windows of every series pooled and shuffled.
   * Stateful: one row per series, run in order in chunks of `lookback` steps with the state
   * carried. opts.callbacks: the caller's hooks into the training loop (see FitCallbacks), e.g.
   * live progress, or a Promise that pauses training between steps.
   */
  async fit(series: TimeSeries | TimeSeries[], opts: ForecastFitOptions = {}): Promise<TrainSummary> {
    const all = Array.isArray(series) ? series : [series];
    const s = this.settings;
    this.model?.dispose();
    this.model = null;
    this.scalers.clear();
    this.covariateScalers.clear();
    this.trainEnds.clear();
    this.strategy.reset();
    // the first series names the covariates; every other one must match it
    this.calendarNames = null;
    this.covariateNames = null;
    // normalize 'seasonal': the seasons of the first series' frequency unless given (saved with the settings)
    if (s.normalize === 'seasonal' && s.seasons === null && all.length > 0) s.seasons = frameSeasons(s, all[0].freq);
    if (this.lookbackChosen || s.lookback === null) {
      s.lookback = this.chooseLookback(all, opts);
      this.lookbackChosen = true;
    }
    const prepared = all.map((whole): TrainingSeries => {
      // a part that starts later is the series from there on (times, covariates and all)
      const start = opts.trainStart?.(whole) ?? 0, until = opts.trainEnd?.(whole) ?? whole.values.length;
      const ser = start > 0 ? sliceSeries(whole, start, until) : whole, end = until - start;
      const history = this.strategy.minHistory(ser);
      if (end < history + s.horizon) {
        const [why, lower] = history > lookbackOf(s)
          ? [`the ${history} steps of history a window's seasonal frame reads + horizon`, 'lower lookback, horizon or seasons']
          : ['lookback + horizon', 'lower them'];
        throw new DataError(`series "${ser.id}" has ${end} training steps, fewer than ${why} = ${history + s.horizon}; ${lower} or give more data`);
      }
      // scalers of the value and of each past covariate: the training part only
      this.scalers.set(ser.id, fitScaler(ser.values, end));
      this.covariateScalers.set(ser.id, (ser.covariates ?? []).map((c) => fitScaler(c.values, end)));
      this.trainEnds.set(ser.id, until);
      const f = this.features(ser);
      this.calendarNames ??= f.calendarNames;
      this.covariateNames ??= f.covariateNames;
      return { id: ser.id, end, ...f };
    });
    // seasonal frames work in logs when every training value is positive (level and season act multiplicatively)
    if (this.strategy instanceof WindowedStrategy) {
      this.strategy.log = s.normalize === 'seasonal' && prepared.every((p) => p.values.subarray(0, p.end).every((v) => v > 0));
    }
    this.model = SequenceModel.create(this.modelConfig(1 + prepared[0].C), this.runtime);
    this.lastTrain = await this.strategy.train(this.model, prepared, opts.callbacks);
    return this.lastTrain;
  }

  /**
   * The lookback fit() uses when none is given: the frequency's (defaultLookback), else, when
   * the shortest training part cannot hold its history and horizon plus a horizon of windows,
   * the longest of the frequency's seasons, then of 2 x horizon and horizon, that it can.
   */
  private chooseLookback(all: TimeSeries[], opts: ForecastFitOptions): number {
    const s = this.settings, H = s.horizon;
    if (all.length === 0) return defaultLookback({ unit: 'fixed', step: 1 }, H);
    const freq = all[0].freq;
    const seasons = frameSeasons(s, freq).filter((m) => m > 1).sort((a, b) => b - a);
    const candidates = [defaultLookback(freq, H), ...seasons, 2 * H, H];
    const fits = (L: number) => this.withLookback(L, () => all.every((ser) => {
      const start = opts.trainStart?.(ser) ?? 0, end = (opts.trainEnd?.(ser) ?? ser.values.length) - start;
      return end >= this.strategy.minHistory(ser) + 2 * H;
    }));
    return candidates.find(fits) ?? candidates[candidates.length - 1];
  }

  /** fn() with the settings' lookback set to L, then put back. */
  private withLookback<T>(L: number, fn: () => T): T {
    const kept = this.settings.lookback;
    this.settings.lookback = L;
    try {
      return fn();
    } finally {
      this.settings.lookback = kept;
    }
  }

  /** Whether fit() chose the lookback (none was given): every fit() chooses it again. */
  private lookbackChosen = false;

  /** The scalers of a series the model was trained on. */
  private scalersOf(id: string): SeriesScalers {
    return { value: this.scalerOf(id), covariates: this.covariateScalers.get(id) ?? [] };
  }

  /** The feature names the model was trained with (null while fit() meets its first series). */
  private get layout(): FeatureLayout {
    const s = this.settings;
    return {
      calendar: s.calendar, lead: s.futureCalendar ? s.horizon : 0,
      covariateNames: this.covariateNames, calendarNames: this.calendarNames,
    };
  }

  private features(ser: TimeSeries): SeriesFeatures {
    return seriesFeatures(ser, this.scalersOf(ser.id), this.layout);
  }

  /**
   * The model's inputs and scaled targets for windows of one series (a series it was trained
   * on) from the given origins: x [W, lookback, 1 + past covariates + calendar features],
   * y [W, horizon, Q].
   * What the analysis of a forecaster's model runs on.
   */
  windowsOf(ser: TimeSeries, origins: number[]): { x: Float32Array; y: Float32Array } {
    const s = this.settings;
    const f = this.features(ser);
    if (!(this.strategy instanceof WindowedStrategy)) throw new ConfigError('windowsOf() is for windowed forecasters');
    const first = this.minHistory(ser);
    for (const o of origins) {
      if (o < first || o + s.horizon > ser.values.length) throw new DataError(`series "${ser.id}": no window of ${first} + ${s.horizon} steps at origin ${o}`);
    }
    const x = new Float32Array(origins.length * lookbackOf(s) * (1 + f.C)); // [W, L, F]
    const y = new Float32Array(origins.length * s.horizon * this.Q); // [W, H, Q]
    writeWindows(s, this.strategy.sourceOf(f, ser), origins, x, 0, y);
    return { x, y };
  }

  /**
   * Forecasts from the given origins of one series (the index of each forecast's first step;
   * windowed: each origin >= lookback, stateful: >= 1): point forecasts [W, horizon] and
   * quantiles [W, horizon, Q] (monotone), in the series' units.
   */
  forecastAt(ser: TimeSeries, origins: number[]): OriginForecasts {
    const model = this.sequenceModel;
    const scaler = this.scalerOf(ser.id);
    const f = this.features(ser);
    const first = this.strategy.minHistory(ser);
    for (const o of origins) {
      if (!(o >= first && o <= ser.values.length)) throw new DataError(`series "${ser.id}": a forecast from step ${o} needs ${first} steps before it`);
    }
    return this.unscaleOutputs(this.strategy.outputsAt(model, ser, f, origins), origins.length, scaler);
  }

  /** Scaled head outputs [W, H * Q] to forecasts in the series' units, quantiles sorted. */
  private unscaleOutputs(raw: Float32Array, W: number, scaler: Scaler): OriginForecasts {
    const s = this.settings, Q = this.Q, H = s.horizon;
    if (Q > 1) sortQuantiles(raw, Q);
    const point = new Float64Array(W * H); // [W, H]
    const quantiles = s.quantiles === null ? null : new Float64Array(W * H * Q); // [W, H, Q]
    const mid = s.quantiles === null ? 0 : medianIndex(s.quantiles);
    for (let row = 0; row < W * H; row++) {
      point[row] = unscale(scaler, raw[row * Q + mid]);
      if (quantiles !== null) for (let q = 0; q < Q; q++) quantiles[row * Q + q] = unscale(scaler, raw[row * Q + q]);
    }
    return withMeanAlias({ point, quantiles }, 'OriginForecasts');
  }

  /**
   * Forecasts h <= horizon steps after the end of each series. Stateful mode reads each whole
   * series and keeps its final state, from which update() continues.
   */
  predict(series: TimeSeries | TimeSeries[], h: number = this.settings.horizon): SeriesForecast[] {
    const all = Array.isArray(series) ? series : [series];
    this.checkH(h);
    return all.map((ser) => {
      const raw = this.strategy.outputsAfter(this.sequenceModel, ser, () => this.features(ser)); // [H * Q]
      const { point, quantiles } = this.unscaleOutputs(raw, 1, this.scalerOf(ser.id));
      return this.seriesForecast(ser.id, futureTimes(ser, h), point, quantiles, h);
    });
  }

  /**
   * Stateful mode: advances series opts.id's state by one new observation (the step after the
   * last one read, by predict() or update()) with the model's streaming step, and returns the
   * new forecast of opts.horizon steps. The history is not read again. A model with past
   * covariates needs their values at the same step, by name (e.g. { temp: 21.5 }).
   */
  update(value: number, opts?: UpdateOptions): SeriesForecast;
  /** @deprecated use update(value, { id, horizon, covariates }) */
  update(value: number, id: string | undefined, h?: number, covariates?: Record<string, number>): SeriesForecast;
  update(value: number, ...rest: unknown[]): SeriesForecast {
    let o: UpdateOptions;
    if (rest.length > 1 || typeof rest[0] === 'string') {
      deprecated('forecaster.update(value, id, h, covariates)', 'forecaster.update(value, { id, horizon, covariates })');
      o = { id: rest[0] as string | undefined, horizon: rest[1] as number | undefined, covariates: rest[2] as Record<string, number> | undefined };
    } else {
      if (rest[0] !== undefined && (typeof rest[0] !== 'object' || rest[0] === null)) {
        throw new ConfigError(`update's second argument is its options { id, horizon, covariates }, got ${rest[0] === null ? 'null' : typeof rest[0]}`);
      }
      o = (rest[0] ?? {}) as UpdateOptions;
    }
    const id = o.id, h = o.horizon ?? this.settings.horizon, covariates = o.covariates ?? {};
    const stateful = this.strategy;
    if (!(stateful instanceof StatefulStrategy)) throw new ConfigError('update() needs a stateful forecaster (mode: \'stateful\'); a windowed one forecasts with predict()');
    this.checkH(h);
    const { id: key, live } = stateful.liveOf(id);
    if (!Number.isFinite(value)) throw new DataError(`update() got ${value} for series "${key}": give a finite number`);
    const scalers = this.scalersOf(key);
    const t = nextTime(live.last, live.freq);
    stateful.advance(this.sequenceModel, live, stepFeatures(key, value, covariates, t, live, scalers, this.layout), t, scale(scalers.value, value));
    const { point, quantiles } = this.unscaleOutputs(live.out.slice(), 1, scalers.value);
    const times = Array.from({ length: h }, (_, k) => nextTime(live.last, live.freq, k + 1));
    return this.seriesForecast(key, times, point, quantiles, h);
  }

  private seriesForecast(id: string, times: number[], point: Float64Array, quantiles: Float64Array | null, h: number): SeriesForecast {
    return withMeanAlias({
      id, times, point: point.slice(0, h), levels: this.settings.quantiles,
      quantiles: quantiles === null ? null : quantiles.slice(0, h * this.Q),
    }, 'SeriesForecast');
  }

  private checkH(h: number): void {
    const H = this.settings.horizon;
    if (!Number.isInteger(h) || h < 1 || h > H) {
      throw new ConfigError(`horizon ${h} is outside 1..${H}: this model forecasts at most ${H} steps at once; train one with a longer horizon`);
    }
  }

  /**
   * The model file's bytes: weights, settings and scalers (in its metadata), and in stateful
   * mode each series' live state, so that fromBytes(bytes).update(v) continues where this one is.
   */
  toBytes(): Uint8Array {
    return forecasterBytes(this.sequenceModel, this.saved(), this.strategy instanceof StatefulStrategy ? this.strategy.live : new Map());
  }

  /** What the model file keeps beside the network, live states aside. */
  private saved(): Omit<SavedForecaster, 'live'> {
    return {
      settings: this.settings,
      scalers: Object.fromEntries(this.scalers),
      calendar: this.calendarNames ?? [],
      covariates: this.covariateNames ?? [],
      covariateScalers: Object.fromEntries(this.covariateScalers),
      trainEnds: Object.fromEntries(this.trainEnds),
      info: this.info,
      log: this.strategy instanceof WindowedStrategy && this.strategy.log,
      ...(this.strategy instanceof StatefulStrategy && this.strategy.lags.size > 0 ? { lags: Object.fromEntries(this.strategy.lags) } : {}),
    };
  }

  /**
   * The metadata_props that exportOnnx (powerlaw-lstm/onnx) stores with this forecaster's
   * network: settings, scalers, feature names and the rest of the model file's metadata, as
   * JSON strings (see onnx-metadata.ts). `exportOnnx(forecaster)` calls it.
   */
  onnxMetadata(): Record<string, string> {
    return forecasterOnnxMetadata(this.saved());
  }

  /** A forecaster from toBytes()' bytes. */
  static fromBytes(bytes: Uint8Array, runtime: RuntimeOptions = {}, what = 'model file'): Forecaster {
    const { model, saved } = readForecasterFile(bytes, runtime, what);
    // files saved before futureCalendar existed fed no lead features; those saved before eps,
    // pInit and forgetBias existed built their layers with the library's defaults, which the
    // settings fill in
    // and files of the previous release name the chrono LSTM cell 'lstm-chrono'
    const cell = saved.settings.cell === 'lstm-chrono' ? { cell: 'lstm' as const, chrono: saved.settings.lookback ?? true } : {};
    const f = new Forecaster({ ...saved.settings, lookback: saved.settings.lookback ?? undefined,
      season: saved.settings.season ?? undefined, seasons: saved.settings.seasons ?? undefined,
      futureCalendar: saved.settings.futureCalendar ?? false, ...cell }, runtime);
    f.model = model;
    f.scalers = new Map(Object.entries(saved.scalers));
    f.trainEnds = new Map(Object.entries(saved.trainEnds ?? {}));
    f.calendarNames = saved.calendar;
    f.covariateNames = saved.covariates ?? [];
    f.covariateScalers = new Map(Object.entries(saved.covariateScalers ?? {}));
    f.info = saved.info ?? {};
    if (f.strategy instanceof WindowedStrategy) f.strategy.log = saved.log ?? false;
    try {
      const live = restoreLive(model, saved, what);
      if (f.strategy instanceof StatefulStrategy) {
        for (const [id, l] of live) f.strategy.live.set(id, l);
        for (const [id, m] of Object.entries(saved.lags ?? {})) f.strategy.lags.set(id, m);
      }
    } catch (e) {
      f.dispose();
      throw e;
    }
    return f;
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
    this.strategy.reset();
  }
}
