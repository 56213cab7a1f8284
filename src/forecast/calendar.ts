// Calendar covariates known in the future, switched on by frequency: hour of day (hourly),
// day of week (hourly, daily), day of year (daily, weekly) and month (monthly), each as a
// sin/cos pair so that December sits next to January.

import type { Frequency, TimeSeries } from './series.js';

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

/** Features of every step of a series: [T, F] row-major. */
export function seriesCalendar(series: TimeSeries): { names: string[]; data: Float64Array } {
  const names = calendarFeatureNames(series.freq, series.timeKind);
  const F = names.length;
  const data = new Float64Array(series.times.length * F); // [T, F]
  series.times.forEach((t, i) => data.set(calendarFeatures(t, series.freq, series.timeKind), i * F));
  return { names, data };
}
