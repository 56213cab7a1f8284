// One training batch of the copy-task shape with model.fit, in one process on one TF.js
// backend: tf.layers.lstm, our FastLSTM and our PowerLawLSTM (each -> Dense on every step ->
// softmax cross-entropy, RMSprop lr 1e-3), and our own SequenceModel (pLSTM, one-hot input,
// the same head and loss) on the same batch, to show what going through TF.js costs.
// Prints one JSON line per model with the median seconds per batch. Benchmark, not a test.
//
//   npm run build && node bench/tfjs/bench_tfjs_layers.mjs [--backend wasm|cpu] [--reps 3]
// (`npm run bench -- --mode tfjs-layer` runs it and prints the ratios.)
import { parseArgs } from 'node:util';
import { loadTfjs } from './load-tfjs.mjs';
import { FastLSTM, PowerLawLSTM } from '../../dist/tfjs/index.js';
import { SequenceModel, createOptimizer } from '../../dist/index.js';

const { values: a } = parseArgs({
  options: {
    batch: { type: 'string', default: '128' },
    steps: { type: 'string', default: '219' },
    hidden: { type: 'string', default: '128' },
    classes: { type: 'string', default: '10' },
    reps: { type: 'string', default: '3' },
    backend: { type: 'string', default: 'wasm' },
    skip: { type: 'string', default: '' }, // comma-separated model names to leave out
  },
});
const B = Number(a.batch), T = Number(a.steps), H = Number(a.hidden), V = Number(a.classes), reps = Number(a.reps);
const skip = new Set(a.skip.split(',').filter(Boolean));

const tf = await loadTfjs(a.backend);

let s = 12345;
const nextInt = (n) => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s % n; };
const xIds = Int32Array.from({ length: B * T }, () => nextInt(V));
const yIds = Int32Array.from({ length: B * T }, () => nextInt(V));
const x = tf.oneHot(tf.tensor2d(xIds, [B, T], 'int32'), V).toFloat(); // [B, T, V]
const y = tf.oneHot(tf.tensor2d(yIds, [B, T], 'int32'), V).toFloat(); // [B, T, V]

function median(xs) {
  const q = [...xs].sort((p, r) => p - r);
  const m = q.length >> 1;
  return q.length % 2 ? q[m] : (q[m - 1] + q[m]) / 2;
}

async function timeTfjs(name, layer) {
  if (skip.has(name)) return;
  const model = tf.sequential({ layers: [layer, tf.layers.dense({ units: V })] });
  model.compile({ optimizer: tf.train.rmsprop(1e-3, 0.9), loss: (yt, yp) => tf.losses.softmaxCrossEntropy(yt, yp) });
  const times = [];
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    await model.fit(x, y, { batchSize: B, epochs: 1, verbose: 0 });
    if (r > 0) times.push((performance.now() - t0) / 1000); // the first call is warm-up
  }
  console.log(JSON.stringify({ model: name, backend: tf.getBackend(), B, T, H, reps, median_s: median(times), times_s: times }));
  model.dispose();
}

await timeTfjs('tf.layers.lstm', tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, V] }));
await timeTfjs('FastLSTM', new FastLSTM({ units: H, returnSequences: true, inputShape: [T, V] }));
await timeTfjs('PowerLawLSTM', new PowerLawLSTM({ units: H, returnSequences: true, inputShape: [T, V] }));

if (!skip.has('SequenceModel')) {
  const model = SequenceModel.create({
    input: { kind: 'onehot', size: V }, layers: [{ cell: 'plstm', hidden: H }], head: { size: V, steps: 'all' }, loss: 'xent', seed: 0,
  }, { backend: 'wasm' });
  const opt = createOptimizer({ kind: 'rmsprop', lr: 1e-3, alpha: 0.9 });
  const batch = { B, T, x: xIds, y: yIds };
  const times = [];
  for (let r = 0; r < reps + 1; r++) {
    const t0 = performance.now();
    model.trainStep(batch, opt);
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  console.log(JSON.stringify({ model: 'SequenceModel plstm', backend: 'ours (wasm)', B, T, H, reps, median_s: median(times), times_s: times }));
  model.dispose();
}
