// A 100,000-step pLSTM in float32 against float64: long stretches without reset (the age grows
// to ~5e4) and saturated resets (r = 1 exactly) at a few steps.
//
// Why the age form: the authors' absolute form keeps k_t = r (t - eps) + (1 - r) k_{t-1} and
// uses t - k inside the gate. In float32 the spacing of numbers near t = 5e4 is 2^-8 ~ 0.004,
// so after a reset at such a t, k = t - eps rounds to t itself: t - k = 0 and the gate becomes
// (eps / 1)^p instead of ((eps + eps) / (eps + 1))^p (eps is lost entirely), and a k that
// rounds above t makes the base negative and f NaN. The age a = t - k is always a small number
// right after a reset (a = eps), so float32 keeps it to 7 digits however long the sequence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJsBackend, plstmForward, plstmBackward, type CellConfig, type CellWeights, type PlstmTape } from '../src/cells/index.js';
import { allclose, maxAbs } from './support/close.js';

const T = 100_000;
const B = 1;
const I = 2;
const H = 2;
const EPS = 1e-3;
const RESETS = [20_000, 50_000, 50_001, 99_000];
const P = [0.3, 0.8];

function build() {
  const cfg: CellConfig = { kind: 'plstm', inputSize: I, hiddenSize: H, eps: EPS, fixedP: null };
  // Rows r (0..H-1), o (H..2H-1), g (2H..3H-1); inputs: x0 = reset pulse, x1 = signal.
  const wIh = new Float64Array([
    52, 0, 52, 0, // r: the pulse lifts z_r from -12 to 40, where sigmoid is exactly 1 in float64
    0, 0.5, 0, -0.7, // o
    0, 1.5, 0, -1.2, // g
  ]); // [3H, I]
  const wHh = new Float64Array([0, 0, 0, 0, 0.3, -0.2, 0.1, 0.4, 0.2, -0.3, 0.25, 0.1]); // [3H, H]
  const b = new Float64Array([-12, -12, 0.2, -0.1, 0.1, -0.2]); // [3H]: r ~ 6e-6 between resets
  const theta = new Float64Array(P.map((p) => Math.log(p / (1 - p)))); // [H]
  const w: CellWeights = { wIh, wHh, b, theta };
  const x = new Float64Array(B * T * I); // [B, T, I]
  for (let t = 0; t < T; t++) x[t * I + 1] = Math.sin(t * 0.01) * Math.cos(t * 0.0013);
  for (const t of RESETS) x[t * I] = 1;
  return { cfg, w, x };
}

test('float32 and float64 agree over 100,000 steps; forget gate after a reset is ((2 eps)/(1 + eps))^p', () => {
  const { cfg, w, x } = build();
  const ref = createJsBackend('float64').forward(cfg, w, x, B, T);
  const f32 = createJsBackend('float32').forward(cfg, w, x, B, T, { needTape: true });
  const tape = f32.tape as PlstmTape<Float32Array>;

  assert.ok(f32.hSeq.every(Number.isFinite), 'no NaN/Infinity in h');
  assert.ok(tape.cSeq.every(Number.isFinite) && tape.aSeq.every(Number.isFinite), 'no NaN/Infinity in c, a');

  // Outputs stay close: measured worst |h32 - h64| is 8e-7; the bound is 1e-5 absolute.
  allclose(f32.hSeq, ref.hSeq, { rtol: 0, atol: 1e-5 }, 'h32 against h64');

  // The age really grew large before the resets (the case the absolute form gets wrong).
  assert.ok(tape.aSeq[(RESETS[1] - 1) * H] > 20_000, `age before reset ${tape.aSeq[(RESETS[1] - 1) * H]}`);

  for (const t of RESETS) {
    for (let j = 0; j < H; j++) {
      const a = tape.aSeq[t * H + j];
      assert.equal(a, Math.fround(EPS), `age right after the reset at t = ${t}`);
      // The forget gate seen in the memory update c = f c_prev + (1 - f) g.
      const c = tape.cSeq[t * H + j];
      const cPrev = tape.cSeq[(t - 1) * H + j];
      const g = tape.acts[t * 3 * H + 2 * H + j];
      const fSeen = (c - g) / (cPrev - g);
      const fExpected = Math.pow((2 * EPS) / (1 + EPS), P[j]);
      assert.ok(Math.abs(fSeen - fExpected) < 1e-3 * fExpected + 1e-6,
        `t = ${t}, unit ${j}: f = ${fSeen}, expected ${fExpected}`);
    }
  }
});

test('float32 backward over 100,000 steps has no NaN and matches float64 in size', () => {
  const { cfg, w, x } = build();
  const dh = new Float64Array(B * T * H).fill(1e-3);
  const run = <F extends Float32Array | Float64Array>(xx: F) => {
    const f = plstmForward(cfg, w, xx, B, T, null, true);
    return plstmBackward(cfg, w, xx, f, dh, { c: new Float64Array([1, -1]) });
  };
  const g64 = run(x);
  const g32 = run(Float32Array.from(x));
  // Measured worst errors relative to the largest gradient element: 1e-7 to 1.5e-6.
  for (const [name, a, b] of [['dWHh', g32.dWHh, g64.dWHh], ['db', g32.db, g64.db], ['dTheta', g32.dTheta!, g64.dTheta!],
    ['dx', g32.dx, g64.dx]] as const) {
    assert.ok(a.every(Number.isFinite), `${name} finite`);
    allclose(a, b, { rtol: 0, atol: 1e-4 * maxAbs(b) + 1e-7 }, name);
  }
});

test('the absolute k form in float32 loses eps after a reset at t = 50,000 (why the age form is used)', () => {
  const t = 50_000;
  const k = Math.fround(t - EPS); // a saturated reset: k = t - eps, stored in float32
  assert.equal(k, t); // eps is gone
  const fAbsolute = Math.pow((t - k + EPS) / (t - k + 1), 0.5);
  const fTrue = Math.pow((2 * EPS) / (1 + EPS), 0.5);
  assert.ok(Math.abs(fAbsolute - fTrue) / fTrue > 0.25);
});
