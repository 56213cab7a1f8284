// `plstm bench`: seconds per training batch (or per streaming step) of our model, with the
// PyTorch and TF.js baselines timed in the same run, their ratios and the speed targets.
import type { Command } from 'commander';
import type { BuiltinCellKind } from '../cells/types.js';
import { formatReport } from '../bench/format.js';
import { runForecastBench } from '../bench/forecast.js';
import { runTfjsLayerBench } from '../bench/tfjs-layer.js';
import { resolveBenchOptions, runBench, type BaselineName, type BenchLine, type BenchOptions } from '../bench/run.js';
import { UsageError } from './usage-error.js';

interface RawBenchFlags {
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
function intList(flag: string, v: string | undefined, max = 1e9): number[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim());
  const nums = items.map(Number);
  if (items.length === 0 || nums.some((n, i) => items[i] === '' || !Number.isInteger(n) || n < 1 || n > max)) {
    throw new UsageError(`--${flag} must be a positive integer or a comma-separated list of them (got "${v}")`);
  }
  return nums;
}

function oneInt(flag: string, v: string | undefined, min: number): number | undefined {
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

function choiceList<T extends string>(flag: string, v: string | undefined, allowed: readonly T[]): T[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = items.filter((s) => !allowed.includes(s as T));
  if (items.length === 0 || bad.length > 0) {
    throw new UsageError(`--${flag} takes a comma-separated list of ${allowed.join(', ')} (got "${v}")`);
  }
  return [...new Set(items)] as T[];
}

/** A forecast or TF.js layer bench record as one human line. */
function formatForecastLine(l: Record<string, unknown>): string {
  return Object.entries(l).map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toPrecision(4)) : String(v)}`).join('  ');
}

/** Checks the flags and turns them into BenchOptions (defaults filled in). */
export function benchOptionsFromFlags(f: RawBenchFlags): BenchOptions {
  const mode = f.mode;
  if (mode !== undefined && mode !== 'train' && mode !== 'infer-step') {
    throw new UsageError(`--mode must be "train", "infer-step", "forecast" or "tfjs-layer" (got "${mode}")`);
  }
  const backend = f.backend;
  if (backend !== undefined && backend !== 'wasm' && backend !== 'js') {
    throw new UsageError(`--backend must be "wasm" or "js" (got "${backend}")`);
  }
  let baselines: BaselineName[] | undefined;
  if (f.baselines !== undefined) {
    baselines = f.baselines.trim() === 'none' ? [] : choiceList('baselines', f.baselines, ['torch', 'tfjs'] as const);
  }
  const grid = f.grid ?? false;
  if (grid && (f.batch !== undefined || f.steps !== undefined || f.hidden !== undefined || f.threads !== undefined)) {
    throw new UsageError('--grid runs its own B, T, H and thread counts: drop --batch, --steps, --hidden and --threads');
  }
  if (grid && baselines !== undefined && baselines.length > 0) {
    throw new UsageError('--grid times our model only (baselines at T = 10,000 take hours): use --baselines none or run them without --grid');
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
    baselines,
    grid,
    maxSeconds: onePositive('max-seconds', f.maxSeconds),
    maxBytes: maxMemoryGiB === undefined ? undefined : maxMemoryGiB * 2 ** 30,
  });
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('Time training batches (or streaming steps) of the pLSTM and LSTM against PyTorch and TF.js.')
    .option('--cell <list>', 'cells to time: plstm, lstm or both', 'plstm,lstm')
    .option('--mode <mode>', '"train" (seconds per training batch), "infer-step" (seconds per streaming step) "forecast" (a forecaster epoch at lookback 365 against TF.js, and update() + a 30-step forecast) or "tfjs-layer" (model.fit of one batch with our TF.js layers against tf.layers.lstm)', 'train')
    .option('--batch <list>', 'B, one or more (default 128 for train, 1 for infer-step)')
    .option('--steps <list>', 'T, one or more (infer-step: steps timed per repetition) (default 219)')
    .option('--hidden <list>', 'H, one or more (default 128)')
    .option('--threads <list>', 'thread counts, for ours and PyTorch (default 1,2)')
    .option('--backend <name>', 'wasm or js (default: wasm when it loads)')
    .option('--reps <n>', 'timed repetitions of ours (default 5 train, 10 infer-step, 3 grid)')
    .option('--warmup <n>', 'untimed repetitions first (default 1 train, 20 infer-step)')
    .option('--baselines <list>', 'torch,tfjs, torch, tfjs or none (default: torch,tfjs when installed; torch for infer-step; none with --grid)')
    .option('--grid', 'run the BENCHMARKS.md grid: T 100/1000/10000 x H 64..512 x B 1/16/128 x threads 1/2')
    .option('--max-seconds <s>', '--grid: skip cases estimated to take longer per batch (default 30)')
    .option('--max-memory <GiB>', '--grid: skip cases whose activations exceed this (default 2)')
    .option('--json', 'one JSON line per measurement, then one ratios line per shape with baselines')
    .action(async (flags: RawBenchFlags) => {
      const json = flags.json ?? false;
      if (flags.mode === 'forecast') {
        await runForecastBench({}, (l) => process.stdout.write(json ? `${JSON.stringify(l)}\n` : `${formatForecastLine(l)}\n`),
          (msg) => { if (!json) process.stderr.write(`${msg}\n`); });
        return;
      }
      if (flags.mode === 'tfjs-layer') {
        runTfjsLayerBench({
          batch: intList('batch', flags.batch)?.[0], steps: intList('steps', flags.steps)?.[0],
          hidden: intList('hidden', flags.hidden, 65536)?.[0], reps: oneInt('reps', flags.reps, 1),
        }, (l) => process.stdout.write(json ? `${JSON.stringify(l)}\n` : `${formatForecastLine(l)}\n`),
        (msg) => { if (!json) process.stderr.write(`${msg}\n`); });
        return;
      }
      const opts = benchOptionsFromFlags(flags);
      const emit = (l: BenchLine): void => {
        if (json) process.stdout.write(`${JSON.stringify(l)}\n`);
      };
      const progress = (msg: string): void => {
        if (!json) process.stderr.write(`${msg}\n`);
      };
      const report = await runBench(opts, emit, progress);
      if (!json) process.stdout.write(`${formatReport(report.lines)}\n`);
    });
}
