// What the network reads of a series: its values scaled by the training part's scaler, its past
// covariates (each scaled by its own training-part scaler) and calendar features, one row per
// step; and the same row for one new observation (the stateful forecaster's update()).

import { DataError } from '../errors.js';
import { seriesCalendar, stepCalendar } from './calendar.js';
import { scale, type Scaler } from './scaler.js';
import type { Frequency, TimeSeries } from './series.js';

/** The scalers fitted on one series' training part. */
export interface SeriesScalers {
  /** Of the values. */
  value: Scaler;
  /** Of each past covariate, in the series' order. */
  covariates: Scaler[];
}

/** What the features are made of: the same for every series of one model. */
export interface FeatureLayout {
  /** Feed calendar features. */
  calendar: boolean;
  /** How far ahead each step's extra calendar features reach (0: none; see futureCalendar). */
  lead: number;
  /** Past covariate names the model was trained with; null while the first series names them. */
  covariateNames: string[] | null;
  /** Calendar feature names the model was trained with; null while the first series names them. */
  calendarNames: string[] | null;
}

/** The features of a whole series: F = 1 + C inputs per step. */
export interface SeriesFeatures {
  /** The series' own values [T], unscaled. */
  values: Float64Array;
  /** The value scaler (fitted on the training part). */
  scaler: Scaler;
  /** Scaled values [T]. */
  scaled: Float64Array;
  /** Covariates [T, C] row-major: past covariates (scaled), then calendar features. */
  cov: Float64Array;
  /** Covariates per step. */
  C: number;
  calendarNames: string[];
  covariateNames: string[];
}

/**
 * Scaled values and covariates of a whole series. A calendar lead of `horizon` (not of 1 ..
 * horizon) keeps one extra feature block per step and still reaches every forecast step: in a
 * window the last `horizon` inputs carry the features of the `horizon` forecast steps, in the
 * same layout in windowed and stateful mode, and stepFeatures computes them from the live time.
 */
export function seriesFeatures(ser: TimeSeries, scalers: SeriesScalers, layout: FeatureLayout): SeriesFeatures {
  const scaled = ser.values.map((v) => scale(scalers.value, v));
  const T = ser.values.length;
  const past = ser.covariates ?? [];
  const covariateNames = past.map((c) => c.name);
  if (layout.covariateNames !== null && covariateNames.join() !== layout.covariateNames.join()) {
    throw new DataError(`series "${ser.id}" has past covariates ${covariateNames.join(', ') || 'none'}, the model was trained with ${layout.covariateNames.join(', ') || 'none'}; give the same columns`);
  }
  past.forEach((c) => checkCovariate(ser, c.name, c.values));
  const cal = layout.calendar ? seriesCalendar(ser, layout.lead) : { names: [], data: new Float64Array(0) };
  if (layout.calendarNames !== null && cal.names.join() !== layout.calendarNames.join()) {
    throw new DataError(`series "${ser.id}" has calendar features ${cal.names.join(', ') || 'none'}, the model was trained with ${layout.calendarNames.join(', ') || 'none'}; give data of the training frequency`);
  }
  const P = past.length, K = cal.names.length, C = P + K;
  const cov = new Float64Array(T * C); // [T, P + K]: past covariates (scaled), then calendar features
  for (let t = 0; t < T; t++) {
    for (let p = 0; p < P; p++) cov[t * C + p] = scale(scalers.covariates[p], past[p].values[t]);
    if (K > 0) cov.set(cal.data.subarray(t * K, (t + 1) * K), t * C + P);
  }
  return { values: ser.values, scaler: scalers.value, scaled, cov, C, calendarNames: cal.names, covariateNames };
}

/**
 * The inputs [1, F] of one new observation of series `id` at time t: its scaled value, its past
 * covariates by name (scaled), its calendar features (as seriesFeatures lays them out).
 */
export function stepFeatures(id: string, value: number, covariates: Record<string, number>, t: number,
  time: { freq: Frequency; timeKind: 'date' | 'number' }, scalers: SeriesScalers, layout: FeatureLayout): Float32Array {
  const names = layout.covariateNames ?? [], P = names.length, K = layout.calendarNames?.length ?? 0;
  const x = new Float32Array(1 + P + K); // [1, F]: value, past covariates, calendar features
  x[0] = scale(scalers.value, value);
  names.forEach((name, p) => {
    const v = covariates[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new DataError(`update() for series "${id}" needs a finite value of past covariate "${name}" (covariates: { ${names.map((n) => `${n}: number`).join(', ')} })`);
    }
    x[1 + p] = scale(scalers.covariates[p], v);
  });
  if (K > 0) x.set(stepCalendar(t, time.freq, time.timeKind, layout.lead), 1 + P);
  return x;
}

/** A past covariate must have one finite value per step of its series. */
function checkCovariate(ser: TimeSeries, name: string, values: ArrayLike<number>): void {
  if (values.length !== ser.values.length) {
    throw new DataError(`series "${ser.id}": past covariate "${name}" has ${values.length} values for ${ser.values.length} steps; give one per step`);
  }
  for (let t = 0; t < values.length; t++) {
    if (!Number.isFinite(values[t])) throw new DataError(`series "${ser.id}": past covariate "${name}" is ${values[t]} at step ${t}; give the value or use fill: 'interpolate'`);
  }
}
