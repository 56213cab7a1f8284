import { compiledKernels, createKernelMemory, instantiateKernels } from '../../src/kernels/wasm-module.js';
import { WasmHeap } from '../../src/kernels/heap.js';
const lib = compiledKernels('simd');
const memory = createKernelMemory(true);
const kx = instantiateKernels(lib.module, memory);
const heap = new WasmHeap(memory, kx.heapBase());
const B = 128, T = 60, H = 128, Ip = 12, GH = 3 * H;
const al = (n: number, v = 0.01) => { const p = heap.allocBytes(n * 4); heap.f32(p, n).fill(v); return p; };
const x = al(T * B * Ip, 0.1), wIh = al(GH * Ip), wIhT = al(GH * Ip), wHh = al(GH * H), bias = al(GH), p = al(H, 0.5);
const act = al(T * B * GH), hbuf = al((T + 1) * B * H), cbuf = al((T + 1) * B * H), abuf = al((T + 1) * B * H), fbuf = al(T * B * H);
const dh = al(B * H), dc = al(B * H), da = al(B * H), dx = al(T * B * Ip);
const dWIh = al(GH * Ip), dWHh = al(GH * H), db = al(GH), dP = al(H);
const fns: Record<string, () => void> = {
  'fwd NT input': () => kx.plstmForward(B, B, T, Ip, H, x, wIh, 0, wHh, bias, p, 1e-3, act, hbuf, cbuf, abuf, fbuf, 1),
  'fwd NN input': () => kx.plstmForward(B, B, T, Ip, H, x, wIh, wIhT, wHh, bias, p, 1e-3, act, hbuf, cbuf, abuf, fbuf, 1),
  'fwd GEMM part': () => { for (let t = 0; t < T; t++) kx.gemmNT(B, GH, H, hbuf + t * B * H * 4, H, wHh, H, act + t * B * GH * 4, GH, 1); },
  'bwd steps': () => kx.plstmBackwardSteps(B, B, T, Ip, H, wIh, wHh, p, 1e-3, act, cbuf, abuf, fbuf, 0, dh, dc, da, dx),
  'bwd GEMM part': () => { for (let t = T - 1; t >= 0; t--) kx.gemmNN(B, H, GH, act + t * B * GH * 4, GH, wHh, H, dh, H, 0); },
  'weight grads': () => kx.weightGrads(T * B, Ip, H, 3, 0, GH, 0, H, act, hbuf, x, fbuf, dWIh, dWHh, db, dP),
  'dWhh GEMM part': () => { for (let k0 = 0; k0 < T * B; k0 += 64) kx.gemmTN(0, GH, H, 64, act + k0 * GH * 4, GH, hbuf + k0 * H * 4, H, dWHh, H); },
};
const best: Record<string, number> = {};
for (let r = 0; r < 9; r++) for (const [k, f] of Object.entries(fns)) { const t0 = performance.now(); f(); best[k] = Math.min(best[k] ?? 1e9, performance.now() - t0); }
const gf = 2 * B * T * GH * H / 1e6;
for (const [k, v] of Object.entries(best)) console.log(k.padEnd(16), v.toFixed(1), 'ms', (gf / v).toFixed(1), 'GFLOP/s (recurrent flops)');
