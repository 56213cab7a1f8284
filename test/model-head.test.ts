// The SIMD head (wasm GEMMs) against the reference loops of head.ts, on sizes that need
// padding (H, O not multiples of 4) and on one that does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headBackward, headForward } from '../src/model/head.js';
import { WasmHead } from '../src/model/head-wasm.js';
import { Rng } from '../src/cells/rng.js';

const wasmHead = WasmHead.tryCreate();

test('WasmHead forward and backward match the reference head', { skip: wasmHead === null ? 'no WebAssembly SIMD' : false }, () => {
  const rng = new Rng(3);
  for (const [N, H, O] of [[7, 5, 3], [33, 12, 10], [64, 16, 8], [200, 9, 101]]) {
    const h = new Float32Array(N * H).map(() => rng.range(-1, 1));
    const W = new Float32Array(O * H).map(() => rng.range(-1, 1));
    const b = new Float32Array(O).map(() => rng.range(-1, 1));
    const dOut = new Float32Array(N * O).map(() => rng.range(-1, 1));
    for (let o = 0; o < O; o++) dOut[o] = 0; // a masked row
    const ref = { out: new Float32Array(N * O), dW: new Float64Array(O * H), db: new Float64Array(O), dh: new Float32Array(N * H) };
    const got = { out: new Float32Array(N * O).fill(NaN), dW: new Float64Array(O * H).fill(NaN),
      db: new Float64Array(O).fill(NaN), dh: new Float32Array(N * H).fill(NaN) };
    headForward(ref.out, h, W, b, N, H, O);
    headBackward(dOut, h, W, ref.dW, ref.db, ref.dh, N, H, O);
    wasmHead!.forward(got.out, h, W, b, N, H, O);
    wasmHead!.backward(dOut, h, W, got.dW, got.db, got.dh, N, H, O);
    for (const key of ['out', 'dW', 'db', 'dh'] as const) {
      const r = ref[key], g = got[key];
      let worst = 0;
      for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(r[i] - g[i]) / (1e-5 + 1e-4 * Math.abs(r[i])));
      assert.ok(worst <= 1, `${key} at N=${N} H=${H} O=${O}: ${worst.toFixed(2)}x tolerance`);
    }
  }
});
