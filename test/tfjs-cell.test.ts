// PowerLawLSTMCell (per-step TF.js ops) in tf.layers.rnn against the fused PowerLawLSTM layer on
// TF.js's cpu backend: outputs, final state and every gradient, with a non-zero initial state,
// with and without a mask; and a model with the cell through model.save / tf.loadLayersModel.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PowerLawLSTM, PowerLawLSTMCell, disposeKernelBackends } from '../src/tfjs/index.js';
import { Rng } from '../src/cells/rng.js';
import { saveAndReload } from './support/tfjs-save.js';
import { assertClose } from './support/close.js';

before(async () => {
  await tf.setBackend('cpu');
});
after(() => disposeKernelBackends());

const rng = new Rng(5);
const randn = (n: number, scale = 1): Float32Array => new Float32Array(n).map(() => rng.range(-scale, scale));

for (const [label, pInit, withMask] of [
  ['trained p', { mode: 'range', lo: -2, hi: 2 }, false], ['trained p, masked', { mode: 'range', lo: -2, hi: 2 }, true], ['fixed p', { mode: 'fixed', p: 0.3 }, false],
] as const) {
  test(`tf.layers.rnn with PowerLawLSTMCell equals the fused PowerLawLSTM: outputs, final state, every gradient (${label})`, () => {
    const B = 3, T = 5, I = 3, H = 4;
    tf.tidy(() => {
      const fused = new PowerLawLSTM({ units: H, returnSequences: true, returnState: true, pInit });
      const perStep = tf.layers.rnn({ cell: new PowerLawLSTMCell({ units: H, pInit }), returnSequences: true, returnState: true });
      const x = tf.tensor3d(randn(B * T * I), [B, T, I]);
      fused.apply(x);
      perStep.apply(x);
      const weights = [tf.tensor2d(randn(I * 3 * H, 0.6), [I, 3 * H]), tf.tensor2d(randn(H * 3 * H, 0.6), [H, 3 * H]), tf.tensor1d(randn(3 * H, 0.6)), fused.getWeights()[3]];
      fused.setWeights(weights);
      perStep.setWeights(weights);
      const init = [tf.tensor2d(randn(B * H), [B, H]), tf.tensor2d(randn(B * H), [B, H]), tf.tensor2d(randn(B * H).map(Math.abs), [B, H])];
      const mask = withMask ? tf.tensor2d([1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1], [B, T], 'bool') : undefined;
      const R = [tf.tensor3d(randn(B * T * H), [B, T, H]), ...[0, 1, 2].map(() => tf.tensor2d(randn(B * H), [B, H]))];
      const run = (layer: tf.layers.Layer) => {
        const loss = (xx: tf.Tensor, ...s: tf.Tensor[]): tf.Scalar => {
          const outs = layer.apply(xx, { initialState: s, mask }) as tf.Tensor[];
          return tf.addN(outs.map((o, i) => tf.sum(tf.mul(o, R[i])))) as tf.Scalar;
        };
        const outs = (layer.apply(x, { initialState: init, mask }) as tf.Tensor[]).map((t) => t.dataSync());
        const inputGrads = tf.grads(loss)([x, ...init]).map((g) => g.dataSync());
        const vars = layer.trainableWeights.map((v) => v.read());
        const { grads } = tf.variableGrads(() => loss(x, ...init), vars);
        return { outs, inputGrads, names: layer.trainableWeights.map((v) => v.name.split('/').pop()), weightGrads: vars.map((v) => grads[v.name].dataSync()) };
      };
      const a = run(perStep), b = run(fused);
      ['output', 'final h', 'final c', 'final age'].forEach((n, i) => assertClose(a.outs[i], b.outs[i], n));
      ['dx', 'dh0', 'dc0', 'da0'].forEach((n, i) => assertClose(a.inputGrads[i], b.inputGrads[i], n));
      assert.deepEqual(a.names, b.names);
      assert.deepEqual(a.names, pInit.mode === 'fixed' ? ['kernel', 'recurrent_kernel', 'bias'] : ['kernel', 'recurrent_kernel', 'bias', 'p_param']);
      a.names.forEach((n, i) => assertClose(a.weightGrads[i], b.weightGrads[i], `d ${n}`));
    });
  });
}

test('a model with tf.layers.rnn(PowerLawLSTMCell) round-trips through model.save / tf.loadLayersModel', async () => {
  const B = 2, T = 4, I = 3;
  const model = tf.sequential({ layers: [tf.layers.rnn({ cell: new PowerLawLSTMCell({ units: 5, eps: 0.01 }), inputShape: [T, I] }), tf.layers.dense({ units: 2 })] });
  const loaded = await saveAndReload(model);
  const x = tf.tensor3d(randn(B * T * I), [B, T, I]);
  const a = model.predict(x) as tf.Tensor, b = loaded.predict(x) as tf.Tensor;
  assert.deepEqual(b.dataSync(), a.dataSync());
  assert.equal(((loaded.layers[0] as tf.RNN).cell as PowerLawLSTMCell).eps, 0.01);
  tf.dispose([x, a, b]);
  model.dispose();
  loaded.dispose();
});
