// The training loop of the forecaster: epochs of shuffled windows, seeded, with an optional
// time limit and early stopping on a validation set. It sees windows only through a
// `fill(indices, x, y)` callback, so the library's fit() can take its place with a small edit.

import type { SequenceModel } from '../model/sequence-model.js';
import type { Optimizer } from '../model/optimizers.js';
import { Rng } from '../cells/rng.js';

/** Options of trainWindows. */
export interface TrainWindowsOptions {
  /** Passes over the training windows. */
  epochs: number;
  /** Windows per training step. */
  batchSize: number;
  /** Seed of the shuffling. */
  seed: number;
  /** Max gradient norm (clipping). */
  clip: number;
  /** Stop after this many seconds of training (checked after every step); null = no limit. */
  timeLimit: number | null;
  /** Indices (into the same window numbering) held out to pick the best epoch; empty = none. */
  validation: number[];
  /** Stop after this many epochs without a better validation loss. Default: never. */
  patience?: number;
  /** Called after every epoch. */
  onEpoch?: (e: { epoch: number; loss: number; valLoss: number | null; seconds: number }) => void;
}

/** What training did. */
export interface TrainSummary {
  epochs: number;
  steps: number;
  seconds: number;
  /** Mean training loss of the last epoch. */
  loss: number;
  /** Best validation loss (its weights are the ones kept), or null without validation. */
  valLoss: number | null;
  /** Whether the time limit ended training. */
  timedOut: boolean;
}

/**
 * Trains `model` on windows 0..count-1 not in opts.validation. fill(indices, x, y) writes the
 * inputs [B, T, F] and targets [B, O] of those windows into x and y.
 */
export function trainWindows(model: SequenceModel, opt: Optimizer, count: number, T: number, F: number, O: number,
  fill: (indices: number[], x: Float32Array, y: Float32Array) => void, opts: TrainWindowsOptions): TrainSummary {
  const rng = new Rng(opts.seed);
  const held = new Set(opts.validation);
  const train = Array.from({ length: count }, (_, i) => i).filter((i) => !held.has(i));
  const start = Date.now();
  const elapsed = () => (Date.now() - start) / 1000;
  let best = Infinity;
  let bestParams: Float32Array | Float64Array | null = null;
  let sinceBest = 0, steps = 0, epoch = 0, lastLoss = NaN, timedOut = false;
  while (epoch < opts.epochs && !timedOut) {
    shuffle(train, rng);
    let sum = 0, n = 0;
    for (let at = 0; at < train.length; at += opts.batchSize) {
      const idx = train.slice(at, at + opts.batchSize);
      const B = idx.length;
      const x = new Float32Array(B * T * F); // [B, T, F]
      const y = new Float32Array(B * O); // [B, O]
      fill(idx, x, y);
      sum += model.trainStep({ B, T, x, y }, opt, { clip: opts.clip }).loss * B;
      n += B;
      steps++;
      if (opts.timeLimit !== null && elapsed() >= opts.timeLimit) { timedOut = true; break; }
    }
    epoch++;
    lastLoss = sum / n;
    let valLoss: number | null = null;
    if (opts.validation.length > 0) {
      valLoss = lossOf(model, opts.validation, T, F, O, opts.batchSize, fill);
      if (valLoss < best) {
        best = valLoss;
        bestParams = model.params.slice();
        sinceBest = 0;
      } else if (opts.patience !== undefined && ++sinceBest >= opts.patience) {
        opts.onEpoch?.({ epoch, loss: lastLoss, valLoss, seconds: elapsed() });
        break;
      }
    }
    opts.onEpoch?.({ epoch, loss: lastLoss, valLoss, seconds: elapsed() });
  }
  if (bestParams !== null) model.params.set(bestParams);
  return { epochs: epoch, steps, seconds: elapsed(), loss: lastLoss, valLoss: bestParams === null ? null : best, timedOut };
}

function lossOf(model: SequenceModel, indices: number[], T: number, F: number, O: number, batchSize: number,
  fill: (indices: number[], x: Float32Array, y: Float32Array) => void): number {
  let sum = 0;
  for (let at = 0; at < indices.length; at += batchSize) {
    const idx = indices.slice(at, at + batchSize);
    const B = idx.length;
    const x = new Float32Array(B * T * F), y = new Float32Array(B * O);
    fill(idx, x, y);
    sum += model.evaluate({ B, T, x, y }).loss * B;
  }
  return sum / indices.length;
}

function shuffle(a: number[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
}
