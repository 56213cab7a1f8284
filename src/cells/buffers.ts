// Small helpers for the typed buffers of the reference cells.
import { ConfigError } from '../errors.js';
import type { CellState, DType, Float } from './types.js';

/** A zeroed buffer of the same precision as `like`. */
export function zerosLike<F extends Float>(like: F, length: number): F {
  return (like instanceof Float32Array ? new Float32Array(length) : new Float64Array(length)) as F;
}

/** A zeroed buffer of the given precision. */
export function zerosOf(dtype: DType, length: number): Float {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** The precision of a buffer. */
export function dtypeOf(buf: Float): DType {
  return buf instanceof Float32Array ? 'float32' : 'float64';
}

/** `buf` itself when it already has the precision, else a converted copy. */
export function asDType(buf: Float, dtype: DType): Float {
  if (dtypeOf(buf) === dtype) return buf;
  return dtype === 'float32' ? Float32Array.from(buf) : Float64Array.from(buf);
}

/** A copy of `src` (any precision) stored in a buffer of the same precision as `like`. */
export function copyLike<F extends Float>(like: F, src: Float): F {
  const out = zerosLike(like, src.length);
  out.set(src);
  return out;
}

/** Copy of a double accumulator into a buffer of the same precision as `like`. */
export function storeLike<F extends Float>(like: F, acc: Float64Array): F {
  if (like instanceof Float64Array) return acc as unknown as F;
  return Float32Array.from(acc) as F;
}

/** The tape of a forward run, or a clear error when the run kept none. */
export function requireTape<T>(tape: unknown, kind: 'plstm' | 'lstm'): T {
  const t = tape as { kind?: string } | null;
  if (t === null || t === undefined || typeof t !== 'object' || t.kind !== kind) {
    throw new ConfigError(`backward needs a ${kind} forward run made with needTape = true`);
  }
  return tape as T;
}

/** A state whose buffers are copies in the precision of `like` (zeros where `s` is null). */
export function copyState<F extends Float>(like: F, s: CellState | null, n: number, withAge: boolean): CellState<F> {
  return {
    h: s ? copyLike(like, s.h) : zerosLike(like, n),
    c: s ? copyLike(like, s.c) : zerosLike(like, n),
    a: withAge ? (s && s.a ? copyLike(like, s.a) : zerosLike(like, n)) : null,
  };
}

/** The gates of the activations acts [B, T, G*H] by name, each [B, T, H] (G = names.length). */
export function gatesOfActs(acts: Float, names: readonly string[], B: number, T: number, H: number): Record<string, Float> {
  const G = names.length;
  const out: Record<string, Float> = {};
  names.forEach((name, k) => {
    const g = acts instanceof Float32Array ? new Float32Array(B * T * H) : new Float64Array(B * T * H);
    for (let row = 0; row < B * T; row++) g.set(acts.subarray(row * G * H + k * H, row * G * H + (k + 1) * H), row * H);
    out[name] = g;
  });
  return out;
}

/**
 * Where row bi's state (c, and the pLSTM's a) after step t lives in a forward run's buffer:
 * [B, T, H] with a tape (every step kept), else [2, B, H] (two slots that steps take in turn).
 */
export function stateOffset(needTape: boolean, t: number, bi: number, B: number, T: number, H: number): number {
  return needTape ? (bi * T + t) * H : (t & 1) * B * H + bi * H;
}
