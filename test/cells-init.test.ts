// The seeded generator, weight initialisation, and the typed errors of bad cell settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Rng, initPlstmWeights, initLstmWeights, plstmConfig, lstmConfig, logit, createJsBackend, plstmForward,
  type CellConfig, type CellWeights,
} from '../src/cells/index.js';
import { ConfigError, ShapeError } from '../src/errors.js';
import { getBackend, listBackends } from '../src/kernels/registry.js';

/** xoshiro128** written with BigInt arithmetic, independent of the 32-bit JS tricks in Rng. */
function referenceXoshiro(state: bigint[], n: number): number[] {
  const M = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  const s = [...state];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(Number((rotl((s[1] * 5n) & M, 7n) * 9n) & M));
    const t = (s[1] << 9n) & M;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11n);
  }
  return out;
}

test('Rng is xoshiro128**: first output of state (1, 2, 3, 4) is 11520, and 1000 outputs match a BigInt version', () => {
  assert.equal(Rng.fromState([1, 2, 3, 4]).nextUint32(), 11520); // rotl(2 * 5, 7) * 9
  for (const seed of [0, 1, 42, 0xdeadbeef]) {
    const rng = new Rng(seed);
    const ref = referenceXoshiro(rng.state().map(BigInt), 1000);
    const got = Array.from({ length: 1000 }, () => rng.nextUint32());
    assert.deepEqual(got, ref, `seed ${seed}`);
  }
});

test('Rng: same seed same numbers, other seed other numbers, uniform in [0, 1) with mean ~0.5', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const c = new Rng(8);
  const xs = Array.from({ length: 20000 }, () => a.uniform());
  assert.deepEqual(Array.from({ length: 20000 }, () => b.uniform()), xs);
  assert.notEqual(c.uniform(), xs[0]);
  assert.ok(xs.every((v) => v >= 0 && v < 1));
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01, `mean ${mean}`);
  const saved = a.state();
  assert.equal(Rng.fromState(saved).uniform(), a.uniform());
});

test('pLSTM init: weights within 1/sqrt(H), theta by mode, fixed p sets the config', () => {
  const H = 16;
  const cfg = plstmConfig(3, H);
  const w = initPlstmWeights(cfg, new Rng(1), { mode: 'range', lo: 0, hi: 1 });
  const bound = 1 / Math.sqrt(H);
  for (const buf of [w.wIh, w.wHh, w.b]) assert.ok(buf.every((v) => Math.abs(v) <= bound));
  assert.ok(w.theta!.every((v) => v >= 0 && v < 1));
  // Same seed, same weights.
  assert.deepEqual(initPlstmWeights(cfg, new Rng(1), { mode: 'range', lo: 0, hi: 1 }), w);
  const u = initPlstmWeights(cfg, new Rng(2), { mode: 'uniform' });
  assert.ok(u.theta!.every(Number.isFinite));
  const fixedCfg = plstmConfig(3, H, { pInit: { mode: 'fixed', p: 0.3 } });
  assert.equal(fixedCfg.fixedP, 0.3);
  const f = initPlstmWeights(fixedCfg, new Rng(3), { mode: 'fixed', p: 0.3 });
  assert.ok(f.theta!.every((v) => Math.abs(v - logit(0.3)) < 1e-15));
  const one = initPlstmWeights(plstmConfig(3, H, { pInit: { mode: 'fixed', p: 1 } }), new Rng(3), { mode: 'fixed', p: 1 });
  assert.ok(one.theta!.every(Number.isFinite));
  assert.throws(() => initPlstmWeights(cfg, new Rng(3), { mode: 'fixed', p: 0.3 }), ConfigError);
  const f32 = initPlstmWeights(cfg, new Rng(1), { mode: 'range', lo: 0, hi: 1 }, 'float32');
  assert.ok(f32.wIh instanceof Float32Array);
});

test('LSTM init: forget bias added to the f rows; chrono sets f = log(U(1, Tmax - 1)) and i = -f', () => {
  const H = 8;
  const cfg = lstmConfig(2, H);
  const plain = initLstmWeights(cfg, new Rng(5));
  const fb = initLstmWeights(cfg, new Rng(5), { forgetBias: 1 });
  for (let j = 0; j < 4 * H; j++) {
    const inF = j >= H && j < 2 * H;
    assert.ok(Math.abs(fb.b[j] - plain.b[j] - (inF ? 1 : 0)) < 1e-15);
  }
  const ch = initLstmWeights(cfg, new Rng(5), { chrono: 100 });
  for (let j = 0; j < H; j++) {
    assert.ok(ch.b[H + j] >= 0 && ch.b[H + j] <= Math.log(99), `forget ${ch.b[H + j]}`);
    assert.equal(ch.b[j], -ch.b[H + j]);
  }
  assert.throws(() => initLstmWeights(cfg, new Rng(5), { chrono: 1 }), ConfigError);
});

test('bad settings and shapes throw typed errors that name the problem', () => {
  const good: CellConfig = { kind: 'plstm', inputSize: 2, hiddenSize: 3, eps: 1e-3, fixedP: null };
  const w = initPlstmWeights(good, new Rng(1));
  const x = new Float64Array(2 * 4 * 2);
  const run = (cfg: CellConfig, ww: CellWeights = w, xx = x, B = 2, T = 4) => plstmForward(cfg, ww, xx, B, T, null);
  assert.throws(() => run({ ...good, hiddenSize: 0 }), (e: unknown) => e instanceof ConfigError && /hidden size H/.test(e.message));
  assert.throws(() => run({ ...good, inputSize: -1 }), (e: unknown) => e instanceof ConfigError && /input size I/.test(e.message));
  assert.throws(() => run({ ...good, eps: 0 }), (e: unknown) => e instanceof ConfigError && /eps/.test(e.message));
  assert.throws(() => run({ ...good, fixedP: 1.5 }), (e: unknown) => e instanceof ConfigError && /fixed p must be in \(0, 1\]/.test(e.message));
  assert.throws(() => run({ ...good, fixedP: 0 }), ConfigError);
  assert.throws(() => run(good, { ...w, wHh: new Float64Array(5) }), (e: unknown) => e instanceof ShapeError && /wHh has 5 numbers/.test(e.message));
  assert.throws(() => run(good, { ...w, theta: null }), (e: unknown) => e instanceof ShapeError && /theta is missing/.test(e.message));
  assert.throws(() => run(good, w, new Float64Array(7)), (e: unknown) => e instanceof ShapeError && /input x has 7 numbers/.test(e.message));
  assert.throws(() => plstmForward(good, w, x, 2, 4, { h: new Float64Array(6), c: new Float64Array(6), a: new Float64Array(5) }),
    (e: unknown) => e instanceof ShapeError && /initial state\.a has 5 numbers/.test(e.message));
  // Fixed p without theta is fine: theta is not read.
  assert.doesNotThrow(() => run({ ...good, fixedP: 0.5 }, { ...w, theta: null }));
  // Backward without a tape.
  const be = createJsBackend('float64');
  const fwd = be.forward(good, w, x, 2, 4);
  assert.throws(() => be.backward(good, w, x, fwd), (e: unknown) => e instanceof ConfigError && /needTape/.test(e.message));
});

test('registry: js float64 and float32 are listed and can be asked for by name', () => {
  const names = listBackends().map((b) => `${b.name} ${b.dtype}`);
  assert.ok(names.includes('js float64') && names.includes('js float32'), names.join(', '));
  assert.equal(getBackend('js', { dtype: 'float32' }).dtype, 'float32');
  const buf = getBackend('js', {}).alloc!(5);
  assert.ok(buf instanceof Float64Array && buf.length === 5 && buf.every((v) => v === 0));
});
