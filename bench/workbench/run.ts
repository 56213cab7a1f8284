// Kernel workbench: numbered kernel versions, each checked against a float64 reference
// before it is timed (a mismatch stops the run with exit code 1). Prints GFLOP/s.
//
//   node --import tsx bench/workbench/run.ts [--quick]
//   node --experimental-wasm-relaxed-simd --import tsx bench/workbench/run.ts --relaxed
//
// Times are the MINIMUM over repetitions (the machine may be shared: the minimum is the
// least disturbed run); GFLOP/s count 2 flops per multiply-add of the GEMMs only.
//
// Rows:
//   gemm v1..v4, nt_v1     workbench versions (bench/workbench/assembly/gemm-versions.ts)
//   lib gemmNN (v3, 4x8)   the library micro-kernel = the "plain SIMD matmul" ceiling
//   gemmNT / gemmTN        the library's forward (dot-product) and weight-gradient forms
//   plstm fwd/bwd parts    the fused kernels at the copy-task shape, and their GEMM part alone
// The machine may be shared: compare rows of the same run, not numbers across runs.
import { loadavg } from 'node:os';
import { compileVersions } from './compile.js';
import { compiledKernels, createKernelMemory, instantiateKernels, type KernelExports } from '../../src/kernels/wasm/runtime/module.js';
import { WasmHeap } from '../../src/kernels/wasm/memory/heap.js';
import { WorkerPool, type KernelJob } from '../../src/kernels/wasm/runtime/pool.js';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { createJsBackend, initPlstmWeights, initLstmWeights, plstmConfig, lstmConfig, Rng } from '../../src/cells/index.js';

const quick = process.argv.includes('--quick');
const variant = process.argv.includes('--relaxed') ? 'relaxed-simd' as const : 'simd' as const;

// ---------------------------------------------------------------- helpers
function fail(msg: string): never {
  console.error(`MISMATCH: ${msg}`);
  process.exit(1);
}

/** max |a - ref| / (atol + rtol |ref|) over all elements must be <= 1, else fail. */
function check(what: string, got: ArrayLike<number>, ref: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): void {
  let worst = 0, at = -1;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(got[i] - ref[i]) / (atol + rtol * Math.abs(ref[i]));
    if (!(e <= worst)) { worst = e; at = i; }
  }
  if (!(worst <= 1)) fail(`${what}: element ${at} got ${got[at]} expected ${ref[at]} (error ${worst.toFixed(2)} x tolerance)`);
}

/** Minimum seconds of fn over reps runs (after one warm-up). */
function time(fn: () => void, reps: number): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** Minimum seconds of each function, the functions run in turn (one warm-up round first). */
function interleaved(fns: Array<() => void>, reps: number): number[] {
  for (const f of fns) f();
  const best = fns.map(() => Infinity);
  for (let r = 0; r < reps; r++) {
    fns.forEach((f, i) => {
      const t0 = performance.now();
      f();
      best[i] = Math.min(best[i], (performance.now() - t0) / 1000);
    });
  }
  return best;
}

const rows: Array<{ name: string; shape: string; threads: number; gflops: number; ms: number }> = [];
function report(name: string, shape: string, threads: number, flops: number, seconds: number): void {
  const row = { name, shape, threads, gflops: flops / seconds / 1e9, ms: seconds * 1000 };
  rows.push(row);
  console.log(`${name.padEnd(34)} ${shape.padEnd(22)} threads ${threads}  ${row.gflops.toFixed(1).padStart(6)} GFLOP/s  ${row.ms.toFixed(2).padStart(9)} ms`);
}

// ---------------------------------------------------------------- the library module
const lib = compiledKernels(variant);
console.log(`# library kernels: ${variant} build; load average at start ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
const memory = createKernelMemory(true);
const kx: KernelExports = instantiateKernels(lib.module, memory);
const heap = new WasmHeap(memory, kx.heapBase());
const pool = new WorkerPool(lib.module, memory, 1);
const rng = new Rng(7);
function randomBlock(n: number): { ptr: number; host: Float64Array } {
  const ptr = heap.allocBytes(n * 4);
  const v = heap.f32(ptr, n);
  const host = new Float64Array(n);
  for (let i = 0; i < n; i++) { v[i] = rng.range(-1, 1); host[i] = v[i]; }
  return { ptr, host };
}

// ---------------------------------------------------------------- the workbench module

function refGemm(M: number, N: number, K: number, A: Float64Array, B: Float64Array, bT = false): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) {
    const a = A[i * K + k];
    for (let j = 0; j < N; j++) C[i * N + j] += a * (bT ? B[j * K + k] : B[k * N + j]);
  }
  return C;
}

async function gemmSection(): Promise<void> {
  const v = await compileVersions('assembly/gemm-versions.ts', memory, variant === 'relaxed-simd');
  console.log('# GEMM versions  C[M,N] = A[M,K] B[K,N]');
  for (const [M, N, K] of [[256, 256, 256], [128, 384, 128], [64, 384, 128], [64, 128, 384]]) {
    const shape = `${M}x${N}x${K}`;
    const flops = 2 * M * N * K;
    const A = randomBlock(M * K), Bm = randomBlock(K * N), Bt = randomBlock(N * K), C = heap.allocBytes(M * N * 4);
    const ref = refGemm(M, N, K, A.host, Bm.host);
    const refT = refGemm(M, N, K, A.host, Bt.host, true);
    const out = () => heap.f32(C, M * N);
    const reps = quick ? 3 : 9;
    const versions: Array<[string, () => void, Float64Array]> = [
      ['gemm_v1 scalar', () => v.gemm_v1(M, N, K, A.ptr, Bm.ptr, C), ref],
      ['gemm_v2 simd 1x4', () => v.gemm_v2(M, N, K, A.ptr, Bm.ptr, C), ref],
      ['gemm_v3 simd 4x8', () => v.gemm_v3(M, N, K, A.ptr, Bm.ptr, C), ref],
      ['gemm_v4 simd 4x16', () => v.gemm_v4(M, N, K, A.ptr, Bm.ptr, C), ref],
      ...(N % 12 === 0 ? [['gemm_v5 simd 3x12 (madd)', () => v.gemm_v5(M, N, K, A.ptr, Bm.ptr, C), ref] as [string, () => void, Float64Array]] : []),
      ['gemm_v6 simd 6x8 (madd)', () => v.gemm_v6(M, N, K, A.ptr, Bm.ptr, C), ref],
      ['gemm_v7 simd 5x8 (madd)', () => v.gemm_v7(M, N, K, A.ptr, Bm.ptr, C), ref],
      ['lib gemmNN (v3 promoted, 4x8)', () => kx.gemmNN(M, N, K, A.ptr, K, Bm.ptr, N, C, N, 0), ref],
      ['gemm_nt_v1 4x4 (dot products)', () => v.gemm_nt_v1(M, N, K, A.ptr, Bt.ptr, C), refT],
      ['lib gemmNT (2x4 dot products)', () => kx.gemmNT(M, N, K, A.ptr, K, Bt.ptr, K, C, N, 0), refT],
    ];
    for (const [name, fn, r] of versions) {
      out().fill(NaN);
      fn();
      check(`${name} ${shape}`, out(), r, 1e-4, 1e-4);
      // small products: repeat inside one timing so it is long enough to measure
      const inner = name.includes('scalar') ? 1 : Math.max(1, Math.round(5e7 / flops));
      report(name, shape, 1, flops * inner, time(() => { for (let i = 0; i < inner; i++) fn(); }, name.includes('scalar') ? 2 : reps));
    }
    // the ceiling on two threads: lib gemmNN, rows split in two
    const half = M / 2;
    const jobs: KernelJob[] = [0, 1].map((s) => ({ fn: 'gemmNN', args: [half, N, K, A.ptr + s * half * K * 4, K, Bm.ptr, N, C + s * half * N * 4, N, 0] }));
    out().fill(NaN);
    pool.run(jobs, kx);
    check(`gemmNN 2 threads ${shape}`, out(), ref, 1e-4, 1e-4);
    report('lib gemmNN (v3 promoted, 4x8)', shape, 2, flops, time(() => pool.run(jobs, kx), reps));
  }
}

// ---------------------------------------------------------------- fused kernels
function fusedSection(): void {
  // correctness first: the backend against the float64 oracle on odd shapes, both cells
  const oracle = createJsBackend('float64');
  for (const kind of ['plstm', 'lstm'] as const) {
    const B = 5, T = 9, I = 7, H = 13;
    const cfg = kind === 'plstm' ? plstmConfig(I, H) : lstmConfig(I, H);
    const w = kind === 'plstm' ? initPlstmWeights(cfg, new Rng(3)) : initLstmWeights(cfg, new Rng(3));
    const x = new Float64Array(B * T * I).map(() => rng.range(-1, 1));
    const dh = new Float64Array(B * T * H).map(() => rng.range(-1, 1));
    for (const threads of [1, 2]) {
      const wb = createWasmBackend({ threads });
      const f0 = oracle.forward(cfg, w, x, B, T, null, true), f1 = wb.forward(cfg, w, x, B, T, null, true);
      check(`${kind} hSeq`, f1.hSeq, f0.hSeq);
      const g0 = oracle.backward(cfg, w, x, f0, dh, null), g1 = wb.backward(cfg, w, x, f1, dh, null);
      check(`${kind} dx`, g1.dx, g0.dx); check(`${kind} dWIh`, g1.dWIh, g0.dWIh);
      check(`${kind} dWHh`, g1.dWHh, g0.dWHh); check(`${kind} db`, g1.db, g0.db);
      if (g0.dTheta) check(`${kind} dTheta`, g1.dTheta!, g0.dTheta);
      wb.dispose();
    }
  }
  console.log('# fused kernels match the float64 oracle (both cells, threads 1 and 2)');

  // the copy-task training shape
  const B = 128, T = quick ? 60 : 219, I = 10, H = 128, G = 3, GH = G * H;
  const shape = `B${B} T${T} H${H} I${I}`;
  const cfg = plstmConfig(I, H);
  const w = initPlstmWeights(cfg, new Rng(1), { mode: 'uniform' }, 'float32');
  const x = new Float32Array(B * T * I);
  for (let i = 0; i < B * T; i++) x[i * I + (i * 7) % I] = 1;
  const dhSeq = new Float32Array(B * T * H).map(() => rng.range(-0.01, 0.01));
  const recurrentFlops = 2 * B * T * GH * H; // one [B,H]x[H,3H] product per step
  const reps = quick ? 3 : 9;

  // The GEMM-heavy parts alone, with the kernels' shapes and (time-major) layout, and the
  // plain SIMD matmul micro-benchmark (lib gemmNN, contiguous 128x384x128) as the ceiling.
  {
    const hbuf = randomBlock((T + 1) * B * H), wHh = randomBlock(GH * H), act = heap.allocBytes(T * B * GH * 4);
    heap.f32(act, B * T * GH).fill(0);
    const A = randomBlock(B * H), Bm = randomBlock(H * GH), C = heap.allocBytes(B * GH * 4);
    // timed like the parts (T products per timed run) and interleaved with them, so that all
    // see the same disturbances of a shared machine
    const ceilFn = () => { for (let t = 0; t < T; t++) kx.gemmNN(B, GH, H, A.ptr, H, Bm.ptr, GH, C, GH, 0); };
    // the forward kernel's product for batches: NN with W_hh^T (transposed once per call)
    const wHhT = heap.allocBytes(GH * H * 4);
    kx.transpose(GH, H, wHh.ptr, wHhT);
    const fn = () => { for (let t = 0; t < T; t++) kx.gemmNN(B, GH, H, hbuf.ptr + t * B * H * 4, H, wHhT, GH, act + t * B * GH * 4, GH, 1); };
    const dh = heap.allocBytes(B * H * 4);
    const fb = () => { for (let t = T - 1; t >= 0; t--) kx.gemmNN(B, H, GH, act + t * B * GH * 4, GH, wHh.ptr, H, dh, H, 0); };
    const dW = heap.allocBytes(GH * H * 4);
    const fw = () => {
      for (let k0 = 0; k0 < T * B; k0 += 64) kx.gemmTN(0, GH, H, Math.min(64, T * B - k0), act + k0 * GH * 4, GH, hbuf.ptr + k0 * H * 4, H, dW, H);
    };
    const parts: Array<[string, () => void]> = [
      ['ceiling: plain SIMD matmul', ceilFn],
      ['fwd GEMM part: h W_hh^T per step', fn], ['bwd GEMM part: dz W_hh per step', fb], ['dW_hh GEMM part: dz^T h', fw],
    ];
    const best = interleaved(parts.map(([, f]) => f), reps);
    const ceilG = recurrentFlops / best[0] / 1e9;
    parts.forEach(([name], i) => {
      report(name, i === 0 ? `${T} x ${B}x${GH}x${H}` : shape, 1, recurrentFlops, best[i]);
      if (i > 0) console.log(`  = ${(100 * recurrentFlops / best[i] / 1e9 / ceilG).toFixed(0)}% of the ceiling`);
    });
    const total = best[1] + best[2] + best[3];
    report('all three GEMM parts', shape, 1, 3 * recurrentFlops, total);
    console.log(`  = ${(100 * 3 * recurrentFlops / total / 1e9 / ceilG).toFixed(0)}% of the ceiling`);
    for (const p of [hbuf.ptr, wHh.ptr, wHhT, act, dh, dW, A.ptr, Bm.ptr, C]) heap.freeBytes(p);
  }

  // the whole fused forward + backward through the backend, 1 and 2 threads interleaved
  {
    const bes = [1, 2].map((threads) => {
      const wb = createWasmBackend({ threads, variant });
      const ww = { wIh: wb.alloc(w.wIh.length), wHh: wb.alloc(w.wHh.length), b: wb.alloc(w.b.length), theta: wb.alloc(H) };
      ww.wIh.set(w.wIh); ww.wHh.set(w.wHh); ww.b.set(w.b); ww.theta.set(w.theta!);
      return { wb, ww, fwd: Infinity, bwd: Infinity, tapeMB: 0 };
    });
    const fns = bes.map((e) => () => {
      const t0 = performance.now();
      const f = e.wb.forward(cfg, e.ww, x, B, T, null, true);
      const t1 = performance.now();
      e.tapeMB = (f.tape as { bytes: number }).bytes / 2 ** 20;
      e.wb.backward(cfg, e.ww, x, f, dhSeq, null);
      e.fwd = Math.min(e.fwd, (t1 - t0) / 1000); e.bwd = Math.min(e.bwd, (performance.now() - t1) / 1000);
    });
    const both = interleaved(fns, reps);
    const inputFlops = 2 * B * T * GH * 12;
    bes.forEach((e, i) => {
      const threads = e.wb.threads;
      report('plstm forward (with tape)', shape, threads, recurrentFlops + inputFlops, e.fwd);
      report('plstm backward', shape, threads, 2 * recurrentFlops + 2 * inputFlops, e.bwd);
      report('plstm forward + backward', shape, threads, 3 * recurrentFlops + 3 * inputFlops, both[i]);
    });
    console.log(`  activation memory (tape) ${bes[0].tapeMB.toFixed(1)} MiB; 2 threads / 1 thread time ${(both[1] / both[0]).toFixed(2)}`);
    for (const e of bes) e.wb.dispose();
  }

  // cost linear in T and in B: time per (row x step) of forward + backward, 1 thread
  if (!quick) {
    const wb = createWasmBackend({ threads: 1, variant });
    const line: string[] = [];
    for (const [Bs, Ts] of [[128, 55], [128, 110], [128, 219], [32, 219], [64, 219]]) {
      const xs = x.subarray(0, Bs * Ts * I), ds = dhSeq.subarray(0, Bs * Ts * H);
      const sec = time(() => { const f = wb.forward(cfg, w, xs, Bs, Ts, null, true); wb.backward(cfg, w, xs, f, ds, null); }, 3);
      line.push(`B${Bs} T${Ts}: ${(sec / (Bs * Ts) * 1e6).toFixed(2)} us`);
    }
    console.log(`linearity, fwd+bwd time per row-step: ${line.join(', ')}`);
    wb.dispose();
  }

  // streaming inference: B = 1, one step per call, state carried (I = 10, H = 128)
  {
    const wb = createWasmBackend({ variant });
    const ww = { wIh: wb.alloc(w.wIh.length), wHh: wb.alloc(w.wHh.length), b: wb.alloc(w.b.length), theta: wb.alloc(H) };
    ww.wIh.set(w.wIh); ww.wHh.set(w.wHh); ww.b.set(w.b); ww.theta.set(w.theta!);
    const xs = new Float32Array(I);
    xs[3] = 1;
    let st = { h: new Float32Array(H), c: new Float32Array(H), a: new Float32Array(H) } as import('../../src/cells/types.js').CellState;
    const steps = 1000;
    const sec = time(() => { for (let i = 0; i < steps; i++) st = wb.forward(cfg, ww, xs, 1, 1, st, false).final; }, quick ? 3 : 10);
    console.log(`${'plstm streaming step (B=1)'.padEnd(34)} ${`H${H} I${I}`.padEnd(22)} threads 1  ${(sec / steps * 1e6).toFixed(2)} us/step`);
    wb.dispose();
  }
}

// ---------------------------------------------------------------- vector math of the gates
async function mathSection(): Promise<void> {
  const v = await compileVersions('assembly/math-versions.ts', memory, variant === 'relaxed-simd');
  console.log('# vector math (gate epilogues): max error vs Math.*, then ns per value');
  const n = 1 << 16;
  const ptr = heap.allocBytes(n * 4);
  const inputs = (lo: number, hi: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  const cases: Array<[string, (x: number) => number, number, number, number, number]> = [
    // name, reference, input range, allowed abs error, allowed rel error
    ['exp', Math.exp, -80, 80, 1e-30, 3e-7],
    ['sigmoid', (x) => 1 / (1 + Math.exp(-x)), -30, 30, 1e-7, 3e-7],
    ['tanh', Math.tanh, -12, 12, 1e-7, 3e-7],
    ['log1p', Math.log1p, -0.999, 20, 1e-7, 3e-7],
  ];
  for (const [fn, ref, lo, hi, atol, rtol] of cases) {
    const xs = inputs(lo, hi);
    for (const ver of ['v1', 'v2', ...(fn === 'exp' ? ['scalar'] : [])]) {
      const name = `${fn}_${ver}`;
      heap.f32(ptr, n).set(xs);
      v[name](n, ptr);
      const out = heap.f32(ptr, n);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.abs(out[i] - ref(xs[i])) / (atol + rtol * Math.abs(ref(xs[i])));
        if (!(e <= worst)) worst = e;
      }
      if (!(worst <= 1)) fail(`${name}: error ${worst.toFixed(2)} x (abs ${atol} + rel ${rtol})`);
      const s = time(() => { heap.f32(ptr, n).set(xs); v[name](n, ptr); }, quick ? 5 : 21);
      console.log(`${name.padEnd(34)} ${`[${lo}, ${hi}]`.padEnd(22)} err/tol ${worst.toFixed(2)}  ${(s * 1e9 / n).toFixed(2)} ns/value`);
    }
  }
  heap.freeBytes(ptr);
}

await gemmSection();
await mathSection();
fusedSection();
pool.dispose();
console.log(`# load average at end ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
if (process.argv.includes('--json')) console.log(JSON.stringify({ rows }));
