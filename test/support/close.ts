// Element-wise comparison of arrays: `allclose` is the one check the tests use; `worst` and
// `assertClose` (float32 defaults) are its ratio form, for the tests of the TF.js layers.
import assert from 'node:assert/strict';

/** Tolerances of allclose: |actual - expected| <= atol + rtol |expected| passes. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * Fails unless |actual[i] - expected[i]| <= atol + rtol |expected[i]| for every i (NaN fails),
 * naming the worst element: `what[i]: actual vs expected (|diff| > bound)`.
 */
export function allclose(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol, atol }: Tolerance,
  what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: lengths differ`);
  let worstI = -1;
  let worstRatio = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    const bound = atol + rtol * Math.abs(expected[i]);
    if (diff <= bound) continue;
    const ratio = Number.isNaN(diff) ? Infinity : diff / bound;
    if (worstI < 0 || ratio > worstRatio) { worstI = i; worstRatio = ratio; }
  }
  if (worstI >= 0) {
    const i = worstI;
    const diff = Math.abs(actual[i] - expected[i]);
    assert.fail(`${what}[${i}]: ${actual[i]} vs expected ${expected[i]} (|diff| ${diff.toExponential(2)} > ${(atol + rtol * Math.abs(expected[i])).toExponential(2)})`);
  }
}

/** The largest |x| of an array (0 for an empty one): a scale for an absolute tolerance. */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** Max |a - b| / (atol + rtol |b|) over all elements (<= 1 passes). */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return w;
}

/** allclose with float32 defaults (atol 1e-5, rtol 1e-4). */
export function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void {
  allclose(a, b, { rtol, atol }, what);
}

/**
 * Random float64 pLSTM weights (reference layout: rows [3H, I]) and a non-zero initial state
 * (h, c; ages in [0, 4]) for B rows, drawn with `randn(n, scale)` and `range(lo, hi)`.
 */
export function randomPlstmCase(randn: (n: number, scale?: number) => Float32Array, range: (lo: number, hi: number) => number,
  B: number, I: number, H: number) {
  const w = {
    wIh: Float64Array.from(randn(3 * H * I, 0.6)), wHh: Float64Array.from(randn(3 * H * H, 0.6)),
    b: Float64Array.from(randn(3 * H, 0.6)), theta: Float64Array.from(randn(H, 2)),
  };
  const s0 = { h: Float64Array.from(randn(B * H)), c: Float64Array.from(randn(B * H)), a: new Float64Array(B * H).map(() => range(0, 4)) };
  return { w, s0 };
}
