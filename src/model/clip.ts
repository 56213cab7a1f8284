// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_ (norm type 2).

import type { Float } from '../cells/types.js';

/** The L2 norm of a flat gradient [P], summed in float64. */
export function globalNorm(grads: Float): number {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  return Math.sqrt(s);
}

/**
 * Scales grads [P] in place by maxNorm / (norm + 1e-6) when that factor is below 1 (PyTorch's
 * rule, including its 1e-6). Returns the norm before clipping, as PyTorch does.
 * A non-finite norm is returned unchanged and nothing is scaled: the caller decides.
 */
export function clipGradNorm(grads: Float, maxNorm: number): number {
  const norm = globalNorm(grads);
  if (!Number.isFinite(norm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (let i = 0; i < grads.length; i++) grads[i] *= coef;
  return norm;
}
