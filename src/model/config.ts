// Model configuration: the specs users write, their defaults (in one place) and validation.
//
// A config is plain JSON (it is stored in every model file), so it holds no functions and no
// typed arrays. `resolveConfig` fills in defaults and throws ConfigError on anything invalid;
// the model only ever sees resolved configs.

import { ConfigError } from '../errors.js';
import type { DType } from '../cells/types.js';
import { DEFAULT_EPS, type PInit } from '../cells/init.js';
import { checkChrono, checkDropout, checkEps, checkFinite, checkFixedP, checkPositiveInt, checkThetaRange, requireSetting } from '../cells/bounds.js';
import { isRegisteredCell } from '../cells/registry.js';

/** Token ids fed to the first layer as one-hot vectors. x: Int32Array [B, T]. */
export interface OneHotInput {
  kind: 'onehot';
  /** Number of distinct tokens: ids are 0..size-1 (the first layer's input width). */
  size: number;
}

/** Token ids looked up in a learned [vocab, dim] embedding table. x: Int32Array [B, T]. */
export interface EmbeddingInput {
  kind: 'embedding';
  /** Number of distinct tokens: ids are 0..vocab-1. */
  vocab: number;
  /** Width of each embedding vector (the first layer's input width). */
  dim: number;
}

/** Real-valued features. x: Float32Array (or Float64Array) [B, T, size]. */
export interface DenseInput {
  kind: 'dense';
  /** Features per step (the first layer's input width). */
  size: number;
}

/** How the input x of a batch is read. */
export type InputConfig = OneHotInput | EmbeddingInput | DenseInput;

/**
 * How a pLSTM layer's decay exponents p start (and whether they learn): the cells' own type.
 * 'uniform': theta = logit(u), u ~ U(0, 1); 'range': theta ~ U(lo, hi); 'fixed': p in (0, 1],
 * not trained (still saved).
 */
export type { PInit };

/** One recurrent layer. */
export interface LayerConfig {
  /**
   * 'plstm' (power-law forget gate), 'lstm' (PyTorch's LSTM, gates i, f, g, o), or the kind
   * of a cell registered with the deprecated registerCell (reference backend only).
   */
  cell: 'plstm' | 'lstm' | (string & {});
  /** H: hidden units of this layer. */
  hidden: number;
  /** pLSTM: the eps in the age update and forget gate. Default DEFAULTS.eps (DEFAULT_EPS, 1e-3); in (0, 1). */
  eps?: number;
  /** pLSTM: how p starts. Default DEFAULTS.pInit ({ mode: 'uniform' }). */
  pInit?: PInit;
  /** LSTM: constant added to the forget-gate bias at init. Default DEFAULTS.forgetBias (0). */
  forgetBias?: number;
  /** LSTM: Tmax of chrono init (Tallec and Ollivier 2018), null = off. Default null. */
  chrono?: number | null;
  /**
   * Run over the sequence from its last step to its first (Keras' goBackwards). The layer's
   * outputs stay in input order (output t is the state after reading steps T-1 .. t), and its
   * final state, the one a head on the last step reads, is the one after step 0. Default false.
   */
  reverse?: boolean;
  /**
   * Two layers of this cell, one forward and one reversed, outputs concatenated per step
   * ([B, T, 2H]: forward units first), as Keras' Bidirectional(merge 'concat') and PyTorch's
   * bidirectional=True. A head on the last step reads both final states. Default false.
   */
  bidirectional?: boolean;
  /**
   * Dropout on this layer's outputs (what the next layer or the head reads), in training only
   * (computeGradients / trainStep; evaluate, predict, step and trace use no dropout):
   * each output is zeroed with this probability and the rest scaled by 1 / (1 - rate)
   * (inverted dropout, as PyTorch). Masks are drawn from the model's seed and a call counter,
   * so runs repeat. In [0, 1); default 0.
   */
  dropout?: number;
}

/** The linear head on top of the last layer. */
export interface HeadConfig {
  /** O: outputs per step (classes for 'xent', targets for 'mse'). */
  size: number;
  /** 'all': an output at every step, [B, T, O]; 'last': only after the last step, [B, O]. */
  steps: 'all' | 'last';
}

/** A whole sequence model: input -> N recurrent layers -> linear head -> loss. */
export interface ModelConfig {
  /** How x is read: one-hot token ids, learned embeddings or dense features. */
  input: InputConfig;
  /** The recurrent layers, bottom first (at least one). */
  layers: LayerConfig[];
  /** The linear head on the top layer. */
  head: HeadConfig;
  /**
   * 'xent': softmax cross-entropy, the mean over counted steps (sum(w * nll) / sum(w) with
   * weights). 'mse': mean squared error, the mean over all elements (weighted by step weights).
   * 'pinball': quantile (pinball) loss, the mean over all elements like 'mse'; output o
   * estimates quantile `quantiles[o % Q]` of its target y[.., o] (so outputs come in groups of Q).
   */
  loss: 'xent' | 'mse' | 'pinball';
  /**
   * Loss 'pinball' only: the quantile levels Q, each in (0, 1); head.size must be a multiple
   * of their count. Required with 'pinball', not allowed otherwise.
   */
  quantiles?: number[];
  /** Seed of the initialisation: the same seed gives the same initial numbers on every backend. */
  seed: number;
}

/** Where and how the model runs (not saved with the model). */
export interface RuntimeOptions {
  /** 'wasm' (fused kernels, float32) when available, else 'js'. Default: 'wasm' if it loads. */
  backend?: 'wasm' | 'js';
  /** 'float32' (default) or 'float64' (the js backend only). */
  dtype?: DType;
  /** Worker threads of the wasm backend (default: its own choice). */
  threads?: number;
}

/** Defaults of every optional setting, in one place. */
export const DEFAULTS = {
  /** pLSTM eps (the paper's and the reference code's value). */
  eps: DEFAULT_EPS,
  /** pLSTM p initialisation. */
  pInit: { mode: 'uniform' } as PInit,
  /** LSTM forget-gate bias offset (PyTorch's default init has none). */
  forgetBias: 0,
  /** LSTM chrono init: off. */
  chrono: null as number | null,
} as const;

/** Settings of every layer, whatever its cell (resolved: all present). */
export interface ResolvedLayerCommon {
  reverse: boolean;
  bidirectional: boolean;
  dropout: number;
}

/** A layer with every default of its cell filled in (and only its cell's settings). */
export type ResolvedLayerConfig = ResolvedLayerCommon & (
  | { cell: 'plstm'; hidden: number; eps: number; pInit: PInit }
  | { cell: 'lstm'; hidden: number; forgetBias: number; chrono: number | null }
  /** A cell registered with the deprecated registerCell (cells/registry.ts): no settings of its own. */
  | { cell: string & { readonly registered?: true }; hidden: number });

/** A config with every default filled in; what the model stores and saves. */
export interface ResolvedModelConfig {
  input: InputConfig;
  layers: ResolvedLayerConfig[];
  head: HeadConfig;
  loss: 'xent' | 'mse' | 'pinball';
  /** Present only with loss 'pinball'. */
  quantiles?: number[];
  seed: number;
}

function positiveInt(v: unknown, what: string): number {
  requireSetting(what, v, checkPositiveInt);
  return v as number;
}

function resolveInput(input: unknown): InputConfig {
  if (typeof input !== 'object' || input === null) {
    throw new ConfigError('input must be an object like { kind: "onehot", size: 10 }');
  }
  const spec = input as Record<string, unknown>;
  switch (spec.kind) {
    case 'onehot':
      return { kind: 'onehot', size: positiveInt(spec.size, 'input.size (one-hot vocabulary)') };
    case 'dense':
      return { kind: 'dense', size: positiveInt(spec.size, 'input.size (features per step)') };
    case 'embedding':
      return {
        kind: 'embedding',
        vocab: positiveInt(spec.vocab, 'input.vocab (embedding vocabulary)'),
        dim: positiveInt(spec.dim, 'input.dim (embedding size)'),
      };
    default:
      throw new ConfigError(
        `unknown input kind ${JSON.stringify(spec.kind)}: use "onehot", "embedding" or "dense"`);
  }
}

/**
 * Validates a pLSTM p initialisation (undefined: DEFAULTS.pInit); `name` is the caller's name
 * for the setting in messages ("layers[0].pInit", "pInit").
 */
export function resolvePInit(v: unknown, name: string): PInit {
  if (v === undefined) return { ...DEFAULTS.pInit };
  if (typeof v !== 'object' || v === null) {
    throw new ConfigError(`${name} must be an object like { mode: "uniform" }`);
  }
  const s = v as Record<string, unknown>;
  switch (s.mode) {
    case 'uniform':
      return { mode: 'uniform' };
    case 'range': {
      const problem = checkThetaRange(s.lo, s.hi);
      if (problem !== null) {
        throw new ConfigError(`${name} range (theta ~ U(lo, hi)) ${problem}, got lo=${String(s.lo)} hi=${String(s.hi)}`);
      }
      return { mode: 'range', lo: s.lo as number, hi: s.hi as number };
    }
    case 'fixed': {
      requireSetting(`${name} fixed p`, s.p, checkFixedP);
      return { mode: 'fixed', p: s.p as number };
    }
    default:
      throw new ConfigError(
        `unknown ${name} mode ${JSON.stringify(s.mode)}: use "uniform", "range" or "fixed"`);
  }
}

function resolveLayer(v: unknown, l: number): ResolvedLayerConfig {
  const where = `layers[${l}]`;
  if (typeof v !== 'object' || v === null) throw new ConfigError(`${where} must be an object`);
  const s = v as Record<string, unknown>;
  if (typeof s.cell !== 'string' || !isRegisteredCell(s.cell)) {
    throw new ConfigError(`unknown cell ${JSON.stringify(s.cell)} in ${where}: use "plstm" or "lstm"`);
  }
  const hidden = positiveInt(s.hidden, `${where}.hidden (H)`);
  const options = resolveLayerOptions(s, where);
  if (s.cell !== 'plstm' && s.cell !== 'lstm') {
    for (const k of ['eps', 'pInit', 'forgetBias', 'chrono']) {
      if (s[k] !== undefined) throw new ConfigError(`${where}: ${k} is a setting of the built-in cells, not of "${s.cell}"`);
    }
    return { cell: s.cell, hidden, ...options };
  }
  const eps = (s.eps === undefined ? DEFAULTS.eps : s.eps) as number;
  requireSetting(`${where}.eps`, eps, checkEps);
  const pInit = resolvePInit(s.pInit, `${where}.pInit`);
  const forgetBias = (s.forgetBias === undefined ? DEFAULTS.forgetBias : s.forgetBias) as number;
  requireSetting(`${where}.forgetBias`, forgetBias, checkFinite);
  const chrono = (s.chrono === undefined ? DEFAULTS.chrono : s.chrono) as number | null;
  if (chrono !== null) requireSetting(`${where}.chrono`, chrono, checkChrono);
  if (s.cell === 'lstm' && (s.pInit !== undefined || s.eps !== undefined)) {
    throw new ConfigError(`${where}: eps and pInit are pLSTM settings; this layer is an "lstm"`);
  }
  if (s.cell === 'plstm' && ((s.forgetBias !== undefined && s.forgetBias !== 0) ||
    (s.chrono !== undefined && s.chrono !== null))) {
    throw new ConfigError(`${where}: forgetBias and chrono are LSTM settings; this layer is a "plstm"`);
  }
  return s.cell === 'plstm'
    ? { cell: 'plstm', hidden, eps, pInit, ...options }
    : { cell: 'lstm', hidden, forgetBias, chrono, ...options };
}

function resolveLayerOptions(s: Record<string, unknown>, where: string): ResolvedLayerCommon {
  const flag = (k: 'reverse' | 'bidirectional'): boolean => {
    const v = s[k] ?? false;
    if (typeof v !== 'boolean') throw new ConfigError(`${where}.${k} must be true or false, got ${String(v)}`);
    return v;
  };
  const dropout = (s.dropout ?? 0) as number;
  requireSetting(`${where}.dropout`, dropout, checkDropout);
  const reverse = flag('reverse'), bidirectional = flag('bidirectional');
  if (reverse && bidirectional) {
    throw new ConfigError(`${where}: reverse and bidirectional together: a bidirectional layer already runs one direction reversed`);
  }
  return { reverse, bidirectional, dropout };
}

export type PlstmLayerConfig = Extract<ResolvedLayerConfig, { cell: 'plstm' }>;
export type LstmLayerConfig = Extract<ResolvedLayerConfig, { cell: 'lstm' }>;

/** Whether a resolved layer is a pLSTM layer (its eps and pInit are then there). */
export function isPlstmLayer(l: ResolvedLayerConfig): l is PlstmLayerConfig {
  return l.cell === 'plstm';
}

/** Whether a resolved layer is an LSTM layer (its forgetBias and chrono are then there). */
export function isLstmLayer(l: ResolvedLayerConfig): l is LstmLayerConfig {
  return l.cell === 'lstm';
}

/**
 * The recurrent directions of a model in order (layer 0 forward, layer 0 reverse when
 * bidirectional, layer 1, ...): one entry of ModelState.layers each, and the order of the
 * parameters. suffix: '' or '_reverse' (the second direction of a bidirectional layer, named
 * as PyTorch names it).
 */
export function directionsOf(cfg: { layers: ResolvedLayerConfig[] }): { layer: number; spec: ResolvedLayerConfig; suffix: '' | '_reverse'; reverse: boolean }[] {
  const out: { layer: number; spec: ResolvedLayerConfig; suffix: '' | '_reverse'; reverse: boolean }[] = [];
  cfg.layers.forEach((spec, layer) => {
    out.push({ layer, spec, suffix: '', reverse: spec.reverse });
    if (spec.bidirectional) out.push({ layer, spec, suffix: '_reverse', reverse: true });
  });
  return out;
}

/** The output width of a layer: H, or 2H when bidirectional. */
export function layerWidth(l: ResolvedLayerConfig): number {
  return l.bidirectional ? 2 * l.hidden : l.hidden;
}

/** Fills in defaults and validates; throws ConfigError naming the first problem. */
export function resolveConfig(config: ModelConfig): ResolvedModelConfig {
  if (typeof config !== 'object' || config === null) throw new ConfigError('model config must be an object');
  const input = resolveInput(config.input);
  if (!Array.isArray(config.layers) || config.layers.length === 0) {
    throw new ConfigError('layers must be a non-empty array of { cell, hidden, ... }');
  }
  const layers = config.layers.map((l, i) => resolveLayer(l, i));
  const head = config.head as unknown;
  if (typeof head !== 'object' || head === null) throw new ConfigError('head must be { size, steps }');
  const h = head as Record<string, unknown>;
  const size = positiveInt(h.size, 'head.size (O)');
  if (h.steps !== 'all' && h.steps !== 'last') {
    throw new ConfigError(`head.steps must be "all" or "last", got ${JSON.stringify(h.steps)}`);
  }
  if (config.loss !== 'xent' && config.loss !== 'mse' && config.loss !== 'pinball') {
    throw new ConfigError(`unknown loss ${JSON.stringify(config.loss)}: use "xent", "mse" or "pinball"`);
  }
  const quantiles = resolveQuantiles(config, size);
  if (config.loss === 'xent' && size < 2) {
    throw new ConfigError(
      `loss "xent" needs a head with at least 2 classes, got head.size=${size} (use loss "mse" for one output)`);
  }
  if (!Number.isSafeInteger(config.seed)) {
    throw new ConfigError(`seed must be an integer, got ${String(config.seed)}`);
  }
  const resolved: ResolvedModelConfig = { input, layers, head: { size, steps: h.steps }, loss: config.loss, seed: config.seed };
  if (quantiles !== undefined) resolved.quantiles = quantiles;
  return resolved;
}

function resolveQuantiles(config: ModelConfig, headSize: number): number[] | undefined {
  const q = config.quantiles as unknown;
  if (config.loss !== 'pinball') {
    if (q !== undefined) throw new ConfigError(`quantiles are a setting of loss "pinball", not of "${config.loss}"`);
    return undefined;
  }
  if (!Array.isArray(q) || q.length === 0 || !q.every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0 && v < 1)) {
    throw new ConfigError('loss "pinball" needs quantiles: a non-empty array of levels in (0, 1), e.g. [0.1, 0.5, 0.9]');
  }
  if (headSize % q.length !== 0) {
    throw new ConfigError(`head.size ${headSize} is not a multiple of the ${q.length} quantiles (outputs come in groups of Q)`);
  }
  return [...q] as number[];
}

/** I of the first recurrent layer: what the input stage hands it per step. */
export function inputWidth(input: InputConfig): number {
  return input.kind === 'embedding' ? input.dim : input.size;
}

// Names of the previous release (settings objects saved in a model file are ...Config).
/** @deprecated use InputConfig */
export type InputSpec = InputConfig;
/** @deprecated use LayerConfig */
export type LayerSpec = LayerConfig;
/** @deprecated use HeadConfig */
export type HeadSpec = HeadConfig;
/** @deprecated use ResolvedLayerConfig */
export type ResolvedLayerSpec = ResolvedLayerConfig;
