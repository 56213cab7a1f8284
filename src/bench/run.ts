// `plstm bench` without the command line: expands the settings into cases and times our model
// on each. The PyTorch and TF.js baselines are not part of the package: the repository's
// bench/run.ts (`npm run bench`) times them beside these cases in the same run.
import type { BuiltinCellKind } from '../cells/types.js';
import { COPY_TASK, GRID, STREAM_DEFAULTS, type BenchCase, type BenchMode } from './config.js';
import { trainBatchFlops, streamStepFlops } from './flops.js';
import { activationBytes } from './memory.js';
import { benchOurs, type OursResult } from './ours.js';

/** Every setting of a benchmark run; `resolveBenchOptions` fills the defaults. */
export interface BenchOptions {
  cells: BuiltinCellKind[];
  mode: BenchMode;
  batch: number[];
  steps: number[];
  hidden: number[];
  threads: number[];
  backend?: 'wasm' | 'js';
  /** Timed repetitions of ours (train: batches; infer-step: blocks of T steps). */
  reps: number;
  warmup: number;
  /** Run the BENCHMARKS.md grid instead of the given batch/steps/hidden/threads. */
  grid: boolean;
  /** Grid: skip cases whose estimated seconds per batch exceed this. */
  maxSeconds: number;
  /** Grid: skip cases whose activation memory exceeds this many bytes. */
  maxBytes: number;
  /** Grid: timed seconds to aim for per case (reps shrink to fit, at least 1). */
  budgetSeconds: number;
}

/** Defaults, in one place. */
export const BENCH_DEFAULTS = {
  cells: ['plstm', 'lstm'] as BuiltinCellKind[],
  threads: [1, 2],
  reps: { train: 5, 'infer-step': 10 },
  // infer-step: a step is microseconds, and V8 optimises the JS around the kernels only after
  // a few thousand calls (the first blocks ran 1.5-8x slower): 20 blocks (4,380 steps)
  warmup: { train: 1, 'infer-step': 20 },
  grid: { maxSeconds: 30, maxBytes: 2 * 1024 ** 3, budgetSeconds: 8, reps: 3 },
  /** Assumed GFLOP/s before any grid case has been measured (for the skip estimate). */
  assumedGflops: { wasm: 10, js: 1 },
} as const;

export function resolveBenchOptions(o: Partial<BenchOptions>): BenchOptions {
  const mode = o.mode ?? 'train';
  const grid = o.grid ?? false;
  return {
    cells: o.cells ?? [...BENCH_DEFAULTS.cells],
    mode,
    batch: o.batch ?? [mode === 'train' ? COPY_TASK.B : STREAM_DEFAULTS.B],
    steps: o.steps ?? [COPY_TASK.T],
    hidden: o.hidden ?? [COPY_TASK.H],
    threads: o.threads ?? [...BENCH_DEFAULTS.threads],
    backend: o.backend,
    reps: o.reps ?? (grid ? BENCH_DEFAULTS.grid.reps : BENCH_DEFAULTS.reps[mode]),
    warmup: o.warmup ?? BENCH_DEFAULTS.warmup[mode],
    grid,
    maxSeconds: o.maxSeconds ?? BENCH_DEFAULTS.grid.maxSeconds,
    maxBytes: o.maxBytes ?? BENCH_DEFAULTS.grid.maxBytes,
    budgetSeconds: o.budgetSeconds ?? BENCH_DEFAULTS.grid.budgetSeconds,
  };
}

/** A case left out, and why. */
export interface SkippedLine {
  source: 'skipped';
  what: string;
  reason: string;
}

/** A line of `plstm bench`: a timing of ours, or a case left out. */
export type BenchLine = OursResult | SkippedLine;

/** Everything the run printed, in order, and our timings alone. */
export interface BenchReport {
  lines: BenchLine[];
  ours: OursResult[];
}

function cases(o: BenchOptions): BenchCase[] {
  const Ts = o.grid ? [...GRID.T] : o.steps;
  const Hs = o.grid ? [...GRID.H] : o.hidden;
  const Bs = o.grid ? [...GRID.B] : o.batch;
  const threads = o.grid ? [...GRID.threads] : o.threads;
  const out: BenchCase[] = [];
  for (const T of Ts) for (const H of Hs) for (const B of Bs) for (const n of threads) for (const cell of o.cells) {
    out.push({ cell, mode: o.mode, B, T, H, I: COPY_TASK.I, O: COPY_TASK.O, threads: n, backend: o.backend });
  }
  return out;
}

function caseFlops(c: BenchCase): number {
  return c.mode === 'train' ? trainBatchFlops(c) : c.T * streamStepFlops(c);
}

function describe(c: BenchCase): string {
  return `${c.cell} ${c.mode} B=${c.B} T=${c.T} H=${c.H} threads=${c.threads}`;
}

/**
 * Runs the benchmark. `emit` gets every line as soon as it exists (so long runs show
 * progress); `progress` gets human notes about what is running.
 */
export async function runBench(opts: BenchOptions, emit: (l: BenchLine) => void,
  progress: (msg: string) => void = () => {}): Promise<BenchReport> {
  const lines: BenchLine[] = [];
  const out = (l: BenchLine): void => { lines.push(l); emit(l); };

  // Ours. The grid goes from cheap to expensive so that each skip estimate uses the rate
  // measured on the biggest case so far with the same cell, threads and H (the GEMM shapes,
  // hence the rate, depend most on H).
  const all = cases(opts);
  if (opts.grid) all.sort((a, b) => caseFlops(a) - caseFlops(b));
  const rateKey = (c: BenchCase): string => `${c.cell}/${c.threads}/${c.H}`;
  const lastRate = new Map<string, number>(); // rateKey -> GFLOP/s
  const ours: OursResult[] = [];
  for (const c of all) {
    if (opts.grid && c.mode === 'train') {
      const bytes = activationBytes(c);
      if (bytes > opts.maxBytes) {
        out({ source: 'skipped', what: describe(c), reason: `activations ${(bytes / 2 ** 30).toFixed(1)} GiB > --max-memory ${(opts.maxBytes / 2 ** 30).toFixed(1)} GiB` });
        continue;
      }
      const rate = lastRate.get(rateKey(c)) ?? BENCH_DEFAULTS.assumedGflops[opts.backend ?? 'wasm'];
      const est = caseFlops(c) / 1e9 / rate;
      if (est > opts.maxSeconds) {
        out({ source: 'skipped', what: describe(c), reason: `estimated ${est.toFixed(0)} s per batch at ${rate.toFixed(1)} GFLOP/s > --max-seconds ${opts.maxSeconds}` });
        continue;
      }
    }
    progress(`timing ${describe(c)}`);
    const r = benchOurs(c, {
      warmup: opts.warmup, reps: opts.reps,
      budgetSeconds: opts.grid ? opts.budgetSeconds : undefined,
    });
    if (c.mode === 'train') lastRate.set(rateKey(c), r.gflops);
    ours.push(r);
    out(r);
  }

    return { lines, ours };
}
