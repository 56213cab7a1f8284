// The losses of the kernel module over a backend's memory (the model's softmax
// cross-entropy), rows split over the backend's threads for big batches.
import type { WasmContext } from './wasm-context.js';
import { rowShares } from './work-shares.js';

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
