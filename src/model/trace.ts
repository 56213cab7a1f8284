// SequenceModel.trace: every layer's states and cell internals at every step, and its result.
//
// B = batch, T = time steps, H = hidden size of one direction, O = head outputs.
import type { CellState, DType, Float } from '../cells/types.js';
import { createJsBackend } from '../cells/js-backend.js';
import { inputWidth, type ResolvedModelConfig } from './config.js';
import { headForward } from './head.js';
import { inputForward } from './input.js';
import { cloneState, type ModelState } from './model-state.js';
import { reverseTime, type LayerUnit, type RecurrentLayer } from './recurrent-layer.js';

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

/** The initial states of a unit's directions in s0 (null = zeros). */
export function unitStates(directions: RecurrentLayer[], unit: LayerUnit, s0: ModelState | null): (CellState | null)[] {
  const first = directions.indexOf(unit.dirs[0]);
  return unit.dirs.map((_, k) => (s0 === null ? null : s0.layers[first + k]));
}

/**
 * The trace of a model's units and head on x (checked) from s0, run by the reference cells in
 * `dtype` on the model's weights; see SequenceModel.trace.
 */
export function traceModel(config: ResolvedModelConfig, dtype: DType, units: LayerUnit[], directions: RecurrentLayer[],
  embedding: Float | null, head: { w: Float; b: Float }, x: Int32Array | Float32Array | Float64Array, B: number, T: number,
  s0: ModelState | null): ModelTrace {
  const ref = createJsBackend(dtype);
  const I0 = inputWidth(config.input);
  const x0 = (dtype === 'float64' ? new Float64Array(B * T * I0) : new Float32Array(B * T * I0)) as Float; // [B, T, I0]
  inputForward(config.input, x0, x, B * T, embedding);
  const layers: TraceDirection[] = [];
  const own = new Map<string, Float>(); // private scratch: the trace must not touch the model's buffers
  const scratch = (k: string, n: number): Float => {
    const b = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    own.set(`${k}#${own.size}`, b);
    return b;
  };
  let cur: Float = x0;
  let hLast: Float | null = null;
  units.forEach((u, i) => {
    const run = u.forward(ref, cur, B, T, unitStates(directions, units[i], s0), true, scratch);
    u.dirs.forEach((d, k) => {
      const fwd = run.dirs[k].fwd;
      const { steps, units } = d.descriptor.internals(d.cfg, d.w, fwd);
      const H = d.hidden;
      const inOrder = (buf: Float): Float => (d.reverse ? reverseTime(scratch('t', B * T * H), buf, B, T, H) : buf);
      const tape = fwd.tape as { cSeq: Float };
      const gates: Record<string, Float> = {};
      for (const [name, buf] of Object.entries(steps)) gates[name] = inOrder(buf);
      layers.push({
        layer: i, direction: d.reverse ? 'reverse' : 'forward', cell: d.cfg.kind, H,
        h: inOrder(fwd.hSeq), c: inOrder(tape.cSeq), gates, units, final: cloneState({ B, layers: [fwd.final] }).layers[0],
      });
    });
    if (i === units.length - 1 && config.head.steps === 'last') {
      hLast = u.finalH(run, B, scratch('hLast', B * u.width));
    }
    cur = run.out;
  });
  const all = config.head.steps === 'all';
  const N = all ? B * T : B, O = config.head.size, W = units[units.length - 1].width;
  const out = new Float64Array(N * O); // [N, O]
  headForward(out, all ? cur : hLast!, head.w, head.b, N, W, O);
  return { B, T, layers, outputs: Float32Array.from(out) };
}
