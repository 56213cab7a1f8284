// A cell descriptor: what a recurrent layer needs to know about its cell, in one object per
// cell. A layer unit (model/recurrent-layer.ts) loops a cell over time through a backend;
// the reference backend runs the descriptor's own forward/backward; a fast backend has
// kernels for some kinds and refuses the others. The package has two: the pLSTM's and the
// LSTM's (registry.ts; registerCell, for others, is deprecated).
//
// B = batch, T = time steps, I = input size, H = hidden size, G = gates per unit.
import type { CellConfig, CellGrads, CellState, CellWeights, DType, Float, SequenceForward } from './types.js';
import type { Rng } from './rng.js';

export interface CellDescriptor {
  /** The name layers use for this cell ({ cell: kind } in a model config). */
  readonly kind: string;
  /** The gate rows of W_ih, W_hh and b, in order (G = gates.length blocks of H rows). */
  readonly gates: readonly string[];
  /** Whether the state carries an age a [B, H] besides h and c (the pLSTM's). */
  readonly hasAge: boolean;
  /** Whether the weights carry a per-unit theta [H] (the pLSTM's decay parameter). */
  readonly hasTheta: boolean;
  /** The internals a trace records for every step, each [B, T, H], besides h and c. */
  readonly traceNames: readonly string[];
  /** Reference forward over x [B, T, I] (the cells' contract; see plstm.ts). */
  forward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number, s0: CellState | null,
    needTape: boolean): SequenceForward;
  /** Reference backpropagation through time of a forward run with a tape. */
  backward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward, dhSeq: Float | null,
    dFinal: Partial<CellState> | null): CellGrads;
  /**
   * The internals of a forward run made with a tape, by name (traceNames), each [B, T, H] in
   * the run's precision; plus per-unit constants (the pLSTM's p [H]) under `units`.
   */
  internals(cfg: CellConfig, w: CellWeights, fwd: SequenceForward): { steps: Record<string, Float>; units: Record<string, Float64Array> };
  /** Default initialisation (float64 draws from rng, stored in dtype): W, b ~ U(-1/sqrt(H), 1/sqrt(H)). */
  init?(cfg: CellConfig, rng: Rng, dtype: DType): CellWeights;
}
