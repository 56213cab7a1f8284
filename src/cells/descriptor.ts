// Cell descriptors: what a recurrent layer needs to know about its cell, in one object per
// cell. A layer unit (model/recurrent-layer.ts) loops a cell over time through a backend;
// the reference backend runs the descriptor's own forward/backward; a fast backend has
// kernels for some kinds and refuses the others. Adding a cell is one descriptor (this
// shape, registered with registerCell) plus, optionally, its kernels.
//
// B = batch, T = time steps, I = input size, H = hidden size, G = gates per unit.
import { ConfigError } from '../errors.js';
import type { CellConfig, CellGrads, CellState, CellWeights, DType, Float, SequenceForward } from './types.js';
import type { Rng } from './rng.js';
import { plstmBackward, plstmExponents, plstmForward, type PlstmTape } from './plstm.js';
import { lstmBackward, lstmForward, type LstmTape } from './lstm.js';

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

/** The gates of the activations acts [B, T, G*H] by name, each [B, T, H] (G = names.length). */
function gatesOfActs(acts: Float, names: readonly string[], B: number, T: number, H: number): Record<string, Float> {
  const G = names.length;
  const out: Record<string, Float> = {};
  names.forEach((name, k) => {
    const g = acts instanceof Float32Array ? new Float32Array(B * T * H) : new Float64Array(B * T * H);
    for (let row = 0; row < B * T; row++) g.set(acts.subarray(row * G * H + k * H, row * G * H + (k + 1) * H), row * H);
    out[name] = g;
  });
  return out;
}

const PLSTM_GATES = ['r', 'o', 'g'] as const;
const LSTM_GATES = ['i', 'f', 'g', 'o'] as const;

/** The pLSTM (Chien et al. 2021): gates r, o, g; state h, c and the age a. */
export const PLSTM_CELL: CellDescriptor = {
  kind: 'plstm',
  gates: PLSTM_GATES,
  hasAge: true,
  hasTheta: true,
  traceNames: ['r', 'o', 'g', 'a', 'f'],
  forward: plstmForward,
  backward: plstmBackward,
  internals(cfg, w, fwd) {
    const tape = fwd.tape as PlstmTape;
    const { B, T } = tape;
    const H = cfg.hiddenSize;
    const p = plstmExponents(cfg, w); // [H]
    const f = tape.aSeq instanceof Float32Array ? new Float32Array(B * T * H) : new Float64Array(B * T * H);
    for (let i = 0; i < f.length; i++) {
      const a = tape.aSeq[i];
      f[i] = Math.pow((a + cfg.eps) / (a + 1), p[i % H]); // the forget gate, as the cell computes it
    }
    return {
      steps: { ...gatesOfActs(tape.acts, PLSTM_GATES, B, T, H), a: tape.aSeq, f },
      units: { p },
    };
  },
};

/** PyTorch's LSTM: gates i, f, g, o; state h, c. */
export const LSTM_CELL: CellDescriptor = {
  kind: 'lstm',
  gates: LSTM_GATES,
  hasAge: false,
  hasTheta: false,
  traceNames: ['i', 'f', 'g', 'o'],
  forward: lstmForward,
  backward: lstmBackward,
  internals(cfg, _w, fwd) {
    const tape = fwd.tape as LstmTape;
    return { steps: gatesOfActs(tape.acts, LSTM_GATES, tape.B, tape.T, cfg.hiddenSize), units: {} };
  },
};

const registry = new Map<string, CellDescriptor>([[PLSTM_CELL.kind, PLSTM_CELL], [LSTM_CELL.kind, LSTM_CELL]]);

/**
 * Makes a cell available to layers by its kind (the reference backend runs it; the wasm
 * kernels know only 'plstm' and 'lstm'). Registering a kind twice is an error, except the
 * same descriptor again.
 */
export function registerCell(d: CellDescriptor): void {
  const known = registry.get(d.kind);
  if (known !== undefined && known !== d) throw new ConfigError(`a cell named ${JSON.stringify(d.kind)} is already registered`);
  if (!(Array.isArray(d.gates) && d.gates.length > 0)) throw new ConfigError(`cell ${JSON.stringify(d.kind)} needs at least one gate`);
  registry.set(d.kind, d);
}

/** The descriptor of a registered cell; ConfigError for an unknown kind. */
export function cellDescriptor(kind: string): CellDescriptor {
  const d = registry.get(kind);
  if (d === undefined) {
    throw new ConfigError(`unknown cell kind ${JSON.stringify(kind)}: use ${[...registry.keys()].map((k) => JSON.stringify(k)).join(', ')} or register it with registerCell`);
  }
  return d;
}

/** Whether a cell kind is registered. */
export function isRegisteredCell(kind: string): boolean {
  return registry.has(kind);
}
