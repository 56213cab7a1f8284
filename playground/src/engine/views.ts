// What the page draws of one model (ModelView): learned p per unit, retention curves from the
// equations and measured on the model, and gate heatmaps of one held-out sequence from
// model.trace(). Views read the model through the reference cells (trace), so they cost more
// than a training step; the page asks for them a few times a second at most.
//
// B = sequences looked at, T = steps per sequence, H = hidden units of layer 0.

import { analysis, type SequenceModel } from 'powerlaw-lstm';
import type { ForecastView, GateGrid, Line, ModelName, ModelView } from '../protocol.js';

/** Most rows and columns of a gate grid (units x steps); larger ones are subsampled evenly. */
export const GRID_MAX_ROWS = 64;
export const GRID_MAX_COLS = 200;
/** Sequences the LSTM's mean forget gate and the measured decay average over. */
export const VIEW_SEQUENCES = 2;
/** The change added to the cell state to measure decay: well above float32 rounding. */
const MEASURE_DELTA = 1e-2;
/** Which units the equation curves show: p (or the mean forget gate) at these quantiles. */
const CURVE_QUANTILES = [0.1, 0.5, 0.9];

/** Inputs the views run the model on: B sequences of T steps (ids [B, T] or features [B, T, I]). */
export interface ViewInputs {
  x: Int32Array | Float32Array | Float64Array;
  B: number;
  T: number;
}

/** Gates shown per cell, with their names on the page; 'c' is the cell state. */
const GATES: Record<ModelName, [key: string, name: string][]> = {
  plstm: [['r', 'reset r'], ['a', 'age a'], ['f', 'forget f'], ['c', 'cell c']],
  lstm: [['i', 'input i'], ['f', 'forget f'], ['o', 'output o'], ['c', 'cell c']],
};

/** The playground's name of a model's layer-0 cell, or null for other cells. */
export function modelNameOf(model: SequenceModel): ModelName | null {
  const cell: string = model.config.layers[0].cell;
  return cell === 'plstm' || cell === 'lstm' ? cell : null;
}

/**
 * The view of a model. inputs: sequences of the task's data (null when the model's input does
 * not fit them: then p and the equation curves only). curveSteps: length of the decay curves.
 */
export function modelView(model: SequenceModel, inputs: ViewInputs | null, curveSteps: number,
  forecast: ForecastView | null = null): ModelView {
  const name = modelNameOf(model);
  if (name === null) throw new Error(`no view of a ${model.config.layers[0].cell} layer`);
  const layer0 = model.config.layers[0];
  const trace = inputs === null ? null : model.trace(inputs).layers[0];
  let p: number[] | null = null;
  let decayEquations: Line[];
  if (name === 'plstm') {
    p = Array.from(model.pSummary()[0].p);
    const eps = 'eps' in layer0 ? layer0.eps : 1e-3;
    decayEquations = CURVE_QUANTILES.map((q) => {
      const pq = quantile(p!, q);
      return curve(`p = ${pq.toPrecision(2)} (${q * 100}% of units)`, analysis.plstmRetention(pq, curveSteps, eps));
    });
  } else {
    // the forget gate each unit holds on average over the sequences, or at zero input and state
    const f = trace !== null ? meanPerUnit(trace.gates.f, trace.H) : zeroInputForget(model);
    const what = trace !== null ? 'mean f' : 'f at zero input';
    decayEquations = CURVE_QUANTILES.map((q) => {
      const fq = quantile(f, q);
      return curve(`${what} = ${fq.toPrecision(3)} (${q * 100}% of units)`, analysis.lstmRetention(fq, curveSteps));
    });
  }
  let decayMeasured: Line | null = null;
  if (inputs !== null) {
    const B = Math.min(inputs.B, VIEW_SEQUENCES);
    const per = inputs.x.length / inputs.B;
    const x = inputs.x.subarray(0, B * per);
    const m = analysis.measuredDecay(model, x, B, inputs.T, { delta: MEASURE_DELTA });
    decayMeasured = curve('measured (mean over units)', m.mean.subarray(0, Math.min(m.N, curveSteps)));
  }
  const gates: GateGrid[] = trace === null ? [] : GATES[name].map(([key, label]) =>
    gateGrid(label, key === 'c' ? trace.c : trace.gates[key], inputs!.T, trace.H));
  return { model: name, p, decayEquations, decayMeasured, gates, forecast };
}

/** A retention curve as a Line over n = 0 .. N-1. */
function curve(name: string, y: ArrayLike<number>): Line {
  return { name, x: Array.from({ length: y.length }, (_, n) => n), y: Array.from(y) };
}

/** The value at quantile q (nearest rank) of numbers. */
function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
}

/** Mean over batch and steps per unit: [B, T, H] -> [H]. */
function meanPerUnit(g: ArrayLike<number>, H: number): number[] {
  const sum = new Float64Array(H);
  const rows = g.length / H;
  for (let r = 0; r < rows; r++) for (let j = 0; j < H; j++) sum[j] += g[r * H + j];
  return Array.from(sum, (s) => s / rows);
}

/** An LSTM's forget gate with zero input and state: sigmoid of its forget bias (gates i, f, g, o). */
function zeroInputForget(model: SequenceModel): number[] {
  const H = model.config.layers[0].hidden;
  const b = model.parameter('layers.0.bias'); // [4H]
  return Array.from({ length: H }, (_, j) => 1 / (1 + Math.exp(-b[H + j])));
}

/** Evenly spaced indices: all of 0..n-1, or max of them. */
function pick(n: number, max: number): number[] {
  const k = Math.min(n, max);
  return Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
}

/** The grid [units, steps] of sequence 0 of a [B, T, H] trace array, subsampled to the limits. */
export function gateGrid(label: string, g: ArrayLike<number>, T: number, H: number): GateGrid {
  const units = pick(H, GRID_MAX_ROWS), steps = pick(T, GRID_MAX_COLS);
  const rows = units.length, cols = steps.length;
  const values = new Array<number>(rows * cols); // [rows, cols]
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = g[steps[c] * H + units[r]];
  const notes: string[] = [];
  if (rows < H) notes.push(`${rows} of ${H} units`);
  if (cols < T) notes.push(`${cols} of ${T} steps`);
  return { name: notes.length === 0 ? label : `${label} (${notes.join(', ')})`, rows, cols, values };
}
