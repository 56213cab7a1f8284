// Naive2, the M4 competition's reference benchmark (its OWA is 1 by definition): when the
// seasonality test passes, the series is deseasonalised by classical multiplicative
// decomposition (R's `decompose(type = "multiplicative")`), the last deseasonalised value is
// carried forward and the seasonal indices are put back; otherwise plain naive.

import type { BaselineForecast } from './baselines.js';
import { checkHistory, checkPositive } from './history-checks.js';
import { isSeasonal } from './seasonality.js';

/** The parts of a classical multiplicative decomposition that Naive2 needs. */
export interface ClassicalDecomposition {
  /** The seasonal figure, [m]: index of each position in the cycle (t mod m from the series start), mean 1. */
  figure: Float64Array;
  /** The centred moving average, [n]: NaN at the ends where the window leaves the series. */
  trend: Float64Array;
}

/**
 * Classical multiplicative decomposition with period m, as R's `decompose`: trend = centred
 * moving average (even m: the 2 x m filter (0.5, 1, ..., 1, 0.5) / m; odd m: the m-term mean);
 * figure[i] = mean of x_t / trend_t over the t with t mod m = i where the trend exists, then
 * divided by the figure's mean. Needs n >= 2m (a figure entry for every position) and
 * positive values (the caller checks).
 */
export function classicalDecomposition(x: ArrayLike<number>, m: number): ClassicalDecomposition {
  const n = x.length;
  const half = Math.floor(m / 2);
  const trend = new Float64Array(n).fill(NaN); // [n]
  for (let t = half; t + half < n; t++) {
    let s = 0;
    if (m % 2 === 0) {
      s = 0.5 * (x[t - half] + x[t + half]);
      for (let j = -half + 1; j < half; j++) s += x[t + j];
    } else {
      for (let j = -half; j <= half; j++) s += x[t + j];
    }
    trend[t] = s / m;
  }
  const sums = new Float64Array(m), counts = new Float64Array(m); // [m]
  for (let t = 0; t < n; t++) {
    if (Number.isNaN(trend[t])) continue;
    sums[t % m] += x[t] / trend[t];
    counts[t % m]++;
  }
  const figure = new Float64Array(m); // [m]
  let mean = 0;
  for (let i = 0; i < m; i++) {
    figure[i] = sums[i] / counts[i];
    mean += figure[i] / m;
  }
  for (let i = 0; i < m; i++) figure[i] /= mean;
  return { figure, trend };
}

/**
 * Naive2 as in the M4 benchmarks, with m = seasons[0]: if isSeasonal(history, m), forecast
 * step k (0-based) = (x_{n-1} / figure[(n-1) mod m]) * figure[(n + k) mod m]; else the last
 * value repeated. The seasonal path needs positive values (DataError otherwise).
 */
export const naive2Forecast: BaselineForecast = (history, h, seasons) => {
  checkHistory(history, 'Naive2', 1);
  const n = history.length;
  const m = seasons[0] ?? 1;
  const last = history[n - 1];
  if (!isSeasonal(history, m)) return new Float64Array(h).fill(last);
  checkPositive(history, 'Naive2', 'its seasonal path divides by the trend (multiplicative decomposition)');
  const { figure } = classicalDecomposition(history, m);
  const level = last / figure[(n - 1) % m];
  return Float64Array.from({ length: h }, (_, k) => level * figure[(n + k) % m]);
};
