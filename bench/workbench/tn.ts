// Workbench: the weight-gradient product dW_hh += dz^T h (TN form) at one thread's share of
// the copy-task batch (gate rows 0..192 of dz [T*B/2 rows, 384], h [T*B/2, 128]), in K
// blocks. Versions (assembly/gemm-versions.ts): tn_v1 strided A strip (the former library
// form), tn_v2 A strip packed per block, tn_v3 A strip and B block packed; the library's
// packPanels + gemmTNPanels (= v3 at KC 64) and gemmTNBlocked; gemmNN at the per-step
// forward and backward shapes as the yardstick. Each is checked against a float64 product
// on a small odd shape first. Times: minimum of 7 runs.
//
//   node --import tsx bench/workbench/tn.ts
import { compiledKernels, createKernelMemory, instantiateKernels } from '../../src/kernels/wasm/runtime/module.js';
import { WasmHeap } from '../../src/kernels/wasm/memory/heap.js';
import { compileVersions } from './compile.js';

const memory = createKernelMemory(true);
const kx = instantiateKernels(compiledKernels('simd').module, memory);
const heap = new WasmHeap(memory, kx.heapBase());
const v = await compileVersions('assembly/gemm-versions.ts', memory);

type Tn = (M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number) => void;
const pack = heap.allocBytes(1024 * 16), packB = heap.allocBytes(1024 * 1024 * 4);
const libPanels: Tn = (M, N, K, A, lda, B, ldb, C, ldc) => {
  for (let k0 = 0; k0 < K; k0 += 64) {
    const kc = Math.min(64, K - k0);
    kx.packPanels(kc, N, B + k0 * ldb * 4, ldb, packB);
    kx.gemmTNPanels(0, M, N, kc, A + k0 * lda * 4, lda, packB, C, ldc, pack);
  }
};
const versions: Array<[string, Tn]> = [
  ['lib gemmTNBlocked (strided, KC 64)', (M, N, K, A, lda, B, ldb, C, ldc) => kx.gemmTNBlocked(0, M, N, K, A, lda, B, ldb, C, ldc)],
  ['tn_v1 strided KC 64', (M, N, K, A, lda, B, ldb, C, ldc) => v.gemm_tn_v1(0, M, N, K, A, lda, B, ldb, C, ldc, 64)],
  ['tn_v2 A packed KC 64', (M, N, K, A, lda, B, ldb, C, ldc) => v.gemm_tn_v2(0, M, N, K, A, lda, B, ldb, C, ldc, pack, 64)],
  ['tn_v2 A packed KC 256', (M, N, K, A, lda, B, ldb, C, ldc) => v.gemm_tn_v2(0, M, N, K, A, lda, B, ldb, C, ldc, pack, 256)],
  ['tn_v3 A, B packed KC 64', (M, N, K, A, lda, B, ldb, C, ldc) => v.gemm_tn_v3(0, M, N, K, A, lda, B, ldb, C, ldc, pack, packB, 64)],
  ['tn_v3 A, B packed KC 128', (M, N, K, A, lda, B, ldb, C, ldc) => v.gemm_tn_v3(0, M, N, K, A, lda, B, ldb, C, ldc, pack, packB, 128)],
  ['lib packPanels + gemmTNPanels (KC 64)', libPanels],
];

// correctness: [K, M]^T [K, N] at K = 150, M = 20, N = 24 (N % 8 == 4 for the panel tail;
// the workbench versions need N % 8 == 0 and get N = 16), against float64
function check(name: string, f: Tn, N: number): void {
  const K = 150, M = 20, lda = M + 4, ldb = N + 8;
  const A = heap.allocBytes(K * lda * 4), B = heap.allocBytes(K * ldb * 4), C = heap.allocBytes(M * N * 4);
  const a = heap.f32(A, K * lda), b = heap.f32(B, K * ldb);
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i * 1.3);
  for (let i = 0; i < b.length; i++) b[i] = Math.cos(i * 0.7);
  heap.f32(C, M * N).fill(0.5);
  f(M, N, K, A, lda, B, ldb, C, N);
  const c = heap.f32(C, M * N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
    let ref = 0.5;
    for (let k = 0; k < K; k++) ref += a[k * lda + m] * b[k * ldb + n];
    if (!(Math.abs(c[m * N + n] - ref) <= 1e-4 * (1 + Math.abs(ref)))) {
      console.error(`MISMATCH: ${name} at (${m}, ${n}): ${c[m * N + n]} vs ${ref}`);
      process.exit(1);
    }
  }
  for (const p of [A, B, C]) heap.freeBytes(p);
}
for (const [name, f] of versions) check(name, f, name.startsWith('tn_') ? 16 : 24);

const R = 219 * 64, GH = 384, H = 128, M = 192;
const A = heap.allocBytes(R * GH * 4), Bm = heap.allocBytes(R * H * 4), C = heap.allocBytes(GH * H * 4);
const fa = heap.f32(A, R * GH), fb = heap.f32(Bm, R * H);
for (let i = 0; i < fa.length; i++) fa[i] = Math.sin(i);
for (let i = 0; i < fb.length; i++) fb[i] = Math.cos(i * 0.7);
const flops = 2 * R * M * H;
const timed: Array<[string, () => void]> = versions.map(([name, f]) => [name, () => f(M, H, R, A, GH, Bm, H, C, H)]);
const Wt = heap.allocBytes(H * GH * 4);
timed.push(['yardstick: gemmNN 64x384x128 per step', () => {
  for (let s = 0; s < 219; s++) kx.gemmNN(64, GH, H, Bm + s * 64 * H * 4, H, Wt, GH, A + s * 64 * GH * 4, GH, 1);
}]);
timed.push(['yardstick: gemmNN 64x128x384 per step', () => {
  for (let s = 0; s < 219; s++) kx.gemmNN(64, H, GH, A + s * 64 * GH * 4, GH, Wt, H, Bm + s * 64 * H * 4, H, 0);
}]);
const best = timed.map(() => Infinity);
for (let rep = 0; rep < 7; rep++) {
  timed.forEach(([, f], i) => {
    const t = performance.now();
    f();
    best[i] = Math.min(best[i], performance.now() - t);
  });
}
console.log(`dW_hh share: [${R}, ${M}]^T [${R}, ${H}], 1 thread (yardsticks: the same flops)`);
timed.forEach(([name, f], i) => {
  void f;
  const gf = (name.includes('64x') ? 2 * R * GH * H : flops) / best[i] / 1e6;
  console.log(`${name.padEnd(40)} ${best[i].toFixed(2).padStart(7)} ms ${gf.toFixed(1).padStart(6)} GFLOP/s`);
});
