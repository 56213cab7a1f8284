// What every task provides to the training loop: the model it needs, reproducible training
// batches, and its evaluation on held-out data.
import type { Batch, ModelConfig, ModelState, SequenceModel } from '../model/index.js';
import type { CoreOptions } from './core-options.js';
import type { OptionSpec } from './option-spec.js';
import { deriveSeed } from '../cells/rng.js';
import { EpochRowOrder, batchIndices } from '../model/batch-rows.js';

/** Named numbers, e.g. { loss: 0.4, acc: 0.93 }. */
export type Metrics = Record<string, number>;

/** The metric that picks the best checkpoint and drives early stopping. */
export interface PrimaryMetric {
  name: string;
  higherIsBetter: boolean;
}

export interface PreparedTask {
  name: string;
  /** The model this task trains (from the options: cell, sizes, init). */
  modelConfig: ModelConfig;
  /** Training batches per epoch. */
  batchesPerEpoch: number;
  /**
   * Training batch `step` of `epoch`. A pure function of (options, epoch, step): a resumed run
   * sees exactly the batches an uninterrupted one would.
   */
  trainBatch(epoch: number, step: number): Batch;
  /** True when the final state of one batch is the initial state of the next (TBPTT). */
  carryState: boolean;
  /** Metrics on the held-out set. */
  evaluate(model: SequenceModel): Metrics;
  primary: PrimaryMetric;
  /** True when the task counts as solved (e.g. copy: both accuracies >= 99.9%): training stops. */
  solved?(m: Metrics): boolean;
  /** Reference numbers a model must beat, e.g. { chance_acc: 0.125 } or { baseline_mse: 0.167 }. */
  reference: Metrics;
  /** A short description of the data for the log, e.g. "copy T=200: 10000 train / 1000 test". */
  describe: string;
}

/** What a task knows of its sizes before it loads anything. */
export interface TaskSizes {
  /** Steps per training sequence (null when only the data tell, e.g. MNIST). */
  steps: number | null;
  /** The option that sets the steps, for messages. */
  stepsFrom?: string;
  /** Features per step reaching the first layer (null when only the data tell). */
  inputWidth: number | null;
  /** The data the task generates in memory: total bytes, its largest array, and the options that size it. */
  data?: { bytes: number; largestBytes: number; from: string[] };
}

/** A task as the registry knows it (by its name there): its own options, its defaults, and how to prepare it. */
export interface TaskDefinition<O = unknown> {
  /** The options only this task reads (its data, its sizes, its input stage). */
  options: readonly OptionSpec[];
  /** This task's defaults of core options (e.g. charlm: hidden 256, adam). */
  defaults: Partial<CoreOptions>;
  /** Checks of a resolved combination beyond single values; throws ConfigError. */
  check?(o: CoreOptions & O): void;
  /** What the task's sizes are before it loads anything (for the memory check). */
  sizes?(o: CoreOptions & O): TaskSizes;
  /** Loads or generates the data and says which model the task trains. */
  prepare(o: CoreOptions & O & { task: string }): PreparedTask;
}

/** Index of the largest value in row r of an [R, O] matrix. */
export function argmaxRow(out: Float32Array | Float64Array, r: number, O: number): number {
  let best = 0;
  let bv = out[r * O];
  for (let o = 1; o < O; o++) {
    const v = out[r * O + o];
    if (v > bv) { bv = v; best = o; }
  }
  return best;
}

/** Epoch-shuffled sample order of the training tasks, a pure function of (seed, epoch); cached for the current epoch. */
export class EpochOrder extends EpochRowOrder {
  constructor(N: number, seed: number) {
    super(N, true, seed, (s, epoch) => deriveSeed(s, epoch, 0x0de7));
  }
}

export { batchIndices };

/**
 * Evaluates a dataset in batches and accumulates the loss (weighted by the batch's sample
 * count) plus whatever `consume` collects from the outputs.
 */
export function evaluateInBatches(model: SequenceModel, N: number, B: number,
  makeBatch: (idx: Int32Array) => Batch,
  consume: (outputs: Float32Array, idx: Int32Array, batch: Batch) => void,
  state?: { carry: boolean }): { loss: number } {
  let lossSum = 0;
  let s: ModelState | null = null;
  for (let start = 0; start < N; start += B) {
    const idx = new Int32Array(Math.min(B, N - start));
    for (let i = 0; i < idx.length; i++) idx[i] = start + i;
    const batch = makeBatch(idx);
    const r = model.evaluate(batch, { state: state?.carry ? s : null });
    if (state?.carry) s = r.state;
    lossSum += r.loss * idx.length;
    consume(r.outputs, idx, batch);
  }
  return { loss: lossSum / N };
}
