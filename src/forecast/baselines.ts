// The baselines forecasters trust, each a BaselineForecast of the history before an origin:
// naive (the last value), seasonal naive (the last season repeated), drift (the line from the
// first to the last observed value, extended).

/**
 * A baseline's forecast of h steps from the history observed before an origin. seasons[0] is
 * the main seasonal period; multi-season methods read the ones after it.
 */
export type BaselineForecast = (history: Float64Array, h: number, seasons: readonly number[]) => Float64Array;

/** The last observed value, repeated h times. */
export const naiveForecast: BaselineForecast = (history, h) => new Float64Array(h).fill(history[history.length - 1]);

/** f[k] = history[n - m + (k mod m)]: the last season of period m = seasons[0], repeated. */
export const seasonalNaiveForecast: BaselineForecast = (history, h, seasons) => {
  const n = history.length, m = seasons[0];
  if (n < m) throw new RangeError(`seasonal naive needs ${m} observed steps, got ${n}`);
  return Float64Array.from({ length: h }, (_, k) => history[n - m + (k % m)]);
};

/** f[k] = y_last + (k + 1) * (y_last - y_first) / (n - 1). */
export const driftForecast: BaselineForecast = (history, h) => {
  const n = history.length, last = history[n - 1];
  const slope = n > 1 ? (last - history[0]) / (n - 1) : 0;
  return Float64Array.from({ length: h }, (_, k) => last + (k + 1) * slope);
};
