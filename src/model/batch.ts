// A batch: the inputs and targets of one training or evaluation step.
// B = batch, T = time steps, I = input size, O = head outputs.

/** Inputs and targets of one training or evaluation batch. */
export interface Batch {
  /** Batch size. */
  B: number;
  /** Time steps. */
  T: number;
  /** Token ids Int32Array [B, T] (onehot, embedding) or features Float32Array [B, T, I] (dense). */
  x: Int32Array | Float32Array | Float64Array;
  /**
   * xent: class ids Int32Array [B, T] (steps 'all') or [B] ('last').
   * mse, pinball: Float32Array targets [B, T, O] (steps 'all') or [B, O] ('last').
   */
  y: Int32Array | Float32Array | Float64Array;
  /**
   * Optional non-negative weights per output row: [B, T] for steps 'all', [B] for 'last'.
   * 0 masks a row (its target is then not read). They must not all be 0.
   */
  weights?: Float32Array;
}
