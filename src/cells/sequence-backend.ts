// The backend contract: one way of running cells over sequences, with its optional fast paths.
import type { CellConfig, CellGrads, CellState, CellWeights, DType, Float, SequenceForward } from './types.js';
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
   * Runs T steps for a batch of B sequences.
   * x: [B, T, I]. s0: the initial state, or null for zeros (age 0).
   * needTape: false for inference only (no activations kept, backward not allowed).
   * hSeqOut: optional [B, T, H] buffer of the backend's dtype that receives hSeq (returned as
   * the result's hSeq), so a caller running batch after batch does not allocate a new one
   * each time (a fresh 14 MB array costs more than the copy into it).
   */
  forward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number,
    s0: CellState | null, needTape: boolean, hSeqOut?: Float): SequenceForward;
  /**
   * Backpropagation through time of a forward run.
   * dhSeq: [B, T, H] dL/dh_t for every step (null = zeros).
   * dFinal: dL/d(final state) (null = zeros; any of its fields may be null).
   * needDx: false when the caller has no use for dL/dx (the first layer of a model whose
   * input gets no gradient): the result's dx is then empty and its cost may be skipped.
   */
  backward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward,
    dhSeq: Float | null, dFinal: Partial<CellState> | null, needDx?: boolean): CellGrads;
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
