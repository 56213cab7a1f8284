// What one benchmark measurement runs: the model shape, the mode and the runtime.
//
// Dimension letters: B batch, T time steps, I input size, H hidden size, O head size,
// G gates per cell (3 pLSTM, 4 LSTM).
import type { BuiltinCellKind } from '../cells/types.js';

/** 'train': seconds per training batch; 'infer-step': seconds per streaming step. */
export type BenchMode = 'train' | 'infer-step';

/** One configuration of our model to time. */
export interface BenchCase {
  cell: BuiltinCellKind;
  mode: BenchMode;
  /** B (rows per batch; streaming usually 1) */
  B: number;
  /** T (training: steps per sequence; infer-step: steps timed per repetition) */
  T: number;
  /** H */
  H: number;
  /** I: one-hot input width */
  I: number;
  /** O: head width (classes) */
  O: number;
  /** worker threads of the backend */
  threads: number;
  /** backend to run on; undefined = the model's default (wasm when it loads) */
  backend?: 'wasm' | 'js';
}

/**
 * The copy task of Chien et al. (2021) as their experiments run it: delay 200, so sequences
 * of 200 + 19 = 219 steps, batch 128, 128 units, one-hot input of 10 symbols, a linear head of
 * 10 classes on every step, cross-entropy, RMSprop(lr 1e-3, alpha 0.9), clipping at 1.0.
 */
export const COPY_TASK = { B: 128, T: 219, H: 128, I: 10, O: 10 } as const;

/** Optimizer and clipping of every timed training batch (ours and the baselines). */
export const TRAIN_SETTINGS = { lr: 1e-3, alpha: 0.9, clip: 1.0 } as const;

/** Default streaming configuration: one sequence, the copy task's width. */
export const STREAM_DEFAULTS = { B: 1, H: 128 } as const;

/** The BENCHMARKS.md grid. */
export const GRID = {
  T: [100, 1000, 10000],
  H: [64, 128, 256, 512],
  B: [1, 16, 128],
  threads: [1, 2],
} as const;

/** Gates per hidden unit. */
export function gatesOfCell(cell: BuiltinCellKind): number {
  return cell === 'plstm' ? 3 : 4;
}
