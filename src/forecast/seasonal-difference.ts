// Seasonal differencing, the stateful forecaster's seasonal frame (normalize 'seasonal' in
// stateful mode): per series one lag m, the one whose seasonal naive forecast (the value m steps
// before each forecast step, from the last whole cycle) best forecast its training part h = 1 ..
// H steps ahead, among no season (m = 1, the last value) and the seasons. The network reads the
// seasonal differences d_t = v_t - v_{t-m} and forecasts how the coming steps differ from that
// base, as seasonal differencing does for ARIMA: a state that runs through the whole history
// then needs no memory of the last cycle's shape, only of how cycles change.

/** The lags a stateful series' base may repeat: 1 (no season), then the candidate lags of the seasons. */
export function differenceLags(seasons: readonly number[]): number[] {
  const sorted = [...new Set(seasons.filter((m) => m > 1))].sort((a, b) => a - b);
  if (sorted.length === 0) return [1];
  const m = sorted[0];
  return [1, ...(m > 2 ? [m - 1, m, m + 1] : [m]), ...sorted.slice(1)];
}

/** The base of origin o (its first forecast step) at step h: the value of the last whole cycle, v[o - m + (h mod m)]. */
export function baseIndex(o: number, m: number, h: number): number {
  return o - m + (h % m);
}

/**
 * The lag whose base forecast v[0 .. end) best (mean absolute error over every origin that all
 * candidate lags can forecast from, every step h < H); ties keep the shorter lag. Lags with no
 * such origin are left out; with none left, 1.
 */
export function bestDifferenceLag(v: ArrayLike<number>, end: number, lags: readonly number[], H: number): number {
  const usable = lags.filter((m) => m < end - H);
  if (usable.length === 0) return 1;
  const first = Math.max(...usable);
  let lag = 1, best = Infinity;
  for (const m of usable) {
    let err = 0;
    for (let o = first; o + H <= end; o++) for (let h = 0; h < H; h++) err += Math.abs(v[o + h] - v[baseIndex(o, m, h)]);
    if (err < best - 1e-12) { best = err; lag = m; }
  }
  return lag;
}

/** d_t = v_t - v_{t-m} [T] (0 for t < m, where there is no cycle before). */
export function seasonalDifferences(v: ArrayLike<number>, m: number): Float64Array {
  const d = new Float64Array(v.length);
  for (let t = m; t < v.length; t++) d[t] = v[t] - v[t - m];
  return d;
}
