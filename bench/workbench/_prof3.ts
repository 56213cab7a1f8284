import { compiledKernels, createKernelMemory, instantiateKernels } from '../../src/kernels/wasm-module.js';
import { WasmHeap } from '../../src/kernels/heap.js';
const lib = compiledKernels('simd');
const memory = createKernelMemory(true);
const kx = instantiateKernels(lib.module, memory);
const heap = new WasmHeap(memory, kx.heapBase());
const B = 128, T = 60, H = 128, GH = 3 * H, R = T * B;
const al = (n: number, v = 0.01) => { const p = heap.allocBytes(n * 4); heap.f32(p, n).fill(v); return p; };
const act = al(R * GH), hbuf = al((T + 1) * B * H), dW = al(GH * H);
const flops = 2 * R * GH * H;
const kcs = [64, 128, 256, 512, 2048];
const best: Record<number, number> = {};
for (let rep = 0; rep < 15; rep++) for (const kc of kcs) {
  const t0 = performance.now();
  for (let k0 = 0; k0 < R; k0 += kc) kx.gemmTN(0, GH, H, Math.min(kc, R - k0), act + k0 * GH * 4, GH, hbuf + k0 * H * 4, H, dW, H);
  const dt = performance.now() - t0;
  best[kc] = Math.min(best[kc] ?? 1e9, dt);
}
for (const kc of kcs) console.log('TN KC', kc, (flops / best[kc] / 1e6).toFixed(1), 'GFLOP/s');
// forward NT per step vs NN ceiling same shape
const A = al(B * H), W = al(GH * H), C = al(B * GH);
let bNT = 1e9, bNN = 1e9;
for (let rep = 0; rep < 200; rep++) {
  let t0 = performance.now(); kx.gemmNT(B, GH, H, A, H, W, H, C, GH, 1); bNT = Math.min(bNT, performance.now() - t0);
  t0 = performance.now(); kx.gemmNN(B, GH, H, A, H, W, GH, C, GH, 1); bNN = Math.min(bNN, performance.now() - t0);
}
console.log('NT 128x384x128', (2 * B * GH * H / bNT / 1e6).toFixed(1), 'NN', (2 * B * GH * H / bNN / 1e6).toFixed(1));
// bwd NN: [128, 384] x [384, 128] vs NT with transposed W
const dz = al(B * GH), dh = al(B * H), WT = al(H * GH);
let b1 = 1e9, b2 = 1e9;
for (let rep = 0; rep < 200; rep++) {
  let t0 = performance.now(); kx.gemmNN(B, H, GH, dz, GH, W, H, dh, H, 0); b1 = Math.min(b1, performance.now() - t0);
  t0 = performance.now(); kx.gemmNT(B, H, GH, dz, GH, WT, GH, dh, H, 0); b2 = Math.min(b2, performance.now() - t0);
}
console.log('bwd dz W: NN', (2 * B * GH * H / b1 / 1e6).toFixed(1), 'NT(W^T)', (2 * B * GH * H / b2 / 1e6).toFixed(1));
