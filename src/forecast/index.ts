// Forecasting on the pLSTM: series, windows, scaling, calendar covariates, metrics, quantiles;
// one ForecastModel interface that the Forecaster and every baseline implement, and backtest()
// over any of them. Browser-safe (no Node built-ins).

export {
  buildSeries, seriesFromLong, seriesFromWide, inferFrequency, parseFrequency, nextTime, futureTimes,
  formatTime, interpolateMissing, sliceSeries, defaultSeason, defaultSeasons,
  type TimeSeries, type PastCovariate, type Frequency, type FrequencyUnit, type RawObservation, type SeriesOptions, type LongTable,
} from './series.js';
export { windowOrigins, windowInputs, windowTargets } from './windows.js';
export { windowLevel, removeLevels, type Normalization } from './window-level.js';
export { fitScaler, scale, unscale, type Scaler } from './scaler.js';
export { calendarFeatureNames, calendarFeatures, seriesCalendar, stepCalendarNames, stepCalendar } from './calendar.js';
export { MetricAccumulator, maseScale, pinball, type ForecastMetrics } from './metrics.js';
export { naiveForecast, seasonalNaiveForecast, driftForecast, type BaselineForecast } from './baselines.js';
export {
  BaselineModel, BASELINES, BASELINE_NAMES, isBaseline, type BaselineName, type BaselineConfig, type BaselineDefinition,
  type BaselineSettings, type BaselineSpec,
} from './baseline-model.js';
export type { ForecastModel, ForecastFitOptions, OriginForecasts } from './forecast-model.js';
export { backtest, testOrigins, type BacktestOptions, type BacktestResult, type BacktestRefit } from './backtest.js';
export { DEFAULT_QUANTILES, sortQuantiles, medianIndex, quantileCount } from './quantiles.js';
export { trainWindows, trainChunks, type ForecastTrainOptions, type TrainOptions, type TrainWindowsOptions, type TrainSummary } from './train.js';
export {
  FORECASTER_DEFAULTS, resolveForecasterConfig, resolveForecasterSettings, defaultLookback, lookbackOf,
  type ForecasterConfig, type ResolvedForecasterConfig, type ForecasterSettings, type ResolvedForecasterSettings, type ForecastCell, type ForecastMode,
} from './settings.js';
export { Forecaster, type SeriesForecast, type UpdateOptions } from './forecaster.js';
export { readSeriesCsv, type SeriesCsvOptions } from './read-csv.js';
export { acf, isSeasonal } from './seasonality.js';
export { classicalDecomposition, naive2Forecast, type ClassicalDecomposition } from './naive2.js';
export { loadAugurs, augursLoaded, type AugursWasm } from './augurs.js';
export { etsForecast, mstlEtsForecast, ETS_MIN_LENGTH } from './ets.js';
export { m4Smape, m4MaseScale, scoreM4, owa, m4ValidationSplit, M4_HOURLY_NAIVE2, type M4Score, type M4Entry } from './m4.js';
export { readM4Wide, writeM4Forecasts, type M4Series } from './m4-csv.js';
export { candidateLags, frameHistory, seasonalFrame, SPREAD_FLOOR, type SeasonalFrame } from './seasonal-frame.js';
