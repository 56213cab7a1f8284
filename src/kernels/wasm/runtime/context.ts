// The state one wasm backend's parts share, in one object passed to each: the kernel
// module's memory and exports, the heap over that memory, the worker pool, the call's
// scratch arena, the tapes' lifetime, and which buffers are views of this memory (those the
// kernels read in place). Made once per backend; nothing here runs per call.
import { ConfigError } from '../../../errors.js';
import type { Float } from '../../../cells/types.js';
import { WasmHeap } from '../memory/heap.js';
import { canBlock, WorkerPool } from './pool.js';
import { ScratchArena } from '../memory/scratch-arena.js';
import { TapeKeeper } from '../memory/tape.js';
import { compiledKernels, createKernelMemory, instantiateKernels, type KernelExports,
  type KernelVariant } from './module.js';

/** One wasm backend's shared state (see the header). */
export interface WasmContext {
  readonly memory: WebAssembly.Memory;
  readonly kx: KernelExports;
  readonly heap: WasmHeap;
  readonly pool: WorkerPool;
  /** Which kernel build runs. */
  readonly variant: KernelVariant;
  /** Threads a call may use (the caller plus workers); 1 where workers cannot join. */
  readonly threads: number;
  /** Work (flops) below which a call stays on the calling thread. */
  readonly minParallel: number;
  /** The per-call bump arena; every call ends with scratch.reset(). */
  readonly scratch: ScratchArena;
  readonly tapes: TapeKeeper;
  /** The byte address of buf when it lies in this memory (a view from view()), else -1. */
  addressOf(buf: Float): number;
  /** A view of n floats at ptr, marked as ours (addressOf finds it). */
  view(ptr: number, n: number): Float32Array;
  /** Throws when the backend was disposed. */
  live(): void;
  /** Stops the workers; later calls throw (idempotent). */
  dispose(): void;
}

/** The context of a new backend: `threads` requested (validated by the caller). */
export function createWasmContext(threads: number, minParallel: number, variant: KernelVariant | undefined): WasmContext {
  const compiled = compiledKernels(variant);
  // one thread where workers cannot share memory or the caller cannot block to join them
  const usable = compiled.shared && canBlock() ? threads : 1;
  const memory = createKernelMemory(compiled.shared);
  const kx: KernelExports = instantiateKernels(compiled.module, memory);
  const heap = new WasmHeap(memory, kx.heapBase());
  const pool = new WorkerPool(compiled.module, memory, compiled.shared ? usable - 1 : 0);
  // Every ArrayBuffer we have made views on: a Float32Array over one of these is ours.
  const ownBuffers = new WeakSet<ArrayBufferLike>();
  let disposed = false;
  return {
    memory, kx, heap, pool, variant: compiled.variant, threads: usable, minParallel,
    scratch: new ScratchArena(heap),
    tapes: new TapeKeeper(heap, () => !disposed),
    // closures, not methods: handed out detached (LinearKernels.addressOf and the like)
    addressOf: (buf: Float): number =>
      (buf instanceof Float32Array && ownBuffers.has(buf.buffer) ? buf.byteOffset : -1),
    view: (ptr: number, n: number): Float32Array => {
      const v = heap.f32(ptr, n);
      ownBuffers.add(v.buffer);
      return v;
    },
    live: (): void => {
      if (disposed) throw new ConfigError('this wasm backend was disposed: create a new one');
    },
    dispose: (): void => {
      if (disposed) return;
      disposed = true;
      pool.dispose();
    },
  };
}
