// The adding problem (Hochreiter & Schmidhuber 1997), in the form of Le et al. (2015):
// each step has two inputs [value, marker]. Values are U(0, 1); exactly two steps carry
// marker 1, the first in the first half of the sequence and the second in the second half
// (positions drawn uniformly within each half); every other marker is 0. The target, read
// at the last step, is the sum of the two marked values. Predicting 1 always gives an MSE
// of Var(u1 + u2) = 1/6 ~ 0.167, the baseline a model must beat.
import { ConfigError } from '../errors.js';
import { Rng } from '../cells/rng.js';

export interface AddingTaskData {
  N: number;
  T: number;
  x: Float32Array; // [N, T, 2] (value, marker)
  y: Float32Array; // [N, 1] sum of the two marked values
}

/** MSE of always predicting 1 (the mean of the target): the variance of u1 + u2. */
export const ADDING_BASELINE_MSE = 1 / 6;

export function makeAddingTask(N: number, T: number, rng: Rng): AddingTaskData {
  if (!Number.isInteger(T) || T < 2) throw new ConfigError(`adding problem needs T >= 2 steps, got ${T}`);
  if (!Number.isInteger(N) || N < 1) throw new ConfigError(`adding problem needs at least 1 sequence, got ${N}`);
  const x = new Float32Array(N * T * 2); // [N, T, 2]
  const y = new Float32Array(N); // [N, 1]
  const half = Math.floor(T / 2);
  for (let n = 0; n < N; n++) {
    const base = n * T * 2;
    for (let t = 0; t < T; t++) x[base + 2 * t] = rng.uniform();
    const i = rng.int(half);
    const j = half + rng.int(T - half);
    x[base + 2 * i + 1] = 1;
    x[base + 2 * j + 1] = 1;
    y[n] = x[base + 2 * i] + x[base + 2 * j];
  }
  return { N, T, x, y };
}
