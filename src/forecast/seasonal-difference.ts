// Seasonal differencing, the stateful forecaster's seasonal frame (normalize 'seasonal' in
// stateful mode): per series one lag m, the one whose seasonal naive forecast (the value m steps
// before each forecast step, from the last whole cycle) best forecast its training part h = 1 ..
// H steps ahead, among no season (m = 1, the last value) and the seasons. The base averages the
// last 2 cycles of a seasonal lag (one cycle is noisy: as in the windowed seasonal frame). The
// network reads the seasonal differences d_t = v_t - base_t and forecasts how the coming steps
// differ from the base, as seasonal differencing does for ARIMA: a state that runs through the
// whole history then needs no memory of the cycle's shape, only of how cycles change.

import { candidateLags } from './seasonal-frame.js';

/**
 * The lags a stateful series' base may repeat: 1 (no season), then the windowed frame's
 * candidates for the seasons (the shortest with its neighbours, then the longer ones), none
 * left out for length: the state reads the whole history.
 */
export function differenceLags(seasons: readonly number[]): number[] {
  const lags = candidateLags(seasons.filter((m) => m > 1), Infinity);
  return lags[0] === 1 ? [1] : [1, ...lags];
}

/** Cycles averaged into the base of lag m: 2 of a seasonal lag, 1 of lag 1 (the last value). */
export function differenceCycles(m: number): number {
  return m > 1 ? 2 : 1;
}

/** Steps of history the base of lag m reads before an origin: its cycles. */
export function differenceHistory(m: number): number {
  return differenceCycles(m) * m;
}

/**
 * The base of origin o (its first forecast step) at step h: the mean over the last K cycles of
 * the value at h's phase, v[o - k*m + (h mod m)], k = 1 .. K (differenceCycles). v(i) reads
 * the series at step i.
 */
export function baseValue(v: (i: number) => number, o: number, m: number, h: number): number {
  const K = differenceCycles(m);
  let s = 0;
  for (let k = 1; k <= K; k++) s += v(o - k * m + (h % m));
  return s / K;
}

/**
 * The lag whose base forecast v[0 .. end) best (mean absolute error over every origin that all
 * candidate lags can forecast from, every step h < H); ties keep the shorter lag. Lags with no
 * such origin are left out; with none left, 1.
 */
export function bestDifferenceLag(v: ArrayLike<number>, end: number, lags: readonly number[], H: number): number {
  const usable = lags.filter((m) => differenceHistory(m) < end - H);
  if (usable.length === 0) return 1;
  const first = Math.max(...usable.map(differenceHistory));
  const at = (i: number) => v[i];
  let lag = 1, best = Infinity;
  for (const m of usable) {
    let err = 0;
    for (let o = first; o + H <= end; o++) for (let h = 0; h < H; h++) err += Math.abs(v[o + h] - baseValue(at, o, m, h));
    if (err < best - 1e-12) { best = err; lag = m; }
  }
  return lag;
}

/** d_t = v_t - (the base of origin t at its first step) [T]; 0 where there is no whole base (t < K*m). */
export function seasonalDifferences(v: ArrayLike<number>, m: number): Float64Array {
  const d = new Float64Array(v.length), at = (i: number) => v[i];
  for (let t = differenceHistory(m); t < v.length; t++) d[t] = v[t] - baseValue(at, t, m, 0);
  return d;
}
