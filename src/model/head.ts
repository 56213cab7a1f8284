// The linear head: out = h W^T + b on N rows (N = B*T for steps 'all', B for 'last').
// N = rows, H = hidden size of the last layer, O = outputs.
//
// Plain TS loops, blocked by 4 (4 outputs per pass over a row of h in forward, 4 rows per
// pass over a row of dW in backward) so each load feeds four multiply-adds; inner loops run
// over contiguous memory. About 4x faster than the naive triple loop; still scalar JS, so for
// large O (a character vocabulary) the head is a visible part of a training step.

import type { Float } from '../cells/types.js';

/** out: [N, O] (overwritten). h: [N, H]. W: [O, H]. b: [O]. */
export function headForward(out: Float, h: Float, W: Float, b: Float, N: number, H: number, O: number): void {
  const O4 = O - (O % 4);
  for (let n = 0; n < N; n++) {
    const hr = n * H;
    const or = n * O;
    let o = 0;
    for (; o < O4; o += 4) {
      const w0 = o * H, w1 = w0 + H, w2 = w1 + H, w3 = w2 + H;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < H; k++) {
        const x = h[hr + k];
        s0 += x * W[w0 + k];
        s1 += x * W[w1 + k];
        s2 += x * W[w2 + k];
        s3 += x * W[w3 + k];
      }
      out[or + o] = b[o] + s0;
      out[or + o + 1] = b[o + 1] + s1;
      out[or + o + 2] = b[o + 2] + s2;
      out[or + o + 3] = b[o + 3] + s3;
    }
    for (; o < O; o++) {
      const w0 = o * H;
      let s = 0;
      for (let k = 0; k < H; k++) s += h[hr + k] * W[w0 + k];
      out[or + o] = b[o] + s;
    }
  }
}

/**
 * Backward of headForward.
 * dOut: [N, O]. h: [N, H]. W: [O, H].
 * dW: [O, H] and db: [O] are overwritten; dh: [N, H] is overwritten.
 * dW and db are float64 whatever the model's dtype: they sum over N = B*T rows, and a float32
 * running sum would lose the small late terms.
 */
export function headBackward(dOut: Float, h: Float, W: Float, dW: Float64Array, db: Float64Array, dh: Float,
  N: number, H: number, O: number): void {
  dW.fill(0, 0, O * H);
  db.fill(0, 0, O);

  // dh[n, :] = sum_o dOut[n, o] W[o, :], four o at a time.
  const O4 = O - (O % 4);
  for (let n = 0; n < N; n++) {
    const hr = n * H;
    const gr = n * O;
    dh.fill(0, hr, hr + H);
    for (let o = 0; o < O; o++) db[o] += dOut[gr + o];
    let o = 0;
    for (; o < O4; o += 4) {
      const g0 = dOut[gr + o], g1 = dOut[gr + o + 1], g2 = dOut[gr + o + 2], g3 = dOut[gr + o + 3];
      if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) continue; // masked rows
      const w0 = o * H, w1 = w0 + H, w2 = w1 + H, w3 = w2 + H;
      for (let k = 0; k < H; k++) {
        dh[hr + k] += g0 * W[w0 + k] + g1 * W[w1 + k] + g2 * W[w2 + k] + g3 * W[w3 + k];
      }
    }
    for (; o < O; o++) {
      const g = dOut[gr + o];
      if (g === 0) continue;
      const w0 = o * H;
      for (let k = 0; k < H; k++) dh[hr + k] += g * W[w0 + k];
    }
  }

  // dW[o, :] = sum_n dOut[n, o] h[n, :], four rows n at a time (n outermost: the four rows of
  // h stay in cache while every row of dW is updated).
  const N4 = N - (N % 4);
  let n = 0;
  for (; n < N4; n += 4) {
    const h0 = n * H, h1 = h0 + H, h2 = h1 + H, h3 = h2 + H;
    for (let o = 0; o < O; o++) {
      const g0 = dOut[n * O + o], g1 = dOut[(n + 1) * O + o], g2 = dOut[(n + 2) * O + o], g3 = dOut[(n + 3) * O + o];
      if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) continue;
      const wr = o * H;
      for (let k = 0; k < H; k++) {
        dW[wr + k] += g0 * h[h0 + k] + g1 * h[h1 + k] + g2 * h[h2 + k] + g3 * h[h3 + k];
      }
    }
  }
  for (; n < N; n++) {
    const h0 = n * H;
    for (let o = 0; o < O; o++) {
      const g = dOut[n * O + o];
      if (g === 0) continue;
      const wr = o * H;
      for (let k = 0; k < H; k++) dW[wr + k] += g * h[h0 + k];
    }
  }
}
