// Checks of cell settings and buffer sizes, shared by every cell and backend. They take the
// cell's descriptor, so a cell checks itself without the registry (registry.ts has the same
// checks by kind). Each failure names the problem in one message (ConfigError for settings,
// ShapeError for sizes).
import { ShapeError } from '../errors.js';
import type { CellDescriptor } from './descriptor.js';
import type { CellConfig, CellState, CellWeights, Float } from './types.js';
import { checkEps, checkFixedP, checkPositiveInt, isPositiveInt, requireSetting } from './bounds.js';

/** What the checks read of a cell's descriptor. */
type CellShape = Pick<CellDescriptor, 'kind' | 'gates' | 'hasAge' | 'hasTheta'>;

/** Throws ConfigError when a setting of a cell `d` is outside what it can be. */
export function checkCellConfig(d: CellShape, cfg: CellConfig): void {
  requireSetting('hidden size H', cfg.hiddenSize, checkPositiveInt);
  requireSetting('input size I', cfg.inputSize, checkPositiveInt);
  if (d.kind === 'plstm') {
    requireSetting('pLSTM eps', cfg.eps, checkEps);
    if (cfg.fixedP !== null) requireSetting('fixed p', cfg.fixedP, checkFixedP);
  }
}

function checkLength(what: string, buf: Float | null | undefined, expected: number, shape: string): void {
  if (buf === null || buf === undefined) {
    throw new ShapeError(`${what} is missing: expected ${shape} = ${expected} numbers`);
  }
  if (!(buf instanceof Float32Array || buf instanceof Float64Array)) {
    throw new ShapeError(`${what} must be a Float32Array or Float64Array`);
  }
  if (buf.length !== expected) {
    throw new ShapeError(`${what} has ${buf.length} numbers, expected ${shape} = ${expected}`);
  }
}

/** Throws ShapeError when a weight buffer of a cell `d` does not match the config. */
export function checkCellWeights(d: CellShape, cfg: CellConfig, w: CellWeights): void {
  const G = d.gates.length;
  const H = cfg.hiddenSize;
  const I = cfg.inputSize;
  checkLength('weights wIh', w.wIh, G * H * I, `[${G}*H, I] = [${G * H}, ${I}]`);
  checkLength('weights wHh', w.wHh, G * H * H, `[${G}*H, H] = [${G * H}, ${H}]`);
  checkLength('bias b', w.b, G * H, `[${G}*H] = [${G * H}]`);
  if (d.hasTheta) {
    // theta may be absent only when p is fixed (it is not read then).
    if (w.theta !== null || cfg.fixedP === null) checkLength('theta', w.theta, H, `[H] = [${H}]`);
  } else if (w.theta !== null) {
    throw new ShapeError(`${cfg.kind} weights must have theta = null (theta belongs to the pLSTM)`);
  }
}

/** Throws ShapeError when B, T or the input buffer do not fit together. */
export function checkSequence(cfg: CellConfig, x: Float, B: number, T: number): void {
  if (!isPositiveInt(B)) throw new ShapeError(`batch size B must be a positive integer, got ${B}`);
  if (!isPositiveInt(T)) throw new ShapeError(`sequence length T must be a positive integer, got ${T}`);
  checkLength('input x', x, B * T * cfg.inputSize, `[B, T, I] = [${B}, ${T}, ${cfg.inputSize}]`);
}

/** Throws ShapeError when a state of a cell `d` (initial state or gradient of the final state) has the wrong sizes. */
export function checkCellState(d: CellShape, cfg: CellConfig, s: Partial<CellState>, B: number, what: string,
  allowMissing: boolean): void {
  const H = cfg.hiddenSize;
  const shape = `[B, H] = [${B}, ${H}]`;
  for (const key of ['h', 'c', 'a'] as const) {
    const buf = s[key];
    if (key === 'a' && !d.hasAge) {
      if (buf !== null && buf !== undefined) {
        throw new ShapeError(`${what}.a must be null for the ${cfg.kind === 'lstm' ? 'LSTM' : cfg.kind} (the age belongs to the pLSTM)`);
      }
      continue;
    }
    if ((buf === null || buf === undefined) && allowMissing) continue;
    checkLength(`${what}.${key}`, buf, B * H, shape);
  }
}

/** The hSeq output buffer a caller hands to a backend: the backend's dtype and [B, T, H] numbers. */
export function checkOutput(out: Float, dtype: 'float32' | 'float64', n: number): void {
  checkLength('the output buffer', out, n, '[B, T, H]');
  if (dtype === 'float32' ? !(out instanceof Float32Array) : !(out instanceof Float64Array)) {
    throw new ShapeError(`the output buffer must be a ${dtype === 'float32' ? 'Float32Array' : 'Float64Array'} (the backend's dtype)`);
  }
}

/** The checks at the top of a cell's reference forward (`fn` names it in the kind error). */
export function checkForwardArgs(d: CellShape, fn: string, cfg: CellConfig, w: CellWeights, x: Float,
  B: number, T: number, s0: CellState | null): void {
  checkCellConfig(d, cfg);
  if (cfg.kind !== d.kind) throw new TypeError(`${fn} needs a config of kind ${d.kind}`);
  checkCellWeights(d, cfg, w);
  checkSequence(cfg, x, B, T);
  if (s0) checkCellState(d, cfg, s0, B, 'initial state', false);
}

/** The checks at the top of a cell's reference backward, once the tape has given B and T. */
export function checkBackwardArgs(d: CellShape, fn: string, cfg: CellConfig, w: CellWeights, x: Float,
  B: number, T: number, dhSeq: Float | null, dFinal: Partial<CellState> | null): void {
  checkCellConfig(d, cfg);
  if (cfg.kind !== d.kind) throw new TypeError(`${fn} needs a config of kind ${d.kind}`);
  checkCellWeights(d, cfg, w);
  checkSequence(cfg, x, B, T);
  const H = cfg.hiddenSize;
  if (dhSeq !== null && dhSeq.length !== B * T * H) {
    throw new ShapeError(`dhSeq has ${dhSeq.length} numbers, expected [B, T, H] = ${B * T * H}`);
  }
  if (dFinal) checkCellState(d, cfg, dFinal, B, 'dFinal', true);
}
