// Windows of the direct multi-output forecaster (Darts' BlockRNNModel): `lookback` steps in,
// the next `horizon` values out. A window is named by its origin o, the index of its first
// forecast step: inputs are steps o-lookback .. o-1, targets steps o .. o+horizon-1.

/** Origins o with lookback <= o, o + horizon <= end, o >= start, every `stride` steps from the first. */
export function windowOrigins(opts: { lookback: number; horizon: number; start?: number; end: number; stride?: number }): number[] {
  const first = Math.max(opts.lookback, opts.start ?? 0);
  const stride = opts.stride ?? 1;
  const out: number[] = [];
  for (let o = first; o + opts.horizon <= opts.end; o += stride) out.push(o);
  return out;
}

/**
 * The input features of windows: [W, lookback, F] with F = 1 + covariates: the scaled value,
 * then the covariates of the same step (cov: [T, C] row-major, C = covariates per step).
 */
export function windowInputs(scaled: ArrayLike<number>, cov: ArrayLike<number>, C: number, origins: number[],
  lookback: number, out: Float32Array = new Float32Array(origins.length * lookback * (1 + C)), at = 0): Float32Array {
  const F = 1 + C;
  let k = at * lookback * F;
  for (const o of origins) {
    for (let t = o - lookback; t < o; t++) {
      out[k++] = scaled[t];
      for (let c = 0; c < C; c++) out[k++] = cov[t * C + c];
    }
  }
  return out;
}

/**
 * The targets of windows: [W, horizon, Q], each scaled value repeated for the Q quantile
 * outputs of its step (Q = 1 for point forecasts).
 */
export function windowTargets(scaled: ArrayLike<number>, origins: number[], horizon: number, Q: number,
  out: Float32Array = new Float32Array(origins.length * horizon * Q), at = 0): Float32Array {
  let k = at * horizon * Q;
  for (const o of origins) {
    for (let h = 0; h < horizon; h++) for (let q = 0; q < Q; q++) out[k++] = scaled[o + h];
  }
  return out;
}
