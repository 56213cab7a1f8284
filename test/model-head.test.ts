// The SIMD head (wasm GEMMs) against the reference loops of head.ts, on sizes that need
// padding (H, O not multiples of 4) and on one that does not; a model on the wasm backend
// end to end against the reference; weights kept out of detachable wasm memory.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { headBackward, headForward } from '../src/model/head.js';
import { WasmHead } from '../src/kernels/wasm/fast-paths/linear-head.js';
import { Rng } from '../src/cells/rng.js';
import { SequenceModel, createOptimizer, type ModelConfig } from '../src/model/index.js';
import { createWasmBackend } from '../src/kernels/wasm/backend.js';

const headBackend = createWasmBackend({ threads: 1 });
const wasmHead = new WasmHead(headBackend.linear, 0);
after(() => headBackend.dispose());

test('WasmHead forward and backward match the reference head', () => {
  const rng = new Rng(3);
  for (const [N, H, O] of [[7, 5, 3], [33, 12, 10], [64, 16, 8], [200, 9, 101]]) {
    const h = new Float32Array(N * H).map(() => rng.range(-1, 1));
    const W = new Float32Array(O * H).map(() => rng.range(-1, 1));
    const b = new Float32Array(O).map(() => rng.range(-1, 1));
    const dOut = new Float32Array(N * O).map(() => rng.range(-1, 1));
    for (let o = 0; o < O; o++) dOut[o] = 0; // a masked row
    const ref = { out: new Float32Array(N * O), dW: new Float64Array(O * H), db: new Float64Array(O), dh: new Float32Array(N * H) };
    headForward(ref.out, h, W, b, N, H, O);
    headBackward(dOut, h, W, ref.dW, ref.db, ref.dh, N, H, O);
    // rows in plain arrays (copied in and out), and in the backend's memory (read and written
    // in place where H is a multiple of 4; logits, bias and dOut padded / unpadded in wasm)
    for (const where of ['plain', 'backend'] as const) {
      const buf = (n: number) => (where === 'plain' ? new Float32Array(n) : headBackend.alloc(n));
      const hIn = buf(N * H);
      hIn.set(h);
      const bIn = buf(O), dOutIn = buf(N * O);
      bIn.set(b);
      dOutIn.set(dOut);
      const got = { out: buf(N * O).fill(NaN), dW: new Float64Array(O * H).fill(NaN),
        db: new Float64Array(O).fill(NaN), dh: buf(N * H).fill(NaN) };
      wasmHead!.forward(got.out, hIn, W, bIn, N, H, O);
      wasmHead!.backward(dOutIn, hIn, W, got.dW, got.db, got.dh, N, H, O);
      for (const key of ['out', 'dW', 'db', 'dh'] as const) {
        const r = ref[key], g = got[key];
        let worst = 0;
        for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(r[i] - g[i]) / (1e-5 + 1e-4 * Math.abs(r[i])));
        assert.ok(worst <= 1, `${key} at N=${N} H=${H} O=${O} (${where}): ${worst.toFixed(2)}x tolerance`);
      }
    }
  }
});

// ----- the model on the wasm backend, end to end, against the reference backend


const E2E_CFG: ModelConfig = {
  input: { kind: 'onehot', size: 7 },
  layers: [{ cell: 'plstm', hidden: 16 }, { cell: 'lstm', hidden: 12 }],
  head: { size: 10, steps: 'all' }, loss: 'xent', seed: 5,
};

function e2eBatch(B: number, T: number) {
  const rng = new Rng(12);
  return {
    B, T,
    x: new Int32Array(B * T).map(() => rng.int(7)),
    y: new Int32Array(B * T).map(() => rng.int(10)),
    weights: new Float32Array(B * T).map(() => (rng.uniform() < 0.2 ? 0 : 1)),
  };
}

test('a model on wasm (SIMD head included) gives the loss and gradients of the reference', () => {
  const batch = e2eBatch(16, 40); // N*H*O = 640*12*10: large enough for the SIMD head
  const ref = SequenceModel.create(E2E_CFG, { backend: 'js', dtype: 'float64' });
  const fast = SequenceModel.create(E2E_CFG, { backend: 'wasm' });
  ref.params.set(fast.params); // the same float32 starting point
  const a = ref.computeGradients(batch);
  const b = fast.computeGradients(batch);
  assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss), `loss ${a.loss} vs ${b.loss}`);
  const scale = Math.max(...Array.from(ref.grads, Math.abs));
  for (const s of ref.slots) {
    let worst = 0;
    for (let i = s.offset; i < s.offset + s.size; i++) worst = Math.max(worst, Math.abs(ref.grads[i] - fast.grads[i]));
    assert.ok(worst <= 1e-4 * scale, `${s.name}: worst difference ${worst} (gradient scale ${scale})`);
  }
  fast.dispose();
});

test('the head inside the top layer\'s kernels (either cell on top, odd H and O) gives the reference loss, gradients and outputs', () => {
  for (const top of ['plstm', 'lstm'] as const) {
    const cfg: ModelConfig = {
      input: { kind: 'onehot', size: 7 },
      layers: [{ cell: top === 'plstm' ? 'lstm' : 'plstm', hidden: 8 }, { cell: top, hidden: 13 }],
      head: { size: 10, steps: 'all' }, loss: 'xent', seed: 9,
    };
    const batch = e2eBatch(11, 53); // N*H*O = 583*13*10: the head runs inside the top layer
    const ref = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
    const be = createWasmBackend({ threads: 2, parallelThreshold: 0 });
    // count the calls, so that the test cannot pass on the separate head
    const calls = { forward: 0, backward: 0 };
    const { forward, backward } = be.headedLayer;
    Object.assign(be.headedLayer, {
      forward: (...a: Parameters<typeof forward>) => { calls.forward++; return forward(...a); },
      backward: (...a: Parameters<typeof backward>) => { calls.backward++; return backward(...a); },
    });
    const fast = SequenceModel.createOn(cfg, be);
    ref.params.set(fast.params);
    const a = ref.computeGradients(batch);
    const b = fast.computeGradients(batch);
    assert.deepEqual(calls, { forward: 1, backward: 1 }, `${top}: the headed kernels ran`);
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-5 * Math.abs(a.loss), `${top}: loss ${a.loss} vs ${b.loss}`);
    const scale = Math.max(...Array.from(ref.grads, Math.abs));
    for (const s of ref.slots) {
      let worst = 0;
      for (let i = s.offset; i < s.offset + s.size; i++) worst = Math.max(worst, Math.abs(ref.grads[i] - fast.grads[i]));
      assert.ok(worst <= 1e-4 * scale, `${top} ${s.name}: worst difference ${worst} (gradient scale ${scale})`);
    }
    const pr = ref.predict({ x: batch.x, B: batch.B, T: batch.T }), pf = fast.predict({ x: batch.x, B: batch.B, T: batch.T });
    assert.equal(calls.forward, 2);
    let worst = 0;
    for (let i = 0; i < pr.length; i++) worst = Math.max(worst, Math.abs(pr[i] - pf[i]) / (1e-5 + 1e-4 * Math.abs(pr[i])));
    assert.ok(worst <= 1, `${top}: predict ${worst.toFixed(2)}x tolerance`);
    be.dispose();
  }
});

test('the SIMD head split over 2 threads gives the same loss and gradients bit for bit as 1 thread', () => {
  const batch = e2eBatch(32, 200); // N = 6,400 rows: the head's GEMMs are big enough to split
  const one = SequenceModel.createOn(E2E_CFG, createWasmBackend({ threads: 1 }));
  const two = SequenceModel.createOn(E2E_CFG, createWasmBackend({ threads: 2, parallelThreshold: 0 }));
  const a = one.computeGradients(batch);
  const b = two.computeGradients(batch);
  assert.equal(b.loss, a.loss);
  assert.deepEqual(two.grads, one.grads);
  one.backend.dispose?.();
  two.backend.dispose?.();
});

test('on a wasm build without shared memory the model keeps its weights in plain arrays', () => {
  // Views of a non-shared wasm memory are detached when it grows; the model must not keep
  // its weights there, and must still train exactly like the shared build.
  const unshared = createWasmBackend({ variant: 'simd-unshared', threads: 1 });
  const shared = createWasmBackend({ variant: 'simd', threads: 1 });
  const m1 = SequenceModel.createOn(E2E_CFG, unshared);
  const m2 = SequenceModel.createOn(E2E_CFG, shared);
  assert.equal(m1.params.buffer.byteLength, m1.params.byteLength); // a plain array of its own
  unshared.alloc(4_000_000); // grows that memory: views made before are now detached
  const o1 = createOptimizer({ kind: 'adam', lr: 0.01 });
  const o2 = createOptimizer({ kind: 'adam', lr: 0.01 });
  const batch = e2eBatch(16, 40);
  for (let i = 0; i < 3; i++) {
    m1.trainStep(batch, o1);
    m2.trainStep(batch, o2);
  }
  assert.ok(m1.params.every((v) => Number.isFinite(v)));
  assert.deepEqual(m1.params, m2.params);
  unshared.dispose();
  shared.dispose();
});
