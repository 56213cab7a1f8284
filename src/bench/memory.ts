// Peak activation memory of one training batch, computed from the buffer layout of the
// fused wasm kernels (src/kernels/assembly/*-forward.ts, *-backward.ts) and of the model
// (src/model/sequence-model.ts). Neither exposes a byte count, so this is the documented
// layout, not a measurement; `plstm bench` prints the process's peak RSS beside it.
//
// Kept from forward to backward, per batch row (float32, Hp = H padded to the SIMD width):
//   pLSTM  act [T, 3Hp] (r, o, g; reused for dz in backward), f [T, Hp],
//          c, a, h [T+1, Hp] each (slot 0 = the initial state)       -> about 7*T*Hp
//   LSTM   act [T, 4Hp] (i, f, g, o; reused for dz), c, h [T+1, Hp]   -> about 6*T*Hp
//   model  one-hot input x [T, I], head outputs and their gradient [T, O] x 2,
//          dL/dh from the head [T, H], dL/dx of the layer [T, I]
// Everything is O(B*T*H): the memory of a batch grows linearly in B and in T.
import type { CellKind } from '../cells/types.js';

/** SIMD width in floats that the kernels pad H (and I) to. */
export const PAD = 4;

const BYTES = 4; // float32

function padded(n: number): number {
  return Math.ceil(n / PAD) * PAD;
}

export interface ShapeForMemory {
  cell: CellKind;
  B: number;
  T: number;
  H: number;
  I: number;
  O: number;
}

/** Bytes of the cell's tape (what backward needs from forward). */
export function tapeBytes(s: ShapeForMemory): number {
  const Hp = padded(s.H);
  const perRow = s.cell === 'plstm'
    ? s.T * 3 * Hp + s.T * Hp + 3 * (s.T + 1) * Hp
    : s.T * 4 * Hp + 2 * (s.T + 1) * Hp;
  return BYTES * s.B * perRow;
}

/** Bytes of the model's own per-step buffers around the cell (input, head, their grads). */
export function modelActivationBytes(s: ShapeForMemory): number {
  const Ip = padded(s.I);
  return BYTES * s.B * s.T * (2 * Ip + 2 * s.O + padded(s.H));
}

/** Peak activation bytes of one training batch: tape + the model's per-step buffers. */
export function activationBytes(s: ShapeForMemory): number {
  return tapeBytes(s) + modelActivationBytes(s);
}
