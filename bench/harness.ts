// The baselines beside our timings: for every shape ours ran at, PyTorch and TF.js in their
// own processes (one after the other: they share the cores), each line with the same FLOP
// accounting as ours, then one ratios line per shape.
import type { BuiltinCellKind } from '../src/cells/types.js';
import { streamStepFlops, trainBatchFlops } from '../src/bench/flops.js';
import type { OursResult } from '../src/bench/ours.js';
import type { BenchOptions, SkippedLine } from '../src/bench/run.js';
import { choiceList } from '../src/cli/bench.js';
import { UsageError } from '../src/cli/usage-error.js';
import {
  defaultTorchImpls, runTfjsBaseline, runTorchBaseline, type BaselineResult, type BaselineShape,
} from './baselines.js';
import { compare, type RatiosLine } from './compare.js';

export type BaselineName = 'torch' | 'tfjs';

/** Repetitions of the baselines, in one place. */
export const BASELINE_DEFAULTS = {
  /**
   * PyTorch repetitions (at most) and warm-up batches (TorchScript optimises during the first
   * calls); streaming gets as many warm-up blocks as ours.
   */
  torch: { reps: 5, warmup: { train: 2, 'infer-step': 20 } },
  /** TF.js takes seconds per batch: few repetitions. */
  tfjs: { reps: 2, warmup: 1 },
} as const;

/** The baselines `--baselines` asks for, or the defaults of the mode (none with --grid). */
export function baselinesOf(flag: string | undefined, mode: string, grid: boolean): BaselineName[] {
  if (flag === undefined) return grid ? [] : mode === 'train' ? ['torch', 'tfjs'] : ['torch'];
  const asked = flag.trim() === 'none' ? [] : choiceList('baselines', flag, ['torch', 'tfjs'] as const)!;
  if (grid && asked.length > 0) {
    throw new UsageError('--grid times our model only (baselines at T = 10,000 take hours): use --baselines none or run them without --grid');
  }
  return asked;
}

/** A baseline line with the same FLOP accounting as ours. */
export type BaselineLine = BaselineResult & { gflop: number; gflops: number };

/** What the baselines add to a report. */
export type BaselineReportLine = BaselineLine | RatiosLine | SkippedLine;

function withFlops(b: BaselineResult): BaselineLine {
  const cell: BuiltinCellKind = b.impl.startsWith('plstm') ? 'plstm' : 'lstm';
  const shape = { cell, B: b.B, T: b.T, H: b.H, I: b.I, O: b.O };
  const flops = b.mode === 'train' ? trainBatchFlops(shape) : streamStepFlops(shape);
  return { ...b, gflop: flops / 1e9, gflops: flops / 1e9 / b.median_s };
}

/** Times `baselines` at every shape of `ours`; `emit` gets each line as soon as it exists. */
export async function runBaselines(ours: OursResult[], opts: BenchOptions, baselines: BaselineName[],
  emit: (l: BaselineReportLine) => void, progress: (msg: string) => void): Promise<BaselineReportLine[]> {
  const lines: BaselineReportLine[] = [];
  const out = (l: BaselineReportLine): void => { lines.push(l); emit(l); };
  const timed: BaselineResult[] = [];
  const shapes = new Map<string, BaselineShape>();
  for (const r of ours) shapes.set(`${r.B}/${r.T}/${r.H}`, { mode: r.mode, B: r.B, T: r.T, H: r.H, I: r.I, O: r.O });
  for (const s of shapes.values()) {
    const tag = `B=${s.B} T=${s.T} H=${s.H}`;
    const impls = defaultTorchImpls(s.mode, opts.cells);
    if (baselines.includes('torch') && impls.length > 0) {
      progress(`timing PyTorch (${impls.join(', ')}) at ${tag}, threads ${opts.threads.join(', ')}`);
      const r = await runTorchBaseline(s, {
        impls, threads: opts.threads,
        reps: Math.min(opts.reps, BASELINE_DEFAULTS.torch.reps), warmup: BASELINE_DEFAULTS.torch.warmup[s.mode],
      });
      for (const b of r.results) { timed.push(b); out(withFlops(b)); }
      if (r.skipped) out({ source: 'skipped', what: `torch ${tag}`, reason: r.skipped });
    }
    if (baselines.includes('tfjs')) {
      progress(`timing TF.js tf.layers.lstm (wasm) at ${tag}: seconds per batch`);
      const r = await runTfjsBaseline(s, { ...BASELINE_DEFAULTS.tfjs });
      for (const b of r.results) { timed.push(b); out(withFlops(b)); }
      if (r.skipped) out({ source: 'skipped', what: `tfjs ${tag}`, reason: r.skipped });
    }
  }
  for (const l of compare(ours, timed)) out(l);
  return lines;
}
