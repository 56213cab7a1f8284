#!/usr/bin/env node
// TF.js baseline of `npm run bench -- --mode forecast` (benchmarks only; never used by the tests).
//
// The windowed forecaster's network as a TF.js user builds it: tf.layers.lstm(`--hidden`) on
// `--lookback` steps of `--features` inputs -> dense(`--horizon`) on the last step, MSE, Adam,
// trained with model.fit on the wasm backend. Times `--batches` batches of `--batch` windows
// in one model.fit call (after one untimed warm-up call) and prints one JSON line with the
// seconds per batch. Needs the devDependencies @tensorflow/tfjs and
// @tensorflow/tfjs-backend-wasm; without them it prints a JSON line with "skipped".
import { parseArgs } from 'node:util';
import { loadTfjs } from './load-tfjs.mjs';

const { values: a } = parseArgs({
  options: {
    lookback: { type: 'string', default: '365' },
    horizon: { type: 'string', default: '30' },
    features: { type: 'string', default: '5' },
    hidden: { type: 'string', default: '32' },
    batch: { type: 'string', default: '32' },
    batches: { type: 'string', default: '3' },
  },
});
const L = Number(a.lookback), O = Number(a.horizon), F = Number(a.features), H = Number(a.hidden);
const B = Number(a.batch), K = Number(a.batches);

const tf = await loadTfjs('wasm');

const model = tf.sequential();
model.add(tf.layers.lstm({ units: H, inputShape: [L, F] }));
model.add(tf.layers.dense({ units: O }));
model.compile({ optimizer: tf.train.adam(3e-3), loss: 'meanSquaredError' });
// deterministic inputs: a small LCG
let s = 12345;
const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
const x = tf.tensor3d(Float32Array.from({ length: K * B * L * F }, rnd), [K * B, L, F]);
const y = tf.tensor2d(Float32Array.from({ length: K * B * O }, rnd), [K * B, O]);
const fitOnce = () => model.fit(x, y, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
await model.fit(x.slice(0, B), y.slice(0, B), { batchSize: B, epochs: 1, verbose: 0 }); // warm-up
const t0 = process.hrtime.bigint();
const h = await fitOnce();
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(JSON.stringify({
  source: 'tfjs', impl: 'lstm-layer+dense model.fit', backend: tf.getBackend(), lookback: L, horizon: O, features: F,
  hidden: H, batch: B, batches: K, seconds_per_batch: seconds / K, loss: h.history.loss[0], tfjs: tf.version.tfjs,
}));
