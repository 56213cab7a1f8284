// Per-series standard scaling, fitted on the training part only (so nothing of the test part
// leaks into the inputs) and inverted on forecasts.

/** Mean and standard deviation of one series' training part. */
export interface Scaler {
  mean: number;
  std: number;
}

/** Fits on values[0 .. end): the training part only. A constant part gets std 1. */
export function fitScaler(values: ArrayLike<number>, end: number): Scaler {
  let sum = 0;
  for (let i = 0; i < end; i++) sum += values[i];
  const mean = sum / end;
  let sq = 0;
  for (let i = 0; i < end; i++) sq += (values[i] - mean) ** 2;
  const std = Math.sqrt(sq / end);
  return { mean, std: std > 1e-12 ? std : 1 };
}

export function scale(s: Scaler, v: number): number {
  return (v - s.mean) / s.std;
}

export function unscale(s: Scaler, z: number): number {
  return z * s.std + s.mean;
}
