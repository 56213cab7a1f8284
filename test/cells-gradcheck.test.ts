// Finite-difference checks of every gradient of both reference cells (float64, central
// differences), over many small random shapes and seeds, with non-zero initial states and
// random dL/dh_t and dL/d(final state).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Rng, plstmForward, plstmBackward, lstmForward, lstmBackward,
  type CellConfig, type CellState, type CellWeights, type CellGrads,
} from '../src/cells/index.js';

const H_STEP = 1e-6; // central difference step
// An element passes when |analytic - numeric| <= ATOL + RTOL * max(|analytic|, |numeric|).
// Central differences in float64 at this step are good to ~1e-9 here, so these bounds leave
// room for that but still catch a wrong sign or a missing term (errors of the order of the
// gradient itself).
const ATOL = 1e-7;
const RTOL = 1e-5;

function randArray(rng: Rng, n: number, lo: number, hi: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.range(lo, hi);
  return out;
}

interface Case {
  cfg: CellConfig;
  w: CellWeights<Float64Array>;
  x: Float64Array; // [B, T, I]
  s0: CellState<Float64Array>;
  B: number;
  T: number;
  gSeq: Float64Array; // [B, T, H] dL/dh_t
  gFinal: CellState<Float64Array>; // dL/d(final h, c, a)
}

function makeCase(kind: 'plstm' | 'lstm', seed: number, fixedP: boolean): Case {
  const rng = new Rng(seed);
  const B = 1 + rng.int(3);
  const T = 1 + rng.int(6);
  const I = 1 + rng.int(4);
  const H = 1 + rng.int(4);
  const G = kind === 'plstm' ? 3 : 4;
  const eps = kind === 'plstm' ? [1e-3, 1e-2, 0.1][rng.int(3)] : 1e-3;
  const cfg: CellConfig = { kind, inputSize: I, hiddenSize: H, eps, fixedP: fixedP ? rng.range(0.1, 1) : null };
  const w: CellWeights<Float64Array> = {
    wIh: randArray(rng, G * H * I, -1, 1),
    wHh: randArray(rng, G * H * H, -1, 1),
    b: randArray(rng, G * H, -1.5, 1.5),
    theta: kind === 'plstm' ? randArray(rng, H, -2, 2) : null,
  };
  const s0: CellState<Float64Array> = {
    h: randArray(rng, B * H, -0.9, 0.9),
    c: randArray(rng, B * H, -1.5, 1.5),
    a: kind === 'plstm' ? randArray(rng, B * H, 0, 6) : null,
  };
  return {
    cfg, w, s0, B, T,
    x: randArray(rng, B * T * I, -1, 1),
    gSeq: randArray(rng, B * T * H, -1, 1),
    gFinal: {
      h: randArray(rng, B * H, -1, 1),
      c: randArray(rng, B * H, -1, 1),
      a: kind === 'plstm' ? randArray(rng, B * H, -0.3, 0.3) : null,
    },
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** L = sum(hSeq G) + sum(h_T Gh) + sum(c_T Gc) + sum(a_T Ga). */
function loss(k: Case): number {
  const fwd = k.cfg.kind === 'plstm' ? plstmForward : lstmForward;
  const out = fwd(k.cfg, k.w, k.x, k.B, k.T, k.s0, false);
  let L = dot(out.hSeq, k.gSeq) + dot(out.final.h, k.gFinal.h) + dot(out.final.c, k.gFinal.c);
  if (out.final.a) L += dot(out.final.a, k.gFinal.a!);
  return L;
}

function analytic(k: Case): CellGrads<Float64Array> {
  if (k.cfg.kind === 'plstm') {
    const f = plstmForward(k.cfg, k.w, k.x, k.B, k.T, k.s0, true);
    return plstmBackward(k.cfg, k.w, k.x, f, k.gSeq, k.gFinal);
  }
  const f = lstmForward(k.cfg, k.w, k.x, k.B, k.T, k.s0, true);
  return lstmBackward(k.cfg, k.w, k.x, f, k.gSeq, k.gFinal);
}

/** Worst violation of the criterion over one buffer: 0 means every element passed. */
function checkBuffer(k: Case, name: string, buf: Float64Array, grad: Float64Array): string[] {
  const bad: string[] = [];
  for (let i = 0; i < buf.length; i++) {
    const keep = buf[i];
    buf[i] = keep + H_STEP;
    const up = loss(k);
    buf[i] = keep - H_STEP;
    const down = loss(k);
    buf[i] = keep;
    const num = (up - down) / (2 * H_STEP);
    const err = Math.abs(num - grad[i]);
    if (!(err <= ATOL + RTOL * Math.max(Math.abs(num), Math.abs(grad[i])))) {
      bad.push(`${name}[${i}]: analytic ${grad[i]}, numeric ${num}`);
    }
  }
  return bad;
}

function gradcheck(k: Case): string[] {
  const g = analytic(k);
  const bad = [
    ...checkBuffer(k, 'x', k.x, g.dx),
    ...checkBuffer(k, 'wIh', k.w.wIh, g.dWIh),
    ...checkBuffer(k, 'wHh', k.w.wHh, g.dWHh),
    ...checkBuffer(k, 'b', k.w.b, g.db),
    ...checkBuffer(k, 'h0', k.s0.h, g.d0.h),
    ...checkBuffer(k, 'c0', k.s0.c, g.d0.c),
  ];
  if (k.cfg.kind === 'plstm') {
    // theta is not read when p is fixed: the numeric gradient is then exactly 0, like dTheta.
    bad.push(...checkBuffer(k, 'theta', k.w.theta!, g.dTheta!));
    bad.push(...checkBuffer(k, 'a0', k.s0.a!, g.d0.a!));
  } else {
    assert.equal(g.dTheta, null);
    assert.equal(g.d0.a, null);
  }
  return bad;
}

test('pLSTM gradients match central differences (learned p, 30 random cases)', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const bad = gradcheck(makeCase('plstm', seed, false));
    assert.deepEqual(bad, [], `seed ${seed}`);
  }
});

test('pLSTM gradients match central differences (fixed p, 15 random cases); dTheta is zero', () => {
  for (let seed = 101; seed <= 115; seed++) {
    const k = makeCase('plstm', seed, true);
    assert.deepEqual(gradcheck(k), [], `seed ${seed}`);
    assert.ok(analytic(k).dTheta!.every((v) => v === 0));
  }
});

test('pLSTM gradients match with saturated resets and long ages', () => {
  for (let seed = 201; seed <= 210; seed++) {
    const k = makeCase('plstm', seed, false);
    const H = k.cfg.hiddenSize;
    // Half the units reset hard (r ~ 1), the others almost never (r ~ 0) from a large age.
    for (let j = 0; j < H; j++) k.w.b[j] += j % 2 === 0 ? 8 : -8;
    for (let i = 0; i < k.s0.a!.length; i++) k.s0.a![i] = 50 + 10 * i;
    assert.deepEqual(gradcheck(k), [], `seed ${seed}`);
  }
});

test('LSTM gradients match central differences (30 random cases)', () => {
  for (let seed = 301; seed <= 330; seed++) {
    assert.deepEqual(gradcheck(makeCase('lstm', seed, false)), [], `seed ${seed}`);
  }
});

test('the criterion catches a wrong sign or a missing term', () => {
  const k = makeCase('plstm', 7, false);
  const g = analytic(k);
  // Flip the sign of one dW_hh element: must be reported.
  const i = g.dWHh.findIndex((v) => Math.abs(v) > 1e-3);
  assert.ok(i >= 0);
  const flipped = Float64Array.from(g.dWHh);
  flipped[i] = -flipped[i];
  assert.equal(checkBuffer(k, 'wHh', k.w.wHh, flipped).length, 1);
  // A missing term: gradients computed without the dL/da_T path, checked against the loss that has it.
  const noAge: Case = { ...k, gFinal: { ...k.gFinal, a: new Float64Array(k.gFinal.a!.length) } };
  const gMissing = analytic(noAge);
  assert.ok(checkBuffer(k, 'b', k.w.b, gMissing.db).length > 0);
  // A 1% error in one element is caught too.
  const j = g.dTheta!.findIndex((v) => Math.abs(v) > 1e-3);
  const off = Float64Array.from(g.dTheta!);
  off[j] *= 1.01;
  assert.equal(checkBuffer(k, 'theta', k.w.theta!, off).length, 1);
});
