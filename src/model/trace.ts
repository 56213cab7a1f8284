// What SequenceModel.trace returns: every layer's states and cell internals at every step.
//
// B = batch, T = time steps, H = hidden size of one direction, O = head outputs.
import type { CellState, Float } from '../cells/types.js';

/** One direction of one layer over a batch of sequences. */
export interface TraceDirection {
  /** Index of the layer (bottom = 0). */
  layer: number;
  /** 'reverse' for a reversed layer and for the second direction of a bidirectional one. */
  direction: 'forward' | 'reverse';
  /** The cell kind ('plstm', 'lstm', or a registered one). */
  cell: string;
  H: number;
  /** Hidden state after each step, [B, T, H], in input time order. */
  h: Float;
  /** Cell state after each step, [B, T, H], in input time order. */
  c: Float;
  /**
   * The cell's internals after each step, each [B, T, H] in input time order. pLSTM: r (reset
   * gate), o (output gate), g (candidate), a (age), f (forget gate ((a+eps)/(a+1))^p);
   * LSTM: i, f, g, o.
   */
  gates: Record<string, Float>;
  /** Per-unit constants, each [H]: the pLSTM's exponent p. */
  units: Record<string, Float64Array>;
  /** The state after the direction's last step (step 0 for a reversed one). */
  final: CellState;
}

/** A trace of a batch: per layer and direction, then the head's outputs. */
export interface ModelTrace {
  B: number;
  T: number;
  layers: TraceDirection[];
  /** The head's outputs: [B, T, O] ('all') or [B, O] ('last'). */
  outputs: Float32Array;
}
