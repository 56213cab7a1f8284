// Quantile forecasts: levels, and monotone outputs. The head gives horizon x Q numbers per
// window that need not be ordered; sorting each step's Q values (a rearrangement, which never
// raises the pinball loss: Chernozhukov et al. 2010) makes them monotone.

/** The default levels: an 80% interval around the median. */
export const DEFAULT_QUANTILES: readonly number[] = [0.1, 0.5, 0.9];

/** Sorts each step's Q values in place: out [W, H, Q] becomes monotone in q. */
export function sortQuantiles(out: Float32Array | Float64Array, Q: number): void {
  const tmp = new Float64Array(Q);
  for (let r = 0; r + Q <= out.length; r += Q) {
    for (let j = 0; j < Q; j++) tmp[j] = out[r + j];
    tmp.sort();
    for (let j = 0; j < Q; j++) out[r + j] = tmp[j];
  }
}

/** The index of the level used as the point forecast: 0.5 if present, else the one closest to it. */
export function medianIndex(levels: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < levels.length; j++) if (Math.abs(levels[j] - 0.5) < Math.abs(levels[best] - 0.5)) best = j;
  return best;
}

/** Quantile outputs per step: Q levels, or 1 for point forecasts (null). */
export function quantileCount(levels: readonly number[] | null): number {
  return levels?.length ?? 1;
}
