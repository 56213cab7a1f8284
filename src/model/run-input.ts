// What SequenceModel's predict, trace and step read, and their options: the data first, how to
// run it second (as evaluate(batch, { state }) takes them), with the deprecated positional
// spellings read here too.

import { ConfigError, ShapeError } from '../errors.js';
import { deprecated } from '../deprecated.js';
import type { ModelState } from './model-state.js';
import { isPositiveInt } from '../cells/bounds.js';

/**
 * What predict and trace read: inputs x (ids Int32Array [B, T] or features [B, T, I]) with
 * their shape. A Batch is one (its targets are not read).
 */
export interface SequenceInput {
  /** Batch size. */
  B: number;
  /** Time steps. */
  T: number;
  /** Token ids Int32Array [B, T] (onehot, embedding) or features Float32Array [B, T, I] (dense). */
  x: Int32Array | Float32Array | Float64Array;
}

/** Options of evaluate, predict and trace. */
export interface RunOptions {
  /** The initial state (B rows; not modified); null or left out: zeros. */
  state?: ModelState | null;
}

/** What step (streaming inference) reads: one time step's inputs, ids Int32Array [B] or features [B, I]. */
export interface StreamInput {
  /** ids Int32Array [B] or features Float32Array [B, I]; B is the state's. */
  x: Int32Array | Float32Array | Float64Array;
}

/** Options of step. */
export interface StepOptions {
  /** The state of B rows the step starts from; updated in place. */
  state: ModelState;
}

/** Token ids or features, as the model reads them. */
export type Input = Int32Array | Float32Array | Float64Array;

/**
 * predict's and trace's arguments: (input, opts) or, deprecated, (x, B, T, state).
 */
export function runArgs(what: string, args: unknown[]): { input: SequenceInput; state: ModelState | null } {
  const [a, b, T, state] = args;
  if (ArrayBuffer.isView(a)) {
    deprecated(`model.${what}(x, B, T, state)`, `model.${what}({ x, B, T }, { state })`);
    return { input: { x: a as Input, B: b as number, T: T as number }, state: (state ?? null) as ModelState | null };
  }
  if (typeof a !== 'object' || a === null) {
    throw new ShapeError(`${what} needs its input as { x, B, T }, got ${a === null ? 'null' : typeof a}`);
  }
  if (b !== undefined && (typeof b !== 'object' || ArrayBuffer.isView(b))) {
    throw new ConfigError(`${what}'s second argument is its options { state }, got ${typeof b}`);
  }
  return { input: a as SequenceInput, state: ((b as RunOptions | null | undefined)?.state ?? null) };
}


/** step's deprecated (state, x): warns once, and returns them. */
export function legacyStepArgs(state: ModelState, x: Input): [ModelState, Input] {
  deprecated('model.step(state, x)', 'model.step({ x }, { state })');
  return [state, x];
}

/** step's (input, opts): a one-line error unless they are { x } and { state }. */
export function checkStepArgs(a: unknown, b: unknown): asserts b is StepOptions {
  if (typeof a !== 'object' || a === null || (a as Partial<StreamInput>).x === undefined) throw new ShapeError('step needs its input as { x }');
  if (typeof b !== 'object' || b === null) throw new ConfigError('step needs its options { state }: the state it advances');
}

/** B and T of an input: positive integers, else a one-line ShapeError naming `what`. */
export function checkRunShape({ B, T }: SequenceInput, what: string): void {
  for (const [v, n] of [[B, 'B'], [T, 'T']] as const) {
    if (!isPositiveInt(v)) throw new ShapeError(`${what} ${n} must be a positive integer, got ${v}`);
  }
}
