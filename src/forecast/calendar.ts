// Calendar covariates known in the future, switched on by frequency: hour of day (hourly),
// day of week (hourly, daily), day of year (daily, weekly) and month (monthly), each as a
// sin/cos pair so that December sits next to January.

import { nextTime, type Frequency, type TimeSeries } from './series.js';

/** Names of the calendar features a frequency gets (none for numeric times). */
export function calendarFeatureNames(freq: Frequency, timeKind: 'date' | 'number'): string[] {
  if (timeKind !== 'date') return [];
  const pairs = (n: string) => [`${n}_sin`, `${n}_cos`];
  switch (freq.unit) {
    case 'hour': return [...pairs('hour_of_day'), ...pairs('day_of_week')];
    case 'day': return [...pairs('day_of_week'), ...pairs('day_of_year')];
    case 'week': return pairs('day_of_year');
    case 'month': return pairs('month');
    default: return [];
  }
}

/** The calendar features of one time (ms since 1970 UTC), in calendarFeatureNames' order. */
export function calendarFeatures(t: number, freq: Frequency, timeKind: 'date' | 'number'): number[] {
  const names = calendarFeatureNames(freq, timeKind);
  if (names.length === 0) return [];
  const d = new Date(t);
  const angle = (x: number, period: number) => [Math.sin((2 * Math.PI * x) / period), Math.cos((2 * Math.PI * x) / period)];
  const dayOfYear = (t - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000;
  const out: number[] = [];
  for (let i = 0; i < names.length; i += 2) {
    const name = names[i].slice(0, -4);
    if (name === 'hour_of_day') out.push(...angle(d.getUTCHours(), 24));
    else if (name === 'day_of_week') out.push(...angle(d.getUTCDay(), 7));
    else if (name === 'day_of_year') out.push(...angle(dayOfYear, 365.25));
    else out.push(...angle(d.getUTCMonth(), 12));
  }
  return out;
}

/**
 * Names of one step's calendar inputs: its own features, then with lead > 0 the features of
 * the time `lead` steps later, named `lead{lead}_{name}` (known future covariates).
 */
export function stepCalendarNames(freq: Frequency, timeKind: 'date' | 'number', lead = 0): string[] {
  const own = calendarFeatureNames(freq, timeKind);
  return lead > 0 ? [...own, ...own.map((n) => `lead${lead}_${n}`)] : own;
}

/** One step's calendar inputs at time t, in stepCalendarNames' order. */
export function stepCalendar(t: number, freq: Frequency, timeKind: 'date' | 'number', lead = 0): number[] {
  const own = calendarFeatures(t, freq, timeKind);
  return lead > 0 && own.length > 0 ? [...own, ...calendarFeatures(nextTime(t, freq, lead), freq, timeKind)] : own;
}

/**
 * Calendar inputs of every step of a series: [T, F] row-major (F = stepCalendarNames' length).
 * With lead > 0 each step also carries the features of the step `lead` later, computed from the
 * frequency, so the last steps of a series carry those of the steps after its end.
 */
export function seriesCalendar(series: TimeSeries, lead = 0): { names: string[]; data: Float64Array } {
  const names = stepCalendarNames(series.freq, series.timeKind, lead);
  const F = names.length;
  const data = new Float64Array(series.times.length * F); // [T, F]
  series.times.forEach((t, i) => data.set(stepCalendar(t, series.freq, series.timeKind, lead), i * F));
  return { names, data };
}
