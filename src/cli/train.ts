// `plstm train`: trains a pLSTM or LSTM on one task, writing config, metrics and checkpoints
// to --out; Ctrl-C saves a checkpoint and stops; --resume continues exactly.
import { existsSync, readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { SequenceModel, createOptimizer, type Optimizer, type OptimizerConfig } from '../model/index.js';
import { loadModel } from '../node/save-load.js';
import { TASKS, type TrainOptions } from '../experiments/registry.js';
import { resolveOptions, flagOf } from '../experiments/options.js';
import { checkRunFits } from '../experiments/memory-estimate.js';
import { RUN_FILES, prepareFreshRunDir, truncateMetrics, writeJsonAtomic } from '../experiments/run-dir.js';
import { freshProgress, train, type Progress } from '../experiments/trainer.js';
import { addTrainOptions, givenOptions } from './train-options.js';
import { epochLine, fmt, progressHooks } from './progress.js';
import { UsageError } from './usage-error.js';

export function optimizerSpec(o: TrainOptions): OptimizerConfig {
  switch (o.optimizer) {
    case 'rmsprop': return { kind: 'rmsprop', lr: o.lr, alpha: o.alpha, momentum: o.momentum };
    case 'adam': return { kind: 'adam', lr: o.lr };
    case 'sgd': return { kind: 'sgd', lr: o.lr, momentum: o.momentum };
  }
}

export function runtimeOf(o: TrainOptions): { backend?: 'wasm' | 'js'; threads?: number } {
  return { backend: o.backend === 'auto' ? undefined : o.backend, threads: o.threads ?? undefined };
}

/** Options a resumed run may change: how long and where it runs, not what it trains. */
const RESUME_MAY_CHANGE: (keyof TrainOptions)[] = ['epochs', 'patience', 'timeLimit', 'backend', 'threads', 'evalBatch', 'logEvery'];

interface Started {
  o: TrainOptions;
  model: SequenceModel;
  opt: Optimizer;
  progress: Progress;
}

function startFresh(task: string | undefined, given: Partial<TrainOptions>, out: string, force: boolean) {
  if (!task) throw new UsageError('--task is required (copy, adding, smnist, psmnist, charlm or sentiment)');
  const o = resolveOptions(task, given);
  checkRunFits(o, totalmem()); // impossible sizes fail before any data is made
  const prepared = TASKS[o.task](o); // loads the data first: bad data fails before --out is touched
  prepareFreshRunDir(out, force);
  const model = SequenceModel.create(prepared.modelConfig, runtimeOf(o));
  const opt = createOptimizer(optimizerSpec(o));
  writeJsonAtomic(join(out, RUN_FILES.config), { options: o, model: model.config, data: prepared.describe });
  return { prepared, started: { o, model, opt, progress: freshProgress() } as Started };
}

function startResumed(task: string | undefined, given: Partial<TrainOptions>, out: string) {
  const cfgFile = join(out, RUN_FILES.config);
  const last = join(out, RUN_FILES.last);
  if (!existsSync(cfgFile) || !existsSync(last)) {
    throw new UsageError(`--resume: no run to continue in ${out} (needs ${RUN_FILES.config} and ${RUN_FILES.last})`);
  }
  const saved = (JSON.parse(readFileSync(cfgFile, 'utf8')) as { options: TrainOptions }).options;
  if (task && task !== saved.task) throw new UsageError(`--resume: the run in ${out} is task ${saved.task}, not ${task}`);
  for (const [k, v] of Object.entries(given)) {
    if (RESUME_MAY_CHANGE.includes(k as keyof TrainOptions)) continue;
    if (JSON.stringify(v) !== JSON.stringify(saved[k as keyof TrainOptions])) {
      throw new UsageError(`--resume: ${flagOf(k)} cannot change in a resumed run (it was ${JSON.stringify(saved[k as keyof TrainOptions])}); start a new run instead`);
    }
  }
  const changed = Object.fromEntries(RESUME_MAY_CHANGE.filter((k) => given[k] !== undefined).map((k) => [k, given[k]]));
  const o = resolveOptions(saved.task, { ...saved, ...changed });
  const prepared = TASKS[o.task](o);
  const { model, optimizer, meta } = loadModel(last, runtimeOf(o));
  if (!optimizer) throw new ConfigError(`${last} holds no optimizer state; cannot resume exactly`);
  const progress = (meta as { progress?: Progress }).progress;
  if (!progress) throw new ConfigError(`${last} has no training progress in its metadata; it is not a checkpoint of plstm train`);
  // a finished run goes on when what ended it no longer holds (a larger --epochs, --time-limit
  // or --patience): fit() decides that from the progress and the options
  truncateMetrics(out, progress.globalStep);
  writeJsonAtomic(cfgFile, { options: o, model: model.config, data: prepared.describe });
  return { prepared, started: { o, model, opt: optimizer, progress } as Started };
}

export function registerTrain(program: Command): void {
  addTrainOptions(program.command('train')
    .description('train a pLSTM or LSTM on a task; writes config.json, metrics.jsonl and checkpoints to --out'))
    .action(async (f: Record<string, unknown>) => {
      const out = f.out as string | undefined;
      if (!out) throw new UsageError('--out is required: the folder for config, metrics and checkpoints');
      if (f.force && f.resume) throw new UsageError('--force and --resume contradict each other: choose one');
      const given = givenOptions(f);
      const { prepared, started } = f.resume
        ? startResumed(f.task as string | undefined, given, out)
        : startFresh(f.task as string | undefined, given, out, Boolean(f.force));
      const { o, model, opt, progress } = started;
      // with --json, stdout carries only the final JSON line; the human lines go to stderr
      const say = (text: string) => (f.json ? process.stderr : process.stdout).write(text);

      say(`${prepared.describe}\n`);
      say(`model: ${o.layers}x ${o.cell} H=${o.hidden}, ${o.optimizer} lr ${o.lr}, batch ${o.batch}, ` +
        `clip ${o.clip || 'off'}, backend ${model.backend.name}; output in ${out}\n`);
      if (f.resume) say(`resuming at epoch ${progress.epoch + 1}, step ${progress.step} (global step ${progress.globalStep})\n`);

      let stopRequested = false;
      const onSigint = () => {
        if (stopRequested) process.exit(130); // a second Ctrl-C: stop now
        stopRequested = true;
        process.stderr.write('\nstopping after this step; saving a checkpoint (Ctrl-C again to quit at once)\n');
      };
      process.on('SIGINT', onSigint);
      const primary = prepared.primary.name;
      const hooks = progressHooks({
        quiet: Boolean(f.quiet), epochs: o.epochs,
        line: (r) => say(epochLine(r, o.epochs, `best ${primary} ${fmt(primary, bestSoFar(r))}`) + '\n'),
      });
      let best: number | null = progress.best;
      const bestSoFar = (r: Record<string, unknown>) => {
        const v = r[`test_${primary}`] as number;
        if (best === null || (prepared.primary.higherIsBetter ? v > best : v < best)) best = v;
        return best;
      };
      let result;
      try {
        result = await train(o, prepared, model, opt, out, progress, { ...hooks, interrupted: () => stopRequested });
      } finally {
        hooks.stop();
        process.off('SIGINT', onSigint);
        model.dispose();
      }
      const p = result.progress;
      if (result.interrupted) {
        say(`interrupted at epoch ${p.epoch + 1}, step ${p.step}: checkpoint saved to ${join(out, RUN_FILES.last)}; continue with --resume\n`);
      } else {
        const reasons: Record<string, string> = { solved: 'task solved', 'early-stopped': `no improvement for ${o.patience} epochs`, 'max-epochs': 'reached --epochs', 'time-limit': `reached --time-limit ${o.timeLimit} s; --resume with a larger --time-limit continues`, diverged: 'training diverged (non-finite loss or gradient)' };
        const why = reasons[p.stopped ?? 'max-epochs'] ?? p.stopped;
        say(`done after ${p.epoch} epochs (${why}) in ${p.seconds.toFixed(1)} s; best ${primary} ${fmt(primary, p.best)} at epoch ${p.bestEpoch}\n`);
      }
      if (f.json) process.stdout.write(JSON.stringify(result.final) + '\n');
      if (result.interrupted) process.exitCode = 130;
    });
}
