// Checks of what users hand the model: batches, inputs, targets, weights and states.
// Every failure throws a typed error naming the problem (ShapeError for sizes and kinds,
// InputValueError for NaN/Infinity, out-of-range ids and bad weights), so nothing turns into
// a silent NaN further down.

import { InputValueError, ShapeError } from '../errors.js';
import type { CellState } from '../cells/types.js';
import type { Batch } from './batch.js';
import type { ModelState } from './model-state.js';
import { directionsOf, type ResolvedModelConfig } from './config.js';
import { cellDescriptor } from '../cells/registry.js';
import { isPositiveInt } from '../cells/bounds.js';

/** "[B, T, I] = [2, 3, 4]" from [['B', 2], ['T', 3], ['I', 4]]. */
export function shapeText(dims: [string, number][]): string {
  return `[${dims.map((d) => d[0]).join(', ')}] = [${dims.map((d) => d[1]).join(', ')}]`;
}

function positiveInt(v: unknown, what: string): number {
  if (!isPositiveInt(v)) {
    throw new ShapeError(`${what} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

/** Checks x for the rows `dims` (B, T for a batch; B for one streaming step). */
export function checkInput(cfg: ResolvedModelConfig, x: unknown, dims: [string, number][]): void {
  const spec = cfg.input;
  const N = dims.reduce((a, d) => a * d[1], 1);
  const shape = shapeText(dims);
  if (spec.kind === 'dense') {
    const full = shapeText([...dims, ['I', spec.size]]);
    if (!(x instanceof Float32Array || x instanceof Float64Array)) {
      throw new ShapeError(`dense input x must be a Float32Array ${full}`);
    }
    const len = N * spec.size;
    if (x.length !== len) throw new ShapeError(`input x has ${x.length} numbers, expected ${full} = ${len}`);
    for (let i = 0; i < len; i++) {
      if (!Number.isFinite(x[i])) {
        throw new InputValueError(`input x contains ${x[i]} at index ${i} (row ${Math.floor(i / spec.size)})`);
      }
    }
    return;
  }
  const V = spec.kind === 'onehot' ? spec.size : spec.vocab;
  if (!(x instanceof Int32Array)) {
    throw new ShapeError(`${spec.kind} input x must be an Int32Array of token ids ${shape}`);
  }
  if (x.length !== N) throw new ShapeError(`input x has ${x.length} ids, expected ${shape} = ${N}`);
  for (let i = 0; i < N; i++) {
    const id = x[i];
    if (id < 0 || id >= V) {
      throw new InputValueError(`input token id ${id} at index ${i} is outside the vocabulary 0..${V - 1}`);
    }
  }
}

/** Normalised batch: validated, with the sum of weights (rows counted). */
export interface CheckedBatch {
  B: number;
  T: number;
  /** Output rows: B*T ('all') or B ('last'). */
  N: number;
  weights: Float32Array | null;
  sumW: number;
}

/** Checks a whole batch against the config; returns the row count and weight sum. */
export function checkBatch(cfg: ResolvedModelConfig, batch: Batch): CheckedBatch {
  if (typeof batch !== 'object' || batch === null) throw new ShapeError('batch must be { B, T, x, y }');
  const B = positiveInt(batch.B, 'batch B');
  const T = positiveInt(batch.T, 'batch T');
  checkInput(cfg, batch.x, [['B', B], ['T', T]]);
  const all = cfg.head.steps === 'all';
  const N = all ? B * T : B;
  const rowDims: [string, number][] = all ? [['B', B], ['T', T]] : [['B', B]];
  const rows = shapeText(rowDims);
  const O = cfg.head.size;
  const rowsO = shapeText([...rowDims, ['O', O]]);

  let weights: Float32Array | null = null;
  let sumW = N;
  if (batch.weights !== undefined && batch.weights !== null) {
    const w = batch.weights;
    if (!(w instanceof Float32Array)) throw new ShapeError(`weights must be a Float32Array ${rows}`);
    if (w.length !== N) throw new ShapeError(`weights has ${w.length} numbers, expected ${rows} = ${N}`);
    sumW = 0;
    for (let i = 0; i < N; i++) {
      if (!(Number.isFinite(w[i]) && w[i] >= 0)) {
        throw new InputValueError(`weight ${w[i]} at index ${i}: weights must be finite and >= 0`);
      }
      sumW += w[i];
    }
    if (!(sumW > 0)) throw new InputValueError('weights are all 0: no step of the batch is counted');
    weights = w;
  }

  const y = batch.y;
  if (cfg.loss === 'xent') {
    if (!(y instanceof Int32Array)) throw new ShapeError(`xent targets y must be an Int32Array of class ids ${rows}`);
    if (y.length !== N) throw new ShapeError(`targets y has ${y.length} ids, expected ${rows} = ${N}`);
    for (let i = 0; i < N; i++) {
      if (weights !== null && weights[i] === 0) continue; // masked: any value (e.g. -1 padding)
      if (y[i] < 0 || y[i] >= O) {
        throw new InputValueError(`target class ${y[i]} at index ${i} is outside 0..${O - 1} (head.size = ${O})`);
      }
    }
  } else {
    if (!(y instanceof Float32Array || y instanceof Float64Array)) {
      throw new ShapeError(`${cfg.loss} targets y must be a Float32Array ${rowsO}`);
    }
    if (y.length !== N * O) {
      throw new ShapeError(`targets y has ${y.length} numbers, expected ${rowsO} = ${N * O}`);
    }
    for (let i = 0; i < N * O; i++) {
      if (!Number.isFinite(y[i])) throw new InputValueError(`target y contains ${y[i]} at index ${i}`);
    }
  }
  return { B, T, N, weights, sumW };
}

/** Checks a state handed back by the user against the model's layers and the batch size. */
export function checkModelState(cfg: ResolvedModelConfig, s: ModelState, B: number): void {
  if (typeof s !== 'object' || s === null || !Array.isArray(s.layers)) {
    throw new ShapeError('state must be a ModelState from initState(), trainStep() or evaluate()');
  }
  if (s.B !== B) throw new ShapeError(`state is for B=${s.B} rows but the batch has B=${B}`);
  const dirs = directionsOf(cfg);
  if (s.layers.length !== dirs.length) {
    throw new ShapeError(`state has ${s.layers.length} layers, the model ${dirs.length} (one per direction of each layer)`);
  }
  dirs.forEach(({ spec: l }, i) => {
    const st = s.layers[i];
    const n = B * l.hidden;
    const fields: (keyof CellState)[] = cellDescriptor(l.cell).hasAge ? ['h', 'c', 'a'] : ['h', 'c'];
    for (const k of fields) {
      const buf = st[k];
      if (!(buf instanceof Float32Array || buf instanceof Float64Array) || buf.length !== n) {
        throw new ShapeError(`state layer ${i} ${k} must hold [B, H] = [${B}, ${l.hidden}] numbers`);
      }
    }
  });
}
