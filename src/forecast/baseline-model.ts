// Every baseline as a ForecastModel, from one table: a baseline is a forecast function of the
// history before an origin plus the history it needs, so adding one is one entry in BASELINES.
// Baselines are local: fit() learns nothing, each forecast reads only its own history.

import { ConfigError, DataError } from '../errors.js';
import { driftForecast, naiveForecast, seasonalNaiveForecast, type BaselineForecast } from './baselines.js';
import { withMeanAlias, type ForecastModel, type OriginForecasts } from './forecast-model.js';
import { defaultSeasons, type TimeSeries } from './series.js';
import { naive2Forecast } from './naive2.js';
import { ETS_MIN_LENGTH, etsForecast, mstlEtsForecast } from './ets.js';
import { loadAugurs } from './augurs.js';
import { posInt } from './settings.js';

/** A baseline in the table: how it forecasts, and the steps of history it needs. */
export interface BaselineDefinition {
  forecast: BaselineForecast;
  /** Steps of history needed before an origin, given the seasonal periods. */
  minHistory: (seasons: readonly number[]) => number;
  /** What must be loaded before the first forecast (augurs' WebAssembly for ETS and MSTL); fit() awaits it. */
  load?: () => Promise<void>;
}

/** The baselines by name (the names of the CLI's --models). */
export const BASELINES = {
  naive: { forecast: naiveForecast, minHistory: () => 1 },
  snaive: { forecast: seasonalNaiveForecast, minHistory: (seasons) => seasons[0] },
  drift: { forecast: driftForecast, minHistory: () => 1 },
  naive2: { forecast: naive2Forecast, minHistory: () => 1 },
  ets: { forecast: etsForecast, minHistory: () => ETS_MIN_LENGTH, load: () => loadAugurs() },
  'mstl-ets': {
    forecast: mstlEtsForecast, minHistory: (seasons) => Math.max(ETS_MIN_LENGTH, 2 * Math.max(...seasons)), load: () => loadAugurs(),
  },
} satisfies Record<string, BaselineDefinition>;

/** Names of the baselines. */
export type BaselineName = keyof typeof BASELINES;

/** Names of the baselines, in the table's order. */
export const BASELINE_NAMES = Object.keys(BASELINES) as BaselineName[];

export function isBaseline(name: string): name is BaselineName {
  return Object.hasOwn(BASELINES, name);
}

/** Settings of a BaselineModel. */
export interface BaselineConfig {
  /** Which baseline (a key of BASELINES). */
  name: BaselineName;
  /** Steps forecast from each origin. */
  horizon: number;
  /** Seasonal periods, the main one first. Default: per series, the ones its frequency suggests (defaultSeasons: hourly 24 and 168). */
  seasons?: number[];
}

/** The JSON of BaselineModel.toBytes(). */
interface SavedBaseline {
  baseline: BaselineName;
  horizon: number;
  seasons: number[] | null;
}

/** A baseline (naive, seasonal naive, drift, ...) as a ForecastModel. */
export class BaselineModel implements ForecastModel {
  readonly name: BaselineName;
  readonly horizon: number;
  /** The seasonal periods given, or null: each series' default. */
  readonly seasons: number[] | null;
  readonly quantileLevels = null;
  private loaded = false;
  private readonly spec: BaselineDefinition;

  constructor(settings: BaselineConfig) {
    if (!isBaseline(settings.name)) throw new ConfigError(`unknown baseline "${String(settings.name)}": use ${BASELINE_NAMES.join(', ')}`);
    this.name = settings.name;
    this.spec = BASELINES[settings.name];
    this.horizon = posInt(settings.horizon, 'horizon');
    const seasons = settings.seasons ?? null;
    if (seasons !== null) {
      if (seasons.length === 0) throw new ConfigError('seasons must name at least one period, or be left out');
      seasons.forEach((m) => posInt(m, 'seasons'));
    }
    this.seasons = seasons === null ? null : [...seasons];
  }

  /** The seasonal periods of a series: the ones given, else its frequency's. */
  seasonsOf(series: TimeSeries): number[] {
    return this.seasons ?? defaultSeasons(series.freq);
  }

  seasonOf(series: TimeSeries): number {
    return this.seasonsOf(series)[0];
  }

  minHistory(series: TimeSeries): number {
    return this.spec.minHistory(this.seasonsOf(series));
  }

  fittedUntil(): number {
    return 0;
  }

  /** Nothing to learn (returns null); loads what the baseline runs on (augurs for ETS and MSTL). */
  async fit(): Promise<null> {
    await this.spec.load?.();
    this.loaded = true;
    return null;
  }

  /** A baseline has nothing to learn: it forecasts without fit(), unless it must load its runtime first. */
  get fitted(): boolean {
    return this.spec.load === undefined || this.loaded;
  }

  forecastAt(series: TimeSeries, origins: number[]): OriginForecasts {
    const H = this.horizon, seasons = this.seasonsOf(series), first = this.spec.minHistory(seasons);
    const point = new Float64Array(origins.length * H); // [origins, H]
    origins.forEach((o, w) => {
      if (!(o >= first && o <= series.values.length)) throw new DataError(`series "${series.id}": a forecast from step ${o} needs ${first} steps before it`);
      point.set(this.spec.forecast(series.values.subarray(0, o), H, seasons), w * H);
    });
    return withMeanAlias({ point, quantiles: null }, 'OriginForecasts');
  }

  /** A small JSON: the baseline's name, horizon and seasons. */
  toBytes(): Uint8Array {
    const saved: SavedBaseline = { baseline: this.name, horizon: this.horizon, seasons: this.seasons };
    return new TextEncoder().encode(JSON.stringify(saved));
  }

  /** A baseline from toBytes()' bytes. */
  static fromBytes(bytes: Uint8Array, what = 'baseline file'): BaselineModel {
    let saved: SavedBaseline;
    try {
      saved = JSON.parse(new TextDecoder().decode(bytes)) as SavedBaseline;
    } catch {
      throw new DataError(`${what} is not a baseline (not JSON)`);
    }
    if (saved === null || typeof saved !== 'object' || typeof saved.baseline !== 'string') throw new DataError(`${what} is not a baseline (no baseline name inside)`);
    return new BaselineModel({ name: saved.baseline, horizon: saved.horizon, seasons: saved.seasons ?? undefined });
  }

  dispose(): void {}
}

// Names of the previous release (settings objects saved in a model file are ...Config).
/** @deprecated use BaselineConfig */
export type BaselineSettings = BaselineConfig;
/** @deprecated use BaselineDefinition */
export type BaselineSpec = BaselineDefinition;
