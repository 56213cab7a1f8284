// The softmax cross-entropy on the wasm kernels (src/kernels/wasm/fast-paths/softmax-xent.ts) against the reference loop
// of loss.ts: weights with masked rows, big logits, a target near probability 1, class
// counts that are not multiples of 4; the same results on 1 and 2 threads; and no fast path
// for logits outside the backend's memory.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { xentLoss } from '../src/model/loss.js';
import { WasmXent } from '../src/kernels/wasm/fast-paths/softmax-xent.js';
import { createJsBackend } from '../src/cells/js-backend.js';
import { Rng } from '../src/cells/rng.js';
import { createWasmBackend } from '../src/kernels/wasm/backend.js';
import { allclose } from './support/close.js';

const backends = [1, 2].map((threads) => createWasmBackend({ threads, parallelThreshold: 0 }));
after(() => { for (const b of backends) b.dispose(); });


test('the wasm cross-entropy matches the reference loss and gradient, on 1 and 2 threads alike', () => {
  const rng = new Rng(21);
  for (const [N, O, weighted] of [[1, 3, false], [37, 10, true], [500, 5, false], [1000, 17, true]] as const) {
    const out = new Float32Array(N * O).map(() => rng.range(-4, 4));
    out[0] = 14; // a row whose target is all but certain: p - 1 ~ -1e-7 must survive (not 0)
    const y = new Int32Array(N).map(() => rng.int(O));
    y[0] = 0;
    let w: Float32Array | null = null;
    let sumW = N;
    if (weighted) {
      w = new Float32Array(N).map(() => rng.range(0, 2));
      w[1] = 0; // a masked row: no loss, no gradient, its target not read
      y[1] = 99999;
      sumW = w.reduce((a, b) => a + b, 0);
    }
    const refD = new Float32Array(N * O);
    const ref = xentLoss(out, y, w, N, O, sumW, refD);
    const refNoGrad = xentLoss(out, y, w, N, O, sumW, null);
    const got = backends.map((be) => {
      const xent = new WasmXent(be.linear, be.loss, 0);
      const o = be.alloc(N * O), d = be.alloc(N * O).fill(NaN);
      o.set(out);
      const loss = xent.loss(o, y, w, N, O, sumW, d);
      const lossOnly = xent.loss(o, y, w, N, O, sumW, null);
      assert.notEqual(loss, null, 'the fast path ran');
      assert.ok(Math.abs(loss! - ref) <= 1e-12 * Math.abs(ref), `N=${N} O=${O}: loss ${loss} vs ${ref}`);
      assert.ok(Math.abs(lossOnly! - refNoGrad) <= 1e-12 * Math.abs(ref), `N=${N} O=${O}: loss without dOut`);
      allclose(d, refD, { rtol: 1e-6, atol: 1e-30 }, `N=${N} O=${O} dOut`);
      assert.ok(refD[0] < 0 && d[0] < 0, 'the certain target keeps a non-zero p - 1');
      if (weighted) for (let o2 = 0; o2 < O; o2++) assert.equal(d[O + o2], 0, 'masked row gets no gradient');
      return { loss: loss!, d: Float32Array.from(d) };
    });
    assert.equal(got[0].loss, got[1].loss, 'loss: 1 and 2 threads bit-identical');
    assert.deepEqual(got[0].d, got[1].d, 'dOut: 1 and 2 threads bit-identical');
  }
});

test('logits outside the backend memory take the reference path (the fast path declines)', () => {
  const xent = new WasmXent(backends[0].linear, backends[0].loss, 0);
  const out = new Float32Array(8 * 3), y = new Int32Array(8);
  assert.equal(xent.loss(out, y, null, 8, 3, 8, null), null);
  assert.equal(xent.loss(backends[0].alloc(24), y, null, 8, 3, 8, new Float32Array(24)), null);
  assert.equal(createJsBackend('float32').softmaxXent, undefined, 'the reference backend has no fast path');
  // the backend's own path declines batches too small to repay the call
  const small = backends[0].alloc(24);
  assert.equal(backends[0].softmaxXent.loss(small, y, null, 8, 3, 8, null), null);
});
