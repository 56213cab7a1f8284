// Train a small pLSTM on the copy task through the library API, then stream it step by step.
// Run after `npm run build`:  node --import tsx examples/copy-task.ts
import { SequenceModel, createOptimizer, Rng, data } from 'powerlaw-lstm';
import { saveModel, loadModel } from 'powerlaw-lstm/node'; // files: Node only

const delay = 10; // T: the copy task's delay; sequences are T + 19 steps long
const L = data.copySequenceLength(delay);

const model = SequenceModel.create({
  input: { kind: 'onehot', size: data.COPY_VOCAB },
  layers: [{ cell: 'plstm', hidden: 64, pInit: { mode: 'uniform' } }],
  head: { size: data.COPY_VOCAB, steps: 'all' },
  loss: 'xent',
  seed: 1,
});
const opt = createOptimizer({ kind: 'adam', lr: 2e-2 });

// Count the loss only where the symbols are recalled: per-step weights [B, L].
const weights = new Float32Array(32 * L);
for (let n = 0; n < 32; n++) weights.fill(1, n * L + L - 10, (n + 1) * L);

const rng = new Rng(7); // the data generator (seeded)
for (let step = 1; step <= 2500; step++) {
  const batch = data.makeCopyTask(32, delay, rng); // x, y: [32, L]
  const { loss } = model.trainStep({ B: 32, T: L, x: batch.x, y: batch.y, weights }, opt, { clip: 1 });
  if (step % 500 === 0) console.log(`step ${step} loss ${loss.toFixed(4)}`);
}

// Accuracy on fresh sequences, over the 10 copied symbols at the end.
const test = data.makeCopyTask(200, delay, rng);
const logits = model.predict({ x: test.x, B: 200, T: L }); // [200, L, 10]
let right = 0;
for (let n = 0; n < 200; n++) {
  for (let t = L - 10; t < L; t++) {
    const row = logits.subarray((n * L + t) * 10, (n * L + t + 1) * 10);
    if (row.indexOf(Math.max(...row)) === test.y[n * L + t]) right++;
  }
}
console.log(`copied symbols right: ${(right / 2000 * 100).toFixed(1)}%`);
console.log('learned p:', Array.from(model.pSummary()[0].p.slice(0, 6), (p) => p.toFixed(3)).join(' '), '...');

// Save, load, and advance the loaded model one step at a time (streaming inference).
saveModel('copy-model.safetensors', model, opt);
const { model: loaded } = loadModel('copy-model.safetensors');
const state = loaded.initState(1);
for (let t = 0; t < L; t++) loaded.step({ x: test.x.subarray(t, t + 1) }, { state }); // one token of row 0 per step
console.log('streamed one sequence through the loaded model');
model.dispose();
loaded.dispose();
