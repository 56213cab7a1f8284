// Where a wasm backend call takes its blocks of memory: the scratch arena (a bump arena over
// one heap block, emptied when the call returns, so a streaming step allocates nothing from
// the heap) or a tape's own list of heap blocks (kept until backward has run), and the
// backend's memory statistics, which count the arena apart from what callers hold.
import type { WasmHeap } from './heap.js';

/** A source of blocks for one call: `take` returns the byte address of `bytes` bytes. */
export interface Blocks { take(bytes: number): number }

/** Arena blocks never settle bigger than this after a call (a one-off big call gives it back). */
const MAX_SETTLED_BYTES = 64 * 2 ** 20;
/** The smallest arena block. */
const MIN_BLOCK_BYTES = 1 << 16;

/** The per-call bump arena: blocks taken in a call stay valid until reset() at its end. */
export class ScratchArena implements Blocks {
  /** Heap address of the current block, -1 when there is none. */
  block = -1;
  /** Bytes of the current block. */
  size = 0;
  /** Bytes of the current block taken so far. */
  top = 0;
  /** Blocks outgrown in this call, still in use by it: freed at reset(). */
  readonly retired: number[] = [];
  /** Bytes taken and not released in this call. */
  live = 0;
  /** The most live at once in this call: the size the arena settles at. */
  high = 0;

  constructor(private readonly heap: WasmHeap) {}

  take(bytes: number): number {
    const need = Math.ceil(bytes / 64) * 64 || 64;
    if (this.top + need > this.size) {
      // a new block of just what is needed (no doubling slack in the memory peak); the old
      // one is still in use by this call and is freed when the call ends
      if (this.block >= 0) this.retired.push(this.block);
      this.size = Math.max(need, MIN_BLOCK_BYTES);
      this.block = this.heap.allocBytes(this.size);
      this.top = 0;
    }
    const ptr = this.block + this.top;
    this.top += need;
    this.live += need;
    this.high = Math.max(this.high, this.live);
    return ptr;
  }

  /** Gives back the most recent take (a staging copy used only for a moment). */
  release(ptr: number, bytes: number): void {
    const need = Math.ceil(bytes / 64) * 64 || 64;
    if (ptr + need === this.block + this.top) { this.top -= need; this.live -= need; }
  }

  /** Ends a call: everything taken in it is given back. */
  reset(): void {
    this.top = 0;
    this.live = 0;
    if (this.retired.length > 0 || this.size > MAX_SETTLED_BYTES) {
      for (const r of this.retired) this.heap.freeBytes(r);
      this.retired.length = 0;
      this.heap.freeBytes(this.block);
      // settle at one block as big as this call needed, unless that is huge (a one-off
      // big call should not hold its scratch afterwards)
      this.size = this.high <= MAX_SETTLED_BYTES ? Math.max(this.high, MIN_BLOCK_BYTES) : 0;
      this.block = this.size > 0 ? this.heap.allocBytes(this.size) : -1;
    }
    this.high = 0;
  }
}

/** Blocks from the heap, each pushed onto `owned` (a tape's list, freed with the tape). */
export function keptList(heap: WasmHeap, owned: number[]): Blocks {
  return { take(bytes: number): number { const p = heap.allocBytes(bytes); owned.push(p); return p; } };
}

/** Bytes of a backend's wasm memory (see WasmBackend.memoryStats). */
export interface WasmMemoryStats {
  /** Held now by alloc() buffers, tapes and reserved blocks. */
  usedBytes: number;
  /** Held by the reusable scratch arena of the calls. */
  scratchBytes: number;
  /** The most the heap held at once so far (arena included). */
  peakBytes: number;
  /** The size of the wasm memory. */
  memoryBytes: number;
}

/** The memory statistics: the heap's blocks less the arena's, the arena, the heap's peak, the memory. */
export function wasmMemoryStats(heap: WasmHeap, scratch: ScratchArena, memory: WebAssembly.Memory): WasmMemoryStats {
  return {
    usedBytes: heap.used - scratch.size, scratchBytes: scratch.size, peakBytes: heap.peak,
    memoryBytes: memory.buffer.byteLength,
  };
}
