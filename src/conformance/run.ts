// Runs a fixture on a backend and compares every output and gradient with the reference.
import type { CellKind, CellState, CellWeights, DType, Float } from '../cells/types.js';
import type { SequenceBackend } from '../cells/sequence-backend.js';
import { asDType } from '../cells/buffers.js';
import type { Fixture } from './fixture.js';
import { compare, toF64, toleranceFor, type Comparison } from './compare.js';

/** The result of one fixture on one backend. */
export interface ConformanceRun {
  file: string;
  fixture: string;
  cell: CellKind;
  backend: string;
  dtype: DType;
  comparisons: Comparison[];
  /** Set when the backend threw instead of producing numbers (the run then fails). */
  error?: string;
  pass: boolean;
}

function stateAs(s: CellState<Float64Array>, dtype: DType): CellState {
  return { h: asDType(s.h, dtype), c: asDType(s.c, dtype), a: s.a === null ? null : asDType(s.a, dtype) };
}

/** Per-step values from running the backend one step per call, carrying the state. */
function runStepwise(fx: Fixture, backend: SequenceBackend, w: CellWeights, x: Float, s0: CellState) {
  const { B, T } = fx;
  const I = fx.cfg.inputSize;
  const H = fx.cfg.hiddenSize;
  const hSeq = new Float64Array(B * T * H); // [B, T, H]
  const cSeq = new Float64Array(B * T * H); // [B, T, H]
  const aSeq = new Float64Array(B * T * H); // [B, T, H]
  const xt = asDType(new Float64Array(B * I), backend.dtype); // [B, 1, I]
  let s = s0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) xt.set(x.subarray((b * T + t) * I, (b * T + t + 1) * I), b * I);
    const out = backend.forward(fx.cfg, w, xt, B, 1, { state: s });
    s = out.final;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const at = (b * T + t) * H + j;
        hSeq[at] = out.final.h[b * H + j];
        cSeq[at] = out.final.c[b * H + j];
        if (out.final.a) aSeq[at] = out.final.a[b * H + j];
      }
    }
  }
  return { hSeq, cSeq, aSeq };
}

/** Exponent p per unit in the backend's precision: sigmoid(theta) or the fixed p. */
function exponents(fx: Fixture, dtype: DType): Float64Array {
  const H = fx.cfg.hiddenSize;
  const p = new Float64Array(H);
  const theta = fx.weights.theta ? toF64(asDType(fx.weights.theta, dtype)) : null;
  for (let j = 0; j < H; j++) p[j] = fx.cfg.fixedP ?? 1 / (1 + Math.exp(-theta![j]));
  return p;
}

/**
 * Runs `fx` on `backend` (a float32 backend gets float32 copies of every input) and compares
 * the forward outputs, the loss, per-step values (when the fixture has them) and every gradient.
 */
export function runFixture(fx: Fixture, backend: SequenceBackend): ConformanceRun {
  const dtype = backend.dtype;
  const run: ConformanceRun = {
    file: fx.source, fixture: fx.name, cell: fx.cfg.kind, backend: backend.name, dtype, comparisons: [], pass: false,
  };
  try {
    run.comparisons = compareAll(fx, backend);
    run.pass = run.comparisons.every((c) => c.pass);
  } catch (err) {
    run.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    run.pass = false;
  }
  return run;
}

function compareAll(fx: Fixture, backend: SequenceBackend): Comparison[] {
  const dtype = backend.dtype;
  const { B, T, cfg } = fx;
  const H = cfg.hiddenSize;
  const plstm = cfg.kind === 'plstm';
  const w: CellWeights = {
    wIh: asDType(fx.weights.wIh, dtype), wHh: asDType(fx.weights.wHh, dtype), b: asDType(fx.weights.b, dtype),
    theta: fx.weights.theta ? asDType(fx.weights.theta, dtype) : null,
  };
  const x = asDType(fx.x, dtype);
  const s0 = stateAs(fx.s0, dtype);
  const G = asDType(fx.G, dtype);
  const Gc = asDType(fx.Gc, dtype);
  const out: Comparison[] = [];
  const check = (name: string, key: string, actual: ArrayLike<number>, ref: Float64Array | undefined,
    scale?: ArrayLike<number>) => {
    if (ref) out.push(compare(name, actual, ref, toleranceFor(dtype, key), scale));
  };

  // Forward over the whole sequence.
  const fwd = backend.forward(cfg, w, x, B, T, { state: s0, needTape: true });
  const ref = fx.outputs;
  check('h_seq', 'h_seq', toF64(fwd.hSeq), ref.h_seq);
  check('h', 'h', toF64(fwd.final.h), ref.h);
  check('c', 'c', toF64(fwd.final.c), ref.c);
  if (plstm) {
    const a = toF64(fwd.final.a!);
    // k_T = (t0 + T - 1) - a_T, compared relative to the size of the state (see compare.ts).
    check('k', 'k', a.map((v) => fx.t0 + T - 1 - v), ref.k, a);
    check('a', 'a', a, ref.a);
  }
  if (fx.lossValue !== null) {
    let L = 0;
    for (let i = 0; i < fwd.hSeq.length; i++) L += fwd.hSeq[i] * G[i];
    for (let i = 0; i < fwd.final.c.length; i++) L += fwd.final.c[i] * Gc[i];
    check('loss', 'loss', [L], new Float64Array([fx.lossValue]));
  }

  // Per-step values, when the fixture has them: one call per step, so carrying the state between
  // calls is checked too.
  if (ref.c_seq || ref.a_seq || ref.k_seq || ref.f_seq) {
    const steps = runStepwise(fx, backend, w, x, s0);
    check('h_seq (1-step calls)', 'h_seq', steps.hSeq, ref.h_seq);
    check('c_seq', 'c_seq', steps.cSeq, ref.c_seq);
    if (plstm) {
      check('a_seq', 'a_seq', steps.aSeq, ref.a_seq);
      // k_t = (t0 + t) - a_t
      const kSeq = steps.aSeq.map((a, i) => fx.t0 + (Math.floor(i / H) % T) - a);
      check('k_seq', 'k_seq', kSeq, ref.k_seq, steps.aSeq);
      const p = exponents(fx, dtype);
      const eps = cfg.eps;
      const fSeq = steps.aSeq.map((a, i) => Math.pow((a + eps) / (a + 1), p[i % H]));
      check('f_seq', 'f_seq', fSeq, ref.f_seq);
    }
  }

  // Gradients of L = sum(h_seq * G) + sum(c_T * Gc).
  const g = backend.backward(cfg, w, x, fwd, { dhSeq: G, dFinal: { c: Gc } });
  const rg = fx.grads;
  check('grad x', 'x', toF64(g.dx), rg.x);
  check('grad weight_ih', 'weight_ih', toF64(g.dWIh), rg.weight_ih);
  check('grad weight_hh', 'weight_hh', toF64(g.dWHh), rg.weight_hh);
  check('grad bias', 'bias', toF64(g.db), rg.bias);
  check('grad bias_ih', 'bias_ih', toF64(g.db), rg.bias_ih); // both biases enter as a sum
  check('grad bias_hh', 'bias_hh', toF64(g.db), rg.bias_hh);
  if (plstm && cfg.fixedP === null) check('grad p_param', 'p_param', toF64(g.dTheta!), rg.p_param);
  check('grad h0', 'h0', toF64(g.d0.h), rg.h0);
  check('grad c0', 'c0', toF64(g.d0.c), rg.c0);
  if (plstm) {
    const da0 = toF64(g.d0.a!);
    check('grad k0', 'k0', da0.map((v) => -v), rg.k0); // a0 = (t0 - 1) - k0, so dL/dk0 = -dL/da0
    check('grad a0', 'a0', da0, rg.a0);
  }
  return out;
}
