// The copy task exactly as Chien et al. (2021) ran it (after Hochreiter & Schmidhuber 1997,
// Arjovsky et al. 2016):
//   input : 10 symbols drawn from 0..7, then T-1 blanks (8), one marker (9), 9 blanks
//   target: T+9 blanks, then the same 10 symbols
// Both have length L = T + 19. The loss covers every step; accuracy is read on the last 10.
import { ConfigError } from '../errors.js';
import { Rng } from '../cells/rng.js';

/** Symbols to remember are 0..COPY_SYMBOLS-1. */
export const COPY_SYMBOLS = 8;
export const COPY_BLANK = 8;
export const COPY_MARKER = 9;
/** Input and output alphabet size (symbols + blank + marker). */
export const COPY_VOCAB = 10;
/** How many symbols are copied. */
export const COPY_LENGTH = 10;

/** A set of copy sequences: token ids, row-major. */
export interface CopyTaskData {
  N: number; // sequences
  L: number; // steps per sequence = T + 19
  x: Int32Array; // [N, L] input tokens
  y: Int32Array; // [N, L] target tokens
}

/** Sequence length for delay T. */
export function copySequenceLength(T: number): number {
  return T + 2 * COPY_LENGTH - 1;
}

/** Generates N copy sequences with delay T (T >= 1) from the generator. */
export function makeCopyTask(N: number, T: number, rng: Rng): CopyTaskData {
  if (!Number.isInteger(T) || T < 1) throw new ConfigError(`copy task delay T must be an integer >= 1, got ${T}`);
  if (!Number.isInteger(N) || N < 1) throw new ConfigError(`copy task needs at least 1 sequence, got ${N}`);
  const L = copySequenceLength(T);
  const x = new Int32Array(N * L).fill(COPY_BLANK); // [N, L]
  const y = new Int32Array(N * L).fill(COPY_BLANK); // [N, L]
  for (let n = 0; n < N; n++) {
    const row = n * L;
    for (let k = 0; k < COPY_LENGTH; k++) {
      const s = rng.int(COPY_SYMBOLS);
      x[row + k] = s;
      y[row + L - COPY_LENGTH + k] = s;
    }
    // the marker sits after the 10 symbols and T-1 blanks: index 10 + T - 1
    x[row + COPY_LENGTH + T - 1] = COPY_MARKER;
  }
  return { N, L, x, y };
}

/**
 * Accuracy over the last 10 steps of each sequence.
 * pred, target: [N, L] token ids. Returns the per-symbol accuracy and the fraction of
 * sequences whose 10 symbols are all right.
 */
export function copyAccuracy(pred: Int32Array, target: Int32Array, N: number, L: number):
  { symbolAcc: number; sequenceAcc: number } {
  let right = 0;
  let wholeRight = 0;
  for (let n = 0; n < N; n++) {
    let all = true;
    for (let k = L - COPY_LENGTH; k < L; k++) {
      if (pred[n * L + k] === target[n * L + k]) right++;
      else all = false;
    }
    if (all) wholeRight++;
  }
  return { symbolAcc: right / (N * COPY_LENGTH), sequenceAcc: wholeRight / N };
}
