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
