// Accuracy helpers on the head's outputs (logits), N rows of O classes.

import { ShapeError } from '../errors.js';

/** The class with the largest output per row: [N] from outputs [N, O] (first one on ties). */
export function argmaxRows(outputs: Float32Array | Float64Array, O: number): Int32Array {
  if (!(Number.isInteger(O) && O > 0) || outputs.length % O !== 0) {
    throw new ShapeError(`outputs of length ${outputs.length} are not rows of O=${O}`);
  }
  const N = outputs.length / O;
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    let best = 0;
    let bestV = outputs[n * O];
    for (let o = 1; o < O; o++) {
      const v = outputs[n * O + o];
      if (v > bestV) {
        bestV = v;
        best = o;
      }
    }
    out[n] = best;
  }
  return out;
}

/**
 * Fraction of counted rows whose argmax equals the target: outputs [N, O], y [N], weights [N]
 * (rows with weight 0 are not counted; others count once, whatever their weight).
 */
export function accuracy(outputs: Float32Array | Float64Array, y: Int32Array, O: number,
  weights?: Float32Array | null): number {
  const pred = argmaxRows(outputs, O);
  if (y.length !== pred.length) throw new ShapeError(`targets have ${y.length} rows, outputs ${pred.length}`);
  if (weights && weights.length !== y.length) throw new ShapeError(`weights have ${weights.length} rows, targets ${y.length}`);
  let hit = 0;
  let count = 0;
  for (let n = 0; n < y.length; n++) {
    if (weights && weights[n] === 0) continue;
    count++;
    if (pred[n] === y[n]) hit++;
  }
  return count === 0 ? NaN : hit / count;
}

/** Named numbers, e.g. { loss: 0.4, acc: 0.93 }. */
export type Metrics = Record<string, number>;

/**
 * A validation metric for fit(): called once per evaluation with the head's outputs on the
 * whole validation set ([N, T, O] for head steps 'all', [N, O] for 'last') and that set.
 */
export type MetricFn = (outputs: Float32Array, data: { y: Int32Array | Float32Array | Float64Array; weights?: Float32Array },
  model: { readonly config: { readonly head: { readonly size: number } } }) => number;

/** Accuracy for xent models (rows with weight 0 not counted), as a fit() metric. */
export const accuracyMetric: MetricFn = (outputs, data, model) => {
  if (!(data.y instanceof Int32Array)) throw new ShapeError('accuracyMetric needs class ids (Int32Array targets of an xent model)');
  return accuracy(outputs, data.y, model.config.head.size, data.weights);
};
