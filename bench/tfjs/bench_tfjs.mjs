#!/usr/bin/env node
// TF.js baseline for `npm run bench` (benchmarks only; never used by the tests).
//
// The model a TypeScript user can build today for the copy task: tf.layers.lstm
// (returnSequences, `--hidden` units) -> dense(`--output`) on every step -> softmax
// cross-entropy over every step, RMSprop(lr 1e-3, decay 0.9), gradients clipped to a global
// norm of 1.0, on the TF.js wasm backend (or `--backend cpu`). Times one training batch
// (tf.variableGrads + clip + applyGradients) and prints one JSON line.
//
// Runs in its own process so TF.js's global engine and wasm memory stay out of the caller.
// Needs the devDependencies @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm; without them
// it prints a JSON line with "skipped" and exits 0.
import { parseArgs } from 'node:util';
import { loadTfjs } from './load-tfjs.mjs';

const { values: a } = parseArgs({
  options: {
    batch: { type: 'string', default: '128' },
    steps: { type: 'string', default: '219' },
    hidden: { type: 'string', default: '128' },
    input: { type: 'string', default: '10' },
    output: { type: 'string', default: '10' },
    reps: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
    seed: { type: 'string', default: '0' },
  },
});
const B = Number(a.batch), T = Number(a.steps), H = Number(a.hidden);
const I = Number(a.input), O = Number(a.output);
const reps = Number(a.reps), warmup = Number(a.warmup);
// TF.js's wasm backend runs single-threaded in Node (its multithread check answers false
// there), so there is no thread count to set.
const threads = 1;

const tf = await loadTfjs(a.backend);

// Deterministic token ids: a small LCG, no dependence on Math.random.
let s = (Number(a.seed) * 2654435761 + 1) >>> 0;
const nextInt = (n) => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s % n; };
const xIds = Int32Array.from({ length: B * T }, () => nextInt(I));
const yIds = Int32Array.from({ length: B * T }, () => nextInt(O));

const model = tf.sequential();
model.add(tf.layers.lstm({ units: H, returnSequences: true, inputShape: [T, I] }));
model.add(tf.layers.dense({ units: O }));
const x = tf.oneHot(tf.tensor2d(xIds, [B, T], 'int32'), I).toFloat(); // [B, T, I]
const y = tf.oneHot(tf.tensor2d(yIds, [B, T], 'int32'), O).toFloat(); // [B, T, O]
const optimizer = tf.train.rmsprop(1e-3, 0.9);
const clip = 1.0;

let lastLoss = NaN, lastNorm = NaN;
function trainBatch() {
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)));
    const names = Object.keys(grads);
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
    const normValue = norm.dataSync()[0];
    const scale = normValue > clip ? clip / (normValue + 1e-6) : 1;
    const clipped = {};
    for (const n of names) clipped[n] = scale === 1 ? grads[n] : tf.mul(grads[n], scale);
    optimizer.applyGradients(clipped);
    lastLoss = value.dataSync()[0];
    lastNorm = normValue;
  });
}

const times = [];
for (let r = 0; r < warmup + reps; r++) {
  const t0 = process.hrtime.bigint();
  trainBatch();
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r >= warmup) times.push(dt);
}
const sorted = [...times].sort((p, q) => p - q);
const mid = sorted.length >> 1;
const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
console.log(JSON.stringify({
  source: 'tfjs', impl: 'lstm-layer', mode: 'train', backend: tf.getBackend(),
  B, T, H, I, O, threads, reps, warmup,
  median_s: median, min_s: sorted[0], times_s: times,
  tfjs: tf.version.tfjs, loss: lastLoss, grad_norm: lastNorm,
}));
