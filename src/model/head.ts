// The linear head: out = h W^T + b on N rows (N = B*T for steps 'all', B for 'last').
// N = rows, H = hidden size of the last layer, O = outputs.
//
// Plain TS loops; the inner loops run over contiguous memory (rows of h and W), which keeps
// them well below the recurrent kernels' cost for the small O of classification heads.

import type { Float } from '../cells/types.js';

/** out: [N, O] (overwritten). h: [N, H]. W: [O, H]. b: [O]. */
export function headForward(out: Float, h: Float, W: Float, b: Float, N: number, H: number, O: number): void {
  for (let n = 0; n < N; n++) {
    const hr = n * H;
    for (let o = 0; o < O; o++) {
      const wr = o * H;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k + 3 < H; k += 4) {
        s0 += h[hr + k] * W[wr + k];
        s1 += h[hr + k + 1] * W[wr + k + 1];
        s2 += h[hr + k + 2] * W[wr + k + 2];
        s3 += h[hr + k + 3] * W[wr + k + 3];
      }
      for (; k < H; k++) s0 += h[hr + k] * W[wr + k];
      out[n * O + o] = b[o] + ((s0 + s1) + (s2 + s3));
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
  dh.fill(0, 0, N * H);
  for (let n = 0; n < N; n++) {
    const hr = n * H;
    for (let o = 0; o < O; o++) {
      const g = dOut[n * O + o];
      if (g === 0) continue; // masked steps contribute nothing
      db[o] += g;
      const wr = o * H;
      for (let k = 0; k < H; k++) {
        dW[wr + k] += g * h[hr + k];
        dh[hr + k] += g * W[wr + k];
      }
    }
  }
}
