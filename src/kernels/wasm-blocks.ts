// Scratch blocks in the wasm backend's memory, one per role, kept from call to call and
// grown when a call needs more (the head and the loss on the kernels stage data here).

import type { LinearKernels } from './wasm-linear.js';

export class BackendBlocks {
  private readonly blocks = new Map<string, { ptr: number; n: number }>();

  constructor(private readonly k: Pick<LinearKernels, 'reserve'>) {}

  /** The address of a block of at least n floats for `role` (contents undefined). */
  get(role: string, n: number): number {
    let b = this.blocks.get(role);
    if (b === undefined || b.n < n) {
      b = { ptr: this.k.reserve(n), n };
      this.blocks.set(role, b);
    }
    return b.ptr;
  }
}
