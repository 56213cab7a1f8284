// Optimizers with PyTorch's exact update rules (torch.optim.RMSprop, Adam, SGD; no weight
// decay), on one flat parameter vector [P] and its gradient [P].
//
// State lives in buffers of the parameters' dtype, allocated on the first step with the
// model's allocator (zero-copy memory of the wasm backend when it has one). Each update is
// computed in float64 and rounded once on store, so a run is reproducible bit for bit and a
// saved state resumes the same trajectory.

import { ConfigError, ShapeError } from '../errors.js';
import type { Float } from '../cells/types.js';

/** torch.optim.RMSprop (not centered). */
export interface RmspropConfig {
  kind: 'rmsprop';
  /** Learning rate (> 0). */
  lr: number;
  /** Smoothing constant of the squared-gradient average, in [0, 1). Default 0.99. */
  alpha?: number;
  /** Added to the denominator's square root for stability (> 0). Default 1e-8. */
  eps?: number;
  /** Momentum factor, in [0, 1). Default 0. */
  momentum?: number;
}

/** torch.optim.Adam with bias correction (no weight decay, no amsgrad). */
export interface AdamConfig {
  kind: 'adam';
  /** Learning rate (> 0). */
  lr: number;
  /** Decay of the gradient average, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay of the squared-gradient average, in [0, 1). Default 0.999. */
  beta2?: number;
  /** Added to the denominator for stability (> 0). Default 1e-8. */
  eps?: number;
}

/** torch.optim.SGD (dampening 0, not Nesterov). */
export interface SgdConfig {
  kind: 'sgd';
  /** Learning rate (> 0). */
  lr: number;
  /** Momentum factor, in [0, 1). Default 0. */
  momentum?: number;
}

/** Which optimizer and its settings; defaults are PyTorch's (OPTIMIZER_DEFAULTS). */
export type OptimizerConfig = RmspropConfig | AdamConfig | SgdConfig;

/** An optimizer config with every default filled in (what is saved with the model). */
export type ResolvedOptimizerConfig =
  | { kind: 'rmsprop'; lr: number; alpha: number; eps: number; momentum: number }
  | { kind: 'adam'; lr: number; beta1: number; beta2: number; eps: number }
  | { kind: 'sgd'; lr: number; momentum: number };

/** Defaults: PyTorch's. */
export const OPTIMIZER_DEFAULTS = {
  rmsprop: { alpha: 0.99, eps: 1e-8, momentum: 0 },
  adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  sgd: { momentum: 0 },
} as const;

/** Allocates a zeroed buffer of the parameters' dtype. */
export type Allocator = (length: number) => Float;

export interface Optimizer {
  readonly spec: ResolvedOptimizerConfig;
  /** Learning rate used by the next step (may be changed between steps, e.g. by a schedule). */
  lr: number;
  /** Updates applied so far (Adam's t). */
  readonly steps: number;
  /** params -= update(grads), in place. params and grads: [P]. */
  step(params: Float, grads: Float, alloc?: Allocator): void;
  /** Named state buffers, each [P] (empty before the first step). Views: do not keep. */
  stateTensors(): Record<string, Float>;
  /** Restores a saved state (buffers [P] named as in stateTensors, and the step count). */
  loadState(steps: number, tensors: Record<string, Float>, alloc?: Allocator): void;
}

/** Names of the state buffers of each optimizer, as PyTorch names them. */
export function stateNamesOf(spec: ResolvedOptimizerConfig): string[] {
  switch (spec.kind) {
    case 'rmsprop': return spec.momentum > 0 ? ['square_avg', 'momentum_buffer'] : ['square_avg'];
    case 'adam': return ['exp_avg', 'exp_avg_sq'];
    case 'sgd': return spec.momentum > 0 ? ['momentum_buffer'] : [];
  }
}

function checkRange(v: unknown, what: string, ok: (x: number) => boolean, range: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
    throw new ConfigError(`optimizer ${what} must be ${range}, got ${String(v)}`);
  }
  return v;
}

/** Fills in defaults and validates; throws ConfigError naming the bad setting. */
export function resolveOptimizerSpec(spec: OptimizerConfig): ResolvedOptimizerConfig {
  if (typeof spec !== 'object' || spec === null) throw new ConfigError('optimizer spec must be an object');
  const s = spec as unknown as Record<string, unknown>;
  const lr = checkRange(s.lr, 'lr', (x) => x > 0, '> 0');
  const pick = (name: string, dflt: number): unknown => (s[name] === undefined ? dflt : s[name]);
  switch (s.kind) {
    case 'rmsprop': {
      const d = OPTIMIZER_DEFAULTS.rmsprop;
      return {
        kind: 'rmsprop', lr,
        alpha: checkRange(pick('alpha', d.alpha), 'alpha', (x) => x >= 0 && x < 1, 'in [0, 1)'),
        eps: checkRange(pick('eps', d.eps), 'eps', (x) => x > 0, '> 0'),
        momentum: checkRange(pick('momentum', d.momentum), 'momentum', (x) => x >= 0 && x < 1, 'in [0, 1)'),
      };
    }
    case 'adam': {
      const d = OPTIMIZER_DEFAULTS.adam;
      return {
        kind: 'adam', lr,
        beta1: checkRange(pick('beta1', d.beta1), 'beta1', (x) => x >= 0 && x < 1, 'in [0, 1)'),
        beta2: checkRange(pick('beta2', d.beta2), 'beta2', (x) => x >= 0 && x < 1, 'in [0, 1)'),
        eps: checkRange(pick('eps', d.eps), 'eps', (x) => x > 0, '> 0'),
      };
    }
    case 'sgd': {
      const d = OPTIMIZER_DEFAULTS.sgd;
      return {
        kind: 'sgd', lr,
        momentum: checkRange(pick('momentum', d.momentum), 'momentum', (x) => x >= 0 && x < 1, 'in [0, 1)'),
      };
    }
    default:
      throw new ConfigError(`unknown optimizer ${JSON.stringify(s.kind)}: use "rmsprop", "adam" or "sgd"`);
  }
}

function defaultAlloc(like: Float): Allocator {
  return like instanceof Float64Array ? (n) => new Float64Array(n) : (n) => new Float32Array(n);
}

class TorchOptimizer implements Optimizer {
  readonly spec: ResolvedOptimizerConfig;
  lr: number;
  private t = 0;
  private names: string[];
  private bufs: Float[] | null = null; // one [P] buffer per state name

  constructor(spec: ResolvedOptimizerConfig) {
    this.spec = spec;
    this.lr = spec.lr;
    this.names = stateNamesOf(spec);
  }

  get steps(): number {
    return this.t;
  }

  private ensureState(params: Float, alloc: Allocator | undefined): Float[] {
    const P = params.length;
    if (this.bufs !== null) {
      for (const b of this.bufs) {
        if (b.length !== P) {
          throw new ShapeError(
            `optimizer state has ${b.length} entries but the model has ${P} parameters: use one optimizer per model`);
        }
      }
      return this.bufs;
    }
    const mk = alloc ?? defaultAlloc(params);
    this.bufs = this.names.map(() => mk(P));
    return this.bufs;
  }

  step(params: Float, grads: Float, alloc?: Allocator): void {
    if (grads.length !== params.length) {
      throw new ShapeError(`gradient has ${grads.length} entries, parameters ${params.length}`);
    }
    const bufs = this.ensureState(params, alloc);
    this.t += 1;
    const P = params.length;
    const lr = this.lr;
    const s = this.spec;
    switch (s.kind) {
      case 'rmsprop': {
        // square_avg = alpha*sa + (1-alpha)*g^2; avg = sqrt(sa) + eps;
        // momentum: buf = m*buf + g/avg, p -= lr*buf; else p -= lr*g/avg
        const { alpha, eps, momentum } = s;
        const sa = bufs[0];
        if (momentum > 0) {
          const buf = bufs[1];
          for (let i = 0; i < P; i++) {
            const g = grads[i];
            const v = (sa[i] = alpha * sa[i] + (1 - alpha) * g * g);
            const m = (buf[i] = momentum * buf[i] + g / (Math.sqrt(v) + eps));
            params[i] -= lr * m;
          }
        } else {
          for (let i = 0; i < P; i++) {
            const g = grads[i];
            const v = (sa[i] = alpha * sa[i] + (1 - alpha) * g * g);
            params[i] -= (lr * g) / (Math.sqrt(v) + eps);
          }
        }
        return;
      }
      case 'adam': {
        // m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
        // p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
        const { beta1, beta2, eps } = s;
        const m = bufs[0], v = bufs[1];
        const stepSize = lr / (1 - Math.pow(beta1, this.t));
        const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, this.t));
        for (let i = 0; i < P; i++) {
          const g = grads[i];
          const mi = (m[i] = beta1 * m[i] + (1 - beta1) * g);
          const vi = (v[i] = beta2 * v[i] + (1 - beta2) * g * g);
          params[i] -= (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
        }
        return;
      }
      case 'sgd': {
        // buf = m*buf + g (buf = g on the first step, the same with buf starting at 0); p -= lr*buf
        const { momentum } = s;
        if (momentum > 0) {
          const buf = bufs[0];
          for (let i = 0; i < P; i++) params[i] -= lr * (buf[i] = momentum * buf[i] + grads[i]);
        } else {
          for (let i = 0; i < P; i++) params[i] -= lr * grads[i];
        }
        return;
      }
    }
  }

  stateTensors(): Record<string, Float> {
    const out: Record<string, Float> = {};
    if (this.bufs !== null) this.names.forEach((n, i) => (out[n] = this.bufs![i]));
    return out;
  }

  loadState(steps: number, tensors: Record<string, Float>, alloc?: Allocator): void {
    if (!Number.isSafeInteger(steps) || steps < 0) {
      throw new ConfigError(`optimizer step count must be a non-negative integer, got ${steps}`);
    }
    const given = Object.keys(tensors);
    if (given.length === 0) {
      this.bufs = null;
      this.t = steps;
      return;
    }
    const bufs: Float[] = [];
    let P = -1;
    for (const name of this.names) {
      const src = tensors[name];
      if (src === undefined) throw new ShapeError(`optimizer state "${name}" is missing for ${this.spec.kind}`);
      if (P >= 0 && src.length !== P) throw new ShapeError('optimizer state buffers differ in length');
      P = src.length;
      const dst = (alloc ?? defaultAlloc(src))(P);
      for (let i = 0; i < P; i++) dst[i] = src[i];
      bufs.push(dst);
    }
    for (const name of given) {
      if (!this.names.includes(name)) {
        throw new ShapeError(`unexpected optimizer state "${name}" for ${this.spec.kind}`);
      }
    }
    this.bufs = bufs;
    this.t = steps;
  }
}

/** Creates an optimizer (PyTorch semantics); throws ConfigError on an invalid spec. */
export function createOptimizer(spec: OptimizerConfig): Optimizer {
  return new TorchOptimizer(resolveOptimizerSpec(spec));
}

// Names of the previous release (settings objects saved in a model file are ...Config).
/** @deprecated use OptimizerConfig */
export type OptimizerSpec = OptimizerConfig;
/** @deprecated use RmspropConfig */
export type RmspropSpec = RmspropConfig;
/** @deprecated use AdamConfig */
export type AdamSpec = AdamConfig;
/** @deprecated use SgdConfig */
export type SgdSpec = SgdConfig;
/** @deprecated use ResolvedOptimizerConfig */
export type ResolvedOptimizerSpec = ResolvedOptimizerConfig;
