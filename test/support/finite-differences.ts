// Central finite differences of a model's loss against its analytic gradient, parameter by
// parameter (float64 models on the js backend).
import assert from 'node:assert/strict';
import type { SequenceModel } from '../../src/model/index.js';

/**
 * Max over parameters of |analytic - numeric| / (atol + rtol * |numeric|) (<= 1 passes) and
 * where it is. analytic: the gradient of lossAt at the current parameters (taken before).
 */
export function worstGradientError(model: SequenceModel, analytic: Float64Array, lossAt: () => number,
  h = 1e-6, atol = 1e-8, rtol = 1e-5): { worst: number; where: string } {
  assert.ok(analytic.some((g) => Math.abs(g) > 1e-6), 'gradient is all zeros');
  const p = model.params;
  let worst = 0, where = '';
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    p[i] = v + h;
    const lp = lossAt();
    p[i] = v - h;
    const lm = lossAt();
    p[i] = v;
    const num = (lp - lm) / (2 * h);
    const err = Math.abs(analytic[i] - num) / (atol + rtol * Math.abs(num));
    if (err > worst) {
      worst = err;
      const slot = model.slots.find((s) => i >= s.offset && i < s.offset + s.size)!;
      where = `${slot.name}[${i - slot.offset}] analytic ${analytic[i]} numeric ${num}`;
    }
  }
  return { worst, where };
}
