// Activation memory of one training batch, from the buffer layout of the fused wasm kernels
// (src/kernels/wasm/memory/tape.ts, wasm/sequence/forward.ts and backward.ts) and of the model
// (src/model/sequence-model.ts): the bytes the activations need. The bench prints it beside
// the measured peak of the wasm heap (the backend's memoryStats()), which adds the optimizer
// state, per-call weight copies and the rounding of the kernels' scratch arena; the tests
// check that the measured peak lies between 1x and 1.15x of the layout's heap part and
// doubles with T and with B.
//
// Per batch row, in float32 numbers (Hp, Ip = H, I rounded up to a multiple of 4, the SIMD
// width; the kernels store sequences time-major, [T, B, ...]), for the bench's model (one
// layer, one-hot input; a dense input would keep x T*Ip instead of the positions and need
// dL/dx T*Ip in the backward scratch):
//   tape, kept from forward to backward (wasm heap)
//     pLSTM  act T*3Hp (r, o, g; reused for dz), f T*Hp, h, c, a (T+1)*Hp each,
//            one-hot positions T (i32)
//     LSTM   act T*4Hp (i, f, g, o; reused for dz), h, c (T+1)*Hp each, positions T
//   when the head runs inside the layer's kernels (B*T*H*O >= FAST_HEAD_MIN: every
//   configuration of the bench but the smallest), the layer output and its gradient are
//   never stored in [B, T, H]:
//     scratch (wasm heap): the head's logits (forward) and their gradient (backward),
//       time-major and padded, T*Op (one arena, reused)
//     model buffers (wasm heap, allocated once and reused): one-hot input T*I, head outputs
//       and their gradient 2*T*O
//   otherwise:
//     backward scratch: dL/dh per step T*Hp (no dL/dx: the input gets no gradient)
//     model buffers: one-hot input T*I, head outputs and their gradient 2*T*O, the SIMD
//       head's padded copies of them 2*T*Op, dL/dh from the head T*H, and the layer output
//       h [T, H] (written there by the kernels, batch-major; the head reads it in place)
//   plain JS arrays: none per row
// Everything is O(B*T*H): the memory of a batch grows linearly in B and in T.
import type { ShapeForFlops } from './flops.js';
import { FAST_HEAD_MIN } from '../kernels/wasm/fast-paths/linear-head.js';

/** SIMD width in floats that the kernels pad H and I to. */
export const PAD = 4;

const BYTES = 4; // float32

function padded(n: number): number {
  return Math.ceil(n / PAD) * PAD;
}

/** The same shape the FLOP count takes. */
export type ShapeForMemory = ShapeForFlops;

/** Bytes of each part of a training batch's activations (see the layout above). */
export interface ActivationLayout {
  tape: number;
  backwardScratch: number;
  modelBuffers: number;
  jsArrays: number;
  /** tape + backwardScratch + modelBuffers: what the wasm heap holds at its peak. */
  heap: number;
  /** heap + jsArrays */
  total: number;
}

export function activationLayout(s: ShapeForMemory): ActivationLayout {
  const Hp = padded(s.H), { T } = s;
  const tapeRow = s.cell === 'plstm'
    ? T * 3 * Hp + T * Hp + 3 * (T + 1) * Hp + T
    : T * 4 * Hp + 2 * (T + 1) * Hp + T;
  const rows = BYTES * s.B;
  const tape = rows * tapeRow;
  const headed = s.B * s.T * s.H * s.O >= FAST_HEAD_MIN;
  const backwardScratch = rows * T * (headed ? padded(s.O) : Hp);
  const modelBuffers = rows * T * (s.I + 2 * s.O + (headed ? 0 : 2 * padded(s.O) + 2 * s.H));
  const jsArrays = 0;
  const heap = tape + backwardScratch + modelBuffers;
  return { tape, backwardScratch, modelBuffers, jsArrays, heap, total: heap + jsArrays };
}

/** Bytes of the cell's tape (what backward needs from forward). */
export function tapeBytes(s: ShapeForMemory): number {
  return activationLayout(s).tape;
}

/** Peak activation bytes of one training batch: everything in the layout. */
export function activationBytes(s: ShapeForMemory): number {
  return activationLayout(s).total;
}
