// Optimizers against PyTorch's update formulas, gradient clipping, seeded initialisation
// across backends, and learning: a pLSTM trained on a copy task to 100% accuracy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SequenceModel, createOptimizer, clipGradNorm, accuracy, type Batch, type ModelConfig, type OptimizerConfig,
} from '../src/model/index.js';
import { ConfigError } from '../src/errors.js';
import { Rng } from '../src/cells/rng.js';
import { allclose } from './support/close.js';
import { FLOAT32_BACKENDS, WASM_AVAILABLE } from './support/backends.js';

// ----- optimizers

const P0 = [0.5, -1.25, 2.0];
const GRADS = [[0.1, -0.3, 2.0], [-0.2, 0.05, 1.0], [0.4, 0.0, -0.5]];

function run3(spec: OptimizerConfig): number[] {
  const opt = createOptimizer(spec);
  const p = Float64Array.from(P0);
  for (const g of GRADS) opt.step(p, Float64Array.from(g));
  assert.equal(opt.steps, 3);
  return Array.from(p);
}

/** allclose at tol relative to max(1, |expected|), as atol = rtol = tol / 2 (never looser than that). */
function close(actual: number[], expected: number[], tol = 1e-14): void {
  allclose(actual, expected, { rtol: tol / 2, atol: tol / 2 });
}

// Expected values: three steps of torch.optim's documented update rules, computed
// independently in float64 (square_avg = a*sa + (1-a) g^2, p -= lr g / (sqrt(sa) + eps), ...).
test('RMSprop follows torch.optim.RMSprop (no momentum)', () => {
  // first step by hand: sa = 0.01 g^2, p -= 0.01 * g / (0.1 |g| + 1e-8) ~ p - 0.1 sign(g)
  const opt = createOptimizer({ kind: 'rmsprop', lr: 0.01 });
  const p = Float64Array.from(P0);
  opt.step(p, Float64Array.from(GRADS[0]));
  close(Array.from(p), P0.map((v, i) => v - 0.01 * GRADS[0][i] / (0.1 * Math.abs(GRADS[0][i]) + 1e-8)));
  close(run3({ kind: 'rmsprop', lr: 0.01 }), [0.40212046407366664, -1.166520492886186, 1.8771091000981541]);
});

test('RMSprop with momentum follows torch.optim.RMSprop', () => {
  close(run3({ kind: 'rmsprop', lr: 0.01, alpha: 0.9, eps: 1e-6, momentum: 0.5 }),
    [0.4595198774086525, -1.2028682692823303, 1.9300903201487358]);
});

test('Adam follows torch.optim.Adam with bias correction', () => {
  // first step by hand: m_hat = g, v_hat = g^2, p -= lr g / (|g| + eps)
  const opt = createOptimizer({ kind: 'adam', lr: 0.1 });
  const p = Float64Array.from(P0);
  opt.step(p, Float64Array.from(GRADS[0]));
  close(Array.from(p), P0.map((v, i) => v - 0.1 * GRADS[0][i] / (Math.abs(GRADS[0][i]) + 1e-8)), 1e-12);
  close(run3({ kind: 'adam', lr: 0.1 }), [0.3946448001344941, -1.0545171441680596, 1.7504158999804387], 1e-12);
});

test('SGD with and without momentum follows torch.optim.SGD', () => {
  close(run3({ kind: 'sgd', lr: 0.1 }), [0.47, -1.225, 1.75]);
  close(run3({ kind: 'sgd', lr: 0.1, momentum: 0.9 }), [0.4709, -1.1782, 1.318]);
});

test('optimizer settings are validated', () => {
  assert.throws(() => createOptimizer({ kind: 'rmsprop', lr: 0 }), ConfigError);
  assert.throws(() => createOptimizer({ kind: 'rmsprop', lr: 0.1, eps: 0 }), /eps/);
  assert.throws(() => createOptimizer({ kind: 'adam', lr: 0.1, beta2: 1 }), /beta2/);
  assert.throws(() => createOptimizer({ kind: 'sgd', lr: NaN }), /lr/);
  assert.throws(() => createOptimizer({ kind: 'lbfgs', lr: 1 } as unknown as OptimizerConfig), /unknown optimizer "lbfgs"/);
});

// ----- clipping

test('clipGradNorm scales by max/(norm + 1e-6) above the limit, like clip_grad_norm_', () => {
  const g = Float64Array.from([3, 4]); // norm 5
  const norm = clipGradNorm(g, 1);
  assert.equal(norm, 5);
  const c = 1 / (5 + 1e-6);
  close(Array.from(g), [3 * c, 4 * c]);
  const h = Float64Array.from([0.3, 0.4]);
  assert.equal(clipGradNorm(h, 1), 0.5);
  assert.deepEqual(Array.from(h), [0.3, 0.4]); // below the limit: untouched
});

test('trainStep clips the model gradient and reports the norm before clipping', () => {
  const cfg: ModelConfig = {
    input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 4 }],
    head: { size: 1, steps: 'last' }, loss: 'mse', seed: 3,
  };
  const rng = new Rng(4);
  const batch: Batch = { B: 2, T: 3, x: new Float32Array(12).map(() => rng.range(-1, 1)), y: Float32Array.from([10, -10]) };
  const a = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  a.computeGradients(batch);
  const g = Float64Array.from(a.grads);
  const norm = Math.hypot(...g);
  assert.ok(norm > 0.5);
  const b = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  const before = Float64Array.from(b.params);
  const r = b.trainStep(batch, createOptimizer({ kind: 'sgd', lr: 1 }), { clip: 0.5 });
  assert.ok(Math.abs(r.gradNorm - norm) < 1e-12 * norm);
  const scale = 0.5 / (norm + 1e-6);
  for (let i = 0; i < g.length; i++) assert.ok(Math.abs(b.params[i] - (before[i] - g[i] * scale)) < 1e-12);
  assert.throws(() => b.trainStep(batch, createOptimizer({ kind: 'sgd', lr: 1 }), { clip: -1 }), ConfigError);
});

// ----- seeded initialisation

const INIT_CFG: ModelConfig = {
  input: { kind: 'embedding', vocab: 7, dim: 5 },
  layers: [{ cell: 'plstm', hidden: 6, pInit: { mode: 'range', lo: -3, hi: 1 } }, { cell: 'lstm', hidden: 5, chrono: 20 }],
  head: { size: 3, steps: 'all' }, loss: 'xent', seed: 42,
};

test('same seed gives the same initial numbers on every backend and precision', () => {
  const f64 = SequenceModel.create(INIT_CFG, { backend: 'js', dtype: 'float64' });
  const f32 = SequenceModel.create(INIT_CFG, { backend: 'js', dtype: 'float32' });
  assert.ok(f64.params instanceof Float64Array && f32.params instanceof Float32Array);
  assert.deepEqual(f32.params, Float32Array.from(f64.params));
  assert.deepEqual(SequenceModel.create(INIT_CFG, { backend: 'js', dtype: 'float64' }).params, f64.params);
  if (WASM_AVAILABLE) {
    const w = SequenceModel.create(INIT_CFG, { backend: 'wasm' });
    assert.deepEqual(Float32Array.from(w.params), f32.params);
    w.dispose();
  }
  const other = SequenceModel.create({ ...INIT_CFG, seed: 43 }, { backend: 'js', dtype: 'float64' });
  assert.notDeepEqual(other.params, f64.params);
  // bounds: LSTM/pLSTM weights in U(-1/sqrt(H), 1/sqrt(H)), chrono forget biases in [0, log(19)]
  const w = f64.parameter('layers.0.weight_hh');
  assert.ok(w.every((v) => Math.abs(v) <= 1 / Math.sqrt(6)));
  const b1 = f64.parameter('layers.1.bias');
  for (let j = 0; j < 5; j++) {
    assert.ok(b1[5 + j] >= 0 && b1[5 + j] <= Math.log(19));
    assert.equal(b1[j], -b1[5 + j]);
  }
  const p = f64.pSummary();
  assert.equal(p.length, 1);
  assert.ok(p[0].p.every((v) => v > 1 / (1 + Math.exp(3)) - 1e-12 && v < 1 / (1 + Math.exp(-1)) + 1e-12));
});

// ----- learning: copy task

/**
 * Copy task: K symbols from 1..A, then blanks (0) with a marker (A+1) at the end of the
 * delay, then K blanks during which the model must output the K symbols in order. Only the
 * output steps are counted (weights 1 there, 0 elsewhere).
 */
function copyBatch(rng: Rng, B: number, K: number, A: number, delay: number): Batch & { x: Int32Array; y: Int32Array; weights: Float32Array } {
  const T = K + delay + K;
  const x = new Int32Array(B * T), y = new Int32Array(B * T), weights = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < K; k++) {
      const s = 1 + rng.int(A);
      x[b * T + k] = s;
      y[b * T + K + delay + k] = s;
      weights[b * T + K + delay + k] = 1;
    }
    x[b * T + K + delay - 1] = A + 1;
  }
  return { B, T, x, y, weights };
}

for (const backend of FLOAT32_BACKENDS) test(`a pLSTM learns the copy task (delay 10) to 100% accuracy on held-out sequences (${backend})`, () => {
  const K = 3, A = 4, delay = 10, V = A + 2;
  const model = SequenceModel.create({
    input: { kind: 'onehot', size: V }, layers: [{ cell: 'plstm', hidden: 24 }],
    head: { size: V, steps: 'all' }, loss: 'xent', seed: 1,
  }, { backend, dtype: 'float32' });
  const opt = createOptimizer({ kind: 'adam', lr: 0.05 });
  const held = copyBatch(new Rng(999), 256, K, A, delay);
  const accOf = (): number => accuracy(model.evaluate(held).outputs, held.y, V, held.weights);
  const start = accOf();
  assert.ok(start < 0.5, `accuracy before training should be near chance (1/${A}), got ${start}`);
  const rng = new Rng(5);
  const t0 = Date.now();
  let acc = start;
  let steps = 0;
  while (steps < 1500 && acc < 1) {
    for (let i = 0; i < 25; i++, steps++) model.trainStep(copyBatch(rng, 32, K, A, delay), opt, { clip: 1 });
    acc = accOf();
  }
  const secs = (Date.now() - t0) / 1000;
  assert.equal(acc, 1, `accuracy ${acc} after ${steps} steps (${secs.toFixed(1)} s)`);
  process.stdout.write(`# copy task: 100% after ${steps} steps, ${secs.toFixed(1)} s (${backend} float32)\n`);
  model.dispose();
});

test('training is reproducible: same seed and data give bit-identical weights', () => {
  const cfg: ModelConfig = {
    input: { kind: 'onehot', size: 6 }, layers: [{ cell: 'plstm', hidden: 8 }, { cell: 'lstm', hidden: 8 }],
    head: { size: 6, steps: 'all' }, loss: 'xent', seed: 9,
  };
  const train = (): Float32Array => {
    const m = SequenceModel.create(cfg, { backend: 'js', dtype: 'float32' });
    const opt = createOptimizer({ kind: 'rmsprop', lr: 0.01, momentum: 0.9 });
    const rng = new Rng(1);
    for (let i = 0; i < 5; i++) m.trainStep(copyBatch(rng, 4, 2, 4, 3), opt, { clip: 1 });
    return Float32Array.from(m.params);
  };
  assert.deepEqual(train(), train());
});
