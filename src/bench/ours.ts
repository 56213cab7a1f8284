// Times our model through the public model API: SequenceModel.trainStep for a training
// batch, SequenceModel.step for streaming inference.
import { loadavg } from 'node:os';
import { SequenceModel, createOptimizer, TrainingDivergedError } from '../model/index.js';
import type { ModelConfig } from '../model/index.js';
import { TRAIN_SETTINGS, type BenchCase } from './config.js';
import { recurrentGemmFlops, streamStepFlops, trainBatchFlops } from './flops.js';
import { activationLayout } from './memory.js';
import { median, timeRuns } from './timing.js';

/** One JSON line of `plstm bench`: our model at one configuration. */
export interface OursResult {
  source: 'plstm';
  cell: BenchCase['cell'];
  mode: BenchCase['mode'];
  /** The backend the model actually ran on (e.g. 'wasm-simd', 'js-float32'). */
  backend: string;
  B: number; T: number; H: number; I: number; O: number;
  threads: number;
  reps: number;
  warmup: number;
  /** Median seconds per training batch ('train') or per streaming step ('infer-step'). */
  median_s: number;
  min_s: number;
  /** train: seconds of each batch; infer-step: seconds per step of each block of T steps. */
  times_s: number[];
  /** FLOPs of one batch (train) or one step of B rows (infer-step), per src/bench/flops.ts. */
  gflop: number;
  /** gflop / median_s */
  gflops: number;
  /** train: the recurrent GEMMs' share of gflop, and their rate. */
  gemm_gflop?: number;
  /** Activation bytes of a training batch from the kernels' buffer layout (src/bench/memory.ts). */
  activation_bytes?: number;
  /** The part of activation_bytes that lives in the wasm heap (compare measured_activation_bytes). */
  activation_heap_bytes?: number;
  /**
   * Measured, when the backend reports its memory (the wasm backend does): peak bytes of its
   * heap during the timed batches minus the bytes in use before the first one (weights).
   * Includes the optimizer state (one float per parameter for RMSprop).
   */
  measured_activation_bytes?: number;
  /** train: loss and gradient norm (before clipping) of the last timed batch. */
  loss?: number;
  grad_norm?: number;
  /** train: every timed batch had a finite loss and gradient. */
  finite?: boolean;
  /** Peak resident memory of this whole process so far (all configurations run before it). */
  max_rss_bytes: number;
  /** The machine's 1-minute load average when the timing ended (other work skews timings). */
  load1: number;
}

/** Knobs of one timing. */
export interface TimingOptions {
  warmup: number;
  reps: number;
  /**
   * If set, the first warm-up run is timed and reps is lowered so that the timed runs take
   * about this many seconds (at least 1 rep): how --grid keeps big configurations affordable.
   */
  budgetSeconds?: number;
  seed?: number;
}

/** Deterministic token ids in 0..vocab-1 (timings do not depend on the content). */
export function syntheticIds(n: number, vocab: number, seed: number): Int32Array {
  let s = (seed * 2654435761 + 1) >>> 0;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s % vocab;
  }
  return out;
}

function modelConfig(c: BenchCase, seed: number): ModelConfig {
  return {
    input: { kind: 'onehot', size: c.I },
    layers: [{ cell: c.cell, hidden: c.H }],
    head: { size: c.O, steps: 'all' },
    loss: 'xent',
    seed,
  };
}

/** How many timed reps fit the budget, given the seconds of one warm-up run. */
function repsWithin(budget: number | undefined, oneRun: number, reps: number): number {
  if (budget === undefined || !(oneRun > 0)) return reps;
  return Math.max(1, Math.min(reps, Math.floor(budget / oneRun)));
}

/** The wasm backend's memoryStats(), when the model's backend has one. */
function heapStats(model: SequenceModel): { usedBytes: number; peakBytes: number } | null {
  const b = model.backend as { memoryStats?: () => { usedBytes: number; peakBytes: number } };
  return typeof b.memoryStats === 'function' ? b.memoryStats() : null;
}

function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Seconds per training batch of our model at one configuration. */
export function benchOursTrain(c: BenchCase, t: TimingOptions): OursResult {
  const seed = t.seed ?? 1;
  const model = SequenceModel.create(modelConfig(c, seed), { backend: c.backend, threads: c.threads });
  try {
    const opt = createOptimizer({ kind: 'rmsprop', lr: TRAIN_SETTINGS.lr, alpha: TRAIN_SETTINGS.alpha });
    const batch = {
      B: c.B, T: c.T,
      x: syntheticIds(c.B * c.T, c.I, seed), // [B, T]
      y: syntheticIds(c.B * c.T, c.O, seed + 1), // [B, T]
    };
    const heapBefore = heapStats(model);
    let loss = NaN, gradNorm = NaN, finite = true;
    const one = (): void => {
      try {
        const r = model.trainStep(batch, opt, { clip: TRAIN_SETTINGS.clip });
        loss = r.loss;
        gradNorm = r.gradNorm;
      } catch (err) {
        if (!(err instanceof TrainingDivergedError)) throw err;
        finite = false; // still timed: the forward and backward ran in full
      }
    };
    let warmup = t.warmup;
    let reps = t.reps;
    if (t.budgetSeconds !== undefined && warmup > 0) {
      const [first] = timeRuns(one, 0, 1);
      warmup -= 1;
      reps = repsWithin(t.budgetSeconds, first, reps);
    }
    const times = timeRuns(one, warmup, reps);
    const med = median(times);
    const shape = { cell: c.cell, B: c.B, T: c.T, H: c.H, I: c.I, O: c.O };
    const flops = trainBatchFlops(shape);
    const heapAfter = heapStats(model);
    const layout = activationLayout(shape);
    return {
      source: 'plstm', cell: c.cell, mode: 'train', backend: model.backend.name,
      B: c.B, T: c.T, H: c.H, I: c.I, O: c.O, threads: c.threads,
      reps: times.length, warmup: t.warmup,
      median_s: med, min_s: Math.min(...times), times_s: times,
      gflop: flops / 1e9, gflops: flops / 1e9 / med,
      gemm_gflop: recurrentGemmFlops(shape) / 1e9,
      activation_bytes: layout.total,
      activation_heap_bytes: layout.heap,
      ...(heapBefore && heapAfter ? { measured_activation_bytes: heapAfter.peakBytes - heapBefore.usedBytes } : {}),
      loss, grad_norm: gradNorm, finite: finite && Number.isFinite(loss) && Number.isFinite(gradNorm),
      max_rss_bytes: maxRssBytes(),
      load1: loadavg()[0],
    };
  } finally {
    model.dispose();
  }
}

/** Seconds per streaming step (model.step on B rows), median over blocks of c.T steps. */
export function benchOursInferStep(c: BenchCase, t: TimingOptions): OursResult {
  const seed = t.seed ?? 1;
  const model = SequenceModel.create(modelConfig(c, seed), { backend: c.backend, threads: c.threads });
  try {
    const ids = syntheticIds(c.B * c.T, c.I, seed); // [T, B]: step t reads ids[t*B .. t*B+B)
    const state = model.initState(c.B);
    const steps = Array.from({ length: c.T }, (_, s) => ids.subarray(s * c.B, (s + 1) * c.B));
    let sink = 0;
    const block = (): void => {
      for (let s = 0; s < c.T; s++) sink += model.step({ x: steps[s] }, { state })[0];
    };
    const blockTimes = timeRuns(block, t.warmup, t.reps);
    if (!Number.isFinite(sink)) throw new Error('streaming produced non-finite outputs');
    const times = blockTimes.map((s) => s / c.T);
    const med = median(times);
    const flops = streamStepFlops({ cell: c.cell, B: c.B, H: c.H, I: c.I, O: c.O });
    return {
      source: 'plstm', cell: c.cell, mode: 'infer-step', backend: model.backend.name,
      B: c.B, T: c.T, H: c.H, I: c.I, O: c.O, threads: c.threads,
      reps: times.length, warmup: t.warmup,
      median_s: med, min_s: Math.min(...times), times_s: times,
      gflop: flops / 1e9, gflops: flops / 1e9 / med,
      max_rss_bytes: maxRssBytes(),
      load1: loadavg()[0],
    };
  } finally {
    model.dispose();
  }
}

/** Runs the case in its mode. */
export function benchOurs(c: BenchCase, t: TimingOptions): OursResult {
  return c.mode === 'train' ? benchOursTrain(c, t) : benchOursInferStep(c, t);
}
