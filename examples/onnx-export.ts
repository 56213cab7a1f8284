// Train a tiny pLSTM, export it as an ONNX graph, run the graph in ONNX Runtime
// (onnxruntime-web, WebAssembly, in Node) and compare with the model's own predictions.
// Run after `npm run build` (and `npm install onnxruntime-web`):
//   node --import tsx examples/onnx-export.ts
import { writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { SequenceModel, createOptimizer, Rng } from 'powerlaw-lstm';
import { exportOnnx } from 'powerlaw-lstm/onnx';

// The task: read 12 tokens of 4 kinds, then say which token came first (head on the last step).
const V = 4, T = 12, B = 64;
const rng = new Rng(5);
function batch(n: number): { x: Int32Array; y: Int32Array } {
  const x = Int32Array.from({ length: n * T }, () => Math.floor(rng.uniform() * V)); // [n, T]
  const y = Int32Array.from({ length: n }, (_, b) => x[b * T]); // [n]
  return { x, y };
}

const model = SequenceModel.create({
  input: { kind: 'onehot', size: V },
  layers: [{ cell: 'plstm', hidden: 32 }],
  head: { size: V, steps: 'last' },
  loss: 'xent',
  seed: 1,
});
const opt = createOptimizer({ kind: 'adam', lr: 2e-2 });
for (let step = 1; step <= 300; step++) {
  const { x, y } = batch(B);
  const { loss } = model.trainStep({ B, T, x, y }, opt, { clip: 1 });
  if (step % 100 === 0) console.log(`step ${step} loss ${loss.toFixed(4)}`);
}

// The whole model as one graph: x int64 [batch, time] -> y float32 [batch, 4] (logits).
const bytes = exportOnnx(model);
writeFileSync('first-token.onnx', bytes);
console.log(`wrote first-token.onnx (${bytes.length} bytes)`);

// Run it in ONNX Runtime on a new batch (any batch size and length: both axes are dynamic).
ort.env.wasm.numThreads = 1;
const session = await ort.InferenceSession.create(bytes);
const test = batch(200);
const feed = { x: new ort.Tensor('int64', BigInt64Array.from(test.x, (v) => BigInt(v)), [200, T]) };
const y = (await session.run(feed)).y.data as Float32Array; // [200, 4]
const ours = model.predict({ x: test.x, B: 200, T }); // [200, 4]

let diff = 0, right = 0;
for (let i = 0; i < y.length; i++) diff = Math.max(diff, Math.abs(y[i] - ours[i]));
for (let b = 0; b < 200; b++) {
  const row = y.subarray(b * V, (b + 1) * V);
  if (row.indexOf(Math.max(...row)) === test.y[b]) right++;
}
console.log(`ONNX Runtime vs predict: largest difference ${diff.toExponential(2)}`);
console.log(`first token recalled by the ONNX graph: ${(right / 2).toFixed(1)}% (chance ${100 / V}%)`);
await session.release();
model.dispose();
