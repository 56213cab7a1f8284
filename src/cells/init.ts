// Seeded initialisation of cell configs and weights.
//
// Draw order (part of the contract: same seed -> same numbers on every backend):
// wIh row-major, then wHh, then b, then (pLSTM) theta / (LSTM chrono) the forget biases.
import { ConfigError } from '../errors.js';
import type { CellConfig, CellWeights, DType, Float } from './types.js';
import { zerosOf } from './buffers.js';
import { checkConfig, gatesOf } from './registry.js';
import type { Rng } from './rng.js';
import { checkChrono, checkFinite, checkFixedP, checkThetaRange, requireSetting } from './bounds.js';

/** How the pLSTM exponent p = sigmoid(theta) starts. */
export type PInit =
  /** theta ~ U(lo, hi) */
  | { mode: 'range'; lo: number; hi: number }
  /** theta = logit(u), u ~ U(0, 1): p starts uniform in (0, 1) */
  | { mode: 'uniform' }
  /** p is fixed (not trained); theta = logit(p) is still stored */
  | { mode: 'fixed'; p: number };

/** Default pLSTM eps (the paper's and the reference code's value): every default of eps is this. */
export const DEFAULT_EPS = 1e-3;

/** Keeps u in uniform p init away from 0 and 1 so theta stays finite. */
export const U_CLAMP = 1e-6;
/** theta stored for a fixed p = 1: sigmoid(40) rounds to 1 in float64. */
const THETA_FOR_P_ONE = 40;

/** The stored theta of a fixed p in (0, 1] (p = 1: THETA_FOR_P_ONE, as the model files store it). */
export function fixedTheta(p: number): number {
  return p < 1 ? logit(p) : THETA_FOR_P_ONE;
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** A pLSTM config; a fixed pInit sets fixedP. */
export function plstmConfig(inputSize: number, hiddenSize: number,
  opts: { eps?: number; pInit?: PInit } = {}): CellConfig {
  const cfg: CellConfig = {
    kind: 'plstm', inputSize, hiddenSize, eps: opts.eps ?? DEFAULT_EPS,
    fixedP: opts.pInit?.mode === 'fixed' ? opts.pInit.p : null,
  };
  checkConfig(cfg);
  return cfg;
}

/** An LSTM config (eps and fixedP are unused). */
export function lstmConfig(inputSize: number, hiddenSize: number): CellConfig {
  const cfg: CellConfig = { kind: 'lstm', inputSize, hiddenSize, eps: DEFAULT_EPS, fixedP: null };
  checkConfig(cfg);
  return cfg;
}

function fillUniform(buf: Float, rng: Rng, bound: number): void {
  for (let i = 0; i < buf.length; i++) buf[i] = rng.range(-bound, bound);
}

function commonWeights(cfg: CellConfig, rng: Rng, dtype: DType): CellWeights {
  const G = gatesOf(cfg.kind);
  const H = cfg.hiddenSize;
  const I = cfg.inputSize;
  const bound = 1 / Math.sqrt(H);
  const wIh = zerosOf(dtype, G * H * I); // [G*H, I]
  const wHh = zerosOf(dtype, G * H * H); // [G*H, H]
  const b = zerosOf(dtype, G * H); // [G*H]
  fillUniform(wIh, rng, bound);
  fillUniform(wHh, rng, bound);
  fillUniform(b, rng, bound);
  return { wIh, wHh, b, theta: null };
}

/**
 * pLSTM weights: W_ih, W_hh, b ~ U(-1/sqrt(H), 1/sqrt(H)), theta by pInit.
 * For pInit 'fixed', cfg.fixedP must equal pInit.p (plstmConfig does that).
 */
export function initPlstmWeights(cfg: CellConfig, rng: Rng, pInit: PInit = { mode: 'uniform' },
  dtype: DType = 'float64'): CellWeights {
  checkConfig(cfg);
  if (cfg.kind !== 'plstm') throw new ConfigError('initPlstmWeights needs a pLSTM config');
  const H = cfg.hiddenSize;
  const w = commonWeights(cfg, rng, dtype);
  const theta = zerosOf(dtype, H); // [H]
  if (pInit.mode === 'range') {
    const problem = checkThetaRange(pInit.lo, pInit.hi);
    if (problem !== null) throw new ConfigError(`p init range ${problem}, got [${pInit.lo}, ${pInit.hi}]`);
    if (cfg.fixedP !== null) throw new ConfigError('p init "range" needs a config with learned p (fixedP = null)');
    for (let j = 0; j < H; j++) theta[j] = rng.range(pInit.lo, pInit.hi);
  } else if (pInit.mode === 'uniform') {
    if (cfg.fixedP !== null) throw new ConfigError('p init "uniform" needs a config with learned p (fixedP = null)');
    for (let j = 0; j < H; j++) {
      const u = Math.min(Math.max(rng.uniform(), U_CLAMP), 1 - U_CLAMP);
      theta[j] = logit(u);
    }
  } else if (pInit.mode === 'fixed') {
    requireSetting('fixed p', pInit.p, checkFixedP);
    if (cfg.fixedP !== pInit.p) {
      throw new ConfigError(`fixed p init ${pInit.p} needs cfg.fixedP = ${pInit.p} (got ${cfg.fixedP}); build the config with plstmConfig`);
    }
    theta.fill(fixedTheta(pInit.p));
  } else {
    throw new ConfigError(`unknown p init mode ${JSON.stringify((pInit as { mode: unknown }).mode)}: use range, uniform or fixed`);
  }
  w.theta = theta;
  return w;
}

/** LSTM init options. */
export interface LstmInitOptions {
  /** Constant added to the forget-gate bias rows after the random init (default 0). */
  forgetBias?: number;
  /**
   * Chrono init (Tallec and Ollivier 2018, "Can recurrent neural networks warp time?"):
   * Tmax, the longest dependency expected. Sets the forget bias to log(U(1, Tmax - 1)) and the
   * input bias to its negative (replacing their random values). null = off (default).
   */
  chrono?: number | null;
}

/** LSTM weights (rows i, f, g, o): W_ih, W_hh, b ~ U(-1/sqrt(H), 1/sqrt(H)), then forget bias / chrono. */
export function initLstmWeights(cfg: CellConfig, rng: Rng, opts: LstmInitOptions = {},
  dtype: DType = 'float64'): CellWeights {
  checkConfig(cfg);
  if (cfg.kind !== 'lstm') throw new ConfigError('initLstmWeights needs an LSTM config');
  const H = cfg.hiddenSize;
  const w = commonWeights(cfg, rng, dtype);
  const chrono = opts.chrono ?? null;
  if (chrono !== null) {
    requireSetting('chrono', chrono, checkChrono);
    for (let j = 0; j < H; j++) {
      const bf = Math.log(rng.range(1, chrono - 1));
      w.b[H + j] = bf; // forget rows
      w.b[j] = -bf; // input rows
    }
  }
  const forgetBias = opts.forgetBias ?? 0;
  requireSetting('forget bias', forgetBias, checkFinite);
  for (let j = 0; j < H; j++) w.b[H + j] += forgetBias;
  return w;
}
