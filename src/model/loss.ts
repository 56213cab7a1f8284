// Losses on the head's outputs, each returning the loss and dL/d(outputs).
// N = rows (B*T for steps 'all', B for 'last'), O = outputs per row.
//
// Normalisation (documented in the model's API):
//   xent: mean of -log softmax(out)[y] over counted rows; with weights w: sum(w * nll) / sum(w).
//         Rows with weight 0 are masked: their target is not read and they get no gradient.
//   mse:  mean of (out - y)^2 over all N*O elements; with row weights w:
//         sum_n w_n sum_o (out - y)^2 / (O * sum(w)).
//   pinball: as mse with the pinball loss rho_q(y - out) in place of the square, where
//         rho_q(u) = max(q u, (q - 1) u) and output o's level is q = quantiles[o % Q].

import type { Float } from '../cells/types.js';

/**
 * Softmax cross-entropy. out: [N, O] logits. y: [N] class ids. w: [N] weights or null.
 * dOut: [N, O] (overwritten) or null when only the loss is wanted.
 * sumW: sum of the weights (N without weights); must be > 0 (checked by the caller).
 */
export function xentLoss(out: Float, y: Int32Array, w: Float32Array | null, N: number, O: number,
  sumW: number, dOut: Float | null): number {
  let total = 0;
  for (let n = 0; n < N; n++) {
    const wn = w === null ? 1 : w[n];
    const row = n * O;
    if (wn === 0) {
      if (dOut !== null) dOut.fill(0, row, row + O);
      continue;
    }
    let max = -Infinity;
    for (let o = 0; o < O; o++) if (out[row + o] > max) max = out[row + o];
    let sum = 0;
    if (dOut !== null) {
      // keep exp(out - max) in dOut: one exp per element
      for (let o = 0; o < O; o++) sum += (dOut[row + o] = Math.exp(out[row + o] - max));
    } else {
      for (let o = 0; o < O; o++) sum += Math.exp(out[row + o] - max);
    }
    const logZ = Math.log(sum) + max;
    const target = y[n];
    total += wn * (logZ - out[row + target]);
    if (dOut !== null) {
      // dL/dout = w / sum(w) * (softmax - onehot(target))
      const scale = wn / sumW;
      const inv = 1 / sum;
      for (let o = 0; o < O; o++) dOut[row + o] = scale * (dOut[row + o] * inv);
      // the target's p - 1 in doubles: a float32 dOut would lose it to cancellation as p -> 1
      dOut[row + target] = scale * (Math.exp(out[row + target] - logZ) - 1);
    }
  }
  return total / sumW;
}

/**
 * The row-weighted mean over all N*O elements of rho(out - y) (the shape mse and pinball
 * share): sum_n w_n sum_o rho / (O * sumW), with dOut = w_n rho'(out - y) / (O * sumW).
 * rho and slope get the difference d = out - y and the output's index o.
 */
function elementwiseMean(out: Float, y: Float32Array | Float64Array, w: Float32Array | null, N: number, O: number,
  sumW: number, dOut: Float | null, rho: (d: number, o: number) => number, slope: (d: number, o: number) => number): number {
  let total = 0;
  const denom = O * sumW;
  for (let n = 0; n < N; n++) {
    const wn = w === null ? 1 : w[n];
    const row = n * O;
    let rowSum = 0;
    for (let o = 0; o < O; o++) {
      const d = out[row + o] - y[row + o];
      rowSum += rho(d, o);
      if (dOut !== null) dOut[row + o] = (wn * slope(d, o)) / denom;
    }
    total += wn * rowSum;
  }
  return total / denom;
}

/**
 * Mean squared error. out: [N, O]. y: [N, O]. w: [N] row weights or null.
 * dOut: [N, O] (overwritten) or null. sumW: sum of the weights (N without weights), > 0.
 */
export function mseLoss(out: Float, y: Float32Array | Float64Array, w: Float32Array | null, N: number,
  O: number, sumW: number, dOut: Float | null): number {
  return elementwiseMean(out, y, w, N, O, sumW, dOut, (d) => d * d, (d) => 2 * d);
}

/**
 * Pinball (quantile) loss. out: [N, O], y: [N, O], w: [N] row weights or null. Output o
 * estimates quantile quantiles[o % Q] of y[n, o]. dOut: [N, O] (overwritten) or null.
 * sumW: sum of the weights (N without weights), > 0. The gradient at out == y (a kink) is
 * taken from the side out > y.
 */
export function pinballLoss(out: Float, y: Float32Array | Float64Array, quantiles: readonly number[],
  w: Float32Array | null, N: number, O: number, sumW: number, dOut: Float | null): number {
  const Q = quantiles.length;
  // with u = y - out = -d: under-forecast (u > 0) costs q per unit, over-forecast (1 - q)
  return elementwiseMean(out, y, w, N, O, sumW, dOut,
    (d, o) => (d < 0 ? -quantiles[o % Q] * d : (1 - quantiles[o % Q]) * d),
    (d, o) => (d < 0 ? -quantiles[o % Q] : 1 - quantiles[o % Q]));
}
