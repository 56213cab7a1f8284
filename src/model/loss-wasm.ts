// Softmax cross-entropy on the wasm backend's kernels (assembly/xent.ts), rows split over
// its threads. Same contract and arithmetic as xentLoss in loss.ts (the reference it is
// tested against); for the copy task's 28,032 rows x 10 classes the JS loop was ~3% of a
// 2-thread training batch, all of it on one thread.
//
// The logits and their gradient are read and written in place (the model's workspace
// buffers live in the backend's memory); the targets and weights are copied in, and each
// row's loss comes back in a float64 slot of its own, summed here in row order, so the loss
// does not depend on the thread count.

import type { Float } from '../cells/types.js';
import { BackendBlocks } from './wasm-blocks.js';
import type { LinearKernels, LossKernels, WasmBackend } from '../kernels/wasm-backend.js';

export class WasmXent {
  /** Blocks in backend memory by role, grown when a call needs more. */
  private readonly blocks: BackendBlocks;

  private constructor(private readonly mem: LinearKernels, private readonly k: LossKernels) {
    this.blocks = new BackendBlocks(mem);
  }

  /** A WasmXent over the backend's memory, or null for a backend without the loss kernels. */
  static tryCreate(backend: { name: string }): WasmXent | null {
    const wb = backend as Partial<WasmBackend>;
    if (backend.name !== 'wasm' || wb.linear === undefined || wb.loss === undefined) return null;
    return new WasmXent(wb.linear, wb.loss);
  }

  /**
   * xentLoss's contract (out: [N, O] logits, y: [N], w: [N] or null, dOut: [N, O] or null),
   * or null, computing nothing, when out or dOut does not lie in the backend's memory.
   */
  loss(out: Float, y: Int32Array, w: Float32Array | null, N: number, O: number, sumW: number,
    dOut: Float | null): number | null {
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
