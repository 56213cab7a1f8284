// `plstm train`'s training loop: fit() from the library, plus what a run directory needs:
// metrics lines (per epoch, and per step with --log-every), best/last checkpoints (model,
// optimizer and progress) through fit's save hook, the task's 'solved' stop, Ctrl-C through a
// callback, and final.json.
//
// Exactness of --resume is fit's: the model and optimizer come back bit for bit from the last
// checkpoint, every training batch is a pure function of (options, epoch, step), and the
// progress in the checkpoint holds the loop's counters and carried state.
import { join } from 'node:path';
import { fit, type FitProgress, type Optimizer, type SequenceModel } from '../model/index.js';
import { saveModel } from '../node/save-load.js';
import { learningRateScheduleOf } from './options.js';
import type { TrainOptions } from './registry.js';
import { RUN_FILES, appendMetrics, writeJsonAtomic } from './run-dir.js';
import type { PreparedTask } from './task.js';

/**
 * Where a run stands; saved in every checkpoint's metadata (fit's progress). A run stopped by
 * Ctrl-C has stopped 'stopped' (older checkpoints: null); both continue with --resume.
 */
export type Progress = FitProgress;
export { freshProgress, saveState, restoreState, type SavedState } from '../model/index.js';

/** One line of metrics.jsonl per epoch. */
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
  /** Polled before every step: true after Ctrl-C. */
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

export async function train(o: TrainOptions, task: PreparedTask, model: SequenceModel, opt: Optimizer,
  outDir: string, start: Progress, hooks: TrainHooks = {}): Promise<TrainResult> {
  let interrupted = false;
  const history = await fit(model, opt, {
    data: (epoch, step) => task.trainBatch(epoch, step),
    batchesPerEpoch: task.batchesPerEpoch,
    epochs: o.epochs,
    validation: (m) => task.evaluate(m),
    monitor: task.primary.name,
    higherIsBetter: task.primary.higherIsBetter,
    earlyStopping: o.patience > 0 ? { patience: o.patience } : undefined,
    learningRate: learningRateScheduleOf(o),
    clip: o.clip > 0 ? o.clip : undefined,
    timeLimit: o.timeLimit ?? undefined,
    carryState: task.carryState,
    progress: start,
    onCheckpoint: (kind, progress) => {
      saveModel(join(outDir, kind === 'best' ? RUN_FILES.best : RUN_FILES.last), model, opt, { progress, options: o });
    },
    callbacks: [{
      onEpochStart: (c) => hooks.onEpochStart?.(c.epoch, c.batchesPerEpoch, c.step),
      onStepStart: (c) => {
        if (hooks.interrupted?.()) { interrupted = true; c.stop(); }
      },
      onStepEnd: (c) => {
        if (o.logEvery > 0 && c.globalStep % o.logEvery === 0) {
          appendMetrics(outDir, { type: 'step', epoch: c.epoch + 1, step: c.step, global_step: c.globalStep, loss: c.loss!, grad_norm: c.gradNorm!, lr: c.lr });
        }
        hooks.onStep?.(c.epoch, c.step, c.loss!);
      },
      onEpochEnd: (c) => {
        const r = c.record!;
        const line: EpochRecord = { type: 'epoch', epoch: r.epoch, global_step: r.globalStep, train_loss: r.trainLoss, seconds: 0 };
        for (const [k, v] of Object.entries(r.validation ?? {})) line[`test_${k}`] = v;
        line.seconds = r.seconds;
        if (task.solved?.(r.validation ?? {})) c.stop('solved');
        appendMetrics(outDir, line);
        hooks.onEpochEnd?.(line, r.improved);
      },
    }],
  });
  const p = history.progress;
  const final = finalSummary(o, task, model, p, interrupted);
  if (history.error !== null) final.diverged = history.error;
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
