// The fast backend: fused WebAssembly SIMD sequence kernels (float32) on a worker pool over
// shared memory. Same math and same SequenceBackend contract as the reference in src/cells.
//
// B = batch, T = time steps, I = input size, H = hidden size, G = gates (3 pLSTM, 4 LSTM).
// Inside the kernels H and I are padded to multiples of 4 (Hp, Ip) with zero weights, so
// every SIMD row loop is whole, and sequences are time-major ([T, B, ...]) so that one step's
// rows form a dense block for the per-step GEMMs. The backend packs and unpacks at the
// boundary. Buffers from alloc() are read in place (no staging copy); for a streaming step
// (B*T < 16) the weights themselves are used in place when H, I % 4 == 0, while batches work
// on transposed copies of W_ih and W_hh (made once per call, a few hundred microseconds
// against the many milliseconds of the call).
//
// Threads: the forward pass and the backward time loop split the batch rows (rows are
// independent through all steps: no barrier inside the loop). Weight gradients are then
// reduced over all B*T rows with the threads splitting the OUTPUT rows, each sum running over
// the rows in one fixed order, so every result is bit-identical for any thread count.
//
// This file assembles the backend from its parts, which share one WasmContext
// (runtime/context.ts: memory, exports, heap, pool, arena):
//   runtime/     loading the module, the worker pool, how a call splits its work
//   memory/      the heap, the per-call scratch arena, staging blocks, tapes
//   sequence/    forward and backward over sequences (packing, packed weights, a head on
//                every step: HeadedLayer)
//   gemm.ts      the GEMMs (LinearKernels)
//   fast-paths/  the optional fast paths, with the loss call (LossKernels) and the one-row
//                step kernels (StreamingKernels)
import { ConfigError, ShapeError } from '../../errors.js';
import type { CellConfig, CellGrads, CellState, CellWeights, Float, SequenceForward } from '../../cells/types.js';
import type { SequenceBackend } from '../../cells/sequence-backend.js';
import { backwardArgs, forwardArgs, headedBackwardArgs, headedForwardArgs } from '../../cells/backend-args.js';
import { availableCores } from './runtime/pool.js';
import { wasmMemoryStats, type WasmMemoryStats } from './memory/scratch-arena.js';
import { runBackward } from './sequence/backward.js';
import { createWasmContext } from './runtime/context.js';
import { runForward } from './sequence/forward.js';
import { wasmFastPaths, type WasmFastPaths } from './fast-paths/index.js';
import type { HeadedLayer } from './sequence/step-head.js';
import { createLinearKernels, type LinearKernels } from './gemm.js';
import { createLossKernels, type LossKernels } from './fast-paths/softmax-xent.js';
import type { KernelVariant } from './runtime/module.js';
import { createStreamingKernels, type StreamingKernels } from './fast-paths/stream-step.js';
import { isPositiveInt } from '../../cells/bounds.js';

export type { HeadedLayer, StepHead } from './sequence/step-head.js';
export type { LinearKernels } from './gemm.js';
export type { LossKernels } from './fast-paths/softmax-xent.js';
export type { StreamingKernels } from './fast-paths/stream-step.js';
export type { WasmMemoryStats } from './memory/scratch-arena.js';

/** Options of the wasm backend. */
export interface WasmBackendOptions {
  /** Threads including the calling one (default: the available cores). 1 = no workers. */
  threads?: number;
  /** Force a kernel build (default: the best this engine validates). */
  variant?: KernelVariant;
  /**
   * Work (floating-point operations of a call's GEMMs) below which a call runs on the calling
   * thread alone, because handing rows to workers would cost more than it saves
   * (default 2e6: a B = 1 streaming step never leaves the calling thread).
   */
  parallelThreshold?: number;
}

/** The wasm backend, with a few extras over SequenceBackend for benchmarks and tests. */
export interface WasmBackend extends SequenceBackend {
  readonly name: 'wasm';
  readonly dtype: 'float32';
  /** Threads requested (the caller plus workers). */
  readonly threads: number;
  /** Which kernel build runs ('relaxed-simd', 'simd' or 'simd-unshared'). */
  readonly variant: KernelVariant;
  alloc(length: number): Float32Array;
  dispose(): void;
  /**
   * Bytes of wasm memory: held now by alloc() buffers and tapes (usedBytes), by the reusable
   * scratch arena of the calls (scratchBytes), at most so far (peakBytes), and the memory's size.
   */
  memoryStats(): WasmMemoryStats;
  /** The one-row streaming kernels over this backend's memory (SequenceModel.step's fast path). */
  readonly streaming: StreamingKernels;
  /** The GEMMs over this backend's memory, on the calling thread (the model's linear head). */
  readonly linear: LinearKernels;
  /** Losses over this backend's memory (the model's softmax cross-entropy). */
  readonly loss: LossKernels;
  /** A layer and a linear head on each of its steps in one pass (a model's top layer). */
  readonly headed: HeadedLayer;
  readonly linearHead: WasmFastPaths['linearHead'];
  readonly softmaxXent: WasmFastPaths['softmaxXent'];
  readonly headedLayer: WasmFastPaths['headedLayer'];
  readonly streamStep: WasmFastPaths['streamStep'];
}

/** Default parallelThreshold (see WasmBackendOptions). */
const MIN_PARALLEL_FLOPS = 2e6;

/**
 * The fused WebAssembly kernels as a SequenceBackend ('wasm', float32). Synchronous; on a
 * browser's main thread call `await preloadWasmKernels()` once first (engines refuse to
 * compile big modules synchronously there) and expect one thread (it cannot block to join
 * workers). Workers start on the first call big enough to split and never keep a Node
 * process alive; dispose() stops them.
 */
export function createWasmBackend(opts: WasmBackendOptions = {}): WasmBackend {
  const requested = opts.threads ?? availableCores();
  if (!isPositiveInt(requested)) {
    throw new ConfigError(`threads must be a positive integer, got ${opts.threads}`);
  }
  const ctx = createWasmContext(requested, opts.parallelThreshold ?? MIN_PARALLEL_FLOPS, opts.variant);
  const { heap, scratch, memory } = ctx;

  const backend: Omit<WasmBackend, keyof WasmFastPaths> = {
    name: 'wasm',
    dtype: 'float32',
    threads: ctx.threads,
    variant: ctx.variant,

    forward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number, ...opts: unknown[]): SequenceForward {
      const { state, needTape, hSeqOut } = forwardArgs(opts);
      return runForward(ctx, cfg, w, x, B, T, state, needTape, hSeqOut, null);
    },

    backward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward, ...opts: unknown[]): CellGrads {
      const { dhSeq, dFinal, needDx } = backwardArgs(opts);
      return runBackward(ctx, cfg, w, x, fwd, dhSeq, dFinal, needDx, null);
    },

    headed: {
      forward(cfg, w, x, B, T, head, out, opts) {
        const { state, needTape } = headedForwardArgs(opts);
        return runForward(ctx, cfg, w, x, B, T, state, needTape, undefined, { head, out });
      },
      backward(cfg, w, x, fwd, head, dOut, dW, db, opts) {
        const { dFinal, needDx } = headedBackwardArgs(opts);
        return runBackward(ctx, cfg, w, x, fwd, null, dFinal, needDx, { head, dOut, dW, db });
      },
    },

    alloc(length: number): Float32Array {
      ctx.live();
      if (!(Number.isInteger(length) && length >= 0)) throw new ShapeError(`alloc needs a length >= 0, got ${length}`);
      return ctx.view(heap.allocF32(length), length);
    },

    linear: createLinearKernels(ctx),
    loss: createLossKernels(ctx),
    streaming: createStreamingKernels(ctx),

    memoryStats: () => wasmMemoryStats(heap, scratch, memory),

    dispose(): void {
      ctx.dispose();
    },
  };
  return Object.assign(backend, wasmFastPaths(backend));
}
