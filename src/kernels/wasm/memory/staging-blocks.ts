// Scratch blocks in the wasm backend's memory, one per role, kept from call to call and
// grown when a call needs more (the head and the loss on the kernels stage data here).

/** Where the blocks come from: `reserve(n)`, the byte address of n zeroed floats held until dispose (LinearKernels has it). */
export interface Reserve { reserve(n: number): number }

export class StagingBlocks {
  private readonly blocks = new Map<string, { ptr: number; n: number }>();

  constructor(private readonly k: Reserve) {}

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
