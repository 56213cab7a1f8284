// Element-wise comparison against reference values, with the tolerances of `plstm conformance`.
//
// Tolerances (an element passes when it is within EITHER bound):
//   float64 backends: |err| <= 1e-9  or  |err| <= 1e-9 * |ref|
//     (an age-form float64 implementation agrees with the k-form fixtures to ~1e-13).
//   float32 backends: |err| <= 1e-5  or  |err| <= 1e-4 * |ref|
//     Measured with the float32 reference (worst err / allowed over all elements): at most
//     2.1% on every committed fixture (T up to 2000), 6-7% on generated T = 1000 (B8 H16,
//     pLSTM and LSTM) and T = 10,000 cases. The margin is for the fused float32 kernels,
//     whose summation order differs, and for longer sequences.
//   float64 note: the fixtures are computed in the k form, where t - k loses digits as t
//     grows (about 1e-16 * t / eps relative in f); at T = 10,000 that uses 6.5% of 1e-9.
//   k (the absolute reset time of the pLSTM, which grows like t) is compared relatively only,
//     against the size of the state it encodes: |err| <= rtol * max(|k|, |a|, 1), with the
//     backend's rtol and a = t - k the age at that step. k and a are the same state in two
//     forms, so k = t - a carries the rounding of an age of size up to t: a unit that never
//     resets keeps k near -1 while its age (and the float32 rounding of it) grows with t.
import type { DType, Float } from '../cells/types.js';

export interface Tolerance {
  /** Absolute bound: |actual - ref| <= atol passes. */
  atol: number;
  /** Relative bound: |actual - ref| <= rtol * |ref| passes. */
  rtol: number;
  /** Relative-only comparison (for k): |actual - ref| <= rtol * max(|ref|, scale_i, 1). */
  relativeOnly?: boolean;
}

export const TOLERANCES: Record<DType, Tolerance> = {
  float64: { atol: 1e-9, rtol: 1e-9 },
  float32: { atol: 1e-5, rtol: 1e-4 },
};

export function toleranceFor(dtype: DType, key: string): Tolerance {
  const t = TOLERANCES[dtype];
  return key === 'k' || key === 'k_seq' ? { atol: 0, rtol: t.rtol, relativeOnly: true } : t;
}

/** One compared tensor. */
export interface Comparison {
  /** Which tensor: an output key (h_seq, c, k, ...), 'grad.<key>' for gradients, or 'loss'. */
  name: string;
  /** Largest |actual - ref|. */
  worstAbs: number;
  /** Largest |actual - ref| / |ref| (Infinity when ref is 0 and actual is not). */
  worstRel: number;
  /** Elements outside the tolerance. */
  failures: number;
  /** Elements compared. */
  count: number;
  /** Index of the element closest to (or furthest past) its tolerance. */
  worstIndex: number;
  /** Largest error / allowed error over the elements: <= 1 passes; shows the margin left. */
  worstRatio: number;
  tolerance: Tolerance;
  pass: boolean;
}

/**
 * Compares `actual` with `ref` element by element. NaN in `actual` always fails.
 * scale: per-element size for relative-only comparisons (the age for k).
 */
export function compare(name: string, actual: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance,
  scale?: ArrayLike<number>): Comparison {
  if (actual.length !== ref.length) {
    return { name, worstAbs: Infinity, worstRel: Infinity, failures: ref.length, count: ref.length, worstIndex: -1, worstRatio: Infinity, tolerance: tol, pass: false };
  }
  let worstAbs = 0;
  let worstRel = 0;
  let failures = 0;
  let worstIndex = ref.length > 0 ? 0 : -1;
  let worstExcess = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    const err = Math.abs(actual[i] - r);
    const rel = err === 0 ? 0 : err / Math.abs(r);
    // Allowed error of this element; err > allowed (or NaN) fails.
    const allowed = tol.relativeOnly
      ? tol.rtol * Math.max(Math.abs(r), scale ? Math.abs(scale[i]) : 0, 1)
      : Math.max(tol.atol, tol.rtol * Math.abs(r));
    const excess = Number.isNaN(err) ? Infinity : err / allowed;
    if (!(err <= allowed)) failures++;
    if (excess > worstExcess || Number.isNaN(excess)) {
      worstExcess = excess;
      worstIndex = i;
    }
    if (Number.isNaN(err) || err > worstAbs) worstAbs = Number.isNaN(err) ? NaN : Math.max(worstAbs, err);
    if (Number.isNaN(rel) || rel > worstRel) worstRel = Number.isNaN(rel) ? NaN : Math.max(worstRel, rel);
  }
  if (Number.isNaN(worstAbs)) worstRel = NaN;
  return { name, worstAbs, worstRel, failures, count: ref.length, worstIndex, worstRatio: worstExcess, tolerance: tol, pass: failures === 0 };
}

/** Converts a buffer to float64 numbers for comparison. */
export function toF64(buf: Float): Float64Array {
  return buf instanceof Float64Array ? buf : Float64Array.from(buf);
}
