// Carrying the state into the next call must give exactly what one long run gives: that is
// what streaming and truncated BPTT rely on (and what the absolute-k form of the pLSTM breaks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Rng, createJsBackend, type CellConfig, type CellState, type CellWeights, type DType, type Float,
} from '../src/cells/index.js';
import { allclose } from './support/close.js';

function rand(rng: Rng, n: number, lo: number, hi: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.range(lo, hi);
  return out;
}

/** Rows t0..t1-1 of a [B, T, N] buffer as a [B, t1-t0, N] buffer. */
function sliceTime(buf: Float, B: number, T: number, N: number, t0: number, t1: number): Float64Array {
  const out = new Float64Array(B * (t1 - t0) * N);
  for (let b = 0; b < B; b++) out.set(buf.subarray((b * T + t0) * N, (b * T + t1) * N), b * (t1 - t0) * N);
  return out;
}

/** Joins [B, T1, N] and [B, T2, N] along time. */
function joinTime(a: Float, b: Float, B: number, T1: number, T2: number, N: number): Float64Array {
  const out = new Float64Array(B * (T1 + T2) * N);
  for (let i = 0; i < B; i++) {
    out.set(a.subarray(i * T1 * N, (i + 1) * T1 * N), i * (T1 + T2) * N);
    out.set(b.subarray(i * T2 * N, (i + 1) * T2 * N), (i * (T1 + T2) + T1) * N);
  }
  return out;
}

function setup(kind: 'plstm' | 'lstm', seed: number) {
  const rng = new Rng(seed);
  const B = 3, T1 = 7, T2 = 9, T = T1 + T2, I = 4, H = 5;
  const G = kind === 'plstm' ? 3 : 4;
  const cfg: CellConfig = { kind, inputSize: I, hiddenSize: H, eps: 1e-3, fixedP: null };
  const w: CellWeights = {
    wIh: rand(rng, G * H * I, -0.8, 0.8), wHh: rand(rng, G * H * H, -0.8, 0.8), b: rand(rng, G * H, -1, 1),
    theta: kind === 'plstm' ? rand(rng, H, -2, 2) : null,
  };
  // pLSTM: r biased low so the age keeps growing across the chunk boundary.
  if (kind === 'plstm') for (let j = 0; j < H; j++) w.b[j] -= 4;
  const s0: CellState = {
    h: rand(rng, B * H, -0.5, 0.5), c: rand(rng, B * H, -1, 1),
    a: kind === 'plstm' ? rand(rng, B * H, 3, 40) : null, // non-zero age: a state carried in
  };
  const x = rand(rng, B * T * I, -1, 1);
  const dhSeq = rand(rng, B * T * H, -1, 1);
  const dFinal: CellState = {
    h: rand(rng, B * H, -1, 1), c: rand(rng, B * H, -1, 1), a: kind === 'plstm' ? rand(rng, B * H, -0.1, 0.1) : null,
  };
  return { cfg, w, s0, x, dhSeq, dFinal, B, T1, T2, T, I, H };
}

for (const kind of ['plstm', 'lstm'] as const) {
  for (const dtype of ['float64', 'float32'] as DType[]) {
    test(`${kind} ${dtype}: two chunks give exactly the outputs of one run`, () => {
      const k = setup(kind, kind === 'plstm' ? 5 : 6);
      const be = createJsBackend(dtype);
      const one = be.forward(k.cfg, k.w, k.x, k.B, k.T, { state: k.s0 });
      const x1 = sliceTime(k.x, k.B, k.T, k.I, 0, k.T1);
      const x2 = sliceTime(k.x, k.B, k.T, k.I, k.T1, k.T);
      const f1 = be.forward(k.cfg, k.w, x1, k.B, k.T1, { state: k.s0 });
      const f2 = be.forward(k.cfg, k.w, x2, k.B, k.T2, { state: f1.final });
      assert.deepEqual(joinTime(f1.hSeq, f2.hSeq, k.B, k.T1, k.T2, k.H), Float64Array.from(one.hSeq));
      assert.deepEqual(f2.final.h, one.final.h);
      assert.deepEqual(f2.final.c, one.final.c);
      assert.deepEqual(f2.final.a, one.final.a);
      if (kind === 'plstm') {
        // The age really moved on from its non-zero start (no reset to 0 at the chunk boundary).
        assert.ok(f1.final.a!.some((v, i) => v > k.s0.a![i]));
      }
    });
  }

  test(`${kind} float64: backprop through two chunks equals one run`, () => {
    const k = setup(kind, kind === 'plstm' ? 15 : 16);
    const be = createJsBackend('float64');
    const one = be.forward(k.cfg, k.w, k.x, k.B, k.T, { state: k.s0, needTape: true });
    const gOne = be.backward(k.cfg, k.w, k.x, one, { dhSeq: k.dhSeq, dFinal: k.dFinal });

    const x1 = sliceTime(k.x, k.B, k.T, k.I, 0, k.T1);
    const x2 = sliceTime(k.x, k.B, k.T, k.I, k.T1, k.T);
    const f1 = be.forward(k.cfg, k.w, x1, k.B, k.T1, { state: k.s0, needTape: true });
    const f2 = be.forward(k.cfg, k.w, x2, k.B, k.T2, { state: f1.final, needTape: true });
    const g2 = be.backward(k.cfg, k.w, x2, f2, { dhSeq: sliceTime(k.dhSeq, k.B, k.T, k.H, k.T1, k.T), dFinal: k.dFinal });
    const g1 = be.backward(k.cfg, k.w, x1, f1, { dhSeq: sliceTime(k.dhSeq, k.B, k.T, k.H, 0, k.T1), dFinal: g2.d0 });

    // Everything that flows through the carried state is the same arithmetic: exact.
    assert.deepEqual(joinTime(g1.dx, g2.dx, k.B, k.T1, k.T2, k.I), gOne.dx);
    assert.deepEqual(g1.d0.h, gOne.d0.h);
    assert.deepEqual(g1.d0.c, gOne.d0.c);
    assert.deepEqual(g1.d0.a, gOne.d0.a);
    // Weight gradients are sums over time split into two partial sums: equal up to rounding.
    const sum = (a: Float, b: Float) => a.map((v, i) => v + b[i]);
    allclose(sum(g1.dWIh, g2.dWIh), gOne.dWIh, { rtol: 1e-12, atol: 0 }, 'dWIh');
    allclose(sum(g1.dWHh, g2.dWHh), gOne.dWHh, { rtol: 1e-12, atol: 0 }, 'dWHh');
    allclose(sum(g1.db, g2.db), gOne.db, { rtol: 1e-12, atol: 0 }, 'db');
    if (kind === 'plstm') allclose(sum(g1.dTheta!, g2.dTheta!), gOne.dTheta!, { rtol: 1e-12, atol: 0 }, 'dTheta');
  });
}
