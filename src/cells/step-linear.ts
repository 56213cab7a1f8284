// The linear part of one step that every gated cell shares, and its backward:
//   z = b + W_ih x_t + W_hh h_{t-1}        // [G*H] for one batch row
// The cells (plstm.ts, lstm.ts) differ only in the gate math around it.
//
// G*H = gate rows (GH), I = input size, H = hidden size. Sums run in doubles, in the order
// written here (the reference's numbers depend on it).
import type { CellWeights, Float } from './types.js';

/** z [GH] = b + W_ih x[xOff..xOff+I] + W_hh hPrev[hOff..hOff+H]. */
export function stepPreactivations(z: Float64Array, w: CellWeights, x: Float, xOff: number,
  hPrev: Float, hOff: number, GH: number, I: number, H: number): void {
  const { wIh, wHh, b } = w; // [GH, I], [GH, H], [GH]
  for (let g = 0; g < GH; g++) {
    let s = b[g];
    const wi = g * I;
    for (let i = 0; i < I; i++) s += wIh[wi + i] * x[xOff + i];
    const wh = g * H;
    for (let k = 0; k < H; k++) s += wHh[wh + k] * hPrev[hOff + k];
    z[g] = s;
  }
}

/** The weight gradients summed over every step, in doubles. */
export interface LinearGrads {
  dWIh: Float64Array; // [GH, I]
  dWHh: Float64Array; // [GH, H]
  db: Float64Array; // [GH]
}

/**
 * Backward of stepPreactivations for one row, given dz [GH]:
 *   dh[sOff..sOff+H] = W_hh^T dz (overwritten: the gradient carried to h_{t-1}),
 *   dx[xOff..xOff+I] = W_ih^T dz (through the scratch row dxRow [I]),
 *   dW_ih += dz x_t^T,  dW_hh += dz h_{t-1}^T,  db += dz.
 */
export function stepPreactivationsBackward(dz: Float64Array, w: CellWeights, x: Float, xOff: number,
  hPrev: Float, hOff: number, dh: Float64Array, sOff: number, dx: Float, dxRow: Float64Array,
  grads: LinearGrads, GH: number, I: number, H: number): void {
  const { wIh, wHh } = w;
  const { dWIh, dWHh, db } = grads;
  dh.fill(0, sOff, sOff + H);
  dxRow.fill(0);
  for (let g = 0; g < GH; g++) {
    const d = dz[g];
    if (d === 0) continue;
    db[g] += d;
    const wi = g * I;
    for (let i = 0; i < I; i++) {
      dxRow[i] += d * wIh[wi + i];
      dWIh[wi + i] += d * x[xOff + i];
    }
    const wh = g * H;
    for (let k = 0; k < H; k++) {
      dh[sOff + k] += d * wHh[wh + k];
      dWHh[wh + k] += d * hPrev[hOff + k];
    }
  }
  for (let i = 0; i < I; i++) dx[xOff + i] = dxRow[i];
}
