// Recurrent layer units: reversed and bidirectional layers and dropout against central finite
// differences (float64, js backend) and the wasm kernels against the reference on them;
// traces against the reference cells' own values on both backends; a third cell defined
// here (a descriptor and nothing else) trained through the model.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SequenceModel, createOptimizer, serializeModel, deserializeModel, type Batch, type ModelConfig,
} from '../src/model/index.js';
import { Rng } from '../src/cells/rng.js';
import { registerCell } from '../src/cells/registry.js';
import type { CellDescriptor } from '../src/cells/descriptor.js';
import { plstmForward, type PlstmTape } from '../src/cells/plstm.js';
import { lstmForward, type LstmTape } from '../src/cells/lstm.js';
import { createWasmBackend } from '../src/kernels/wasm/backend.js';
import type { CellConfig, CellGrads, CellState, CellWeights, Float, SequenceForward } from '../src/cells/types.js';
import { ConfigError } from '../src/errors.js';
import { worstGradientError } from './support/finite-differences.js';

const wasm = createWasmBackend({ threads: 2, parallelThreshold: 0 });
after(() => wasm.dispose());

function makeBatch(cfg: ModelConfig, B: number, T: number, rng: Rng): Batch {
  const N = cfg.head.steps === 'all' ? B * T : B;
  const O = cfg.head.size;
  const x = cfg.input.kind === 'dense'
    ? new Float32Array(B * T * cfg.input.size).map(() => rng.range(-1, 1))
    : new Int32Array(B * T).map(() => rng.int(cfg.input.kind === 'onehot' ? cfg.input.size : (cfg.input as { vocab: number }).vocab));
  const y = cfg.loss === 'xent' ? new Int32Array(N).map(() => rng.int(O)) : new Float32Array(N * O).map(() => rng.range(-1, 1));
  return { B, T, x, y };
}

/**
 * Max over parameters of |analytic - numeric| / (atol + rtol * |numeric|) (<= 1 passes), with
 * the loss of computeGradients under a fixed dropout seed, so every evaluation uses one mask.
 */
function gradCheck(cfg: ModelConfig, seedOfMask: number): { worst: number; where: string } {
  const model = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  const batch = makeBatch(cfg, 3, 5, new Rng(cfg.seed + 100));
  const lossAt = () => model.computeGradients(batch, { dropoutSeed: seedOfMask }).loss;
  lossAt();
  const result = worstGradientError(model, Float64Array.from(model.grads), lossAt);
  model.dispose();
  return result;
}

const layerCases: { name: string; cfg: ModelConfig }[] = [
  {
    name: 'reversed pLSTM -> LSTM, head on every step',
    cfg: {
      input: { kind: 'onehot', size: 4 }, layers: [{ cell: 'plstm', hidden: 3, reverse: true }, { cell: 'lstm', hidden: 4 }],
      head: { size: 3, steps: 'all' }, loss: 'xent', seed: 11,
    },
  },
  {
    name: 'embedding -> bidirectional pLSTM -> reversed LSTM, head on the last step',
    cfg: {
      input: { kind: 'embedding', vocab: 5, dim: 3 },
      layers: [{ cell: 'plstm', hidden: 3, bidirectional: true }, { cell: 'lstm', hidden: 3, reverse: true }],
      head: { size: 2, steps: 'last' }, loss: 'mse', seed: 12,
    },
  },
  {
    name: 'bidirectional LSTM on top, head on the last step (both final states)',
    cfg: {
      input: { kind: 'dense', size: 2 }, layers: [{ cell: 'lstm', hidden: 3, bidirectional: true }],
      head: { size: 3, steps: 'last' }, loss: 'xent', seed: 13,
    },
  },
  {
    name: 'dropout between layers and before the head (fixed masks)',
    cfg: {
      input: { kind: 'dense', size: 3 },
      layers: [{ cell: 'plstm', hidden: 4, dropout: 0.3 }, { cell: 'plstm', hidden: 3, bidirectional: true, dropout: 0.25 }],
      head: { size: 2, steps: 'all' }, loss: 'mse', seed: 14,
    },
  },
];

for (const { name, cfg } of layerCases) {
  test(`finite differences: ${name}`, () => {
    const { worst, where } = gradCheck(cfg, 77);
    assert.ok(worst <= 1, `worst ${worst.toFixed(3)} at ${where}`);
  });
}

test('dropout: masks zero outputs in training only, repeat with a seed, differ between calls', () => {
  const cfg = layerCases[3].cfg;
  const model = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  const batch = makeBatch(cfg, 3, 5, new Rng(5));
  const a = model.computeGradients(batch, { dropoutSeed: 1 }).loss;
  const b = model.computeGradients(batch, { dropoutSeed: 1 }).loss;
  const c = model.computeGradients(batch, { dropoutSeed: 2 }).loss;
  const evalLoss = model.evaluate(batch).loss;
  assert.equal(a, b, 'the same seed gives the same masks');
  assert.notEqual(a, c, 'another seed gives other masks');
  assert.notEqual(a, evalLoss, 'evaluation runs without dropout');
  assert.equal(model.evaluate(batch).loss, evalLoss, 'evaluation is deterministic');
  const d1 = model.computeGradients(batch).loss, d2 = model.computeGradients(batch).loss;
  assert.notEqual(d1, d2, 'by default each training call draws new masks');
  // the same model seed gives the same sequence of masks
  const twin = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  const t1 = twin.computeGradients(batch).loss;
  assert.equal(t1, SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' }).computeGradients(batch).loss);
  model.dispose();
  twin.dispose();
});

test('the wasm kernels give the reference loss, gradients and outputs for reversed, bidirectional and dropout layers', () => {
  for (const { name, cfg } of layerCases) {
    const ref = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
    const fast = SequenceModel.createOn(cfg, wasm);
    fast.params.set(ref.params);
    ref.params.set(fast.params); // both on the float32 values
    const batch = makeBatch(cfg, 4, 9, new Rng(3));
    const a = ref.computeGradients(batch, { dropoutSeed: 9 });
    const b = fast.computeGradients(batch, { dropoutSeed: 9 });
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss), `${name}: loss ${a.loss} vs ${b.loss}`);
    const scale = Math.max(...Array.from(ref.grads, Math.abs));
    for (const s of ref.slots) {
      let worst = 0;
      for (let i = s.offset; i < s.offset + s.size; i++) worst = Math.max(worst, Math.abs(ref.grads[i] - fast.grads[i]));
      assert.ok(worst <= 1e-4 * scale, `${name} ${s.name}: worst difference ${worst} (scale ${scale})`);
    }
    const pr = ref.predict({ x: batch.x, B: batch.B, T: batch.T }), pf = fast.predict({ x: batch.x, B: batch.B, T: batch.T });
    for (let i = 0; i < pr.length; i++) assert.ok(Math.abs(pr[i] - pf[i]) <= 1e-4, `${name}: predict[${i}]`);
    a.state.layers.forEach((s, k) => {
      for (let i = 0; i < s.h.length; i++) assert.ok(Math.abs(s.h[i] - b.state.layers[k].h[i]) <= 1e-5, `${name}: final h of direction ${k}`);
    });
    ref.dispose();
    fast.dispose();
  }
});

test('a reversed layer is the forward layer on time-reversed input', () => {
  const base: ModelConfig = { input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 4 }], head: { size: 1, steps: 'last' }, loss: 'mse', seed: 3 };
  const fwd = SequenceModel.create(base, { backend: 'js', dtype: 'float64' });
  const rev = SequenceModel.create({ ...base, layers: [{ cell: 'plstm', hidden: 4, reverse: true }] }, { backend: 'js', dtype: 'float64' });
  assert.deepEqual(Array.from(rev.params), Array.from(fwd.params), 'same initial weights');
  const B = 2, T = 6;
  const x = new Float64Array(B * T * 2).map((_, i) => Math.sin(i * 1.3));
  const xr = new Float64Array(x.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let k = 0; k < 2; k++) xr[(b * T + t) * 2 + k] = x[(b * T + T - 1 - t) * 2 + k];
  assert.deepEqual(Array.from(rev.predict({ x, B, T })), Array.from(fwd.predict({ x: xr, B, T })));
});

test('bidirectional layers: PyTorch-style parameter names, one state per direction, save and load, no streaming', () => {
  const cfg: ModelConfig = {
    input: { kind: 'onehot', size: 5 },
    layers: [{ cell: 'plstm', hidden: 4, bidirectional: true, pInit: { mode: 'fixed', p: 0.4 } }, { cell: 'lstm', hidden: 3 }],
    head: { size: 5, steps: 'all' }, loss: 'xent', seed: 4,
  };
  const model = SequenceModel.create(cfg, { backend: 'js', dtype: 'float32' });
  const names = model.slots.map((s) => s.name);
  for (const n of ['layers.0.weight_ih', 'layers.0.weight_ih_reverse', 'layers.0.bias_reverse', 'layers.1.weight_ih']) assert.ok(names.includes(n), n);
  assert.deepEqual(model.slots.find((s) => s.name === 'layers.1.weight_ih')!.shape, [12, 8], 'the layer above reads 2H');
  assert.equal(model.initState(2).layers.length, 3);
  const batch = makeBatch(cfg, 2, 7, new Rng(8));
  const back = deserializeModel(serializeModel(model), { backend: 'js', dtype: 'float32' }).model;
  assert.deepEqual(Array.from(back.predict({ x: batch.x, B: 2, T: 7 })), Array.from(model.predict({ x: batch.x, B: 2, T: 7 })));
  assert.throws(() => model.step({ x: new Int32Array([1]) }, { state: model.initState(1) }), /causal layers only/);
  assert.throws(() => SequenceModel.create({ ...cfg, layers: [{ cell: 'plstm', hidden: 2, reverse: true, bidirectional: true }] }), ConfigError);
  assert.throws(() => SequenceModel.create({ ...cfg, layers: [{ cell: 'plstm', hidden: 2, dropout: 1 }] }), /dropout must be a rate in \[0, 1\)/);
});

// ----- traces

function oneHot(ids: Int32Array, V: number): Float64Array {
  const x = new Float64Array(ids.length * V);
  ids.forEach((id, i) => { x[i * V + id] = 1; });
  return x;
}

function weightsOf(model: SequenceModel, l: number, theta: boolean): CellWeights {
  const f64 = (name: string) => Float64Array.from(model.parameter(`layers.${l}.${name}`));
  return { wIh: f64('weight_ih'), wHh: f64('weight_hh'), b: f64('bias'), theta: theta ? f64('p_param') : null };
}

function gate(acts: Float, k: number, G: number, H: number, row: number, j: number): number {
  return acts[row * G * H + k * H + j];
}

test('traces hold the reference cells\' h, c and every gate, on the js and wasm backends', () => {
  const cfg: ModelConfig = {
    input: { kind: 'onehot', size: 4 },
    layers: [{ cell: 'plstm', hidden: 5, eps: 0.01 }, { cell: 'lstm', hidden: 4 }],
    head: { size: 4, steps: 'all' }, loss: 'xent', seed: 21,
  };
  const B = 3, T = 8;
  const ids = new Int32Array(B * T).map((_, i) => (i * 7 + 3) % 4);
  const ref = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  const tr = ref.trace({ x: ids, B, T });
  // the reference cells run directly on the model's weights
  const c0: CellConfig = { kind: 'plstm', inputSize: 4, hiddenSize: 5, eps: 0.01, fixedP: null };
  const w0 = weightsOf(ref, 0, true);
  const f0 = plstmForward(c0, w0, oneHot(ids, 4), B, T, null, true);
  const t0 = f0.tape as PlstmTape;
  const c1: CellConfig = { kind: 'lstm', inputSize: 5, hiddenSize: 4, eps: 0, fixedP: null };
  const f1 = lstmForward(c1, weightsOf(ref, 1, false), f0.hSeq, B, T, null, true);
  const t1 = f1.tape as LstmTape;
  const [l0, l1] = tr.layers;
  assert.equal(l0.cell, 'plstm');
  assert.deepEqual(Object.keys(l0.gates).sort(), ['a', 'f', 'g', 'o', 'r']);
  assert.deepEqual(Object.keys(l1.gates).sort(), ['f', 'g', 'i', 'o']);
  for (let row = 0; row < B * T; row++) {
    for (let j = 0; j < 5; j++) {
      const k = row * 5 + j;
      assert.equal(l0.h[k], f0.hSeq[k]);
      assert.equal(l0.c[k], t0.cSeq[k]);
      assert.equal(l0.gates.a[k], t0.aSeq[k]);
      ['r', 'o', 'g'].forEach((name, g) => assert.equal(l0.gates[name][k], gate(t0.acts, g, 3, 5, row, j), `${name}[${k}]`));
      const p = 1 / (1 + Math.exp(-w0.theta![j]));
      const f = Math.pow((t0.aSeq[k] + 0.01) / (t0.aSeq[k] + 1), p);
      assert.ok(Math.abs(l0.gates.f[k] - f) <= 1e-15, `f[${k}]`);
      assert.ok(Math.abs(l0.units.p[j] - p) <= 1e-15);
    }
    for (let j = 0; j < 4; j++) {
      const k = row * 4 + j;
      assert.equal(l1.h[k], f1.hSeq[k]);
      assert.equal(l1.c[k], t1.cSeq[k]);
      ['i', 'f', 'g', 'o'].forEach((name, g) => assert.equal(l1.gates[name][k], gate(t1.acts, g, 4, 4, row, j), `${name}[${k}]`));
    }
  }
  const pred = ref.predict({ x: ids, B, T });
  for (let i = 0; i < pred.length; i++) assert.ok(Math.abs(pred[i] - tr.outputs[i]) <= 1e-6, 'trace outputs are predict\'s');
  // on the wasm backend: the same numbers as the reference in float32, and consistent with its kernels
  const fast = SequenceModel.createOn(cfg, wasm);
  const ref32 = SequenceModel.create(cfg, { backend: 'js', dtype: 'float32' });
  ref32.params.set(fast.params);
  const tw = fast.trace({ x: ids, B, T }), t32 = ref32.trace({ x: ids, B, T });
  tw.layers.forEach((l, i) => {
    assert.deepEqual(Array.from(l.h), Array.from(t32.layers[i].h));
    for (const name of Object.keys(l.gates)) assert.deepEqual(Array.from(l.gates[name]), Array.from(t32.layers[i].gates[name]), name);
  });
  const pw = fast.predict({ x: ids, B, T });
  for (let i = 0; i < pw.length; i++) assert.ok(Math.abs(pw[i] - tw.outputs[i]) <= 1e-4, `wasm predict vs trace [${i}]`);
  ref.dispose(); fast.dispose(); ref32.dispose();
});

test('traces of a reversed direction are in input time order, and its final state is after step 0', () => {
  const cfg: ModelConfig = { input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 3, bidirectional: true }], head: { size: 1, steps: 'last' }, loss: 'mse', seed: 6 };
  const model = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  const B = 2, T = 5;
  const x = new Float64Array(B * T * 2).map((_, i) => Math.cos(i));
  const tr = model.trace({ x, B, T });
  const rev = tr.layers[1];
  assert.equal(rev.direction, 'reverse');
  // the reversed direction has read only x_{T-1} when at step T-1: its age there is one step old
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < 3; j++) {
      assert.equal(rev.final.h[b * 3 + j], rev.h[(b * T + 0) * 3 + j], 'final state = output at t = 0');
      const r = rev.gates.r[(b * T + T - 1) * 3 + j];
      assert.ok(Math.abs(rev.gates.a[(b * T + T - 1) * 3 + j] - (r * 1e-3 + (1 - r))) <= 1e-12, 'first step read: a = r eps + (1 - r)');
    }
  }
  const pred = model.predict({ x, B, T });
  for (let i = 0; i < pred.length; i++) assert.ok(Math.abs(pred[i] - tr.outputs[i]) <= 1e-12);
});

// ----- a third cell, defined here: one descriptor, trained through the model (reference backend)

/**
 * A forget-gate-only LSTM (as JANET, van der Westhuizen and Lasenby 2018): gates f, g;
 * c_t = f c_{t-1} + (1 - f) g; h_t = tanh(c_t).
 */
interface JanetTape { B: number; T: number; f: Float64Array; g: Float64Array; c: Float64Array; h0: Float64Array; c0: Float64Array }

const janet: CellDescriptor = {
  kind: 'janet-test',
  gates: ['f', 'g'],
  hasAge: false,
  hasTheta: false,
  traceNames: ['f', 'g'],
  forward(cfg, w, x, B, T, s0, needTape): SequenceForward {
    const H = cfg.hiddenSize, I = cfg.inputSize;
    const f = new Float64Array(B * T * H), g = new Float64Array(B * T * H), c = new Float64Array(B * T * H);
    const hSeq = new Float64Array(B * T * H);
    const h0 = s0 ? Float64Array.from(s0.h) : new Float64Array(B * H), c0 = s0 ? Float64Array.from(s0.c) : new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const row = b * T + t;
        for (let j = 0; j < H; j++) {
          let zf = w.b[j], zg = w.b[H + j];
          for (let i = 0; i < I; i++) { zf += w.wIh[j * I + i] * x[row * I + i]; zg += w.wIh[(H + j) * I + i] * x[row * I + i]; }
          for (let k = 0; k < H; k++) {
            const hp = t === 0 ? h0[b * H + k] : hSeq[(row - 1) * H + k];
            zf += w.wHh[j * H + k] * hp;
            zg += w.wHh[(H + j) * H + k] * hp;
          }
          const cp = t === 0 ? c0[b * H + j] : c[(row - 1) * H + j];
          f[row * H + j] = 1 / (1 + Math.exp(-zf));
          g[row * H + j] = Math.tanh(zg);
          c[row * H + j] = f[row * H + j] * cp + (1 - f[row * H + j]) * g[row * H + j];
        }
        for (let j = 0; j < H; j++) hSeq[row * H + j] = Math.tanh(c[row * H + j]);
      }
    }
    const final: CellState = { h: new Float64Array(B * H), c: new Float64Array(B * H), a: null };
    for (let b = 0; b < B; b++) {
      const last = (b * T + T - 1) * H;
      final.h.set(hSeq.subarray(last, last + H), b * H);
      final.c.set(c.subarray(last, last + H), b * H);
    }
    const tape: JanetTape | null = needTape ? { B, T, f, g, c, h0, c0 } : null;
    return { hSeq, final, tape };
  },
  backward(cfg, w, x, fwd, dhSeq, dFinal): CellGrads {
    const tape = fwd.tape as JanetTape;
    const { B, T } = tape;
    const H = cfg.hiddenSize, I = cfg.inputSize;
    const dx = new Float64Array(B * T * I), dWIh = new Float64Array(2 * H * I), dWHh = new Float64Array(2 * H * H), db = new Float64Array(2 * H);
    const d0: CellState = { h: new Float64Array(B * H), c: new Float64Array(B * H), a: null };
    const dz = new Float64Array(2 * H);
    for (let b = 0; b < B; b++) {
      const dh = new Float64Array(H), dc = new Float64Array(H);
      for (let j = 0; j < H; j++) { dh[j] = dFinal?.h?.[b * H + j] ?? 0; dc[j] = dFinal?.c?.[b * H + j] ?? 0; }
      for (let t = T - 1; t >= 0; t--) {
        const row = b * T + t;
        for (let j = 0; j < H; j++) {
          const k = row * H + j;
          const dht = dh[j] + (dhSeq ? dhSeq[k] : 0);
          const th = Math.tanh(tape.c[k]);
          const dct = dc[j] + dht * (1 - th * th);
          const cp = t === 0 ? tape.c0[b * H + j] : tape.c[k - H];
          const f = tape.f[k], g = tape.g[k];
          dz[j] = dct * (cp - g) * f * (1 - f);
          dz[H + j] = dct * (1 - f) * (1 - g * g);
          dc[j] = dct * f;
        }
        dh.fill(0);
        for (let r = 0; r < 2 * H; r++) {
          db[r] += dz[r];
          for (let i = 0; i < I; i++) { dWIh[r * I + i] += dz[r] * x[row * I + i]; dx[row * I + i] += dz[r] * w.wIh[r * I + i]; }
          for (let k = 0; k < H; k++) {
            const hp = t === 0 ? tape.h0[b * H + k] : fwd.hSeq[(row - 1) * H + k];
            dWHh[r * H + k] += dz[r] * hp;
            dh[k] += dz[r] * w.wHh[r * H + k];
          }
        }
      }
      d0.h.set(dh, b * H);
      d0.c.set(dc, b * H);
    }
    return { dx, dWIh, dWHh, db, dTheta: null, d0 };
  },
  internals(_cfg, _w, fwd) {
    const tape = fwd.tape as JanetTape;
    return { steps: { f: tape.f, g: tape.g }, units: {} };
  },
};
// registerCell is deprecated: it warns once, and still works until it goes
const registerWarnings: string[] = [];
const consoleWarn = console.warn;
console.warn = (...args: unknown[]) => { registerWarnings.push(args.join(' ')); };
try {
  registerCell(janet);
  registerCell(janet); // the same descriptor again: allowed, no second warning
} finally {
  console.warn = consoleWarn;
}

test('registerCell is deprecated: one warning, however often it is called', () => {
  assert.equal(registerWarnings.length, 1);
  assert.match(registerWarnings[0], /registerCell is deprecated and goes in the next release/);
});

test('a cell defined by one descriptor: exact gradients through the model, trains, traces; the wasm backend refuses it', () => {
  const cfg: ModelConfig = {
    input: { kind: 'dense', size: 2 }, layers: [{ cell: 'janet-test', hidden: 4 }, { cell: 'plstm', hidden: 3 }],
    head: { size: 1, steps: 'all' }, loss: 'mse', seed: 31,
  };
  const { worst, where } = gradCheck(cfg, 0);
  assert.ok(worst <= 1, `worst ${worst.toFixed(3)} at ${where}`);
  // a memory task: the target at step t is the first feature at step t - 2
  const model = SequenceModel.create({ ...cfg, layers: [{ cell: 'janet-test', hidden: 8 }] }, { backend: 'js', dtype: 'float64' });
  const rng = new Rng(4);
  const B = 16, T = 10;
  const data = (): Batch => {
    const x = new Float32Array(B * T * 2).map(() => rng.range(-1, 1));
    const y = new Float32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 2; t < T; t++) y[b * T + t] = x[(b * T + t - 2) * 2];
    return { B, T, x, y };
  };
  const test = data();
  const opt = createOptimizer({ kind: 'adam', lr: 0.02 });
  const before = model.evaluate(test).loss;
  for (let i = 0; i < 150; i++) model.trainStep(data(), opt, { clip: 1 });
  const afterLoss = model.evaluate(test).loss;
  assert.ok(afterLoss < 0.5 * before, `loss ${before} -> ${afterLoss}`);
  const tr = model.trace({ x: test.x, B, T });
  assert.deepEqual(Object.keys(tr.layers[0].gates), ['f', 'g']);
  assert.throws(() => SequenceModel.create(cfg, { backend: 'wasm' }).predict({ x: test.x, B, T }), /wasm kernels run the "plstm" and "lstm" cells only/);
  assert.throws(() => SequenceModel.create({ ...cfg, layers: [{ cell: 'nope', hidden: 2 }] }), /unknown cell "nope"/);
  model.dispose();
});
