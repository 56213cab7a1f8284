// A first-fit allocator over the kernels' WebAssembly memory, run from TS (the kernels
// themselves never allocate). Blocks are 64-byte aligned (a cache line: SIMD loads of
// one row never straddle two blocks' lines). Freed blocks merge with their neighbours;
// when nothing fits, the memory grows. Growing shared memory never detaches old views,
// but views made before a grow cannot see the new pages: take views through `f32()`.

import { ConfigError } from '../../../errors.js';

const ALIGN = 64;
const PAGE = 65536;

interface FreeBlock {
  ptr: number;
  size: number;
}

export class WasmHeap {
  /** Free blocks sorted by address; the last one may end at the top of memory. */
  private readonly free: FreeBlock[] = [];
  private readonly sizes = new Map<number, number>();
  private top: number;
  /** Bytes currently handed out. */
  used = 0;
  /** Most bytes handed out at once. */
  peak = 0;

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  /** A block of at least `bytes` bytes, 64-byte aligned, NOT zeroed. */
  allocBytes(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let ptr = -1;
    for (let i = 0; i < this.free.length; i++) {
      const blk = this.free[i];
      if (blk.size >= size) {
        ptr = blk.ptr;
        if (blk.size === size) this.free.splice(i, 1);
        else { blk.ptr += size; blk.size -= size; }
        break;
      }
    }
    if (ptr < 0) {
      ptr = this.top;
      const end = ptr + size;
      if (end > 0x100000000) {
        throw new ConfigError(`the wasm kernels would need ${(end / 2 ** 30).toFixed(1)} GiB of memory, more than the `
          + '4 GiB a WebAssembly memory can hold: use smaller batches or shorter sequences (truncated BPTT)');
      }
      const have = this.memory.buffer.byteLength;
      if (end > have) {
        // grow by at least a quarter of what we have, so repeated growth stays cheap
        const need = Math.ceil((end - have) / PAGE);
        const want = Math.max(need, Math.ceil(have / PAGE / 4));
        const maxPages = 65536 - have / PAGE;
        try {
          this.memory.grow(Math.min(want, maxPages));
        } catch {
          throw new ConfigError(`could not grow the wasm kernels' memory to ${(end / 2 ** 30).toFixed(2)} GiB `
            + '(out of memory): use smaller batches or shorter sequences');
        }
      }
      this.top = end;
    }
    this.sizes.set(ptr, size);
    this.used += size;
    if (this.used > this.peak) this.peak = this.used;
    return ptr;
  }

  /** A zeroed block of n float32s. */
  allocF32(n: number): number {
    const ptr = this.allocBytes(Math.max(1, n) * 4);
    this.f32(ptr, n).fill(0);
    return ptr;
  }

  /** Returns a block to the free list, merging it with free neighbours. */
  freeBytes(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    this.used -= size;
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, size });
    // merge with the next, then with the previous block
    const next = this.free[i + 1];
    if (next && ptr + size === next.ptr) { this.free[i].size += next.size; this.free.splice(i + 1, 1); }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.size === ptr) { prev.size += this.free[i].size; this.free.splice(i, 1); i--; }
    // a free block at the top goes back to the untouched region
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) { this.top = last.ptr; this.free.pop(); }
  }

  /** A fresh Float32Array view of n floats at ptr (valid after any grow). */
  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }
}
