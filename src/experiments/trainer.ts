// The training loop shared by every task: epochs of batches, evaluation after each epoch,
// best/last checkpoints, early stopping, metrics lines, and exact resumption.
//
// Exactness of --resume: the model and optimizer state come back bit for bit from the last
// checkpoint, every training batch is a pure function of (options, epoch, step), and the
// loop's own counters (position, loss sums, best metric) are stored in the checkpoint, so a
// resumed run follows the same trajectory as one that was never stopped.
import { join } from 'node:path';
import { TrainingDivergedError, type ModelState, type Optimizer, type SequenceModel } from '../model/index.js';
import { saveModel } from '../node/save-load.js';
import { learningRateAt, type TrainOptions } from './options.js';
import { RUN_FILES, appendMetrics, writeJsonAtomic } from './run-dir.js';
import type { Metrics, PreparedTask } from './task.js';

/** Where a run stands; saved in every checkpoint's metadata. */
export interface Progress {
  epoch: number; // the epoch in progress (0-based); == epochs when all are done
  step: number; // the next training step within that epoch
  globalStep: number; // training steps done in total
  lossSum: number; // sum of training losses of this epoch so far
  lossCount: number;
  best: number | null; // best primary metric so far
  bestEpoch: number; // 1-based epoch of the best metric (0 = none)
  sinceBest: number; // epochs since the best metric improved
  seconds: number; // training + evaluation time before this session
  lastEval: Metrics | null;
  /** TBPTT tasks stopped mid-epoch: the carried state, so a resumed run continues from it. */
  carried: SavedState | null;
  /** Why the run ended; null while it can continue. */
  stopped: 'solved' | 'early-stopped' | 'max-epochs' | 'time-limit' | 'diverged' | null;
}

export function freshProgress(): Progress {
  return {
    epoch: 0, step: 0, globalStep: 0, lossSum: 0, lossCount: 0, best: null, bestEpoch: 0,
    sinceBest: 0, seconds: 0, lastEval: null, carried: null, stopped: null,
  };
}

/** A ModelState as plain numbers (float32 and float64 values round-trip exactly through JSON). */
export interface SavedState {
  B: number;
  layers: { h: number[]; c: number[]; a: number[] | null }[];
}

export function saveState(s: ModelState): SavedState {
  return { B: s.B, layers: s.layers.map((l) => ({ h: Array.from(l.h), c: Array.from(l.c), a: l.a === null ? null : Array.from(l.a) })) };
}

/** Rebuilds a saved state in the model's own buffers (and dtype). */
export function restoreState(model: SequenceModel, s: SavedState): ModelState {
  const st = model.initState(s.B);
  st.layers.forEach((l, i) => {
    l.h.set(s.layers[i].h);
    l.c.set(s.layers[i].c);
    if (l.a !== null && s.layers[i].a !== null) l.a.set(s.layers[i].a!);
  });
  return st;
}

export interface EpochRecord {
  type: 'epoch';
  epoch: number; // 1-based
  global_step: number;
  train_loss: number;
  seconds: number; // total run time so far
  [metric: string]: number | string;
}

/** What the caller (the CLI) sees while training runs. */
export interface TrainHooks {
  onEpochStart?(epoch: number, batches: number, startStep: number): void;
  onStep?(epoch: number, step: number, loss: number): void;
  onEpochEnd?(record: EpochRecord, improved: boolean): void;
  /** Polled between steps: true after Ctrl-C. */
  interrupted?(): boolean;
}

export interface TrainResult {
  progress: Progress;
  interrupted: boolean;
  final: Record<string, unknown>;
}

/** Summary of the exponents of every pLSTM layer: mean, quartiles, range. */
export function pStats(model: SequenceModel): Record<string, number>[] {
  return model.pSummary().map(({ layer, p }) => {
    const s = Array.from(p).sort((a, b) => a - b);
    const q = (f: number) => s[Math.min(s.length - 1, Math.floor(f * (s.length - 1) + 0.5))];
    const mean = s.reduce((a, b) => a + b, 0) / s.length;
    return { layer, mean, min: s[0], q25: q(0.25), median: q(0.5), q75: q(0.75), max: s[s.length - 1] };
  });
}

const nextTick = () => new Promise<void>((r) => setImmediate(r));

export async function train(o: TrainOptions, task: PreparedTask, model: SequenceModel, opt: Optimizer,
  outDir: string, start: Progress, hooks: TrainHooks = {}): Promise<TrainResult> {
  const p: Progress = { ...start };
  const t0 = Date.now();
  const elapsed = () => p.seconds + (Date.now() - t0) / 1000;
  const save = (name: string) => saveModel(join(outDir, name), model, opt, { progress: { ...p, seconds: elapsed() }, options: o });
  const better = (v: number) => p.best === null || (task.primary.higherIsBetter ? v > p.best : v < p.best);
  let interrupted = false;
  let divergedMessage: string | null = null;
  // the carried state of TBPTT tasks (restored when resuming mid-epoch)
  let state: ModelState | null = p.carried !== null && p.step > 0 ? restoreState(model, p.carried) : null;
  p.carried = null;

  outer: while (p.stopped === null && p.epoch < o.epochs) {
    const batches = task.batchesPerEpoch;
    hooks.onEpochStart?.(p.epoch, batches, p.step);
    if (p.step === 0) state = null;
    while (p.step < batches) {
      if (o.timeLimit !== null && elapsed() >= o.timeLimit) {
        p.stopped = 'time-limit';
        if (task.carryState && state !== null) p.carried = saveState(state);
        break outer;
      }
      if (hooks.interrupted?.()) {
        interrupted = true;
        if (task.carryState && state !== null) p.carried = saveState(state);
        break outer;
      }
      const batch = task.trainBatch(p.epoch, p.step);
      opt.lr = learningRateAt(o, p.epoch, p.step, batches);
      let r: { loss: number; gradNorm: number; state: ModelState };
      try {
        r = model.trainStep(batch, opt, { clip: o.clip > 0 ? o.clip : undefined, state: task.carryState ? state : null });
      } catch (err) {
        // a non-finite loss or gradient: the model refused the step and kept its weights
        if (err instanceof TrainingDivergedError) { p.stopped = 'diverged'; divergedMessage = err.message; break outer; }
        throw err;
      }
      if (task.carryState) state = r.state;
      p.lossSum += r.loss;
      p.lossCount++;
      p.step++;
      p.globalStep++;
      if (o.logEvery > 0 && p.globalStep % o.logEvery === 0) {
        appendMetrics(outDir, { type: 'step', epoch: p.epoch + 1, step: p.step, global_step: p.globalStep, loss: r.loss, grad_norm: r.gradNorm, lr: opt.lr });
      }
      hooks.onStep?.(p.epoch, p.step, r.loss);
      await nextTick(); // lets a Ctrl-C be seen
    }
    const ev = task.evaluate(model);
    const record: EpochRecord = {
      type: 'epoch', epoch: p.epoch + 1, global_step: p.globalStep,
      train_loss: p.lossSum / Math.max(1, p.lossCount), seconds: 0,
    };
    for (const [k, v] of Object.entries(ev)) record[`test_${k}`] = v;
    const primary = ev[task.primary.name];
    const improved = better(primary);
    if (improved) { p.best = primary; p.bestEpoch = p.epoch + 1; p.sinceBest = 0; } else p.sinceBest++;
    p.lastEval = ev;
    p.epoch++;
    p.step = 0;
    p.lossSum = 0;
    p.lossCount = 0;
    if (task.solved?.(ev)) p.stopped = 'solved';
    else if (o.patience > 0 && p.sinceBest >= o.patience) p.stopped = 'early-stopped';
    else if (p.epoch >= o.epochs) p.stopped = 'max-epochs';
    record.seconds = elapsed();
    appendMetrics(outDir, record);
    if (improved) save(RUN_FILES.best);
    save(RUN_FILES.last);
    hooks.onEpochEnd?.(record, improved);
  }
  // a run cut off by its time limit mid-epoch reports the model it ends with
  if (p.stopped === 'time-limit' && p.step > 0) p.lastEval = task.evaluate(model);
  if (interrupted || p.stopped === 'diverged' || p.stopped === 'time-limit') save(RUN_FILES.last);
  p.seconds = elapsed();
  const final = finalSummary(o, task, model, p, interrupted);
  if (divergedMessage !== null) final.diverged = divergedMessage;
  writeJsonAtomic(join(outDir, RUN_FILES.final), final);
  return { progress: p, interrupted, final };
}

/** The final metrics of a run: what `--json` prints and final.json holds. */
export function finalSummary(o: TrainOptions, task: PreparedTask, model: SequenceModel, p: Progress,
  interrupted: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    task: o.task, cell: o.cell, hidden: o.hidden, layers: o.layers,
    ...(o.task === 'copy' || o.task === 'adding' ? { T: o.delay } : {}),
    epochs: p.epoch, global_step: p.globalStep,
    stopped: interrupted ? 'interrupted' : p.stopped,
    seconds: Math.round(p.seconds * 10) / 10,
  };
  for (const [k, v] of Object.entries(p.lastEval ?? {})) out[`test_${k}`] = v;
  out[`best_${task.primary.name}`] = p.best;
  out.best_epoch = p.bestEpoch;
  for (const [k, v] of Object.entries(task.reference)) out[k] = v;
  if (o.cell === 'plstm') out.p = pStats(model);
  return out;
}
