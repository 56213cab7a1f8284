// Reference fixtures ("plstm-fixture/1"): JSON files with the weights, inputs, initial state,
// outputs and gradients of one pLSTM or LSTM case, computed in float64 elsewhere. This module
// reads and validates them and converts the pLSTM state from the authors' absolute form k to
// our age form a at the boundary:
//   a0 = (t0 - 1) - k0 before the first step,   k_t = (t0 + t) - a_t after step t.
// (t0 is the step number of the first step, 0 in every fixture so far.)
import { DataError } from '../errors.js';
import type { CellConfig, CellState, CellWeights } from '../cells/types.js';
import { gatesOf } from '../cells/registry.js';
import { DEFAULT_EPS } from '../cells/init.js';

export const FIXTURE_FORMAT = 'plstm-fixture/1';

/** A fixture, parsed and checked, with float64 buffers. */
export interface Fixture {
  name: string;
  description: string;
  /** Where it came from (file name), for messages. */
  source: string;
  cfg: CellConfig;
  B: number;
  T: number;
  t0: number;
  weights: CellWeights<Float64Array>;
  s0: CellState<Float64Array>; // h, c [B, H]; a (pLSTM, from k) [B, H]
  x: Float64Array; // [B, T, I]
  /** dL/dh_t of L = sum(h_seq * G) + sum(c_T * Gc). */
  G: Float64Array; // [B, T, H]
  Gc: Float64Array; // [B, H]
  lossValue: number | null;
  /** Expected forward values by fixture key (h_seq, h, c, k, a, c_seq, k_seq, a_seq, f_seq); absent when null. */
  outputs: Record<string, Float64Array>;
  /** Expected gradients by fixture key (x, weight_ih, weight_hh, bias, p_param, h0, c0, k0, a0, ...). */
  grads: Record<string, Float64Array>;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  constructor(private readonly source: string) {}

  fail(msg: string): never {
    throw new DataError(`fixture ${this.source}: ${msg}`);
  }

  obj(parent: Json, key: string, path: string): Json {
    const v = parent[key];
    if (!isObject(v)) this.fail(`${path}${key} is missing or not an object`);
    return v;
  }

  num(parent: Json, key: string, path: string, def?: number): number {
    const v = parent[key];
    if ((v === undefined || v === null) && def !== undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${path}${key} must be a finite number`);
    return v;
  }

  int(parent: Json, key: string, path: string): number {
    const v = this.num(parent, key, path);
    if (!Number.isInteger(v) || v <= 0) this.fail(`${path}${key} must be a positive integer, got ${v}`);
    return v;
  }

  /** A tensor {shape, data} of the expected shape; null/absent is allowed only when optional. */
  tensor(parent: Json, key: string, path: string, shape: number[], optional = false): Float64Array | null {
    const v = parent[key];
    if (v === null || v === undefined) {
      if (optional) return null;
      this.fail(`${path}${key} is missing`);
    }
    if (!isObject(v) || !Array.isArray(v.shape) || !Array.isArray(v.data)) {
      this.fail(`${path}${key} must be a tensor {"shape": [...], "data": [...]}`);
    }
    const got = v.shape as unknown[];
    if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
      this.fail(`${path}${key} has shape [${got.join(', ')}], expected [${shape.join(', ')}]`);
    }
    const data = v.data as unknown[];
    const n = shape.reduce((p, d) => p * d, 1);
    if (data.length !== n) this.fail(`${path}${key} has ${data.length} numbers, its shape needs ${n}`);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = data[i];
      if (typeof d !== 'number' || !Number.isFinite(d)) this.fail(`${path}${key}.data[${i}] is not a finite number`);
      out[i] = d;
    }
    return out;
  }

  need(parent: Json, key: string, path: string, shape: number[]): Float64Array {
    return this.tensor(parent, key, path, shape)!;
  }
}

/** Parses and checks the text of a fixture file. `source` names it in error messages. */
export function parseFixture(text: string, source: string): Fixture {
  const rd: Reader = new Reader(source);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DataError(`fixture ${source}: not a JSON file (expected a "${FIXTURE_FORMAT}" fixture)`);
  }
  if (!isObject(doc) || doc.format !== FIXTURE_FORMAT) {
    const got = isObject(doc) && typeof doc.format === 'string' ? `format "${doc.format}"` : 'no "format" field';
    throw new DataError(`fixture ${source}: not a pLSTM fixture (${got}; expected "${FIXTURE_FORMAT}")`);
  }
  const cell = doc.cell;
  if (cell !== 'plstm' && cell !== 'lstm') rd.fail(`cell must be "plstm" or "lstm", got ${JSON.stringify(cell)}`);
  if (doc.dtype !== undefined && doc.dtype !== 'float64') rd.fail(`dtype must be "float64", got ${JSON.stringify(doc.dtype)}`);
  const config = rd.obj(doc, 'config', '');
  const B = rd.int(config, 'B', 'config.');
  const T = rd.int(config, 'T', 'config.');
  const I = rd.int(config, 'I', 'config.');
  const H = rd.int(config, 'H', 'config.');
  const G = gatesOf(cell);
  const params = rd.obj(doc, 'params', '');
  const init = rd.obj(doc, 'initial_state', '');
  const input = rd.obj(doc, 'input', '');
  const outputs = rd.obj(doc, 'outputs', '');
  const loss = rd.obj(doc, 'loss', '');
  const grads = rd.obj(doc, 'grads', '');

  const BH = [B, H];
  const BTH = [B, T, H];
  let cfg: CellConfig;
  let t0 = 0;
  let theta: Float64Array | null = null;
  let bias: Float64Array;
  const out: Record<string, Float64Array> = {};
  const grad: Record<string, Float64Array> = {};

  if (cell === 'plstm') {
    const eps = rd.num(config, 'eps', 'config.', DEFAULT_EPS);
    if (!(eps > 0)) rd.fail(`config.eps must be > 0, got ${eps}`);
    t0 = config.t0 === undefined || config.t0 === null ? 0 : rd.num(config, 't0', 'config.');
    // learnP may be left out: then p is learned exactly when params.p_param is given.
    const learnP = config.learnP ?? (params.p_param !== null && params.p_param !== undefined);
    if (typeof learnP !== 'boolean') rd.fail('config.learnP must be true or false');
    let fixedP: number | null = null;
    if (learnP) {
      theta = rd.need(params, 'p_param', 'params.', [H]);
    } else {
      fixedP = rd.num(config, 'p', 'config.');
      if (!(fixedP > 0 && fixedP <= 1)) rd.fail(`config.p (the fixed exponent) must lie in (0, 1], got ${fixedP}`);
      const pEff = rd.tensor(params, 'p_effective', 'params.', [H], true);
      if (pEff && pEff.some((v) => Math.abs(v - fixedP!) > 1e-15)) {
        rd.fail('params.p_effective differs from config.p: a different fixed p per unit is not supported');
      }
    }
    cfg = { kind: 'plstm', inputSize: I, hiddenSize: H, eps, fixedP };
    bias = rd.need(params, 'bias', 'params.', [G * H]);
  } else {
    cfg = { kind: 'lstm', inputSize: I, hiddenSize: H, eps: DEFAULT_EPS, fixedP: null };
    const bIh = rd.tensor(params, 'bias_ih', 'params.', [G * H], true);
    const bHh = rd.tensor(params, 'bias_hh', 'params.', [G * H], true);
    const sum = rd.tensor(params, 'bias', 'params.', [G * H], true);
    if (sum) bias = sum;
    else if (bIh && bHh) bias = bIh.map((v, i) => v + bHh[i]);
    else rd.fail('params.bias (or both bias_ih and bias_hh) is missing');
  }

  const weights: CellWeights<Float64Array> = {
    wIh: rd.need(params, 'weight_ih', 'params.', [G * H, I]),
    wHh: rd.need(params, 'weight_hh', 'params.', [G * H, H]),
    b: bias,
    theta,
  };

  let a0: Float64Array | null = null;
  if (cell === 'plstm') {
    const k0 = rd.tensor(init, 'k', 'initial_state.', BH, true);
    const aGiven = rd.tensor(init, 'a', 'initial_state.', BH, true);
    if (k0) a0 = k0.map((k) => t0 - 1 - k);
    else if (aGiven) a0 = aGiven;
    else rd.fail('initial_state.k (or its age form a) is missing');
  }
  const s0: CellState<Float64Array> = {
    h: rd.need(init, 'h', 'initial_state.', BH),
    c: rd.need(init, 'c', 'initial_state.', BH),
    a: a0,
  };

  out.h_seq = rd.need(outputs, 'h_seq', 'outputs.', BTH);
  out.h = rd.need(outputs, 'h', 'outputs.', BH);
  out.c = rd.need(outputs, 'c', 'outputs.', BH);
  if (cell === 'plstm') {
    for (const key of ['k', 'a']) {
      const v = rd.tensor(outputs, key, 'outputs.', BH, true);
      if (v) out[key] = v;
    }
    if (!out.k && !out.a) rd.fail('outputs.k (or its age form a) is missing');
    for (const key of ['c_seq', 'k_seq', 'a_seq', 'f_seq']) {
      const v = rd.tensor(outputs, key, 'outputs.', BTH, true);
      if (v) out[key] = v;
    }
  } else {
    const v = rd.tensor(outputs, 'c_seq', 'outputs.', BTH, true);
    if (v) out.c_seq = v;
  }

  const lossValue = loss.value === undefined || loss.value === null ? null : rd.num(loss, 'value', 'loss.');
  const Gm = rd.need(loss, 'G', 'loss.', BTH);
  const Gc = rd.need(loss, 'Gc', 'loss.', BH);

  grad.x = rd.need(grads, 'x', 'grads.', [B, T, I]);
  grad.weight_ih = rd.need(grads, 'weight_ih', 'grads.', [G * H, I]);
  grad.weight_hh = rd.need(grads, 'weight_hh', 'grads.', [G * H, H]);
  grad.bias = rd.need(grads, 'bias', 'grads.', [G * H]);
  grad.h0 = rd.need(grads, 'h0', 'grads.', BH);
  grad.c0 = rd.need(grads, 'c0', 'grads.', BH);
  if (cell === 'plstm') {
    if (cfg.fixedP === null) grad.p_param = rd.need(grads, 'p_param', 'grads.', [H]);
    const k0 = rd.tensor(grads, 'k0', 'grads.', BH, true);
    const da0 = rd.tensor(grads, 'a0', 'grads.', BH, true);
    if (!k0 && !da0) rd.fail('grads.k0 (or grads.a0) is missing');
    if (k0) grad.k0 = k0;
    if (da0) grad.a0 = da0;
  } else {
    for (const key of ['bias_ih', 'bias_hh']) {
      const v = rd.tensor(grads, key, 'grads.', [G * H], true);
      if (v) grad[key] = v;
    }
  }

  return {
    name: typeof doc.name === 'string' ? doc.name : source.replace(/^.*[\\/]/, '').replace(/\.json$/, ''),
    description: typeof doc.description === 'string' ? doc.description : '',
    source, cfg, B, T, t0, weights, s0,
    x: rd.need(input, 'x', 'input.', [B, T, I]),
    G: Gm, Gc, lossValue, outputs: out, grads: grad,
  };
}
