// The seasonality test of the M4 competition's benchmarks (`SeasonalityTest` in the
// competition's R code): a series is seasonal with period m when its autocorrelation at lag m
// is significant at 90% (one-sided), with the lag-m limit of Bartlett's formula.

/**
 * The sample autocorrelation of x at lag k, as R's `acf`:
 * sum_{t=k}^{n-1} (x_t - mean)(x_{t-k} - mean) / sum_{t=0}^{n-1} (x_t - mean)^2.
 * NaN for a constant series (0 / 0).
 */
export function acf(x: ArrayLike<number>, k: number): number {
  const n = x.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += x[t];
  mean /= n;
  let num = 0, den = 0;
  for (let t = 0; t < n; t++) {
    const d = x[t] - mean;
    den += d * d;
    if (t >= k) num += d * (x[t - k] - mean);
  }
  return num / den;
}

/**
 * Whether x is seasonal with period m, as the M4 benchmarks decide it: never when m <= 1 or
 * n < 3m; otherwise iff |acf_m| > 1.645 / sqrt(n) * sqrt(1 + 2 * sum_{k=1}^{m-1} acf_k^2).
 * Like R (whose `acf` stops at lag floor(10 log10 n)), a series too short to reach lag m
 * (n < 10^(m/10), e.g. n < 252 for m = 24) is not seasonal; so is a constant one.
 */
export function isSeasonal(x: ArrayLike<number>, m: number): boolean {
  const n = x.length;
  if (m <= 1 || n < 3 * m) return false;
  if (m > Math.floor(10 * Math.log10(n))) return false; // R: acf(x)$acf[m] is NA there
  let sumSq = 0;
  for (let k = 1; k < m; k++) sumSq += acf(x, k) ** 2;
  const limit = 1.645 / Math.sqrt(n) * Math.sqrt(1 + 2 * sumSq);
  const r = acf(x, m);
  return Number.isFinite(r) && Math.abs(r) > limit;
}
