// Shared types of the recurrent cells and of every backend that runs them (types only).
//
// Dimension letters, used in every shape comment of the project:
//   B = batch, T = time steps, I = input size, H = hidden size,
//   G = gates per cell (3 for the pLSTM: r, o, g; 4 for the LSTM: i, f, g, o).
// All tensors are flat typed arrays in row-major (C) order, batch-first.

/** A float buffer: the reference runs in either precision; the fast path is float32. */
export type Float = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

/** The cells with reference code and wasm kernels. */
export type BuiltinCellKind = 'plstm' | 'lstm';

/** 'plstm' or 'lstm' (or, until registerCell goes, a cell registered with it). */
export type CellKind = 'plstm' | 'lstm' | (string & {});

/** Static settings of one recurrent layer's cell. */
export interface CellConfig {
  kind: CellKind;
  /** I */
  inputSize: number;
  /** H */
  hiddenSize: number;
  /** pLSTM only: the eps in the age update and the forget gate, in (0, 1) (default DEFAULT_EPS). */
  eps: number;
  /** pLSTM only: null when p = sigmoid(theta) is learned, else the fixed exponent in (0, 1]. */
  fixedP: number | null;
}

/** Trainable parameters of one cell. */
export interface CellWeights<F extends Float = Float> {
  wIh: F; // [G*H, I]   pLSTM rows: r, o, g; LSTM rows: i, f, g, o
  wHh: F; // [G*H, H]
  b: F; // [G*H]      LSTM: bias_ih + bias_hh (they always enter as a sum)
  theta: F | null; // [H] pLSTM raw decay parameter (p = sigmoid(theta)); null for the LSTM
}

/** Recurrent state between steps and between calls. */
export interface CellState<F extends Float = Float> {
  h: F; // [B, H]
  c: F; // [B, H]
  a: F | null; // [B, H] pLSTM age: steps since the last reset (a0 = 0); null for the LSTM
}

/** Result of running a cell over a whole sequence. */
export interface SequenceForward<F extends Float = Float> {
  hSeq: F; // [B, T, H]
  final: CellState<F>; // state after the last step
  /** Whatever the backend keeps for backward (activations); opaque outside the backend. */
  tape: unknown;
}

/** Gradients of a scalar loss with respect to everything the forward pass read. */
export interface CellGrads<F extends Float = Float> {
  dx: F; // [B, T, I]
  dWIh: F; // [G*H, I]
  dWHh: F; // [G*H, H]
  db: F; // [G*H]
  dTheta: F | null; // [H] (zeros when p is fixed; null for the LSTM)
  d0: CellState<F>; // gradient with respect to the initial state (dh0, dc0, da0)
}

/** Options of SequenceBackend.forward. */
export interface ForwardOptions {
  /** The initial state; null or left out: zeros (age 0). */
  state?: CellState | null;
  /**
   * Keep the activations that backward reads (default false: inference only, and backward of
   * the result is not allowed).
   */
  needTape?: boolean;
  /**
   * A [B, T, H] buffer of the backend's dtype that receives hSeq (returned as the result's
   * hSeq), so a caller running batch after batch does not allocate a new one each time.
   */
  hSeqOut?: Float;
}

/** Options of SequenceBackend.backward. */
export interface BackwardOptions {
  /** dL/dh_t for every step [B, T, H]; null or left out: zeros. */
  dhSeq?: Float | null;
  /** dL/d(final state); null or left out: zeros (any of its fields may be null too). */
  dFinal?: Partial<CellState> | null;
  /**
   * Whether the caller needs dL/dx (default true). false (the first layer of a model whose
   * input gets no gradient): the result's dx is then empty and its cost may be skipped.
   */
  needDx?: boolean;
}

