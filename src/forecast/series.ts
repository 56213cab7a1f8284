// Time series as the forecaster reads them: one value per regular time step, sorted, no gaps,
// no duplicates. Long tables (id, time, value, as neuralforecast's unique_id, ds, y) and wide
// ones (a time column and one column per series) become TimeSeries here; the frequency is
// inferred from the time column unless given, and every irregularity is a DataError naming
// the row and what to do.

import { DataError } from '../errors.js';

/** How far apart consecutive steps are. Calendar units follow the calendar (UTC). */
export type FrequencyUnit = 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year' | 'fixed';

/**
 * A series' frequency. Calendar units ('hour' ... 'year') need date times; 'fixed' is a
 * constant step in the time column's own units (milliseconds for dates, e.g. 15 minutes).
 */
export interface Frequency {
  unit: FrequencyUnit;
  /** The step of 'fixed' (time units per step); 1 for calendar units. */
  step: number;
}

/**
 * A past covariate: an extra numeric column observed with the series, known only up to each
 * time (Darts' past covariates), so a forecast from an origin reads it only before the origin.
 */
export interface PastCovariate {
  /** Column name. */
  name: string;
  /** One value per step of the series. */
  values: Float64Array;
}

/** One regular series. */
export interface TimeSeries {
  /** Series name (the id column's value; 'series' for a single series). */
  id: string;
  /** Time of each step: milliseconds since 1970 (UTC) for dates, else the time column's numbers. */
  times: number[];
  /** 'date' when the time column held dates, 'number' when it held numbers. */
  timeKind: 'date' | 'number';
  /** The observations, one per step. */
  values: Float64Array;
  freq: Frequency;
  /** Past covariates, each with one value per step (fed to the model as inputs); none when absent. */
  covariates?: PastCovariate[];
}

/** A raw row before checks: row is the 1-based row of the source (for messages). */
export interface RawObservation {
  time: number;
  value: number;
  row: number;
  /** The past covariates' values on this row, in SeriesOptions.covariateColumns' order. */
  covariates?: number[];
}

/** Options of buildSeries. */
export interface SeriesOptions {
  /** The frequency; default inferred from the most common step of the time column. */
  freq?: Frequency;
  /**
   * 'none' (default): a missing value or a gap is an error. 'interpolate': missing values and
   * missing steps are filled linearly between their neighbours (never before the first or after
   * the last observation).
   */
  fill?: 'none' | 'interpolate';
  /** Name of the time column, for messages. Default 'time'. */
  timeColumn?: string;
  /** Name of the value column, for messages. Default 'value'. */
  valueColumn?: string;
  /** Names of the past covariate columns whose values the observations carry (RawObservation.covariates). */
  covariateColumns?: string[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Parses a frequency name: 'H', 'D', 'W', 'M', 'Q', 'Y' (pandas-like) or a positive number (fixed step). */
export function parseFrequency(text: string): Frequency {
  const units: Record<string, FrequencyUnit> = {
    h: 'hour', hour: 'hour', d: 'day', day: 'day', w: 'week', week: 'week', m: 'month', ms: 'month',
    month: 'month', q: 'quarter', qs: 'quarter', quarter: 'quarter', y: 'year', a: 'year', ys: 'year', year: 'year',
  };
  const unit = units[text.trim().toLowerCase()];
  if (unit !== undefined) return { unit, step: 1 };
  const step = Number(text);
  if (Number.isFinite(step) && step > 0) return { unit: 'fixed', step };
  throw new DataError(`unknown frequency "${text}": use H, D, W, M, Q, Y or a positive number (a fixed step)`);
}

/** The seasonal period a frequency suggests (of MASE and seasonal baselines). */
export function defaultSeason(freq: Frequency): number {
  return defaultSeasons(freq)[0];
}

/**
 * Every seasonal period a frequency suggests, the main one first: hourly data has a daily and
 * a weekly season (24, 168), daily data a weekly and a yearly one (7, 365).
 */
export function defaultSeasons(freq: Frequency): number[] {
  return {
    hour: [24, 168], day: [7, 365], week: [52], month: [12], quarter: [4], year: [1], fixed: [1],
  }[freq.unit];
}

/** The time one step after t. */
export function nextTime(t: number, freq: Frequency, steps = 1): number {
  switch (freq.unit) {
    case 'hour': return t + steps * HOUR;
    case 'day': return t + steps * DAY;
    case 'week': return t + steps * 7 * DAY;
    case 'month': return addMonths(t, steps);
    case 'quarter': return addMonths(t, 3 * steps);
    case 'year': return addMonths(t, 12 * steps);
    case 'fixed': return t + steps * freq.step;
  }
}

function addMonths(t: number, months: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate(), d.getUTCHours(),
    d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** Steps from a to b in this frequency (fractional when off the grid). */
function stepsBetween(a: number, b: number, freq: Frequency): number {
  switch (freq.unit) {
    case 'hour': return (b - a) / HOUR;
    case 'day': return (b - a) / DAY;
    case 'week': return (b - a) / (7 * DAY);
    case 'fixed': return (b - a) / freq.step;
    default: {
      const per = freq.unit === 'month' ? 1 : freq.unit === 'quarter' ? 3 : 12;
      const da = new Date(a), db = new Date(b);
      const months = (db.getUTCFullYear() - da.getUTCFullYear()) * 12 + db.getUTCMonth() - da.getUTCMonth();
      // off the grid when the day or time of month differs (e.g. a month starting on the 3rd)
      const sameDay = da.getUTCDate() === db.getUTCDate() && da.getUTCHours() === db.getUTCHours();
      return sameDay ? months / per : months / per + 0.5;
    }
  }
}

/** Infers the frequency of sorted, distinct times from their most common step. */
export function inferFrequency(times: number[], timeKind: 'date' | 'number'): Frequency {
  if (times.length < 2) throw new DataError('cannot infer a frequency from fewer than 2 rows; give freq');
  const diffs = times.slice(1).map((t, i) => t - times[i]).filter((d) => d > 0).sort((a, b) => a - b);
  if (diffs.length === 0) throw new DataError('every row has the same time: cannot infer a frequency');
  const median = diffs[diffs.length >> 1];
  if (timeKind === 'date') {
    if (median === HOUR) return { unit: 'hour', step: 1 };
    if (median === DAY) return { unit: 'day', step: 1 };
    if (median === 7 * DAY) return { unit: 'week', step: 1 };
    if (median >= 28 * DAY && median <= 31 * DAY) return { unit: 'month', step: 1 };
    if (median >= 89 * DAY && median <= 92 * DAY) return { unit: 'quarter', step: 1 };
    if (median >= 365 * DAY && median <= 366 * DAY) return { unit: 'year', step: 1 };
  }
  return { unit: 'fixed', step: median };
}

/** How far off the grid a numeric time may be (decimal years of mid-months vary by ~3%). */
const FIXED_TOLERANCE = 0.1;

/**
 * Checks and regularises the observations of one series: sorted, no duplicates, one value per
 * step (gaps and missing values filled only with fill 'interpolate').
 */
export function buildSeries(id: string, obs: RawObservation[], timeKind: 'date' | 'number', opts: SeriesOptions = {}): TimeSeries {
  const timeCol = opts.timeColumn ?? 'time', valueCol = opts.valueColumn ?? 'value';
  const where = id === 'series' ? '' : ` of series "${id}"`;
  if (obs.length === 0) throw new DataError(`series${where} has no rows`);
  for (let i = 1; i < obs.length; i++) {
    if (obs[i].time === obs[i - 1].time) {
      throw new DataError(`row ${obs[i].row}, column ${timeCol}: duplicate time (same as row ${obs[i - 1].row})${where}; remove one of the rows`);
    }
    if (obs[i].time < obs[i - 1].time) {
      throw new DataError(`row ${obs[i].row}, column ${timeCol}: time goes backwards (row ${obs[i - 1].row} is later)${where}; sort the file by time`);
    }
  }
  const fill = opts.fill ?? 'none';
  const covNames = opts.covariateColumns ?? [];
  for (const o of obs) {
    if ((o.covariates?.length ?? 0) !== covNames.length) {
      throw new DataError(`row ${o.row}: ${o.covariates?.length ?? 0} covariate values for ${covNames.length} covariate columns${where}; give one value per column`);
    }
  }
  if (fill === 'none') {
    const missing = obs.find((o) => !Number.isFinite(o.value));
    if (missing !== undefined) {
      throw new DataError(`row ${missing.row}, column ${valueCol}: missing value${where}; give the value or use fill: 'interpolate'`);
    }
    for (const o of obs) {
      const k = (o.covariates ?? []).findIndex((v) => !Number.isFinite(v));
      if (k >= 0) throw new DataError(`row ${o.row}, column ${covNames[k]}: missing value${where}; give the value or use fill: 'interpolate'`);
    }
  }
  const freq = opts.freq ?? inferFrequency(obs.map((o) => o.time), timeKind);
  if (freq.unit !== 'fixed' && timeKind !== 'date') {
    throw new DataError(`frequency "${freq.unit}" needs dates in column ${timeCol}; use a numeric step for numeric times`);
  }
  const times: number[] = [obs[0].time];
  const values: number[] = [obs[0].value];
  const covs: number[][] = covNames.map((_, k) => [obs[0].covariates![k]]); // [P][T]
  for (let i = 1; i < obs.length; i++) {
    const steps = stepsBetween(obs[i - 1].time, obs[i].time, freq);
    const whole = Math.round(steps);
    const tol = freq.unit === 'fixed' ? FIXED_TOLERANCE : 1e-9;
    if (whole < 1 || Math.abs(steps - whole) > tol) {
      throw new DataError(`row ${obs[i].row}, column ${timeCol}: time is off the series' ${describe(freq)} grid${where}; fix the time or give freq`);
    }
    if (whole > 1) {
      if (fill !== 'interpolate') {
        throw new DataError(`row ${obs[i].row}, column ${timeCol}: ${whole - 1} missing step(s) before this row${where}; add them or use fill: 'interpolate'`);
      }
      for (let k = 1; k < whole; k++) {
        times.push(freq.unit === 'fixed' ? obs[i - 1].time + k * (obs[i].time - obs[i - 1].time) / whole : nextTime(obs[i - 1].time, freq, k));
        values.push(NaN);
        for (const c of covs) c.push(NaN);
      }
    }
    times.push(obs[i].time);
    values.push(obs[i].value);
    covs.forEach((c, k) => c.push(obs[i].covariates![k]));
  }
  const filled = Float64Array.from(values);
  const covariates = covs.map((c, k) => ({ name: covNames[k], values: Float64Array.from(c) }));
  if (fill === 'interpolate') {
    interpolateMissing(filled, id, valueCol);
    for (const c of covariates) interpolateMissing(c.values, id, c.name);
  }
  return { id, times, timeKind, values: filled, freq, ...(covariates.length > 0 ? { covariates } : {}) };
}

/** Fills NaN runs linearly between their finite neighbours, in place. */
export function interpolateMissing(v: Float64Array, id = 'series', valueCol = 'value'): void {
  let prev = -1;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) continue;
    if (prev >= 0 && i - prev > 1) {
      for (let k = prev + 1; k < i; k++) v[k] = v[prev] + ((v[i] - v[prev]) * (k - prev)) / (i - prev);
    }
    prev = i;
  }
  if (!Number.isFinite(v[0]) || !Number.isFinite(v[v.length - 1])) {
    throw new DataError(`series "${id}": column ${valueCol} is missing at its start or end, which interpolation cannot fill; drop those rows`);
  }
}

function describe(freq: Frequency): string {
  return freq.unit === 'fixed' ? `step-${freq.step}` : `${freq.unit}ly`.replace('dayly', 'daily');
}

/** Time to text for output files: ISO date (or date-time) for dates, the number otherwise. */
export function formatTime(t: number, timeKind: 'date' | 'number'): string {
  if (timeKind === 'number') return String(Math.round(t * 1e9) / 1e9);
  const iso = new Date(t).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

/** Steps from .. to - 1 of a series (its past covariates too). */
export function sliceSeries(series: TimeSeries, from: number, to: number): TimeSeries {
  const out: TimeSeries = { ...series, times: series.times.slice(from, to), values: series.values.slice(from, to) };
  if (series.covariates !== undefined) out.covariates = series.covariates.map((c) => ({ name: c.name, values: c.values.slice(from, to) }));
  return out;
}

/** The times of the h steps after a series' end. */
export function futureTimes(series: TimeSeries, h: number): number[] {
  const last = series.times[series.times.length - 1];
  return Array.from({ length: h }, (_, k) => nextTime(last, series.freq, k + 1));
}

/** A long table's columns, already parsed: one entry per row. */
export interface LongTable {
  ids: string[] | null;
  times: number[];
  values: number[];
  timeKind: 'date' | 'number';
  /** 1-based source row of each entry (for messages); default 1.. */
  rows?: number[];
  /** Past covariate columns, one value per row each (their names go in SeriesOptions.covariateColumns). */
  covariates?: number[][];
}

/** Splits a long table (id, time, value) into checked series, in order of first appearance. */
export function seriesFromLong(table: LongTable, opts: SeriesOptions = {}): TimeSeries[] {
  const groups = new Map<string, RawObservation[]>();
  for (let i = 0; i < table.times.length; i++) {
    const id = table.ids === null ? 'series' : table.ids[i];
    let g = groups.get(id);
    if (g === undefined) groups.set(id, (g = []));
    const obs: RawObservation = { time: table.times[i], value: table.values[i], row: table.rows?.[i] ?? i + 1 };
    if (table.covariates !== undefined) obs.covariates = table.covariates.map((c) => c[i]);
    g.push(obs);
  }
  if (groups.size === 0) throw new DataError('no data rows: the table is empty');
  return [...groups].map(([id, obs]) => buildSeries(id, obs, table.timeKind, opts));
}

/** A wide table: one time column and one value column per series (the column's name is its id). */
export function seriesFromWide(times: number[], columns: Record<string, number[]>, timeKind: 'date' | 'number',
  opts: SeriesOptions = {}): TimeSeries[] {
  const names = Object.keys(columns);
  if (names.length === 0 || times.length === 0) throw new DataError('no data rows: the table is empty');
  return names.map((name) => buildSeries(name, times.map((time, i) => ({ time, value: columns[name][i], row: i + 1 })),
    timeKind, { ...opts, valueColumn: name }));
}
