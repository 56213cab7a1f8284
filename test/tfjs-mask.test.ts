// Masking in the TF.js layers (powerlaw-lstm/tfjs) on TF.js's cpu backend. tf.layers.RNN's rule:
// at a masked step the output and the state are those of the step before. FastLSTM against
// tf.layers.lstm with the same mask, PowerLawLSTM against the reference cell run on each row's
// unmasked steps (outputs, final state and every gradient), and masks that come from
// tf.layers.masking and embedding({ maskZero: true }) inside a model.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PowerLawLSTM, FastLSTM, disposeKernelBackends } from '../src/tfjs/index.js';
import { transpose } from '../src/tfjs/keras-layout.js';
import { plstmForward, plstmBackward } from '../src/cells/plstm.js';
import { plstmConfig } from '../src/cells/init.js';
import { Rng } from '../src/cells/rng.js';
import { assertClose, randomPlstmCase, worst } from './support/close.js';

before(async () => {
  await tf.setBackend('cpu');
});
after(() => disposeKernelBackends());

const rng = new Rng(11);
const randn = (n: number, scale = 1): Float32Array => new Float32Array(n).map(() => rng.range(-scale, scale));


// [B = 6, T = 6]: right-padded rows of lengths 6, 4, 4 and 1, a row with gaps and a leading
// masked step, and a row with every step masked.
const T = 6;
const MASK = [
  1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 0, 0,
  1, 1, 1, 1, 0, 0,
  1, 0, 0, 0, 0, 0,
  0, 1, 0, 1, 1, 0,
  0, 0, 0, 0, 0, 0,
];
const B = MASK.length / T;

for (const returnSequences of [true, false]) {
  for (const goBackwards of [false, true]) {
    test(`masked FastLSTM equals masked tf.layers.lstm: outputs, final state, every gradient (returnSequences ${returnSequences}, goBackwards ${goBackwards})`, () => {
      const I = 3, H = 4;
      tf.tidy(() => {
        const ours = new FastLSTM({ units: H, returnSequences, goBackwards, returnState: true });
        const theirs = tf.layers.lstm({ units: H, returnSequences, goBackwards, returnState: true, recurrentActivation: 'sigmoid' });
        const x = tf.tensor3d(randn(B * T * I), [B, T, I]);
        const mask = tf.tensor2d(MASK, [B, T], 'bool');
        ours.apply(x);
        theirs.apply(x);
        const weights = [tf.tensor2d(randn(I * 4 * H, 0.5), [I, 4 * H]), tf.tensor2d(randn(H * 4 * H, 0.5), [H, 4 * H]), tf.tensor1d(randn(4 * H, 0.5))];
        ours.setWeights(weights);
        theirs.setWeights(weights);
        const init = [tf.tensor2d(randn(B * H), [B, H]), tf.tensor2d(randn(B * H), [B, H])];
        const R = returnSequences ? tf.tensor3d(randn(B * T * H), [B, T, H]) : tf.tensor2d(randn(B * H), [B, H]);
        const Rh = tf.tensor2d(randn(B * H), [B, H]), Rc = tf.tensor2d(randn(B * H), [B, H]);
        const run = (layer: tf.layers.Layer) => {
          const loss = (xx: tf.Tensor, ...s: tf.Tensor[]): tf.Scalar => {
            const [out, h, c] = layer.apply(xx, { initialState: s, mask }) as tf.Tensor[];
            return tf.addN([tf.sum(tf.mul(out, R)), tf.sum(tf.mul(h, Rh)), tf.sum(tf.mul(c, Rc))]) as tf.Scalar;
          };
          const outs = (layer.apply(x, { initialState: init, mask }) as tf.Tensor[]).map((t) => t.dataSync());
          const inputGrads = tf.grads(loss)([x, ...init]).map((g) => g.dataSync());
          const vars = layer.trainableWeights.map((v) => v.read());
          const { grads } = tf.variableGrads(() => loss(x, ...init), vars);
          return { outs, inputGrads, weightGrads: vars.map((v) => grads[v.name].dataSync()) };
        };
        const a = run(ours), b = run(theirs);
        ['output', 'final h', 'final c'].forEach((n, i) => assertClose(a.outs[i], b.outs[i], n));
        ['dx', 'dh0', 'dc0'].forEach((n, i) => assertClose(a.inputGrads[i], b.inputGrads[i], n));
        ['kernel', 'recurrent_kernel', 'bias'].forEach((n, i) => assertClose(a.weightGrads[i], b.weightGrads[i], `d ${n}`));
      });
    });
  }
}

test('masked PowerLawLSTM equals the reference pLSTM run on each row\'s unmasked steps: outputs, final state, every gradient', () => {
  const I = 3, H = 4;
  const cfg = plstmConfig(I, H);
  const { w, s0 } = randomPlstmCase(randn, (lo, hi) => rng.range(lo, hi), B, I, H);
  const x = Float64Array.from(randn(B * T * I));
  const R = Float64Array.from(randn(B * T * H)), Rc = Float64Array.from(randn(B * H)), Ra = Float64Array.from(randn(B * H));

  // Reference, row by row on the kept steps: the output at step t is h after the last kept step
  // <= t (the initial h before any), so dL/dh of a kept step sums R over the steps it is shown.
  const refOut = new Float64Array(B * T * H), refC = new Float64Array(B * H), refA = new Float64Array(B * H);
  const refDx = new Float64Array(B * T * I), dh0 = new Float64Array(B * H), dc0 = new Float64Array(B * H), da0 = new Float64Array(B * H);
  const dW = { wIh: new Float64Array(3 * H * I), wHh: new Float64Array(3 * H * H), b: new Float64Array(3 * H), theta: new Float64Array(H) };
  const row = (a: Float64Array, b: number, n: number) => a.slice(b * n, (b + 1) * n);
  for (let b = 0; b < B; b++) {
    const kept = [...Array(T).keys()].filter((t) => MASK[b * T + t] !== 0);
    const L = kept.length;
    const init = { h: row(s0.h, b, H), c: row(s0.c, b, H), a: row(s0.a, b, H) };
    const shown = (t: number): number => kept.filter((k) => k <= t).length; // kept steps up to t
    if (L === 0) {
      for (let t = 0; t < T; t++) {
        refOut.set(init.h, (b * T + t) * H);
        for (let j = 0; j < H; j++) dh0[b * H + j] += R[(b * T + t) * H + j];
      }
      refC.set(init.c, b * H); refA.set(init.a, b * H);
      dc0.set(row(Rc, b, H), b * H); da0.set(row(Ra, b, H), b * H);
      continue;
    }
    const xs = new Float64Array(L * I);
    kept.forEach((t, k) => xs.set(x.subarray((b * T + t) * I, (b * T + t + 1) * I), k * I));
    const fwd = plstmForward(cfg, w, xs, 1, L, init, true);
    const dh = new Float64Array(L * H);
    const dInitH = new Float64Array(H);
    for (let t = 0; t < T; t++) {
      const k = shown(t);
      refOut.set(k === 0 ? init.h : fwd.hSeq.subarray((k - 1) * H, k * H), (b * T + t) * H);
      for (let j = 0; j < H; j++) (k === 0 ? dInitH : dh)[(k === 0 ? 0 : (k - 1) * H) + j] += R[(b * T + t) * H + j];
    }
    refC.set(fwd.final.c, b * H); refA.set(fwd.final.a!, b * H);
    const g = plstmBackward(cfg, w, xs, fwd, dh, { h: null, c: row(Rc, b, H), a: row(Ra, b, H) });
    kept.forEach((t, k) => refDx.set(g.dx.subarray(k * I, (k + 1) * I), (b * T + t) * I));
    for (let j = 0; j < H; j++) {
      dh0[b * H + j] = g.d0.h[j] + dInitH[j]; dc0[b * H + j] = g.d0.c[j]; da0[b * H + j] = g.d0.a![j];
    }
    for (const [k, v] of [['wIh', g.dWIh], ['wHh', g.dWHh], ['b', g.db], ['theta', g.dTheta!]] as const) dW[k].forEach((_, i) => { dW[k][i] += v[i]; });
  }

  tf.tidy(() => {
    const layer = new PowerLawLSTM({ units: H, returnSequences: true, returnState: true });
    layer.build([B, T, I]);
    layer.setWeights([
      tf.tensor2d(transpose(w.wIh, 3 * H, I), [I, 3 * H]), tf.tensor2d(transpose(w.wHh, 3 * H, H), [H, 3 * H]),
      tf.tensor1d(Float32Array.from(w.b)), tf.tensor1d(Float32Array.from(w.theta)),
    ]);
    const mask = tf.tensor2d(MASK, [B, T]); // float32 0/1, as a user may give it
    const xT = tf.tensor3d(Float32Array.from(x), [B, T, I]);
    const init = [s0.h, s0.c, s0.a].map((s) => tf.tensor2d(Float32Array.from(s), [B, H]));
    const RT = tf.tensor3d(Float32Array.from(R), [B, T, H]);
    const RcT = tf.tensor2d(Float32Array.from(Rc), [B, H]), RaT = tf.tensor2d(Float32Array.from(Ra), [B, H]);
    const loss = (xx: tf.Tensor, ...s: tf.Tensor[]): tf.Scalar => {
      const [out, , c, a] = layer.apply(xx, { initialState: s, mask }) as tf.Tensor[];
      return tf.addN([tf.sum(tf.mul(out, RT)), tf.sum(tf.mul(c, RcT)), tf.sum(tf.mul(a, RaT))]) as tf.Scalar;
    };
    const [out, h, c, a] = layer.apply(xT, { initialState: init, mask }) as tf.Tensor[];
    assertClose(out.dataSync(), refOut, 'output');
    assertClose(h.dataSync(), tf.tensor3d(Float32Array.from(refOut), [B, T, H]).slice([0, T - 1, 0], [B, 1, H]).dataSync(), 'final h');
    assertClose(c.dataSync(), refC, 'final c');
    assertClose(a.dataSync(), refA, 'final age');
    const [dx, gh0, gc0, ga0] = tf.grads(loss)([xT, ...init]);
    assertClose(dx.dataSync(), refDx, 'dx');
    assertClose(gh0.dataSync(), dh0, 'dh0');
    assertClose(gc0.dataSync(), dc0, 'dc0');
    assertClose(ga0.dataSync(), da0, 'da0');
    const vars = layer.trainableWeights.map((v) => v.read());
    const { grads } = tf.variableGrads(() => loss(xT, ...init), vars);
    const ref = [transpose(dW.wIh, 3 * H, I), transpose(dW.wHh, 3 * H, H), dW.b, dW.theta];
    ['kernel', 'recurrent_kernel', 'bias', 'p_param'].forEach((n, i) => assertClose(grads[vars[i].name].dataSync(), ref[i], `d ${n}`));
  });
});

test('tf.layers.masking before FastLSTM in a model: the predictions of the same model with tf.layers.lstm', () => {
  const I = 2, H = 5;
  tf.tidy(() => {
    const x = tf.mul(tf.tensor3d(randn(B * T * I), [B, T, I]), tf.tensor3d(MASK, [B, T, 1])); // masked steps all 0
    const make = (rnn: tf.layers.Layer): tf.Sequential => tf.sequential({
      layers: [tf.layers.masking({ maskValue: 0, inputShape: [T, I] }), rnn, tf.layers.dense({ units: 3 })],
    });
    const ours = make(new FastLSTM({ units: H, returnSequences: true }));
    const theirs = make(tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid' }));
    theirs.setWeights(ours.getWeights());
    const a = ours.predict(x) as tf.Tensor, b = theirs.predict(x) as tf.Tensor;
    assertClose(a.dataSync(), b.dataSync(), 'predictions');
    // the mask did something: without it the padded rows would differ
    const unmasked = tf.sequential({ layers: [new FastLSTM({ units: H, returnSequences: true, inputShape: [T, I] }), tf.layers.dense({ units: 3 })] });
    unmasked.setWeights(ours.getWeights());
    assert.ok(worst((unmasked.predict(x) as tf.Tensor).dataSync(), b.dataSync()) > 1, 'the mask changed nothing');
  });
});

test('embedding({ maskZero: true }) before PowerLawLSTM: a right-padded row predicts as the row alone; model.fit trains without leaks', async () => {
  const V = 5, H = 6, lengths = [6, 4, 2];
  const ids = lengths.map((L) => Array.from({ length: T }, (_, t) => (t < L ? 1 + rng.int(V - 1) : 0)));
  const model = tf.sequential({
    layers: [tf.layers.embedding({ inputDim: V, outputDim: 3, maskZero: true, inputShape: [null] }), new PowerLawLSTM({ units: H }), tf.layers.dense({ units: 2 })],
  });
  tf.tidy(() => {
    const padded = model.predict(tf.tensor2d(ids, [lengths.length, T], 'int32')) as tf.Tensor;
    lengths.forEach((L, b) => {
      const alone = model.predict(tf.tensor2d([ids[b].slice(0, L)], [1, L], 'int32')) as tf.Tensor;
      assertClose(padded.slice([b, 0], [1, 2]).dataSync(), alone.dataSync(), `row of length ${L}`);
    });
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  const x = tf.tensor2d(ids, [lengths.length, T], 'int32'), y = tf.tensor2d(randn(lengths.length * 2), [lengths.length, 2]);
  await model.fit(x, y, { epochs: 1, verbose: 0 });
  const before = tf.memory().numTensors;
  const h = await model.fit(x, y, { epochs: 20, verbose: 0 });
  assert.equal(tf.memory().numTensors, before, 'model.fit leaked tensors');
  const loss = h.history.loss as number[];
  assert.ok(loss[loss.length - 1] < loss[0], `loss ${loss[0]} -> ${loss[loss.length - 1]}`);
  tf.dispose([x, y]);
  model.dispose();
});
