// `plstm demo` (what `npm start` runs): a pLSTM and an LSTM learn the copy task with a delay
// long enough that the LSTM cannot bridge it while the pLSTM does, then the two are printed
// side by side and saved. The default setting was chosen by measurement; see README.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../errors.js';
import { hasResults, writeJsonAtomic } from '../experiments/run-dir.js';
import { fmt } from './progress.js';

/** The demo's setting: the copy task of Chien et al. with their optimiser, shortened to fit ~5 minutes. */
export const DEMO = {
  // Chosen by measurement (EXPERIMENTS.md, "Demo settings"), one core per model: at T = 100 with
  // RMSprop lr 0.02 and p's theta ~ U(-4, 4), 128 units learn far more per step than 64 (98.5%
  // per symbol after 2,500 steps against 92% after 6,700 in the same 240 s); halving the lr after
  // 4 epochs lets it settle. 20,000 training sequences (each seen a few times at most) keep test
  // accuracy close to training accuracy. Both models get the same epoch budget (8 epochs = 5,000
  // steps) under the same time cap; the step counts each one reached are printed.
  full: {
    delay: 100, hidden: 128, trainSamples: 20000, testSamples: 500, epochs: 8, batch: 32, lr: 0.02,
    lrSchedule: 'step', lrStep: 4, lrDecay: 0.5, pInit: 'range', secondsPerModel: 270,
  },
  quick: {
    delay: 5, hidden: 16, trainSamples: 256, testSamples: 100, epochs: 2, batch: 32, lr: 3e-3,
    lrSchedule: 'constant', lrStep: 10, lrDecay: 0.5, pInit: 'uniform', secondsPerModel: 20,
  },
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
  final: Record<string, unknown>;
  stoppedBy: string;
}

/**
 * Trains one model in a child `plstm train` process (one thread each, so the two models train
 * side by side on two cores) and relays its epoch lines with a label. The child runs with
 * --json: its stdout is the final JSON line, its epoch lines come on stderr.
 */
function runChild(label: string, args: string[], quiet: boolean): Promise<ModelRun> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'train', ...args, '--quiet', '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '', partial = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) if (!quiet && l.startsWith('epoch ')) process.stdout.write(`  ${label.padEnd(6)} ${l}\n`);
  });
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new ConfigError(`the ${label} run failed (exit ${code}): ${err.trim().split('\n').pop() ?? ''}`));
        return;
      }
      const final = JSON.parse(last) as Record<string, unknown>;
      const stoppedBy = ({ solved: 'solved (both accuracies >= 99.9%)', 'time-limit': 'time limit', 'max-epochs': 'all epochs done' } as Record<string, string>)[final.stopped as string] ?? String(final.stopped);
      resolve({ label, final, stoppedBy });
    });
  });
}

function table(rows: [string, string, string][]): string {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}   ${b.padEnd(w1)}   ${c}`).join('\n') + '\n';
}

/** One honest sentence about what this run measured (not what the demo was tuned to show). */
export function verdict(P: Record<string, unknown>, L: Record<string, unknown>, delay: number): string {
  const acc = (r: Record<string, unknown>) => Number(r.test_acc), seq = (r: Record<string, unknown>) => Number(r.test_seq_acc);
  const said = (name: string, r: Record<string, unknown>) => r.stopped === 'solved'
    ? `the ${name} solved the task (>= 99.9% per symbol and per sequence) after ${r.global_step} steps`
    : `the ${name} copied ${fmt('acc', r.test_acc)} of the symbols and ${fmt('acc', r.test_seq_acc)} of whole sequences ` +
      `after ${r.global_step} steps`;
  const learned = (r: Record<string, unknown>) => acc(r) >= 0.9 && seq(r) >= 0.5;
  const atChance = (r: Record<string, unknown>) => acc(r) < 0.25;
  const conclusion = learned(P) && atChance(L) ? `in this run the pLSTM bridged the delay of ${delay} steps and the LSTM did not`
    : learned(P) && learned(L) ? 'in this run both models learned the task'
    : !learned(P) && !learned(L) ? 'in this run neither model learned the task well'
    : learned(L) ? 'in this run the LSTM did better than the pLSTM'
    : 'in this run the pLSTM learned the task and the LSTM only partly';
  const [sp, sl] = [Number(P.global_step), Number(L.global_step)];
  const fewer = sl < 0.8 * sp && L.stopped !== 'solved'
    ? ` (note: the LSTM ran fewer steps, ${sl} against ${sp}, in the same time)` : '';
  return `T${said('pLSTM', P).slice(1)}; ${said('LSTM', L)}${fewer}. Guessing gets 12.5% and 0%: ${conclusion}.`;
}

export function registerDemo(program: Command): void {
  program.command('demo')
    .description('train a pLSTM and an LSTM on the copy task with a long delay and compare them (about 5 minutes on 2 cores)')
    .option('--out <dir>', 'results folder (a new one, e.g. results/demo-2, if it already holds results)', 'results/demo')
    .option('--quick', 'a tiny setting that runs in seconds (a smoke test, not a comparison)')
    .option('--delay <T>', 'copy-task delay T', int('--delay'))
    .option('--seconds <s>', 'time limit per model', int('--seconds'))
    .option('--seed <n>', 'seed of initialisation and data (default 1)', int('--seed'))
    .option('--backend <name>', 'wasm or js (default: wasm when it loads)')
    .option('--json', 'end with one JSON line of the summary')
    .action(async (f: Record<string, unknown>) => {
      const s: Setting = { ...(f.quick ? DEMO.quick : DEMO.full) };
      if (f.delay !== undefined) s.delay = f.delay as number;
      if (f.seconds !== undefined) s.secondsPerModel = f.seconds as number;
      const out = freshFolder(f.out as string);
      const quiet = Boolean(f.json);
      // with --json, stdout carries only the summary line; the human lines go to stderr
      const say = (text: string) => (f.json ? process.stderr : process.stdout).write(text);
      const args = ['--task', 'copy', '--delay', String(s.delay), '--hidden', String(s.hidden),
        '--train-samples', String(s.trainSamples), '--test-samples', String(s.testSamples), '--epochs', String(s.epochs),
        '--batch', String(s.batch), '--lr', String(s.lr), '--lr-schedule', s.lrSchedule, '--lr-step', String(s.lrStep),
        '--lr-decay', String(s.lrDecay), '--seed', String(f.seed ?? 1), '--time-limit', String(s.secondsPerModel), '--threads', '1'];
      if (f.backend) args.push('--backend', f.backend as string);
      const stepsPerEpoch = Math.ceil(s.trainSamples / s.batch);
      const schedule = s.lrSchedule === 'step' ? ` (halved every ${s.lrStep} epochs)` : '';
      say(`copy task, delay T=${s.delay} (sequences of ${s.delay + 19} steps): remember 10 symbols, ` +
        `reproduce them after the marker. ${s.trainSamples} training / ${s.testSamples} test sequences, ` +
        `H=${s.hidden}, RMSprop lr ${s.lr}${schedule}, batch ${s.batch}, clip 1. Each model trains on its own core ` +
        `for ${s.epochs} epochs (${s.epochs * stepsPerEpoch} steps), at most ${s.secondsPerModel} s, stopping early if solved.\n` +
        `Chance: 12.5% of symbols, 0% of whole sequences. Results go to ${out}\n`);
      mkdirSync(out, { recursive: true });
      const runs = await Promise.all([
        runChild('pLSTM', [...args, '--cell', 'plstm', '--p-init', s.pInit, '--out', join(out, 'plstm')], quiet),
        runChild('LSTM', [...args, '--cell', 'lstm', '--forget-bias', String(DEMO.lstmForgetBias), '--out', join(out, 'lstm')], quiet),
      ]);
      const [P, L] = runs.map((r) => r.final);
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
      say('\n' + table(rows));
      say('\n' + verdict(P, L, s.delay) + '\n');
      const summary = {
        task: 'copy', delay: s.delay, seed: f.seed ?? 1, setting: s, lstm_forget_bias: DEMO.lstmForgetBias,
        plstm: { ...P, stopped_by: runs[0].stoppedBy }, lstm: { ...L, stopped_by: runs[1].stoppedBy },
      };
      writeJsonAtomic(join(out, 'summary.json'), summary);
      say(`\nsaved ${join(out, 'summary.json')} (and each model's run folder: metrics.jsonl, checkpoints)\n`);
      if (f.json) process.stdout.write(JSON.stringify(summary) + '\n');
    });
}
