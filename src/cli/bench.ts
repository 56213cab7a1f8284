// `plstm bench`: seconds per training batch (or per streaming step) of our model. The PyTorch
// and TF.js baselines are not in the package: the repository's `npm run bench` (bench/run.ts)
// takes the same flags and times them in the same run; asked for one, this command says so.
import type { Command } from 'commander';
import type { BuiltinCellKind } from '../cells/types.js';
import { formatReport } from '../bench/format.js';
import { runForecastBench } from '../bench/forecast.js';
import { resolveBenchOptions, runBench, type BenchLine, type BenchOptions } from '../bench/run.js';
import { UsageError } from './usage-error.js';

/** The flags of `plstm bench` (and of `npm run bench`), as commander gives them. */
export interface RawBenchFlags {
  cell?: string;
  mode?: string;
  batch?: string;
  steps?: string;
  hidden?: string;
  threads?: string;
  backend?: string;
  reps?: string;
  warmup?: string;
  baselines?: string;
  grid?: boolean;
  maxSeconds?: string;
  maxMemory?: string;
  json?: boolean;
}

/** "1,2,4" -> [1, 2, 4], every item a positive integer. */
export function intList(flag: string, v: string | undefined, max = 1e9): number[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim());
  const nums = items.map(Number);
  if (items.length === 0 || nums.some((n, i) => items[i] === '' || !Number.isInteger(n) || n < 1 || n > max)) {
    throw new UsageError(`--${flag} must be a positive integer or a comma-separated list of them (got "${v}")`);
  }
  return nums;
}

export function oneInt(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min) {
    throw new UsageError(`--${flag} must be an integer >= ${min} (got "${v}")`);
  }
  return n;
}

function onePositive(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a number > 0 (got "${v}")`);
  return n;
}

export function choiceList<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = items.filter((s) => !allowed.includes(s as T));
  if (items.length === 0 || bad.length > 0) {
    throw new UsageError(`--${flag} takes a comma-separated list of ${allowed.join(', ')} (got "${v}")`);
  }
  return [...new Set(items)] as T[];
}

/** A forecast or TF.js layer bench record as one human line. */
export function formatForecastLine(l: Record<string, unknown>): string {
  return Object.entries(l).map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(4)) : String(v)}`).join('  ');
}

/** Checks the flags of our timings and turns them into BenchOptions (defaults filled in). */
export function benchOptionsFromFlags(f: RawBenchFlags): BenchOptions {
  const mode = f.mode;
  if (mode !== undefined && mode !== 'train' && mode !== 'infer-step') {
    throw new UsageError(`--mode must be "train", "infer-step", "forecast" or "tfjs-layer" (got "${mode}")`);
  }
  const backend = f.backend;
  if (backend !== undefined && backend !== 'wasm' && backend !== 'js') {
    throw new UsageError(`--backend must be "wasm" or "js" (got "${backend}")`);
  }
  const grid = f.grid ?? false;
  if (grid && (f.batch !== undefined || f.steps !== undefined || f.hidden !== undefined || f.threads !== undefined)) {
    throw new UsageError('--grid runs its own B, T, H and thread counts: drop --batch, --steps, --hidden and --threads');
  }
  const maxMemoryGiB = onePositive('max-memory', f.maxMemory);
  return resolveBenchOptions({
    cells: choiceList<BuiltinCellKind>('cell', f.cell, ['plstm', 'lstm'] as const),
    mode: mode as BenchOptions['mode'] | undefined,
    batch: intList('batch', f.batch),
    steps: intList('steps', f.steps),
    hidden: intList('hidden', f.hidden, 65536),
    threads: intList('threads', f.threads, 256),
    backend: backend as BenchOptions['backend'],
    reps: oneInt('reps', f.reps, 1),
    warmup: oneInt('warmup', f.warmup, 0),
    grid,
    maxSeconds: onePositive('max-seconds', f.maxSeconds),
    maxBytes: maxMemoryGiB === undefined ? undefined : maxMemoryGiB * 2 ** 30,
  });
}

/** The baselines are timed from a clone of the repository, never by the installed package. */
function baselinesElsewhere(what: string): UsageError {
  const i = process.argv.indexOf('bench');
  const same = i < 0 ? '' : process.argv.slice(i + 1).join(' ');
  return new UsageError(`${what}: the comparisons with PyTorch and TF.js are not part of the package; from a clone of the repository run npm run bench -- ${same}`.trimEnd());
}

/** Throws the one-line error of a flag that asks for a comparison the package cannot run. */
export function refuseComparisons(flags: RawBenchFlags): void {
  if (flags.baselines !== undefined && flags.baselines.trim() !== 'none') {
    choiceList('baselines', flags.baselines, ['torch', 'tfjs'] as const);
    throw baselinesElsewhere(`--baselines ${flags.baselines}`);
  }
  if (flags.mode === 'tfjs-layer') throw baselinesElsewhere('--mode tfjs-layer');
}

/** Adds the flags shared by `plstm bench` and `npm run bench` to `cmd`. */
export function addBenchFlags(cmd: Command): Command {
  return cmd
    .option('--cell <list>', 'cells to time: plstm, lstm or both', 'plstm,lstm')
    .option('--mode <mode>', '"train" (seconds per training batch), "infer-step" (seconds per streaming step), "forecast" (a forecaster epoch at lookback 365, and update() + a 30-step forecast) or, with npm run bench only, "tfjs-layer" (model.fit of one batch with our TF.js layers against tf.layers.lstm)', 'train')
    .option('--batch <list>', 'B, one or more (default 128 for train, 1 for infer-step)')
    .option('--steps <list>', 'T, one or more (infer-step: steps timed per repetition) (default 219)')
    .option('--hidden <list>', 'H, one or more (default 128)')
    .option('--threads <list>', 'thread counts, for ours and PyTorch (default 1,2)')
    .option('--backend <name>', 'wasm or js (default: wasm when it loads)')
    .option('--reps <n>', 'timed repetitions of ours (default 5 train, 10 infer-step, 3 grid)')
    .option('--warmup <n>', 'untimed repetitions first (default 1 train, 20 infer-step)')
    .option('--baselines <list>', 'npm run bench only: torch,tfjs, torch, tfjs or none (default torch,tfjs; torch for infer-step; none with --grid)')
    .option('--grid', 'run the BENCHMARKS.md grid: T 100/1000/10000 x H 64..512 x B 1/16/128 x threads 1/2')
    .option('--max-seconds <s>', '--grid: skip cases estimated to take longer per batch (default 30)')
    .option('--max-memory <GiB>', '--grid: skip cases whose activations exceed this (default 2)')
    .option('--json', 'one JSON line per measurement');
}

export function registerBench(program: Command): void {
  addBenchFlags(program
    .command('bench')
    .description('Time training batches (or streaming steps) of the pLSTM and LSTM; the PyTorch and TF.js baselines run from a clone with npm run bench.'))
    .action(async (flags: RawBenchFlags) => {
      const json = flags.json ?? false;
      refuseComparisons(flags);
      const progress = (msg: string): void => {
        if (!json) process.stderr.write(`${msg}\n`);
      };
      if (flags.mode === 'forecast') {
        await runForecastBench({}, (l) => process.stdout.write(json ? `${JSON.stringify(l)}\n` : `${formatForecastLine(l)}\n`), progress);
        return;
      }
      const opts = benchOptionsFromFlags(flags);
      const emit = (l: BenchLine): void => {
        if (json) process.stdout.write(`${JSON.stringify(l)}\n`);
      };
      const report = await runBench(opts, emit, progress);
      if (!json) process.stdout.write(`${formatReport(report.lines)}\n`);
    });
}
