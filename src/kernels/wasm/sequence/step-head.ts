// A linear head on every step of a layer, run on the layer's time-major activations in wasm
// memory (a model's top layer; see HeadedLayer): the shape checks, the logits out of the
// forward run's h, and the head's weight gradients out of backward's dL/d(logits). The head's
// dL/dh itself is added per step inside the backward kernels (sequence/backward.ts).
import { ShapeError } from '../../../errors.js';
import type { CellConfig, CellGrads, CellState, CellWeights, Float, SequenceForward } from '../../../cells/types.js';
import type { HeadedBackwardOptions, HeadedForwardOptions } from '../../../cells/fast-paths.js';
import type { WasmContext } from '../runtime/context.js';
import { ntRows, tnColumns } from '../gemm.js';
import { packGateRows, roundUp4, unpackTimeMajor } from './relayout.js';

/** A linear head on every step of a layer: out [B, T, O] = h W^T + b. */
export interface StepHead {
  W: Float; // [O, H]
  b: Float; // [O]
  O: number;
}

/**
 * forward / backward of SequenceBackend for a layer whose every step feeds a linear head.
 * The head runs on the layer's time-major activations in wasm memory, and backward adds the
 * head's dL/dh of each step inside the time loop, so the [B, T, H] layer output and its
 * gradient are never written out, relaid out and read back. The returned forward's hSeq is
 * empty.
 */
export interface HeadedLayer {
  /** As forward, with the head's logits written into out [B, T, O] (float32). */
  forward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number, head: StepHead, out: Float,
    opts?: HeadedForwardOptions): SequenceForward;
  /**
   * As backward with dL/d(logits) dOut [B, T, O] instead of dhSeq; also writes the head's
   * gradients dW [O, H] and db [O] (float64, overwritten).
   */
  backward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward, head: StepHead, dOut: Float,
    dW: Float64Array, db: Float64Array, opts?: HeadedBackwardOptions): CellGrads;
}

/** Throws unless head fits H and rows holds [N, O] numbers (`what` names rows). */
export function checkHead(head: StepHead, H: number, rows: Float, N: number, what: string): void {
  if (!(Number.isInteger(head.O) && head.O > 0)) throw new ShapeError(`the head needs O >= 1 outputs, got ${head.O}`);
  if (head.W.length !== head.O * H) throw new ShapeError(`the head's W has ${head.W.length} numbers, expected [O, H] = ${head.O * H}`);
  if (head.b.length !== head.O) throw new ShapeError(`the head's b has ${head.b.length} numbers, expected [O] = ${head.O}`);
  if (rows.length !== N * head.O) throw new ShapeError(`${what} has ${rows.length} numbers, expected [B, T, O] = ${N * head.O}`);
}

/** out [B, T, O] = h W^T + b from the layer's time-major h [T, B, Hp] at hRows. */
export function headLogits(ctx: WasmContext, head: StepHead, out: Float, B: number, T: number, H: number, Hp: number,
  hRows: number): void {
  const { scratch, heap } = ctx;
  const O = head.O, Op = roundUp4(O), R = T * B;
  const wp = packGateRows(ctx, head.W, 1, O, Op, H, Hp, scratch); // [Op, Hp]
  const bp = scratch.take(Op * 4); // [Op]
  const bv = heap.f32(bp, Op);
  bv.fill(0);
  bv.set(head.b);
  const logits = scratch.take(R * Op * 4); // [T, B, Op]
  ctx.kx.fillRows(R, Op, bp, logits, Op);
  ntRows(ctx, R, Op, Hp, hRows, Hp, wp, Hp, logits, Op, true);
  unpackTimeMajor(ctx, logits, B, T, O, Op, out as Float32Array);
}

/**
 * The head's dW [O, H] = dOut^T h and db [O] = column sums of dOut (float32 sums over the
 * R = T*B rows in row order, stored as float64), from time-major dOut [R, Op] and h [R, Hp].
 */
export function headGrads(ctx: WasmContext, dW: Float64Array, db: Float64Array, R: number, H: number, Hp: number,
  O: number, Op: number, dOut: number, hRows: number): void {
  const { scratch, heap } = ctx;
  const dwp = scratch.take(Op * Hp * 4); // [Op, Hp]
  heap.f32(dwp, Op * Hp).fill(0);
  tnColumns(ctx, Op, Hp, R, dOut, Op, hRows, Hp, dwp, Hp);
  const dbp = scratch.take(Op * 4); // [Op]
  ctx.kx.columnSums(R, 0, Op, dOut, Op, dbp);
  const dwv = heap.f32(dwp, Op * Hp), dbv = heap.f32(dbp, Op);
  for (let o = 0; o < O; o++) {
    for (let k = 0; k < H; k++) dW[o * H + k] = dwv[o * Hp + k];
    db[o] = dbv[o];
  }
}
