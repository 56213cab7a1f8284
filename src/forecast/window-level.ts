// Window-relative normalisation (level removal, as RevIN and N-BEATS-style forecasters do):
// each window's inputs and targets are expressed relative to the window's last observed value,
// in units of the series scaler (fitted on the training part), and the level is added back to
// the forecasts. A window model then forecasts changes, which carry over to levels it never saw
// in training (a trend that leaves the training range).

/**
 * 'seasonal': each window framed by its level, spread and seasonal base (seasonal-frame.ts).
 * 'series': values scaled by the training part's mean and standard deviation only.
 * 'window': in addition, each window's last observed (scaled) value is subtracted from its
 * inputs and targets and added back to its forecasts.
 */
export type Normalization = 'seasonal' | 'series' | 'window';

/**
 * The level of the window whose first forecast step is o: its last observed scaled value,
 * scaled[o - 1]. Only steps before o are read, so nothing of the forecast part leaks in.
 */
export function windowLevel(scaled: ArrayLike<number>, o: number): number {
  return scaled[o - 1];
}

/**
 * Subtracts each window's level from its value feature (feature 0) in place:
 * x [W, lookback, F], levels [W], windows from `at` on.
 */
export function removeLevels(x: Float32Array, levels: ArrayLike<number>, lookback: number, F: number, at = 0): void {
  for (let w = 0; w < levels.length; w++) {
    const base = (at + w) * lookback * F;
    for (let t = 0; t < lookback; t++) x[base + t * F] -= levels[w];
  }
}
