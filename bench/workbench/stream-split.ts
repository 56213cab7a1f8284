// Where a streaming step's time goes: SequenceModel.step against the bare kernel calls.
import { SequenceModel } from '../../src/model/index.js';
import { performance } from 'node:perf_hooks';

const H = Number(process.argv[2] ?? 128), N = 200_000;
const model = SequenceModel.create({
  input: { kind: 'onehot', size: 10 }, layers: [{ cell: 'plstm', hidden: H }],
  head: { size: 10, steps: 'all' }, loss: 'xent', seed: 1,
}, { threads: 1 });
const state = model.initState(1);
const ids = Int32Array.from({ length: 256 }, (_, i) => (i * 7) % 10);
const steps = Array.from({ length: 256 }, (_, i) => ids.subarray(i, i + 1));
function time(label: string, fn: (i: number) => void): void {
  for (let i = 0; i < 20000; i++) fn(i);
  const best: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) fn(i);
    best.push((performance.now() - t0) / N * 1000);
  }
  best.sort((a, b) => a - b);
  console.log(`${label.padEnd(28)} ${best[2].toFixed(3)} us (min ${best[0].toFixed(3)})`);
}
let sink = 0;
time('model.step', (i) => { sink += model.step({ x: steps[i & 255] }, { state })[0]; });
// the fast path's pieces, through its private fields
const fast = (model as any).fastStep;
const k = fast.k, p = fast.plan[0], head = fast.head;
time('kernels only (pLSTM + head)', (i) => {
  k.plstmStep(H, p.I, 0, ids[i & 255], p.wIh, p.wHh, p.bias, p.theta, p.eps, p.z,
    p.h.byteOffset, p.c.byteOffset, p.a.byteOffset, p.thetaSeen, p.pSeen);
  k.headStep(head.O, head.H, p.h.byteOffset, head.w, head.b, fast.out.byteOffset);
});
time('pLSTM kernel only', (i) => {
  k.plstmStep(H, p.I, 0, ids[i & 255], p.wIh, p.wHh, p.bias, p.theta, p.eps, p.z,
    p.h.byteOffset, p.c.byteOffset, p.a.byteOffset, p.thetaSeen, p.pSeen);
});
time('accepts()', (i) => { if (!fast.accepts(state, steps[i & 255])) throw new Error('x'); });
time('6 state copies', () => { p.h.set(state.layers[0].h); p.c.set(state.layers[0].c); p.a.set(state.layers[0].a);
  state.layers[0].h.set(p.h); state.layers[0].c.set(p.c); state.layers[0].a.set(p.a); });
time('new Float32Array(10)+set', () => { const o = new Float32Array(10); o.set(fast.out); sink += o[0]; });
console.log(sink > -Infinity ? '' : 'x');
model.dispose();
