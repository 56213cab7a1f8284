// Learning-rate schedules: the rate of every training step as a pure function of its position
// (epoch, step), so a resumed run uses exactly the rates an uninterrupted one would.

import { ConfigError } from '../errors.js';
import { isPositiveInt } from '../cells/bounds.js';

/**
 * How the learning rate changes during fit(). `lr` is the base rate (the optimizer's own lr is
 * overwritten before every step, so a restored optimizer cannot shift the schedule).
 * - constant: lr at every step.
 * - step: lr * decay^floor(epoch / every) (decays every `every` epochs).
 * - cosine: from lr at the first step to 0 at the end of `epochs` epochs (half a cosine,
 *   per step; 0 after that).
 * - a function (epoch, step, batchesPerEpoch) => lr, both positions 0-based; it must be pure
 *   for resumed runs to follow the same trajectory.
 */
export type LearningRateSchedule =
  | { kind: 'constant'; lr: number }
  | { kind: 'step'; lr: number; decay: number; every: number }
  | { kind: 'cosine'; lr: number; epochs: number }
  | ((epoch: number, step: number, batchesPerEpoch: number) => number);

/** Checks a schedule's numbers; throws ConfigError naming the bad one. */
export function checkSchedule(s: LearningRateSchedule): void {
  if (typeof s === 'function') return;
  const need = (ok: boolean, msg: string) => { if (!ok) throw new ConfigError(`learning-rate schedule: ${msg}`); };
  need(typeof s === 'object' && s !== null && ['constant', 'step', 'cosine'].includes(s.kind),
    'kind must be constant, step or cosine (or pass a function (epoch, step, batchesPerEpoch) => lr)');
  need(Number.isFinite(s.lr) && s.lr > 0, `lr must be a number > 0, got ${s.lr}`);
  if (s.kind === 'step') {
    need(Number.isFinite(s.decay) && s.decay > 0 && s.decay <= 1, `decay must be in (0, 1], got ${s.decay}`);
    need(isPositiveInt(s.every), `every must be a positive integer (epochs), got ${s.every}`);
  }
  if (s.kind === 'cosine') need(isPositiveInt(s.epochs), `epochs must be a positive integer, got ${s.epochs}`);
}

/** The learning rate of training step `step` of `epoch` (both 0-based). */
export function learningRateAt(s: LearningRateSchedule, epoch: number, step: number, batchesPerEpoch: number): number {
  if (typeof s === 'function') {
    const lr = s(epoch, step, batchesPerEpoch);
    if (!(Number.isFinite(lr) && lr >= 0)) {
      throw new ConfigError(`learning-rate function gave ${lr} at epoch ${epoch}, step ${step}; it must return a number >= 0`);
    }
    return lr;
  }
  switch (s.kind) {
    case 'constant': return s.lr;
    case 'step': return s.lr * Math.pow(s.decay, Math.floor(epoch / s.every));
    case 'cosine': {
      const done = (epoch * batchesPerEpoch + step) / (s.epochs * batchesPerEpoch);
      return 0.5 * s.lr * (1 + Math.cos(Math.PI * Math.min(1, done)));
    }
  }
}
