// Optional fast paths of a backend: the contract.
//
// A backend (cells/sequence-backend.ts SequenceBackend) may offer any of these. Each one has a reference
// definition that it must match (named in its JSDoc), and each may decline a call it would not
// speed up (too small to repay its copies, buffers outside its memory): it then returns
// false / null having written nothing, and the caller runs the reference. So a model never
// needs to know which backend it runs on, and size thresholds live with the backend.
//
// N = rows, H = hidden size, O = head outputs, B = batch, T = time steps.
import type { CellConfig, CellGrads, CellState, CellWeights, Float, SequenceForward } from './types.js';

/** A linear head out = h W^T + b. Reference: headForward / headBackward in model/head.ts. */
export interface LinearHeadPath {
  /** out [N, O] (overwritten) from h [N, H], W [O, H], b [O]; false = declined. */
  forward(out: Float, h: Float, W: Float, b: Float, N: number, H: number, O: number): boolean;
  /**
   * dW [O, H], db [O] (float64, overwritten) and dh [N, H] (overwritten) from dOut [N, O];
   * false = declined.
   */
  backward(dOut: Float, h: Float, W: Float, dW: Float64Array, db: Float64Array, dh: Float,
    N: number, H: number, O: number): boolean;
}

/** Softmax cross-entropy of rows. Reference: xentLoss in model/loss.ts. */
export interface SoftmaxXentPath {
  /**
   * The mean loss of logits out [N, O] against y [N] with row weights w [N] (null = all 1)
   * summing to sumW; dOut [N, O] (null = none) gets the gradient. null = declined.
   */
  loss(out: Float, y: Int32Array, w: Float32Array | null, N: number, O: number, sumW: number,
    dOut: Float | null): number | null;
}

/** A linear head on every step of a layer: out [B, T, O] = h W^T + b. */
export interface StepHead {
  W: Float; // [O, H]
  b: Float; // [O]
  O: number;
}

/**
 * A layer and a linear head on each of its steps in one pass (a model's top layer when the
 * head reads every step). Reference: the backend's forward, then LinearHeadPath's reference on
 * hSeq; backward likewise in reverse.
 *
 * What it returns: the forward's `final` state and `tape` as forward's, but its hSeq is EMPTY
 * (length 0): the layer's [B, T, H] output is never written. A caller that needs that output
 * (a trace, a bidirectional or reversed layer, dropout before the head, another head) must
 * call the plain forward instead.
 */
export interface HeadedLayerPath {
  /** Whether the fused pass pays off for N = B*T rows, hidden size H and O outputs. */
  accepts(N: number, H: number, O: number): boolean;
  /** As forward, with the head's logits written into out [B, T, O]. */
  forward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number, head: StepHead, out: Float,
    opts?: HeadedForwardOptions): SequenceForward;
  /**
   * As backward with dL/d(logits) dOut [B, T, O] instead of dhSeq; also writes the head's
   * gradients dW [O, H] and db [O] (float64, overwritten).
   */
  backward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward, head: StepHead, dOut: Float,
    dW: Float64Array, db: Float64Array, opts?: HeadedBackwardOptions): CellGrads;
}

/** Options of HeadedLayerPath.forward: as ForwardOptions, without hSeqOut (hSeq is not produced). */
export interface HeadedForwardOptions {
  /** The initial state; null or left out: zeros (age 0). */
  state?: CellState | null;
  /** Keep the activations that backward reads (default false). */
  needTape?: boolean;
}

/** Options of HeadedLayerPath.backward. */
export interface HeadedBackwardOptions {
  /** dL/d(final state); null or left out: zeros. */
  dFinal?: Partial<CellState> | null;
  /** Whether the caller needs dL/dx (default true). */
  needDx?: boolean;
}

/** How the first layer reads one step's input (the model's input spec, structurally). */
export type StepInput =
  | { kind: 'onehot'; size: number }
  | { kind: 'embedding'; vocab: number; dim: number }
  | { kind: 'dense'; size: number };

/** What a streaming step runs: input stage -> causal layers -> linear head. */
export interface StreamModelParts {
  input: StepInput;
  /** The embedding table [vocab, dim] for embedding input, else null. */
  embedding: Float | null;
  /** Layers bottom to top, each reading the one below's new h. */
  layers: { cfg: CellConfig; w: CellWeights }[];
  head: { w: Float; b: Float }; // [O, H_top], [O]
}

/** A prepared one-step runner over a model's weights (read in place at every call). */
export interface StreamStepper {
  /**
   * A quick check that state and xStep fit (no allocation). false means "not sure": the
   * caller runs its full checks, which throw the precise error or pass.
   */
  accepts(state: { B: number; layers: CellState[] }, xStep: unknown): boolean;
  /** Advances state (B rows) in place by one step and writes the head's outputs into out [B, O]. */
  run(state: { B: number; layers: CellState[] }, xStep: Int32Array | Float32Array | Float64Array, out: Float32Array): void;
}

/**
 * A streaming step. Reference: the backend's forward with T = 1 for each layer, then the
 * linear head on the top layer's new h.
 */
export interface StreamStepPath {
  /** A stepper for these parts, or null where the backend has none for them. */
  prepare(parts: StreamModelParts): StreamStepper | null;
}
