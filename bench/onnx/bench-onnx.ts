// Inference on the same model two ways, in the same run: our model.predict (fused wasm
// kernels) and its exported ONNX graph in ONNX Runtime (onnxruntime-web's WebAssembly
// backend in Node). Shapes of the copy task of Chien et al. (2021): one-hot input of 10
// symbols, 128 units, a head of 10 on every step, 219 steps; batch 128 and batch 1.
// Both run on one thread. Prints one JSON line per measurement, then the ratios.
//
//   node --import tsx bench/onnx/bench-onnx.ts [--reps 5] [--warmup 2]
import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-web';
import { SequenceModel } from '../../src/index.js';
import { exportOnnx } from '../../src/onnx/index.js';
import { median, nowSeconds } from '../../src/bench/timing.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
};
const REPS = arg('reps', 5), WARMUP = arg('warmup', 2);
const V = 10, H = 128, T = 219;

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

async function timeAsync(fn: () => Promise<unknown> | unknown): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = nowSeconds();
    await fn();
    out.push(nowSeconds() - t0);
  }
  return out;
}

const rows: { cell: string; B: number; ours: number; ort: number }[] = [];
for (const cell of ['plstm', 'lstm'] as const) {
  const model = SequenceModel.create({
    input: { kind: 'onehot', size: V }, layers: [{ cell, hidden: H }], head: { size: V, steps: 'all' }, loss: 'xent', seed: 1,
  }, { threads: 1 });
  const session = await ort.InferenceSession.create(exportOnnx(model));
  for (const B of [128, 1]) {
    const x = Int32Array.from({ length: B * T }, (_, i) => (i * 7 + (i >> 3)) % V); // [B, T]
    const feed = { x: new ort.Tensor('int64', BigInt64Array.from(x, (v) => BigInt(v)), [B, T]) };
    // same numbers first (float32, 1e-4: a check that both ran the same model, not a test)
    const want = model.predict({ x, B, T });
    const got = (await session.run(feed)).y.data as Float32Array;
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(want[i] - got[i]));
    if (!(diff < 1e-4)) throw new Error(`${cell} B=${B}: ONNX Runtime and predict differ by ${diff}`);
    const ours = await timeAsync(() => model.predict({ x, B, T }));
    const theirs = await timeAsync(() => session.run(feed));
    const load = loadavg()[0];
    for (const [engine, times] of [['powerlaw-lstm predict (wasm, 1 thread)', ours], ['onnxruntime-web (wasm, 1 thread)', theirs]] as const) {
      console.log(JSON.stringify({ engine, cell, B, T, H, median_s: median(times), times, max_abs_diff: diff, load1: load }));
    }
    rows.push({ cell, B, ours: median(ours), ort: median(theirs) });
  }
  await session.release();
  model.dispose();
}
console.log('\ncell   B    predict (ms)   ONNX Runtime (ms)   ONNX Runtime / predict');
for (const r of rows) {
  console.log(`${r.cell.padEnd(6)} ${String(r.B).padStart(3)}  ${(r.ours * 1e3).toFixed(1).padStart(12)}  ${(r.ort * 1e3).toFixed(1).padStart(18)}  ${(r.ort / r.ours).toFixed(2).padStart(22)}`);
}
