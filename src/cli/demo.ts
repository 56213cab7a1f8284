// `plstm demo` (what `npm start` runs): a pLSTM and an LSTM learn the copy task with a delay
// long enough that the LSTM cannot bridge it while the pLSTM does, then the two are printed
// side by side and saved. The default setting was chosen by measurement; see README.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { SequenceModel, createOptimizer } from '../model/index.js';
import { TASKS } from '../experiments/registry.js';
import { resolveOptions, type TrainOptions } from '../experiments/options.js';
import { RUN_FILES, hasResults, prepareFreshRunDir, writeJsonAtomic } from '../experiments/run-dir.js';
import { freshProgress, train, type TrainResult } from '../experiments/trainer.js';
import { fmt } from './progress.js';
import { optimizerSpec, runtimeOf } from './train.js';

/** The demo's setting: the copy task of Chien et al. with their optimiser, shortened to fit ~5 minutes. */
export const DEMO = {
  full: { delay: 100, hidden: 64, trainSamples: 2560, testSamples: 500, epochs: 30, batch: 64, lr: 3e-3, secondsPerModel: 140 },
  quick: { delay: 5, hidden: 16, trainSamples: 256, testSamples: 100, epochs: 2, batch: 32, lr: 3e-3, secondsPerModel: 20 },
  /** The LSTM baseline: forget-gate bias +1 at init (Gers et al. 2000; Jozefowicz et al. 2015). */
  lstmForgetBias: 1,
};

type Setting = typeof DEMO.full;

function int(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${what} must be a positive integer, got "${v}"`);
    return n;
  };
}

/** A fresh folder: `base`, or base-2, base-3, ... when earlier demos left results there. */
function freshFolder(base: string): string {
  if (!existsSync(base) || !hasResults(base) && !existsSync(join(base, 'summary.json'))) return base;
  for (let i = 2; ; i++) {
    const d = `${base}-${i}`;
    if (!existsSync(d) || !hasResults(d) && !existsSync(join(d, 'summary.json'))) return d;
  }
}

interface ModelRun {
  label: string;
  result: TrainResult;
  stoppedBy: string;
}

async function runOne(label: string, o: TrainOptions, out: string, seconds: number, quiet: boolean): Promise<ModelRun> {
  const prepared = TASKS.copy(o);
  prepareFreshRunDir(out, false);
  writeJsonAtomic(join(out, RUN_FILES.config), { options: o, model: prepared.modelConfig, data: prepared.describe });
  const model = SequenceModel.create(prepared.modelConfig, runtimeOf(o));
  try {
    const result = await train({ ...o, timeLimit: seconds }, prepared, model, createOptimizer(optimizerSpec(o)), out, freshProgress(), {
      onEpochEnd: (r) => {
        if (!quiet) {
          process.stdout.write(`  ${label.padEnd(6)} epoch ${String(r.epoch).padStart(2)}  loss ${fmt('loss', r.test_loss)}  ` +
            `acc ${fmt('acc', r.test_acc)}  seq_acc ${fmt('acc', r.test_seq_acc)}  ${r.seconds.toFixed(0)} s\n`);
        }
      },
    });
    const stoppedBy = { solved: 'solved (both accuracies >= 99.9%)', 'time-limit': `time limit ${seconds} s`, 'max-epochs': 'all epochs done' }[result.progress.stopped as string] ?? String(result.progress.stopped);
    return { label, result, stoppedBy };
  } finally {
    model.dispose();
  }
}

function table(rows: [string, string, string][]): string {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}   ${b.padEnd(w1)}   ${c}`).join('\n') + '\n';
}

export function registerDemo(program: Command): void {
  program.command('demo')
    .description('train a pLSTM and an LSTM on the copy task with a long delay and compare them (about 5 minutes on 2 cores)')
    .option('--out <dir>', 'results folder (a new one, e.g. results/demo-2, if it already holds results)', 'results/demo')
    .option('--quick', 'a tiny setting that runs in seconds (a smoke test, not a comparison)')
    .option('--delay <T>', 'copy-task delay T', int('--delay'))
    .option('--seconds <s>', 'time limit per model', int('--seconds'))
    .option('--backend <name>', 'wasm or js (default: wasm when it loads)')
    .option('--threads <n>', 'worker threads of the wasm backend', int('--threads'))
    .option('--json', 'end with one JSON line of the summary')
    .action(async (f: Record<string, unknown>) => {
      const s: Setting = { ...(f.quick ? DEMO.quick : DEMO.full) };
      if (f.delay !== undefined) s.delay = f.delay as number;
      if (f.seconds !== undefined) s.secondsPerModel = f.seconds as number;
      const common: Partial<TrainOptions> = {
        delay: s.delay, hidden: s.hidden, trainSamples: s.trainSamples, testSamples: s.testSamples, epochs: s.epochs,
        batch: s.batch, lr: s.lr, seed: 1,
        backend: (f.backend as 'wasm' | 'js' | undefined) ?? 'auto', threads: (f.threads as number | undefined) ?? null,
      };
      const oP = resolveOptions('copy', { ...common, cell: 'plstm' });
      const oL = resolveOptions('copy', { ...common, cell: 'lstm', forgetBias: DEMO.lstmForgetBias });
      const out = freshFolder(f.out as string);
      const quiet = Boolean(f.json);
      process.stdout.write(`copy task, delay T=${s.delay} (sequences of ${s.delay + 19} steps): remember 10 symbols, ` +
        `reproduce them after the marker. ${s.trainSamples} training / ${s.testSamples} test sequences, ` +
        `H=${s.hidden}, RMSprop lr ${s.lr}, batch ${s.batch}, at most ${s.epochs} epochs or ${s.secondsPerModel} s per model.\n` +
        `Chance: 12.5% of symbols, 0% of whole sequences. Results go to ${out}\n`);
      const runs: ModelRun[] = [];
      runs.push(await runOne('pLSTM', oP, join(out, 'plstm'), s.secondsPerModel, quiet));
      runs.push(await runOne('LSTM', oL, join(out, 'lstm'), s.secondsPerModel, quiet));
      const [P, L] = runs.map((r) => r.result.final);
      const pStat = (P.p as Record<string, number>[])[0];
      const rows: [string, string, string][] = [
        ['', 'pLSTM (learned p)', `LSTM (forget bias +${DEMO.lstmForgetBias})`],
        ['per-symbol accuracy', fmt('acc', P.test_acc), fmt('acc', L.test_acc)],
        ['whole-sequence accuracy', fmt('acc', P.test_seq_acc), fmt('acc', L.test_seq_acc)],
        ['best per-symbol accuracy', fmt('acc', P.best_acc), fmt('acc', L.best_acc)],
        ['test loss (chance ' + fmt('loss', P.chance_loss) + ')', fmt('loss', P.test_loss), fmt('loss', L.test_loss)],
        ['training steps', String(P.global_step), String(L.global_step)],
        ['time', `${P.seconds} s`, `${L.seconds} s`],
        ['stopped by', runs[0].stoppedBy, runs[1].stoppedBy],
        ['learned p (median, range)', `${pStat.median.toFixed(3)} (${pStat.min.toFixed(3)}..${pStat.max.toFixed(3)})`, '-'],
      ];
      process.stdout.write('\n' + table(rows));
      const summary = {
        task: 'copy', delay: s.delay, setting: s, lstm_forget_bias: DEMO.lstmForgetBias,
        plstm: { ...P, stopped_by: runs[0].stoppedBy }, lstm: { ...L, stopped_by: runs[1].stoppedBy },
      };
      writeJsonAtomic(join(out, 'summary.json'), summary);
      process.stdout.write(`\nsaved ${join(out, 'summary.json')} (and each model's run folder: metrics.jsonl, checkpoints)\n`);
      if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
    });
}
