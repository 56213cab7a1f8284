// The TF.js layers (powerlaw-lstm/tfjs) on TF.js's cpu backend: FastLSTM against
// tf.layers.lstm, PowerLawLSTM against the reference cells (outputs and every gradient, with
// returnSequences on and off, goBackwards, returnState and a non-zero initial state),
// training with model.fit, model.save / tf.loadLayersModel, the converter to and from our
// model files, tensor leaks, bad input, and TF.js's wasm backend when it loads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  PowerLawLSTM, FastLSTM, disposeKernelBackends, sequenceModelToTfjs, tfjsToSequenceModel, modelFileToTfjs, tfjsToModelFile,
} from '../src/tfjs/index.js';
import { transpose } from '../src/tfjs/keras-layout.js';
import { plstmForward, plstmBackward } from '../src/cells/plstm.js';
import { plstmConfig } from '../src/cells/init.js';
import { Rng } from '../src/cells/rng.js';
import { saveAndReload } from './support/tfjs-save.js';
import { SequenceModel, deserializeModel, serializeModel, type ModelConfig } from '../src/model/index.js';
import { ConfigError, ShapeError } from '../src/errors.js';
import { assertClose, randomPlstmCase } from './support/close.js';

before(async () => {
  await tf.setBackend('cpu');
});
after(() => disposeKernelBackends());

const rng = new Rng(7);
const randn = (n: number, scale = 1): Float32Array => new Float32Array(n).map(() => rng.range(-scale, scale));
const t3 = (a: Float32Array, s: [number, number, number]): tf.Tensor3D => tf.tensor3d(a, s);


/** Returns (value, dx, dh0, dc0, weight grads) of sum(out * R) for a layer called on x from (h0, c0). */
function lossAndGrads(layer: tf.layers.Layer, x: tf.Tensor, init: tf.Tensor[], R: tf.Tensor) {
  const f = (xx: tf.Tensor, ...s: tf.Tensor[]): tf.Scalar => {
    const out = layer.apply(xx, { initialState: s }) as tf.Tensor;
    return tf.sum(tf.mul(out, R));
  };
  const vars = layer.trainableWeights.map((w) => w.read());
  const out = layer.apply(x, { initialState: init }) as tf.Tensor;
  const inputGrads = tf.grads(f)([x, ...init]);
  const { grads } = tf.variableGrads(() => f(x, ...init), vars);
  return { out: out.dataSync(), inputGrads: inputGrads.map((g) => g.dataSync()), weightGrads: vars.map((v) => grads[v.name].dataSync()) };
}

for (const returnSequences of [true, false]) {
  for (const goBackwards of [false, true]) {
    test(`FastLSTM equals tf.layers.lstm: outputs and every gradient (returnSequences ${returnSequences}, goBackwards ${goBackwards}, non-zero state)`, () => {
      const B = 3, T = 5, I = 4, H = 6;
      tf.tidy(() => {
        const ours = new FastLSTM({ units: H, returnSequences, goBackwards });
        const theirs = tf.layers.lstm({ units: H, returnSequences, goBackwards, recurrentActivation: 'sigmoid' });
        const x = t3(randn(B * T * I), [B, T, I]);
        ours.apply(x); // builds the weights
        theirs.apply(x);
        const weights = [tf.tensor2d(randn(I * 4 * H, 0.5), [I, 4 * H]), tf.tensor2d(randn(H * 4 * H, 0.5), [H, 4 * H]), tf.tensor1d(randn(4 * H, 0.5))];
        ours.setWeights(weights);
        theirs.setWeights(weights);
        const init = [tf.tensor2d(randn(B * H), [B, H]), tf.tensor2d(randn(B * H), [B, H])];
        const R = returnSequences ? t3(randn(B * T * H), [B, T, H]) : tf.tensor2d(randn(B * H), [B, H]);
        const a = lossAndGrads(ours, x, init, R);
        const b = lossAndGrads(theirs, x, init, R);
        assertClose(a.out, b.out, 'output');
        ['dx', 'dh0', 'dc0'].forEach((n, i) => assertClose(a.inputGrads[i], b.inputGrads[i], n));
        ['kernel', 'recurrent_kernel', 'bias'].forEach((n, i) => assertClose(a.weightGrads[i], b.weightGrads[i], `d ${n}`));
      });
    });
  }
}

for (const returnSequences of [true, false]) {
  for (const goBackwards of [false, true]) {
    test(`PowerLawLSTM equals the reference pLSTM: outputs, final state and every gradient (returnSequences ${returnSequences}, goBackwards ${goBackwards})`, () => {
      const B = 3, T = 6, I = 4, H = 5;
      const cfg = plstmConfig(I, H);
      // The reference's weights (rows [G*H, I]) in float64; the layer gets them transposed.
      const { w, s0 } = randomPlstmCase(randn, (lo, hi) => rng.range(lo, hi), B, I, H);
      const x = Float64Array.from(randn(B * T * I));
      const R = Float64Array.from(randn((returnSequences ? B * T : B) * H));
      const Rc = Float64Array.from(randn(B * H)), Ra = Float64Array.from(randn(B * H));

      // Reference: the layer reads x from its last step when goBackwards, outputs in that order.
      const xs = goBackwards ? reverseSteps(x, B, T, I) : x;
      const fwd = plstmForward(cfg, w, xs, B, T, s0, true);
      const dhSeq = returnSequences ? R : null;
      const g = plstmBackward(cfg, w, xs, fwd, dhSeq, { h: returnSequences ? null : R, c: Rc, a: Ra });
      const refOut = returnSequences ? fwd.hSeq : fwd.final.h;
      const refDx = goBackwards ? reverseSteps(g.dx, B, T, I) : g.dx;

      tf.tidy(() => {
        const layer = new PowerLawLSTM({ units: H, returnSequences, goBackwards, returnState: true });
        layer.build([B, T, I]);
        layer.setWeights([
          tf.tensor2d(transpose(w.wIh, 3 * H, I), [I, 3 * H]), tf.tensor2d(transpose(w.wHh, 3 * H, H), [H, 3 * H]),
          tf.tensor1d(Float32Array.from(w.b)), tf.tensor1d(Float32Array.from(w.theta)),
        ]);
        const xT = tf.tensor3d(Float32Array.from(x), [B, T, I]);
        const init = [s0.h, s0.c, s0.a].map((s) => tf.tensor2d(Float32Array.from(s), [B, H]));
        const RT = tf.tensor(Float32Array.from(R), returnSequences ? [B, T, H] : [B, H]);
        const RcT = tf.tensor2d(Float32Array.from(Rc), [B, H]), RaT = tf.tensor2d(Float32Array.from(Ra), [B, H]);
        const loss = (xx: tf.Tensor, ...s: tf.Tensor[]): tf.Scalar => {
          const [out, , c, a] = layer.apply(xx, { initialState: s }) as tf.Tensor[];
          return tf.addN([tf.sum(tf.mul(out, RT)), tf.sum(tf.mul(c, RcT)), tf.sum(tf.mul(a, RaT))]) as tf.Scalar;
        };
        const [out, h, c, a] = layer.apply(xT, { initialState: init }) as tf.Tensor[];
        assertClose(out.dataSync(), refOut, 'output');
        assertClose(h.dataSync(), fwd.final.h, 'final h');
        assertClose(c.dataSync(), fwd.final.c, 'final c');
        assertClose(a.dataSync(), fwd.final.a!, 'final age');
        const [dx, dh0, dc0, da0] = tf.grads(loss)([xT, ...init]);
        assertClose(dx.dataSync(), refDx, 'dx');
        assertClose(dh0.dataSync(), g.d0.h, 'dh0');
        assertClose(dc0.dataSync(), g.d0.c, 'dc0');
        assertClose(da0.dataSync(), g.d0.a!, 'da0');
        const vars = layer.trainableWeights.map((v) => v.read());
        const { grads } = tf.variableGrads(() => loss(xT, ...init), vars);
        const ref = [transpose(g.dWIh, 3 * H, I), transpose(g.dWHh, 3 * H, H), g.db, g.dTheta!];
        ['kernel', 'recurrent_kernel', 'bias', 'p_param'].forEach((n, i) => assertClose(grads[vars[i].name].dataSync(), ref[i], `d ${n}`));
      });
    });
  }
}

function reverseSteps<F extends Float32Array | Float64Array>(a: F, B: number, T: number, n: number): F {
  const out = a.slice() as F;
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(a.subarray((b * T + t) * n, (b * T + t + 1) * n), (b * T + T - 1 - t) * n);
  return out;
}

test('PowerLawLSTM with a fixed p keeps p_param out of training and matches the reference', () => {
  const B = 2, T = 4, I = 3, H = 4;
  const cfg = plstmConfig(I, H, { pInit: { mode: 'fixed', p: 0.3 } });
  tf.tidy(() => {
    const layer = new PowerLawLSTM({ units: H, returnSequences: true, pInit: { mode: 'fixed', p: 0.3 } });
    const x = randn(B * T * I);
    const out = layer.apply(tf.tensor3d(x, [B, T, I])) as tf.Tensor;
    assert.deepEqual(layer.trainableWeights.map((v) => v.name.split('/').pop()), ['kernel', 'recurrent_kernel', 'bias']);
    const [k, r, b] = layer.getWeights().map((v) => v.dataSync());
    const w = { wIh: transpose(k, I, 3 * H), wHh: transpose(r, H, 3 * H), b: Float32Array.from(b), theta: null };
    assertClose(out.dataSync(), plstmForward(cfg, w, Float64Array.from(x), B, T, null, false).hSeq, 'output');
  });
});

test('a stateful PowerLawLSTM carries its state across calls, resetStates starts again', () => {
  const B = 2, T = 6, I = 3, H = 4;
  tf.tidy(() => {
    const whole = new PowerLawLSTM({ units: H, returnSequences: true, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
    const stateful = new PowerLawLSTM({ units: H, returnSequences: true, stateful: true });
    const x = tf.tensor3d(randn(B * T * I), [B, T, I]);
    const full = whole.apply(x) as tf.Tensor;
    stateful.build([B, T, I]);
    stateful.setWeights(whole.getWeights());
    const first = stateful.apply(tf.slice(x, [0, 0, 0], [B, 3, I])) as tf.Tensor;
    const second = stateful.apply(tf.slice(x, [0, 3, 0], [B, 3, I])) as tf.Tensor;
    assertClose(tf.concat([first, second], 1).dataSync(), full.dataSync(), 'two stateful calls');
    stateful.resetStates();
    const again = stateful.apply(tf.slice(x, [0, 0, 0], [B, 3, I])) as tf.Tensor;
    assert.deepEqual(again.dataSync(), first.dataSync());
    stateful.resetStates();
  });
});

/** Recall the first token after T steps: V one-hot symbols, chance 1/V. */
function recallTask(N: number, T: number, V: number, seed: number): { x: tf.Tensor3D; y: tf.Tensor2D; ids: Int32Array } {
  const r = new Rng(seed);
  const ids = new Int32Array(N * T).map(() => r.int(V));
  const first = Int32Array.from({ length: N }, (_, n) => ids[n * T]);
  return tf.tidy(() => ({
    x: tf.oneHot(tf.tensor2d(ids, [N, T], 'int32'), V).toFloat() as tf.Tensor3D,
    y: tf.oneHot(tf.tensor1d(first, 'int32'), V).toFloat() as tf.Tensor2D,
    ids,
  }));
}

test('a tf.sequential model with PowerLawLSTM learns to recall its first token with model.fit; no tensor leaks', async () => {
  const T = 8, V = 4;
  const { x, y } = recallTask(256, T, V, 3);
  const model = tf.sequential();
  model.add(new PowerLawLSTM({ units: 16, inputShape: [T, V] }));
  model.add(tf.layers.dense({ units: V, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.03), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, y, { epochs: 1, batchSize: 64, verbose: 0 }); // creates the optimizer's variables
  const before = tf.memory().numTensors;
  const h = await model.fit(x, y, { epochs: 25, batchSize: 64, verbose: 0 });
  assert.equal(tf.memory().numTensors, before, 'model.fit leaked tensors');
  const loss = h.history.loss as number[];
  assert.ok(loss[loss.length - 1] < 0.5 * loss[0], `loss ${loss[0]} -> ${loss[loss.length - 1]}`);
  const test = recallTask(256, T, V, 4);
  const beforePredict = tf.memory().numTensors;
  const acc = tf.tidy(() => tf.mean(tf.equal(tf.argMax(model.predict(test.x) as tf.Tensor, 1), tf.argMax(test.y, 1)).toFloat()).dataSync()[0]);
  assert.equal(tf.memory().numTensors, beforePredict, 'predict leaked tensors');
  assert.ok(acc > 0.8, `held-out accuracy ${acc} (chance ${1 / V})`);
  tf.dispose([x, y, test.x, test.y]);
  model.dispose();
});

test('model.save then tf.loadLayersModel gives identical predictions (both layers, every option kept)', async () => {
  const B = 3, T = 5, I = 4;
  for (const layer of [
    new PowerLawLSTM({ units: 6, inputShape: [T, I], returnSequences: true, eps: 0.01, pInit: { mode: 'range', lo: -1, hi: 2 }, goBackwards: true }),
    new FastLSTM({ units: 6, inputShape: [T, I], unitForgetBias: true, backend: 'js' }),
  ]) {
    const model = tf.sequential({ layers: [layer, tf.layers.dense({ units: 2 })] });
    const loaded = await saveAndReload(model);
    const x = tf.tensor3d(randn(B * T * I), [B, T, I]);
    const a = model.predict(x) as tf.Tensor, b = loaded.predict(x) as tf.Tensor;
    assert.deepEqual(b.dataSync(), a.dataSync());
    // (TF.js itself saves an initializer's unset seed as null)
    const nullish = (_: string, v: unknown): unknown => v ?? null;
    assert.equal(JSON.stringify(loaded.layers[0].getConfig(), nullish), JSON.stringify(layer.getConfig(), nullish));
    assert.equal(loaded.layers[0].getClassName(), layer.getClassName());
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  }
});

test('converter: our model file -> TF.js -> our model file keeps the weights and the predictions', () => {
  const B = 3, T = 7;
  const configs: ModelConfig[] = [
    { input: { kind: 'dense', size: 3 }, layers: [{ cell: 'plstm', hidden: 8, pInit: { mode: 'range', lo: -2, hi: 2 } }], head: { size: 2, steps: 'last' }, loss: 'mse', seed: 1 },
    { input: { kind: 'embedding', vocab: 9, dim: 4 }, layers: [{ cell: 'lstm', hidden: 5 }], head: { size: 9, steps: 'all' }, loss: 'xent', seed: 2 },
    { input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 4, reverse: true, pInit: { mode: 'fixed', p: 0.6 } }], head: { size: 1, steps: 'last' }, loss: 'mse', seed: 3 },
  ];
  for (const config of configs) {
    const ours = SequenceModel.create(config, { backend: 'js', dtype: 'float32' });
    const bytes = serializeModel(ours);
    const net = modelFileToTfjs(bytes, { timeSteps: T });
    const dense = config.input.kind === 'dense';
    const xOurs = dense ? randn(B * T * config.input.size) : new Int32Array(B * T).map(() => rng.int(9));
    const xTf = dense ? tf.tensor3d(xOurs as Float32Array, [B, T, (config.input as { size: number }).size]) : tf.tensor2d(xOurs as Int32Array, [B, T], 'int32');
    const yTf = net.predict(xTf) as tf.Tensor;
    assertClose(yTf.dataSync(), ours.predict({ x: xOurs, B, T }), `TF.js predictions (${config.layers[0].cell}, ${config.head.steps})`);

    const back = deserializeModel(tfjsToModelFile(net, { loss: config.loss as 'mse' | 'xent', seed: config.seed }), { backend: 'js', dtype: 'float32' }).model;
    assert.deepEqual(back.config, ours.config);
    assert.deepEqual(back.params, ours.params, 'weights changed on the round trip');
    assert.deepEqual(back.predict({ x: xOurs, B, T }), ours.predict({ x: xOurs, B, T }));
    // and a TF.js model made fresh converts to ours with the same predictions
    const fresh = tfjsToSequenceModel(net, { loss: config.loss as 'mse' | 'xent' });
    assertClose(fresh.predict({ x: xOurs, B, T }), yTf.dataSync(), 'SequenceModel from TF.js');
    tf.dispose([xTf, yTf]);
    net.dispose();
    [ours, back, fresh].forEach((m) => m.dispose());
  }
});

test('bad input: wrong rank, options that do not apply, a mask of the wrong shape, models the converter cannot take', () => {
  assert.throws(() => new FastLSTM({ units: 4, recurrentActivation: 'hardSigmoid' } as never), (e: Error) => e instanceof ConfigError && /recurrentActivation/.test(e.message));
  assert.throws(() => new PowerLawLSTM({ units: 0 }), ConfigError);
  assert.throws(() => new PowerLawLSTM({ units: 4, eps: 2 }), /eps/);
  assert.throws(() => new PowerLawLSTM({ units: 4, pInit: { mode: 'fixed', p: 1.5 } }), /fixed p/);
  assert.throws(() => new PowerLawLSTM({ units: 4, kernelInitializer: 'noSuchInit' }), /unknown initializer/);
  tf.tidy(() => {
    const layer = new PowerLawLSTM({ units: 4 });
    assert.throws(() => layer.apply(tf.zeros([2, 3])), /ndim|rank|expected/i);
    layer.apply(tf.zeros([2, 3, 5]));
    assert.throws(() => layer.apply(tf.zeros([2, 3, 5]), { initialState: [tf.zeros([2, 3]), tf.zeros([2, 4])] }), /\[batch, units\]/);
    assert.throws(() => layer.apply(tf.zeros([2, 3, 5]), { mask: tf.ones([2, 4]) }), (e: Error) => e instanceof ShapeError && /mask must be \[batch, steps\] = \[2, 3\]/.test(e.message));
  });
  const twoLayers = tf.sequential({ layers: [new FastLSTM({ units: 3, inputShape: [4, 2], returnSequences: true }), new FastLSTM({ units: 3 }), tf.layers.dense({ units: 1 })] });
  assert.throws(() => tfjsToSequenceModel(twoLayers), /FastLSTM -> FastLSTM -> Dense/);
  twoLayers.dispose();
  const deep = SequenceModel.create({ input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 3 }, { cell: 'plstm', hidden: 3 }], head: { size: 1, steps: 'last' }, loss: 'mse', seed: 0 }, { backend: 'js' });
  assert.throws(() => sequenceModelToTfjs(deep), /one recurrent layer/);
  deep.dispose();
});

test('TF.js wasm backend: the layers give the cpu backend\'s outputs and gradients, with and without a mask', async (t) => {
  const B = 2, T = 4, I = 3, H = 5;
  const x = randn(B * T * I);
  const run = (): Float32Array[] => tf.tidy(() => {
    const layer = new PowerLawLSTM({ units: H, returnSequences: true, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), recurrentInitializer: tf.initializers.glorotUniform({ seed: 4 }), pInit: { mode: 'fixed', p: 0.4 } });
    const xt = tf.tensor3d(x, [B, T, I]);
    layer.apply(xt); // builds the weights
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(xt) as tf.Tensor)), layer.trainableWeights.map((v) => v.read()));
    // and under a mask (the masked path gathers and concatenates with TF.js ops)
    const mask = tf.tensor2d([1, 1, 1, 0, 1, 0, 1, 1], [B, T], 'bool');
    const masked = tf.variableGrads(() => tf.sum(tf.square(layer.apply(xt, { mask }) as tf.Tensor)), layer.trainableWeights.map((v) => v.read()));
    return [value, ...Object.values(grads), masked.value, ...Object.values(masked.grads)].map((g) => g.dataSync() as Float32Array);
  });
  const onCpu = run();
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    const ok = await Promise.race([tf.setBackend('wasm'), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    if (!ok) {
      t.skip('the TF.js wasm backend did not start within 10 s here');
      return;
    }
  } catch (err) {
    t.skip(`the TF.js wasm backend does not load here (${(err as Error).message})`);
    return;
  }
  try {
    const onWasm = run();
    onWasm.forEach((a, i) => assertClose(a, onCpu[i], `result ${i} on wasm`));
  } finally {
    await tf.setBackend('cpu');
  }
});
