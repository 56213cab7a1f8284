// The measured decay of a trained model: how much of a change to the cell state at step s
// still shows in the cell state n steps later, per unit, averaged over a batch of the model's
// own input sequences. This is the retention the equations describe (decay-curves.ts), but
// with the model's real gates: resets, input-driven forget gates and recurrent feedback.
//
// Method: run the sequences to step s, add delta to every unit's c in one direction of one
// layer, run on from both states (with and without the change) over the same inputs, and
// divide the difference in that direction's c by delta. The cells run in the model's
// precision through model.trace (the reference cells), so use a float64 model (or a
// float32 one with a delta well above its rounding, e.g. 1e-2) for clean curves.
//
// Reversed and bidirectional layers read the future, so measure forward directions only.
//
// B = batch, T = time steps, H = hidden size of the direction, N = steps measured.
import type { SequenceModel } from '../model/sequence-model.js';
import { cloneState, type ModelState } from '../model/model-state.js';
import { ConfigError } from '../errors.js';

export interface MeasuredDecayOptions {
  /** The step s whose state is changed: 0 = the initial state (default 0). */
  start?: number;
  /** Index into ModelState.layers (one per direction of each layer; default 0). */
  direction?: number;
  /** The change added to every unit's c (default 1e-4). */
  delta?: number;
}

export interface MeasuredDecay {
  /** response[n * H + j]: mean over the batch of |dc_j(s + n)| / delta, n = 0 .. N-1. [N, H] */
  response: Float64Array;
  /** Mean over units of response: [N]. */
  mean: Float64Array;
  N: number;
  H: number;
}

/** x: the model's input for B sequences of T steps (ids [B, T] or features [B, T, I]). */
export function measuredDecay(model: SequenceModel, x: Int32Array | Float32Array | Float64Array, B: number, T: number,
  opts: MeasuredDecayOptions = {}): MeasuredDecay {
  const start = opts.start ?? 0, dir = opts.direction ?? 0, delta = opts.delta ?? 1e-4;
  if (!(Number.isInteger(start) && start >= 0 && start < T)) throw new ConfigError(`start must be a step in [0, ${T}), got ${start}`);
  if (!(delta > 0 && Number.isFinite(delta))) throw new ConfigError(`delta must be a number > 0, got ${delta}`);
  const I = x.length / (B * T);
  // the state after `start` steps, from the first `start` steps of every sequence
  let s: ModelState = model.initState(B);
  if (start > 0) s = finalOf(model, x, B, T, start, I);
  if (!(dir >= 0 && dir < s.layers.length)) throw new ConfigError(`direction must be in [0, ${s.layers.length}), got ${dir}`);
  const bumped = cloneState(s);
  const c = bumped.layers[dir].c;
  for (let i = 0; i < c.length; i++) c[i] += delta;
  const rest = slice(x, B, T, start, T, I);
  const N = T - start;
  const base = model.trace({ x: rest, B, T: N }, { state: s }).layers[dir];
  const moved = model.trace({ x: rest, B, T: N }, { state: bumped }).layers[dir];
  const H = base.H;
  const response = new Float64Array(N * H); // [N, H]
  const mean = new Float64Array(N); // [N]
  for (let j = 0; j < H; j++) response[j] = 1; // n = 0: the change itself
  mean[0] = 1;
  for (let n = 1; n < N; n++) {
    let all = 0;
    for (let j = 0; j < H; j++) {
      let sum = 0;
      // the state after n more steps sits at trace step n - 1
      for (let b = 0; b < B; b++) sum += Math.abs(moved.c[(b * N + n - 1) * H + j] - base.c[(b * N + n - 1) * H + j]);
      response[n * H + j] = sum / (B * delta);
      all += response[n * H + j];
    }
    mean[n] = all / H;
  }
  return { response, mean, N, H };
}

/** Steps [t0, t1) of x [B, T, I] as [B, t1 - t0, I]. */
function slice<X extends Int32Array | Float32Array | Float64Array>(x: X, B: number, T: number, t0: number, t1: number, I: number): X {
  const out = new (x.constructor as { new(n: number): X })(B * (t1 - t0) * I);
  for (let b = 0; b < B; b++) out.set(x.subarray((b * T + t0) * I, (b * T + t1) * I), b * (t1 - t0) * I);
  return out;
}

/** The model's state after the first `start` steps of x. */
function finalOf(model: SequenceModel, x: Int32Array | Float32Array | Float64Array, B: number, T: number, start: number, I: number): ModelState {
  const tr = model.trace({ x: slice(x, B, T, 0, start, I), B, T: start });
  return { B, layers: tr.layers.map((l) => l.final) };
}
