// The wasm backend's softmaxXent fast path (cells/fast-paths.ts): softmax cross-entropy on
// its kernels (assembly/xent.ts), rows split over its threads. Same contract and arithmetic as xentLoss in loss.ts (the reference it is
// tested against); for the copy task's 28,032 rows x 10 classes the JS loop was ~3% of a
// 2-thread training batch, all of it on one thread.
//
// The logits and their gradient are read and written in place (the model's workspace
// buffers live in the backend's memory); the targets and weights are copied in, and each
// row's loss comes back in a float64 slot of its own, summed here in row order, so the loss
// does not depend on the thread count.
//
// LossKernels, at the end, is the loss kernel's call over the backend's memory (the
// backend's `loss`), rows split over the backend's threads for big batches.

import type { Float } from '../../../cells/types.js';
import type { SoftmaxXentPath } from '../../../cells/fast-paths.js';
import { StagingBlocks } from '../memory/staging-blocks.js';
import type { LinearKernels } from '../gemm.js';
import type { WasmContext } from '../runtime/context.js';
import { rowShares } from '../runtime/work-shares.js';

/** Logits N*O from which the loss runs on the kernels (smaller batches stay in loss.ts's loop). */
export const FAST_XENT_MIN = 4096;

export class WasmXent implements SoftmaxXentPath {
  /** Blocks in backend memory by role, grown when a call needs more. */
  private readonly blocks: StagingBlocks;

  /** minSize: the N*O below which loss() declines (FAST_XENT_MIN; tests pass 0). */
  constructor(private readonly mem: LinearKernels, private readonly k: LossKernels,
    private readonly minSize = FAST_XENT_MIN) {
    this.blocks = new StagingBlocks(mem);
  }

  /**
   * xentLoss's contract (out: [N, O] logits, y: [N], w: [N] or null, dOut: [N, O] or null),
   * or null, computing nothing, when out or dOut does not lie in the backend's memory or the
   * batch is below the size that repays the call.
   */
  loss(out: Float, y: Int32Array, w: Float32Array | null, N: number, O: number, sumW: number,
    dOut: Float | null): number | null {
    if (N * O < this.minSize) return null;
    const outAt = this.mem.addressOf(out);
    const dAt = dOut === null ? 0 : this.mem.addressOf(dOut);
    if (outAt < 0 || dAt < 0) return null;
    const yAt = this.blocks.get('y', N);
    const yv = this.mem.view(yAt, N);
    new Int32Array(yv.buffer, yv.byteOffset, N).set(y.subarray(0, N));
    const wAt = w === null ? 0 : this.blocks.get('w', N);
    if (w !== null) this.mem.view(wAt, N).set(w.subarray(0, N));
    const nllAt = this.blocks.get('nll', 2 * N); // [N] float64
    this.k.xent(N, O, outAt, yAt, wAt, sumW, dAt, nllAt);
    const nv = this.mem.view(nllAt, 2 * N);
    const nll = new Float64Array(nv.buffer, nv.byteOffset, N);
    let total = 0;
    for (let n = 0; n < N; n++) total += nll[n];
    return total / sumW;
  }
}

/** Losses on byte addresses in the backend's memory, rows split over the backend's threads. */
export interface LossKernels {
  /**
   * Softmax cross-entropy of rows out [N, O] (float32 logits) against y [N] (i32), row
   * weights w [N] (float32; 0 = all 1) summing to sumW: nll [N] (float64) gets each row's
   * weighted loss (sum them in row order, then divide by sumW), dOut [N, O] (0 = none) the
   * gradient. The arithmetic of src/model/loss.ts, in wasm (assembly/xent.ts).
   */
  xent(N: number, O: number, out: number, y: number, w: number, sumW: number, dOut: number, nll: number): void;
}

/** The LossKernels of a backend. */
export function createLossKernels(ctx: WasmContext): LossKernels {
  const { pool, kx } = ctx;
  return {
    xent(N, O, out, y, w, sumW, dOut, nll) {
      // ~25 flops' worth of work per logit (exp and the rest): split only big batches
      pool.run(rowShares(ctx, N, 25 * N * O).map(([n0, n1]) => ({
        fn: 'xentRows', args: [n0, n1, O, out, y, w, sumW, dOut, nll],
      })), kx);
    },
  };
}
