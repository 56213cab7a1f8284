// Element-wise comparison at float32 tolerance, for the tests of the TF.js layers.
import assert from 'node:assert/strict';

/** Max |a - b| / (atol + rtol |b|) over all elements (<= 1 passes). */
export function worst(a: ArrayLike<number>, b: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return w;
}

/** Fails with `what` and the worst error ratio when a and b differ beyond the tolerance. */
export function assertClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-4): void {
  const w = worst(a, b, atol, rtol);
  assert.ok(w <= 1, `${what}: worst error ratio ${w.toFixed(2)} (> 1)`);
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
