// The seasonal frame of a window (normalize 'seasonal', the forecaster's default): what makes
// one global network fit many series of different levels, spreads and season shapes, after
// ES-RNN (level and seasonal indices per window, logs), RevIN / DeepAR (per-window scaling)
// and the forecasting of the residual over a seasonal baseline.
//
// In the transformed space v (logs of positive series, else the series-scaled values), a window
// whose first forecast step is o has
// - a level: the mean of v over the last `span` steps before o (span = the longest season that
//   fits in the lookback);
// - a spread: the standard deviation of v over the window's lookback (at least SPREAD_FLOOR),
//   so that a smooth series' small wiggles and a noisy one's swings look alike to the network;
// - a seasonal base [H]: the mean of the last K cycles of the lag m that best repeated itself
//   over the last `span` steps (mean |v_t - v_{t-m}|), m chosen among the shortest season and
//   its neighbours (m - 1, m + 1: a daily cycle that drifts by an hour a day, as in several
//   M4 hourly series) and the longer seasons; K cycles fill at most half the lookback, with at
//   least 2 of a seasonal lag (the history a frame reads grows to hold them).
// Inputs are (v - level) / spread; targets and outputs are (v - base) / spread, so the network
// forecasts how the coming steps differ from the season it has just seen. Only steps before o
// are read.

/** Below this spread (in v's units) a window counts as flat: it keeps the inputs finite. */
export const SPREAD_FLOOR = 1e-3;

/** The frame of one window. */
export interface SeasonalFrame {
  /** Mean of v over the last `span` steps. */
  level: number;
  /** Standard deviation of v over the lookback (>= SPREAD_FLOOR). */
  spread: number;
  /** The lag whose cycles make the base. */
  lag: number;
  /** The seasonal base of each forecast step [H], in v's units. */
  base: Float64Array;
}

/**
 * The lags a window's base may repeat: the shortest season m (with m - 1 and m + 1 when m > 2),
 * then every longer season; only seasons a window of `lookback` steps holds whole (none: lag 1,
 * the last value).
 */
export function candidateLags(seasons: readonly number[], lookback: number): number[] {
  const sorted = [...new Set(seasons.filter((m) => m >= 1 && m <= lookback))].sort((a, b) => a - b);
  if (sorted.length === 0) return [1];
  const m = sorted[0];
  return [...(m > 2 ? [m - 1, m, m + 1] : [m]), ...sorted.slice(1)];
}

/** Steps the lag selection compares: the longest season, at most the lookback. */
function spanOf(lookback: number, seasons: readonly number[]): number {
  return Math.max(1, ...seasons.filter((m) => m <= lookback));
}

/**
 * Cycles of lag m averaged into the base: as many as fill half the lookback (and the span);
 * at least 2 for a seasonal lag, so that a long season's base (a week of hours, a year of days)
 * is not one noisy cycle (on eight weekly M4 hourly series: MASE 0.847 with one week, 0.786
 * with two, EXPERIMENTS.md); 1 for lag 1 (the last value).
 */
function cyclesOf(m: number, lookback: number, span: number): number {
  return Math.max(m > 1 ? 2 : 1, Math.floor(Math.min(span, Math.floor(lookback / 2)) / m));
}

/** Steps of history a seasonal frame needs before its origin. */
export function frameHistory(lookback: number, seasons: readonly number[]): number {
  const span = spanOf(lookback, seasons);
  const lags = candidateLags(seasons, lookback);
  return Math.max(lookback, span + Math.max(...lags), ...lags.map((m) => m * cyclesOf(m, lookback, span)));
}

/**
 * The frame of the window whose first forecast step is o (o >= frameHistory(lookback, seasons)),
 * with H forecast steps, on the transformed values v [T].
 */
export function seasonalFrame(v: ArrayLike<number>, o: number, lookback: number, seasons: readonly number[], H: number): SeasonalFrame {
  const span = spanOf(lookback, seasons);
  let level = 0;
  for (let t = o - span; t < o; t++) level += v[t];
  level /= span;
  let mean = 0, sq = 0;
  for (let t = o - lookback; t < o; t++) mean += v[t];
  mean /= lookback;
  for (let t = o - lookback; t < o; t++) sq += (v[t] - mean) ** 2;
  const spread = Math.max(SPREAD_FLOOR, Math.sqrt(sq / lookback));
  let lag = 1, best = Infinity;
  for (const m of candidateLags(seasons, lookback)) {
    let err = 0;
    for (let t = o - span; t < o; t++) err += Math.abs(v[t] - v[t - m]);
    // ties keep the earlier (shorter) lag
    if (err < best - 1e-12) { best = err; lag = m; }
  }
  const K = cyclesOf(lag, lookback, span);
  const base = new Float64Array(H); // [H]
  for (let h = 0; h < H; h++) {
    let s = 0;
    for (let k = 1; k <= K; k++) s += v[o - k * lag + (h % lag)];
    base[h] = s / K;
  }
  return { level, spread, lag, base };
}
