// A whole dataset held as one Batch of N rows, cut into training batches: a seeded shuffle per
// epoch (a pure function of (seed, epoch), so a resumed run sees the same batches) and row
// gathers. The last batch of an epoch keeps the remaining rows (it may be smaller).

import { Rng, deriveSeed, permutation } from '../cells/rng.js';
import { ShapeError } from '../errors.js';
import type { Batch } from './batch.js';
import { isPositiveInt } from '../cells/bounds.js';

/** Numbers per row of each array of a dataset batch (x, y, weights), checked to divide evenly. */
export interface RowWidths {
  x: number;
  y: number;
  weights: number;
}

export function rowWidths(data: Batch, what: string): RowWidths {
  const N = data?.B;
  if (!isPositiveInt(N)) throw new ShapeError(`${what}.B (the number of rows N) must be a positive integer, got ${String(N)}`);
  const width = (a: ArrayLike<number> | undefined, name: string): number => {
    if (a === undefined) return 0;
    if (a.length % N !== 0 || a.length === 0) {
      throw new ShapeError(`${what}.${name} has ${a.length} numbers, not a whole number per row of ${what}.B = ${N}`);
    }
    return a.length / N;
  };
  return { x: width(data.x, 'x'), y: width(data.y, 'y'), weights: width(data.weights, 'weights') };
}

/** The rows idx of `data` as a new Batch (copies; arrays keep their types). */
export function gatherRows(data: Batch, w: RowWidths, idx: Int32Array): Batch {
  const take = <A extends Int32Array | Float32Array | Float64Array>(src: A, width: number): A => {
    const out = new (src.constructor as new (n: number) => A)(idx.length * width);
    for (let i = 0; i < idx.length; i++) out.set(src.subarray(idx[i] * width, (idx[i] + 1) * width), i * width);
    return out;
  };
  const batch: Batch = { B: idx.length, T: data.T, x: take(data.x, w.x), y: take(data.y, w.y) };
  if (data.weights !== undefined) batch.weights = take(data.weights, w.weights);
  return batch;
}

/** Rows [start, end) of `data` as a Batch of views (no copy). */
export function sliceRows(data: Batch, w: RowWidths, start: number, end: number): Batch {
  const batch: Batch = {
    B: end - start, T: data.T,
    x: data.x.subarray(start * w.x, end * w.x), y: data.y.subarray(start * w.y, end * w.y),
  };
  if (data.weights !== undefined) batch.weights = data.weights.subarray(start * w.weights, end * w.weights);
  return batch;
}

/** Mixes (seed, epoch) into one 32-bit seed, so each epoch's order stands on its own. */
function epochSeed(seed: number, epoch: number): number {
  return deriveSeed(seed, epoch);
}

/**
 * The row order of `epoch`: 0..N-1 shuffled (Fisher-Yates, seeded by seedOf(seed, epoch)) or
 * in order; a pure function of (seed, epoch), cached for the current epoch.
 */
export class EpochRowOrder {
  private epoch = -1;
  private order: Int32Array = new Int32Array(0);
  constructor(private readonly N: number, private readonly shuffle: boolean, private readonly seed: number,
    private readonly seedOf: (seed: number, epoch: number) => number = epochSeed) {}

  get(epoch: number): Int32Array {
    if (epoch !== this.epoch) {
      this.order = this.shuffle ? permutation(this.N, new Rng(this.seedOf(this.seed, epoch))) : Int32Array.from({ length: this.N }, (_, i) => i);
      this.epoch = epoch;
    }
    return this.order;
  }
}

/** The rows of batch `step` (0-based) in an epoch order: B of them, fewer in the last batch. */
export function batchIndices(order: Int32Array, B: number, step: number): Int32Array {
  return order.subarray(step * B, Math.min(order.length, (step + 1) * B));
}
