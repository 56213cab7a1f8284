// `plstm bench` without the command line: expands the settings into cases, times ours, then
// the baselines (one after the other: they share the cores), and builds the ratios.
import type { BuiltinCellKind } from '../cells/types.js';
import { COPY_TASK, GRID, STREAM_DEFAULTS, type BenchCase, type BenchMode } from './config.js';
import { trainBatchFlops, streamStepFlops } from './flops.js';
import { activationBytes } from './memory.js';
import { benchOurs, type OursResult } from './ours.js';
import {
  defaultTorchImpls, runTfjsBaseline, runTorchBaseline, type BaselineResult, type BaselineShape,
} from './baselines.js';
import { compare, type RatiosLine } from './compare.js';

export type BaselineName = 'torch' | 'tfjs';

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
  baselines: BaselineName[];
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
  baselines: ['torch', 'tfjs'] as BaselineName[],
  /**
   * PyTorch repetitions (at most) and warm-up batches (TorchScript optimises during the first
   * calls); streaming gets as many warm-up blocks as ours.
   */
  torch: { reps: 5, warmup: { train: 2, 'infer-step': 20 } },
  /** TF.js takes seconds per batch: few repetitions. */
  tfjs: { reps: 2, warmup: 1 },
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
    // TF.js has no streaming step here: infer-step compares with PyTorch only
    baselines: o.baselines ?? (grid ? [] : mode === 'train' ? [...BENCH_DEFAULTS.baselines] : ['torch']),
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

/** A baseline line with the same FLOP accounting as ours. */
export type BaselineLine = BaselineResult & { gflop: number; gflops: number };

export type BenchLine = OursResult | BaselineLine | RatiosLine | SkippedLine;

/** Everything the run printed, in order. */
export interface BenchReport {
  lines: BenchLine[];
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

function withFlops(b: BaselineResult): BaselineLine {
  const cell: BuiltinCellKind = b.impl.startsWith('plstm') ? 'plstm' : 'lstm';
  const shape = { cell, B: b.B, T: b.T, H: b.H, I: b.I, O: b.O };
  const flops = b.mode === 'train' ? trainBatchFlops(shape) : streamStepFlops(shape);
  return { ...b, gflop: flops / 1e9, gflops: flops / 1e9 / b.median_s };
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

  // Baselines, one shape at a time.
  const baselines: BaselineResult[] = [];
  const shapes = new Map<string, BaselineShape>();
  for (const r of ours) {
    shapes.set(`${r.B}/${r.T}/${r.H}`, { mode: r.mode, B: r.B, T: r.T, H: r.H, I: r.I, O: r.O });
  }
  for (const s of shapes.values()) {
    const tag = `B=${s.B} T=${s.T} H=${s.H}`;
    const impls = defaultTorchImpls(s.mode).filter((i) => opts.cells.some((c) => i.startsWith(`${c}-`)));
    if (opts.baselines.includes('torch') && impls.length > 0) {
      progress(`timing PyTorch (${impls.join(', ')}) at ${tag}, threads ${opts.threads.join(', ')}`);
      const r = await runTorchBaseline(s, {
        impls, threads: opts.threads,
        reps: Math.min(opts.reps, BENCH_DEFAULTS.torch.reps), warmup: BENCH_DEFAULTS.torch.warmup[s.mode],
      });
      for (const b of r.results) { baselines.push(b); out(withFlops(b)); }
      if (r.skipped) out({ source: 'skipped', what: `torch ${tag}`, reason: r.skipped });
    }
    if (opts.baselines.includes('tfjs')) {
      progress(`timing TF.js tf.layers.lstm (wasm) at ${tag}: seconds per batch`);
      const r = await runTfjsBaseline(s, { ...BENCH_DEFAULTS.tfjs });
      for (const b of r.results) { baselines.push(b); out(withFlops(b)); }
      if (r.skipped) out({ source: 'skipped', what: `tfjs ${tag}`, reason: r.skipped });
    }
  }
  for (const l of compare(ours, baselines)) out(l);
  return { lines };
}
