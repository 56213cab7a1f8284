// fit(): the training loop, as a Keras or PyTorch Lightning user expects it. Epochs of batches
// (from arrays, cut and shuffled per epoch, or from a batch function), validation and metrics
// after each epoch, callbacks, early stopping, learning-rate schedules, gradient clipping, a
// time limit, carried state for truncated BPTT, checkpoints through a hook, and exact resume.
//
//   const history = await fit(model, optimizer, {
//     data: { B: N, T, x, y }, batchSize: 32, epochs: 20,
//     validation: { B: M, T, x: vx, y: vy }, metrics: { acc: accuracyMetric }, monitor: 'acc',
//     earlyStopping: { patience: 3 }, learningRate: { kind: 'cosine', lr: 1e-3, epochs: 20 },
//   });
//
// Exact resume: every training batch is a pure function of (options, epoch, step), the rate
// of every step a pure function of its position, and the loop's own counters (position, loss
// sums, best metric, carried state) are in the progress. Passing the progress back with the
// model and optimizer restored (serializeModel / deserializeModel) continues on the same
// trajectory, bit for bit, as a run that was never stopped.
//
// Browser-safe: fit never touches files (checkpoints go to onCheckpoint) and yields to the
// event loop with what every runtime has (event-loop-turn.ts).

import { isPositiveInt } from '../cells/bounds.js';
import { ConfigError, TrainingDivergedError } from '../errors.js';
import { EpochRowOrder, batchIndices, gatherRows, rowWidths, sliceRows, type RowWidths } from './batch-rows.js';
import { EventLoopTurn } from './event-loop-turn.js';
import type { MetricFn, Metrics } from './metrics.js';
import type { Optimizer } from './optimizers.js';
import { restoreState, saveState, type SavedState } from './saved-state.js';
import { checkSchedule, learningRateAt, type LearningRateSchedule } from './schedule.js';
import type { SequenceModel } from './sequence-model.js';
import type { Batch } from './batch.js';
import type { ModelState } from './model-state.js';

/**
 * Why a run ended: 'max-epochs'; 'early-stopped' (no improvement for `patience` epochs);
 * 'time-limit'; 'diverged' (a non-finite loss or gradient; the weights are those before that
 * step); 'stopped' (a callback asked, without a reason: a pause that a resumed fit continues);
 * or the reason a callback gave to ctx.stop(reason), e.g. 'solved' (the run is over).
 */
export type StopReason = 'max-epochs' | 'early-stopped' | 'time-limit' | 'diverged' | 'stopped' | (string & {});

/**
 * Where a run stands: plain numbers (JSON-safe), saved with every checkpoint. Pass it back as
 * `FitOptions.progress`, with the model and optimizer of the same moment, to resume.
 */
export interface FitProgress {
  /** The epoch in progress (0-based); equals `epochs` when all are done. */
  epoch: number;
  /** The next training step within that epoch. */
  step: number;
  /** Training steps done in total. */
  globalStep: number;
  /** Sum of the training losses of this epoch so far. */
  lossSum: number;
  /** Steps in lossSum. */
  lossCount: number;
  /** Best monitored value so far (null before the first epoch ends). */
  best: number | null;
  /** 1-based epoch of the best value (0 = none). */
  bestEpoch: number;
  /** Epochs since the monitored value last improved. */
  sinceBest: number;
  /** Seconds of training and validation in total, over every fit call of the run. */
  seconds: number;
  /** The latest validation metrics (null before the first). */
  lastEval: Metrics | null;
  /** With carryState, a run stopped mid-epoch: the state the next batch starts from. */
  carried: SavedState | null;
  /** Why the run ended; null while it can continue. */
  stopped: StopReason | null;
}

/** The progress of a run that has not started. */
export function freshProgress(): FitProgress {
  return {
    epoch: 0, step: 0, globalStep: 0, lossSum: 0, lossCount: 0, best: null, bestEpoch: 0,
    sinceBest: 0, seconds: 0, lastEval: null, carried: null, stopped: null,
  };
}

/** One finished epoch. */
export interface FitEpochRecord {
  /** 1-based. */
  epoch: number;
  /** Training steps done in total at its end. */
  globalStep: number;
  /** Mean training loss of its batches (of this run's steps in it, when resumed mid-epoch). */
  trainLoss: number;
  /** Validation metrics after it (loss first), or null without validation. */
  validation: Metrics | null;
  /** Learning rate of its last step. */
  lr: number;
  /** Seconds of the run so far (training and validation). */
  seconds: number;
  /** True when the monitored value improved (a 'best' checkpoint follows). */
  improved: boolean;
}

/** What a callback sees. Read-only, except stop(). */
export interface FitContext {
  readonly model: SequenceModel;
  readonly optimizer: Optimizer;
  /** Epoch in progress (0-based); in onEpochEnd, the number of finished epochs. */
  readonly epoch: number;
  /** Training steps done in this epoch (onStepStart: before this one; onStepEnd: including it). */
  readonly step: number;
  /** Training steps done in total. */
  readonly globalStep: number;
  readonly batchesPerEpoch: number;
  /** FitOptions.epochs. */
  readonly epochs: number;
  /** onStepEnd: the step's loss (before its update); otherwise null. */
  readonly loss: number | null;
  /** onStepEnd: the gradient norm before clipping; otherwise null. */
  readonly gradNorm: number | null;
  /** The optimizer's learning rate (onStepEnd: the rate of that step). */
  readonly lr: number;
  /** onEpochEnd: the epoch's record; otherwise null. */
  readonly record: FitEpochRecord | null;
  /** Seconds of the run so far. */
  readonly seconds: number;
  /** The loop's live counters (do not modify). */
  readonly progress: Readonly<FitProgress>;
  /**
   * Stops the run after this callback. Without a reason ('stopped') the stop is a pause: a fit
   * given the progress continues. With a reason (e.g. 'solved') the run is over and a fit
   * given the progress returns at once. From onEpochEnd a reason replaces 'max-epochs' or
   * 'early-stopped' (a plain stop() does not).
   */
  stop(reason?: string): void;
}

/** What a callback may return: returning 'stop' is the same as ctx.stop(). */
export type CallbackResult = void | 'stop' | Promise<void | 'stop'>;

/** Hooks into the loop; every one optional, called in the order of FitOptions.callbacks. */
export interface FitCallbacks {
  /** Before the first step of an epoch (or of the rest of it, when resumed mid-epoch). */
  onEpochStart?(ctx: FitContext): CallbackResult;
  /** Before each training step (after the time-limit check); a stop here skips that step. */
  onStepStart?(ctx: FitContext): CallbackResult;
  /** After each training step. */
  onStepEnd?(ctx: FitContext): CallbackResult;
  /** After each epoch's validation and early-stopping decision, before its checkpoints. */
  onEpochEnd?(ctx: FitContext): CallbackResult;
}

/** The options of fit(). Give `data` and either `batchSize` (arrays) or `batchesPerEpoch` (a batch function). */
export interface FitOptions {
  /**
   * Training data: the whole set as one Batch of N rows (B = N; x, y and weights of N rows),
   * cut into batches of `batchSize` rows, shuffled per epoch, the last partial batch kept;
   * or a function (epoch, step) => Batch (both 0-based) with `batchesPerEpoch`, which must be
   * pure in (epoch, step) for resumed runs to see the same batches.
   */
  data: Batch | ((epoch: number, step: number) => Batch | Promise<Batch>);
  /** Rows per training batch, for array data. Default 32. */
  batchSize?: number;
  /** Array data: shuffle the rows every epoch (seeded by `seed` and the epoch). Default true. */
  shuffle?: boolean;
  /** Array data: seed of the per-epoch shuffle. Default 0. */
  seed?: number;
  /** Training batches per epoch; required with a batch function (array data: ceil(N / batchSize)). */
  batchesPerEpoch?: number;
  /** Number of epochs (in total, counting those of the progress resumed from). Default 1. */
  epochs?: number;
  /**
   * Evaluated after every epoch: a Batch of M rows (loss and `metrics`, in batches of
   * `validationBatchSize` rows) or a function (model) => Metrics. Default none.
   */
  validation?: Batch | ((model: SequenceModel) => Metrics | Promise<Metrics>);
  /** Rows per evaluation batch of a validation Batch. Default 256. */
  validationBatchSize?: number;
  /** Metrics of a validation Batch besides the loss, by name, e.g. { acc: accuracyMetric }. Default none. */
  metrics?: Record<string, MetricFn>;
  /**
   * The validation metric that picks the best epoch and drives early stopping. Without
   * validation only 'loss' is allowed: the epoch's training loss. Default 'loss'.
   */
  monitor?: string;
  /** Whether a larger monitored value is better. Default: true when `monitor` contains 'acc', else false. */
  higherIsBetter?: boolean;
  /**
   * Stop after `patience` epochs in a row without an improvement of the monitored value by
   * more than `minDelta` (default 0). Default off.
   */
  earlyStopping?: { patience: number; minDelta?: number };
  /**
   * The learning rate of every step: a number (constant) or a schedule, written into the
   * optimizer before each step. Default: the optimizer's lr is left alone.
   */
  learningRate?: number | LearningRateSchedule;
  /** Clip the gradient's global norm to this value before each update. Default off. */
  clip?: number;
  /**
   * Stop (with a 'last' checkpoint, after validating the model it ends with) once the run has
   * trained this many seconds in total, counting resumed progress. Checked before each step.
   * Default none.
   */
  timeLimit?: number;
  /**
   * Truncated BPTT: the final state of one batch is the initial state of the next (no gradient
   * flows through it); every epoch starts from zeros. Needs a batch function whose batch k+1
   * continues the rows of batch k. Default false.
   */
  carryState?: boolean;
  /** Callbacks, called in this order. Default none. */
  callbacks?: FitCallbacks[];
  /**
   * Saves a checkpoint (fit writes no files): 'best' after an epoch that improved the monitored
   * value, then 'last' after every epoch and when a run stops mid-epoch. Save the model and
   * optimizer with the progress (it is a copy) to resume later. Default none.
   */
  onCheckpoint?(kind: 'best' | 'last', progress: FitProgress): void | Promise<void>;
  /** Resume from this progress (with the model and optimizer restored to the same moment). Default: a fresh run. */
  progress?: FitProgress;
}

/** What fit() returns. */
export interface FitHistory {
  /** The epochs finished in this call. */
  epochs: FitEpochRecord[];
  /** Why this call ended. */
  stopped: StopReason;
  /** Where the run stands: pass it back (FitOptions.progress) to resume. */
  progress: FitProgress;
  /** Best monitored value and its 1-based epoch (0 = none). */
  best: number | null;
  bestEpoch: number;
  /** Seconds of the run in total. */
  seconds: number;
  /** The message of a 'diverged' stop; otherwise null. */
  error: string | null;
}

type Resolved = ReturnType<typeof resolveFitOptions>;

function need(ok: boolean, msg: string): void {
  if (!ok) throw new ConfigError(`fit: ${msg}`);
}

/** Checks the options and fills in the defaults; throws ConfigError naming the first problem. */
function resolveFitOptions(o: FitOptions) {
  need(typeof o === 'object' && o !== null && o.data !== undefined, 'options.data is required (a Batch of N rows or a function (epoch, step) => Batch)');
  const fromArrays = typeof o.data !== 'function';
  let batchesPerEpoch: number;
  let arrays: { data: Batch; widths: RowWidths; order: EpochRowOrder; batchSize: number } | null = null;
  if (fromArrays) {
    const data = o.data as Batch;
    const batchSize = o.batchSize ?? 32;
    need(isPositiveInt(batchSize), `batchSize must be a positive integer, got ${String(batchSize)}`);
    need(o.batchesPerEpoch === undefined, 'batchesPerEpoch is for a batch function; array data has ceil(N / batchSize) batches');
    need(!o.carryState, 'carryState needs a batch function (data: (epoch, step) => Batch) whose batch k+1 continues the rows of batch k');
    const seed = o.seed ?? 0;
    need(Number.isSafeInteger(seed) && seed >= 0, `seed must be an integer >= 0, got ${String(seed)}`);
    const widths = rowWidths(data, 'data');
    batchesPerEpoch = Math.ceil(data.B / batchSize);
    arrays = { data, widths, batchSize, order: new EpochRowOrder(data.B, o.shuffle ?? true, seed) };
  } else {
    need(isPositiveInt(o.batchesPerEpoch), `batchesPerEpoch must be a positive integer with a batch function, got ${String(o.batchesPerEpoch)}`);
    need(o.batchSize === undefined && o.shuffle === undefined && o.seed === undefined,
      'batchSize, shuffle and seed are for array data; a batch function makes its own batches');
    batchesPerEpoch = o.batchesPerEpoch!;
  }
  const epochs = o.epochs ?? 1;
  need(isPositiveInt(epochs), `epochs must be a positive integer, got ${String(epochs)}`);
  const validationBatchSize = o.validationBatchSize ?? 256;
  need(isPositiveInt(validationBatchSize), `validationBatchSize must be a positive integer, got ${String(validationBatchSize)}`);
  if (o.validation !== undefined && typeof o.validation !== 'function') rowWidths(o.validation, 'validation');
  need(o.metrics === undefined || (o.validation !== undefined && typeof o.validation !== 'function'),
    'metrics are computed on a validation Batch; a validation function returns its own metrics');
  for (const [name, f] of Object.entries(o.metrics ?? {})) need(typeof f === 'function' && name !== 'loss', `metric "${name}" must be a function and not named loss`);
  const monitor = o.monitor ?? 'loss';
  need(o.validation !== undefined || monitor === 'loss', `monitor "${monitor}" needs validation (without it only the training loss, "loss", is monitored)`);
  const higherIsBetter = o.higherIsBetter ?? /acc/i.test(monitor);
  const es = o.earlyStopping;
  if (es !== undefined) {
    need(isPositiveInt(es.patience), `earlyStopping.patience must be a positive integer (epochs), got ${String(es.patience)}`);
    need(es.minDelta === undefined || (Number.isFinite(es.minDelta) && es.minDelta >= 0), `earlyStopping.minDelta must be a number >= 0, got ${String(es.minDelta)}`);
  }
  let schedule: LearningRateSchedule | null = null;
  if (typeof o.learningRate === 'number') {
    schedule = { kind: 'constant', lr: o.learningRate };
  } else if (o.learningRate !== undefined) {
    schedule = o.learningRate;
  }
  if (schedule !== null) {
    try {
      checkSchedule(schedule);
    } catch (err) {
      throw new ConfigError(`fit: ${(err as Error).message}`);
    }
  }
  need(o.clip === undefined || (Number.isFinite(o.clip) && o.clip > 0), `clip must be a number > 0 (leave it out for no clipping), got ${String(o.clip)}`);
  need(o.timeLimit === undefined || (Number.isFinite(o.timeLimit) && o.timeLimit > 0), `timeLimit must be a number of seconds > 0, got ${String(o.timeLimit)}`);
  return {
    batchesPerEpoch, arrays, epochs, validationBatchSize, monitor, higherIsBetter, schedule,
    patience: es?.patience ?? 0, minDelta: es?.minDelta ?? 0,
  };
}

/** Whether a run that ended for `why` goes on under these options. */
function canContinue(p: FitProgress, o: FitOptions, r: Resolved): boolean {
  switch (p.stopped) {
    case null:
    case 'stopped': return true;
    case 'max-epochs': return p.epoch < r.epochs;
    case 'time-limit': return o.timeLimit === undefined || p.seconds < o.timeLimit;
    case 'early-stopped': return r.patience === 0 || p.sinceBest < r.patience;
    default: return false; // 'diverged' or a callback's reason: the run is over
  }
}

const clock = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Loss (weighted like the model's loss) and metrics of a validation Batch, in batches of rows. */
function validateBatch(model: SequenceModel, data: Batch, rowsPerBatch: number, metrics: Record<string, MetricFn>): Metrics {
  const widths = rowWidths(data, 'validation');
  const O = model.config.head.size;
  const rowsOut = model.config.head.steps === 'all' ? data.T : 1; // output rows per sample
  const outputs = new Float32Array(data.B * rowsOut * O); // [M, T, O] or [M, O]
  let lossSum = 0;
  let weightSum = 0;
  for (let start = 0; start < data.B; start += rowsPerBatch) {
    const end = Math.min(data.B, start + rowsPerBatch);
    const batch = sliceRows(data, widths, start, end);
    const r = model.evaluate(batch);
    // the model's loss is a mean over its batch's weight; the set's loss is over all weight
    let w = (end - start) * rowsOut;
    if (batch.weights !== undefined) { w = 0; for (let i = 0; i < batch.weights.length; i++) w += batch.weights[i]; }
    if (w > 0) { lossSum += r.loss * w; weightSum += w; }
    outputs.set(r.outputs, start * rowsOut * O);
  }
  const out: Metrics = { loss: lossSum / weightSum };
  for (const [name, f] of Object.entries(metrics)) out[name] = f(outputs, data, model);
  return out;
}

/**
 * Trains `model` with `optimizer` for `options.epochs` epochs (see FitOptions) and returns
 * the history. Throws ConfigError for bad options and whatever the model throws for bad
 * batches; a diverging step ends the run with stopped 'diverged' instead of throwing.
 */
export async function fit(model: SequenceModel, optimizer: Optimizer, options: FitOptions): Promise<FitHistory> {
  const r = resolveFitOptions(options);
  const callbacks = options.callbacks ?? [];
  const p: FitProgress = { ...(options.progress ?? freshProgress()) };
  const history: FitHistory = { epochs: [], stopped: p.stopped ?? 'max-epochs', progress: p, best: p.best, bestEpoch: p.bestEpoch, seconds: p.seconds, error: null };
  if (!canContinue(p, options, r)) return history;
  p.stopped = null;

  const t0 = clock();
  const startSeconds = p.seconds;
  const elapsed = () => startSeconds + (clock() - t0) / 1000;
  const snapshot = (): FitProgress => ({ ...p, seconds: elapsed() });
  const better = (v: number) => Number.isFinite(v) && (p.best === null
    || (r.higherIsBetter ? v > p.best + r.minDelta : v < p.best - r.minDelta));
  const validate = async (): Promise<Metrics | null> => {
    const v = options.validation;
    if (v === undefined) return null;
    return typeof v === 'function' ? await v(model) : validateBatch(model, v, r.validationBatchSize, options.metrics ?? {});
  };
  const batchAt = (epoch: number, step: number): Batch | Promise<Batch> => {
    const a = r.arrays;
    if (a === null) return (options.data as (e: number, s: number) => Batch | Promise<Batch>)(epoch, step);
    const order = a.order.get(epoch);
    return gatherRows(a.data, a.widths, batchIndices(order, a.batchSize, step));
  };

  let stopRequest: string | null = null;
  const call = async (hook: keyof FitCallbacks, extra: Partial<Pick<FitContext, 'loss' | 'gradNorm' | 'record'>> = {}) => {
    for (const cb of callbacks) {
      const f = cb[hook];
      if (f === undefined) continue;
      const ctx: FitContext = {
        model, optimizer, epoch: p.epoch, step: p.step, globalStep: p.globalStep,
        batchesPerEpoch: r.batchesPerEpoch, epochs: r.epochs, loss: null, gradNorm: null, record: null, ...extra,
        lr: optimizer.lr, seconds: elapsed(), progress: p,
        stop: (reason?: string) => { stopRequest = reason ?? stopRequest ?? 'stopped'; },
      };
      if ((await f.call(cb, ctx)) === 'stop') stopRequest ??= 'stopped';
    }
  };

  // the carried TBPTT state of a run resumed mid-epoch
  let state: ModelState | null = options.carryState && p.carried !== null && p.step > 0 ? restoreState(model, p.carried) : null;
  p.carried = null;
  // a stop between steps: its reason (epoch-end stops are handled where they happen)
  let midEpochStop: StopReason | null = null;
  const turn = new EventLoopTurn();
  try {
    outer: while (p.epoch < r.epochs) {
      if (p.step === 0) state = null;
      await call('onEpochStart');
      if (stopRequest !== null) { midEpochStop = stopRequest; break; }
      while (p.step < r.batchesPerEpoch) {
        if (options.timeLimit !== undefined && elapsed() >= options.timeLimit) { midEpochStop = 'time-limit'; break outer; }
        await call('onStepStart');
        if (stopRequest !== null) { midEpochStop = stopRequest; break outer; }
        const batch = await batchAt(p.epoch, p.step);
        if (r.schedule !== null) optimizer.lr = learningRateAt(r.schedule, p.epoch, p.step, r.batchesPerEpoch);
        let step: { loss: number; gradNorm: number; state: ModelState };
        try {
          step = model.trainStep(batch, optimizer, { clip: options.clip, state: options.carryState ? state : null });
        } catch (err) {
          // a non-finite loss or gradient: the model refused the step and kept its weights
          if (err instanceof TrainingDivergedError) { midEpochStop = 'diverged'; history.error = err.message; break outer; }
          throw err;
        }
        if (options.carryState) state = step.state;
        p.lossSum += step.loss;
        p.lossCount++;
        p.step++;
        p.globalStep++;
        await call('onStepEnd', { loss: step.loss, gradNorm: step.gradNorm });
        if (stopRequest !== null) { midEpochStop = stopRequest; break outer; }
        await turn.next();
      }

      const validation = await validate();
      const monitored = validation === null ? p.lossSum / Math.max(1, p.lossCount) : validation[r.monitor];
      if (validation !== null && typeof monitored !== 'number') {
        throw new ConfigError(`fit: monitor "${r.monitor}" is not among the validation metrics (${Object.keys(validation).join(', ')})`);
      }
      const improved = better(monitored);
      if (improved) { p.best = monitored; p.bestEpoch = p.epoch + 1; p.sinceBest = 0; } else p.sinceBest++;
      const record: FitEpochRecord = {
        epoch: p.epoch + 1, globalStep: p.globalStep, trainLoss: p.lossSum / Math.max(1, p.lossCount),
        validation, lr: optimizer.lr, seconds: 0, improved,
      };
      p.lastEval = validation;
      p.epoch++;
      p.step = 0;
      p.lossSum = 0;
      p.lossCount = 0;
      const builtIn: StopReason | null = r.patience > 0 && p.sinceBest >= r.patience ? 'early-stopped'
        : p.epoch >= r.epochs ? 'max-epochs' : null;
      record.seconds = elapsed();
      history.epochs.push(record);
      await call('onEpochEnd', { record });
      // a reason given to stop() wins; a plain stop() leaves a built-in end as it is
      p.stopped = stopRequest === 'stopped' ? builtIn ?? stopRequest : stopRequest ?? builtIn;
      if (improved) await options.onCheckpoint?.('best', snapshot());
      await options.onCheckpoint?.('last', snapshot());
      if (p.stopped !== null) break;
    }
    if (midEpochStop !== null) {
      p.stopped = midEpochStop;
      if (options.carryState && state !== null && p.step > 0) p.carried = saveState(state);
      // a run cut off by its time limit mid-epoch reports the model it ends with
      if (midEpochStop === 'time-limit' && p.step > 0 && options.validation !== undefined) p.lastEval = await validate();
      await options.onCheckpoint?.('last', snapshot());
    }
  } finally {
    turn.close();
  }
  p.stopped ??= 'max-epochs'; // resumed with nothing left to do
  p.seconds = elapsed();
  Object.assign(history, { stopped: p.stopped, best: p.best, bestEpoch: p.bestEpoch, seconds: p.seconds });
  return history;
}
