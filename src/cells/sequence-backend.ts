// The backend contract: one way of running cells over sequences, with its optional fast paths.
import type { BackwardOptions, CellConfig, CellGrads, CellWeights, DType, Float, ForwardOptions, SequenceForward } from './types.js';
import type { HeadedLayerPath, LinearHeadPath, SoftmaxXentPath, StreamStepPath } from './fast-paths.js';

/**
 * One way of running cells over sequences: the TS reference ('js') or the fused
 * WebAssembly kernels ('wasm'). Every method is synchronous.
 */
export interface SequenceBackend {
  readonly name: string;
  readonly dtype: DType;
  /**
   * Set only when openBackend, asked for no backend, could not load the wasm kernels and
   * fell back to this one: why (e.g. the engine lacks WebAssembly SIMD).
   */
  readonly fallbackReason?: string;
  /**
   * Runs T steps for a batch of B sequences. x: [B, T, I]. opts: the initial state, whether to
   * keep a tape for backward, and an optional output buffer (ForwardOptions).
   */
  forward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number, opts?: ForwardOptions): SequenceForward;
  /**
   * Backpropagation through time of a forward run (made with needTape: true). opts: the
   * incoming gradients and whether dL/dx is needed (BackwardOptions).
   */
  backward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward, opts?: BackwardOptions): CellGrads;
  /**
   * Optional: a zeroed float buffer of the backend's dtype that the backend reads and writes
   * without copying (the wasm backend returns a view of its own memory). Models keep their
   * weights, gradients and optimizer state in such buffers so a step copies nothing;
   * plain typed arrays are always accepted too.
   */
  alloc?(length: number): Float;
  /** Frees whatever the backend holds (worker threads, memory). Safe to call twice. */
  dispose?(): void;

  // Optional fast paths (fast-paths.ts): each matches a reference definition and may decline.
  /** The linear head on this backend's GEMMs. */
  readonly linearHead?: LinearHeadPath;
  /** Softmax cross-entropy on this backend's kernels. */
  readonly softmaxXent?: SoftmaxXentPath;
  /** A layer with a linear head on each step in one pass (hSeq is not produced). */
  readonly headedLayer?: HeadedLayerPath;
  /** One streaming step of a whole model. */
  readonly streamStep?: StreamStepPath;
}
