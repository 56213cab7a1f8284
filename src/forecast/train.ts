// The forecaster's training, through the library's fit(): either epochs of shuffled windows
// (windowed mode) or the series in order, chunk after chunk, with the state carried across
// chunks (stateful mode, truncated BPTT). Both are seeded: the window order of every epoch is
// a pure function of (seed, epoch), and the weights come from the model's seed.

import type { SequenceModel } from '../model/sequence-model.js';
import type { Optimizer } from '../model/optimizers.js';
import { fit, type FitCallbacks, type FitEpochRecord, type FitOptions } from '../model/fit.js';
import { EpochRowOrder, batchIndices } from '../model/batch-rows.js';
import type { Batch } from '../model/batch.js';

/** Options shared by both ways of training. */
export interface ForecastTrainOptions {
  /** Passes over the training data. */
  epochs: number;
  /** Max gradient norm (clipping). */
  clip: number;
  /** Stop after this many seconds of training (checked before every step); null = no limit. */
  timeLimit: number | null;
  /** Stop after this many steps (batches) in all; null or absent = no cap. */
  maxSteps?: number | null;
  /** 'cosine': the optimizer's lr decays to 0 over the planned steps (min(epochs x batches, maxSteps)). Default 'constant'. */
  schedule?: 'constant' | 'cosine';
  /** Stop after this many epochs without a better validation loss. Default: never. */
  patience?: number;
  /** Called after every epoch. */
  onEpoch?: (e: { epoch: number; loss: number; valLoss: number | null; seconds: number }) => void;
  /** The caller's hooks into fit() (live progress, pausing, stopping), after the forecaster's own. */
  callbacks?: FitCallbacks[];
}

/** Options of trainWindows. */
export interface TrainWindowsOptions extends ForecastTrainOptions {
  /** Windows per training step. */
  batchSize: number;
  /** Seed of the shuffling. */
  seed: number;
  /** Indices (into the same window numbering) held out to pick the best epoch; empty = none. */
  validation: number[];
}

/** What training did. */
export interface TrainSummary {
  epochs: number;
  steps: number;
  seconds: number;
  /** Mean training loss of the last epoch. */
  loss: number;
  /** Best validation loss (its weights are the ones kept), or null without validation. */
  valLoss: number | null;
  /** Whether the time limit ended training. */
  timedOut: boolean;
  /** Every finished epoch: training loss, validation loss, steps, seconds (the training curve). */
  history: FitEpochRecord[];
}

/**
 * Trains `model` on windows 0..count-1 not in opts.validation, shuffled every epoch.
 * fill(indices, x, y) writes the inputs [B, T, F] and targets [B, O] of those windows.
 */
export async function trainWindows(model: SequenceModel, opt: Optimizer, count: number, T: number, F: number, O: number,
  fill: (indices: number[], x: Float32Array, y: Float32Array) => void, opts: TrainWindowsOptions): Promise<TrainSummary> {
  const held = new Set(opts.validation);
  const train = Array.from({ length: count }, (_, i) => i).filter((i) => !held.has(i));
  const order = new EpochRowOrder(train.length, true, opts.seed);
  const batchOf = (idx: number[]): Batch => {
    const B = idx.length;
    const x = new Float32Array(B * T * F); // [B, T, F]
    const y = new Float32Array(B * O); // [B, O]
    fill(idx, x, y);
    return { B, T, x, y };
  };
  const data = (epoch: number, step: number): Batch => {
    const rows = batchIndices(order.get(epoch), opts.batchSize, step);
    return batchOf(Array.from(rows, (r) => train[r]));
  };
  // the held-out windows, built once; fit() evaluates them in batches of batchSize
  const validation = opts.validation.length === 0 ? undefined : batchOf(opts.validation);
  return run(model, opt, {
    data, batchesPerEpoch: Math.ceil(train.length / opts.batchSize), validation, validationBatchSize: opts.batchSize,
  }, opts);
}

/**
 * Truncated BPTT: `batchesPerEpoch` chunks, in order, each continuing the rows of the one
 * before (the state is carried, no gradient flows across chunks); every epoch starts from zeros.
 * validation (optional) returns the loss that picks the best epoch.
 */
export async function trainChunks(model: SequenceModel, opt: Optimizer, chunk: (step: number) => Batch, batchesPerEpoch: number,
  validation: (() => number) | null, opts: ForecastTrainOptions): Promise<TrainSummary> {
  return run(model, opt, {
    data: (_epoch, step) => chunk(step), batchesPerEpoch, carryState: true,
    validation: validation === null ? undefined : () => ({ loss: validation() }),
  }, opts);
}

/**
 * fit() with the forecaster's conventions: clipping, time limit, a cap on steps, the lr
 * schedule, early stopping, best weights kept.
 */
async function run(model: SequenceModel, opt: Optimizer,
  o: Pick<FitOptions, 'data' | 'batchesPerEpoch' | 'carryState' | 'validation' | 'validationBatchSize'>, opts: ForecastTrainOptions): Promise<TrainSummary> {
  const perEpoch = o.batchesPerEpoch!;
  const planned = Math.min(opts.epochs * perEpoch, opts.maxSteps ?? Infinity);
  const epochs = Math.min(opts.epochs, Math.ceil(planned / perEpoch));
  const lr = opt.lr;
  const schedule = opts.schedule === 'cosine'
    ? { learningRate: (epoch: number, step: number) => 0.5 * lr * (1 + Math.cos(Math.PI * Math.min(1, (epoch * perEpoch + step) / planned))) }
    : {};
  const capSteps: FitCallbacks = {
    onStepStart: (ctx) => (ctx.globalStep >= planned ? ctx.stop('max-steps') : undefined),
  };
  const kept: { loss: number; params: Float32Array | Float64Array | null } = { loss: Infinity, params: null };
  const keep = (loss: number) => {
    if (loss < kept.loss) { kept.loss = loss; kept.params = model.params.slice(); }
  };
  const h = await fit(model, opt, {
    ...o,
    ...schedule,
    epochs,
    clip: opts.clip,
    ...(opts.timeLimit !== null ? { timeLimit: opts.timeLimit } : {}),
    ...(o.validation !== undefined && opts.patience !== undefined ? { earlyStopping: { patience: opts.patience } } : {}),
    callbacks: [{
      onEpochEnd: (ctx) => {
        const r = ctx.record!;
        const valLoss = r.validation?.loss ?? null;
        if (valLoss !== null) keep(valLoss);
        opts.onEpoch?.({ epoch: r.epoch, loss: r.trainLoss, valLoss, seconds: r.seconds });
      },
    }, capSteps, ...(opts.callbacks ?? [])],
  });
  const p = h.progress;
  // a run cut off mid-epoch by its time limit: its last model was validated too
  if (o.validation !== undefined && h.stopped === 'time-limit' && p.lastEval !== null && p.step > 0) keep(p.lastEval.loss);
  if (kept.params !== null) model.params.set(kept.params);
  const last = h.epochs[h.epochs.length - 1];
  const partial = p.lossCount > 0 ? p.lossSum / p.lossCount : null;
  return {
    epochs: p.epoch + (p.step > 0 ? 1 : 0),
    steps: p.globalStep,
    seconds: h.seconds,
    loss: partial ?? last?.trainLoss ?? NaN,
    valLoss: kept.params === null ? null : kept.loss,
    timedOut: h.stopped === 'time-limit',
    history: h.epochs,
  };
}

/** @deprecated use ForecastTrainOptions (the experiments' TrainOptions is another type) */
export type TrainOptions = ForecastTrainOptions;
