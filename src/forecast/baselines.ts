// The baselines forecasters trust, as forecasts from an origin o that see values[0 .. o):
// naive (the last value), seasonal naive (the last season repeated), drift (the line from the
// first to the last observed value, extended).

/** Names of the baseline models, as the CLI's --models takes them. */
export type BaselineName = 'naive' | 'snaive' | 'drift';

export function isBaseline(name: string): name is BaselineName {
  return name === 'naive' || name === 'snaive' || name === 'drift';
}

/** The last observed value, repeated h times. */
export function naiveForecast(values: ArrayLike<number>, origin: number, h: number): Float64Array {
  return new Float64Array(h).fill(values[origin - 1]);
}

/** f[k] = values[origin - m + (k mod m)]: the last season of period m, repeated. */
export function seasonalNaiveForecast(values: ArrayLike<number>, origin: number, h: number, m: number): Float64Array {
  if (origin < m) throw new RangeError(`seasonal naive needs ${m} observed steps, got ${origin}`);
  return Float64Array.from({ length: h }, (_, k) => values[origin - m + (k % m)]);
}

/** f[k] = y_last + (k + 1) * (y_last - y_first) / (origin - 1). */
export function driftForecast(values: ArrayLike<number>, origin: number, h: number): Float64Array {
  const last = values[origin - 1];
  const slope = origin > 1 ? (last - values[0]) / (origin - 1) : 0;
  return Float64Array.from({ length: h }, (_, k) => last + (k + 1) * slope);
}

/** A baseline's forecast by name (m: the seasonal period, used by 'snaive'). */
export function baselineForecast(name: BaselineName, values: ArrayLike<number>, origin: number, h: number, m: number): Float64Array {
  switch (name) {
    case 'naive': return naiveForecast(values, origin, h);
    case 'snaive': return seasonalNaiveForecast(values, origin, h, m);
    case 'drift': return driftForecast(values, origin, h);
  }
}
