// Streaming step pieces: GEMV versions and gate-math versions (assembly/stream-versions.ts),
// each checked against a float64 reference (GEMV) or the library's gate math (gates), then
// timed, and the cost of single gate functions over 64 vectors.
//   node --experimental-wasm-relaxed-simd --import tsx bench/workbench/stream.ts [H] [--relaxed]
import { performance } from 'node:perf_hooks';
import { compileVersions } from './compile.js';

const relaxed = process.argv.includes('--relaxed');
const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
const v = await compileVersions('assembly/stream-versions.ts', memory, relaxed);

const H = Number(process.argv[2] ?? 128), N = 3 * H, K = H;
let top = 1 << 20;
const alloc = (n: number) => { const p = top; top += Math.ceil(n * 4 / 64) * 64; return p; };
const f32 = (p: number, n: number) => new Float32Array(memory.buffer, p, n);
let seed = 1;
const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff * 2 - 1; };
const W = alloc(N * K), Wp16 = alloc(N * K), Wp32 = alloc(N * K), h = alloc(K), z = alloc(N);
const w = f32(W, N * K).map(() => rnd() * 0.1); f32(W, N * K).set(w);
f32(h, K).set(f32(h, K).map(() => rnd()));
const pack = (dst: number, P: number) => { const d = f32(dst, N * K); let i = 0;
  for (let n0 = 0; n0 < N; n0 += P) for (let k = 0; k < K; k++) for (let j = 0; j < P; j++) d[i++] = w[(n0 + j) * K + k]; };
pack(Wp16, 16); pack(Wp32, 32);
const Wt = alloc(N * K); { const d = f32(Wt, N * K); for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) d[k * N + n] = w[n * K + k]; }
const ref = new Float64Array(N);
for (let n = 0; n < N; n++) { let s = 0; for (let k = 0; k < K; k++) s += w[n * K + k] * f32(h, K)[k]; ref[n] = s; }
function time(label: string, fn: () => void, reps = 100_000): void {
  for (let i = 0; i < 10000; i++) fn();
  const r: number[] = [];
  for (let x = 0; x < 7; x++) { const t0 = performance.now(); for (let i = 0; i < reps; i++) fn(); r.push((performance.now() - t0) / reps * 1000); }
  r.sort((a, b) => a - b);
  console.log(`${label.padEnd(40)} ${r[3].toFixed(3)} us (min ${r[0].toFixed(3)})`);
}
function checkGemv(name: string, fn: () => void): void {
  f32(z, N).fill(0); fn();
  const out = f32(z, N);
  for (let n = 0; n < N; n++) if (Math.abs(out[n] - ref[n]) > 1e-4) throw new Error(`${name}: z[${n}] ${out[n]} vs ${ref[n]}`);
}
console.log(`# H=${H} ${relaxed ? 'relaxed' : 'simd'}`);
// each version's shape condition (panel widths, rows per block)
const gemvs: Array<[string, () => void, boolean]> = [
  ['gemv_v1 8 row streams', () => v.gemv_v1(N, K, W, h, z), N % 8 === 0],
  ['gemv_v2 panel 16 NN', () => v.gemv_v2(N, K, Wp16, h, z), N % 16 === 0],
  ['gemv_v3 panel 32 NN', () => v.gemv_v3(N, K, Wp32, h, z), N % 32 === 0],
  ['gemv_v4 8 rows, k unrolled 4x', () => v.gemv_v4(N, K, W, h, z), N % 8 === 0 && K % 16 === 0],
  ['gemv_v5 panel 16 NN, k unrolled 4x', () => v.gemv_v5(N, K, Wp16, h, z), N % 16 === 0 && K % 4 === 0],
  ['gemv_v6 6 row streams (promoted)', () => v.gemv_v6(N, K, W, h, z), N % 6 === 0],
  ['gemv_v7 NN on W^T, 6 accumulators', () => v.gemv_v7(N, K, Wt, h, z), N % 24 === 0],
  ['gemv_v8 NN on W^T, 7 accumulators', () => v.gemv_v8(N, K, Wt, h, z), N % 28 === 0],
];
for (const [name, fn, ok] of gemvs) if (ok) { checkGemv(name, fn); time(name, fn); }
// gates
const p = alloc(H), c = alloc(H), a = alloc(H), zs = alloc(N);
f32(p, H).set(f32(p, H).map(() => 0.5 + 0.4 * rnd()));
const zInit = Float32Array.from({ length: N }, () => rnd() * 3), cInit = Float32Array.from({ length: H }, () => rnd()), aInit = Float32Array.from({ length: H }, () => 5 + 4 * rnd());
const outs: Record<string, Float32Array> = {};
for (const name of ['gates_v1', 'gates_v2', 'gates_v3']) {
  f32(zs, N).set(zInit); f32(c, H).set(cInit); f32(a, H).set(aInit);
  v[name](H, zs, p, 1e-3, h, c, a);
  outs[name] = Float32Array.from([...f32(h, H), ...f32(c, H), ...f32(a, H)]);
  time(name, () => { f32(c, H).fill(0.5); v[name](H, zs, p, 1e-3, h, c, a); });
}
for (let i = 0; i < outs.gates_v1.length; i++) if (outs.gates_v1[i] !== outs.gates_v2[i]) throw new Error(`gates differ at ${i}`);
console.log('gates_v2 bit-identical to v1');
let worst = 0; for (let i = 0; i < outs.gates_v1.length; i++) worst = Math.max(worst, Math.abs(outs.gates_v1[i] - outs.gates_v3[i]));
console.log('gates_v3 worst abs diff to v1', worst);
const zz = alloc(2 * H); f32(zz, 2 * H).set(Float32Array.from({ length: 2 * H }, () => 0.01 + 0.9 * Math.abs(rnd())));
for (const ph of ['phase_sig', 'phase_tanh', 'phase_exp', 'phase_log1p', 'phase_copy']) time(ph + ' (64 vectors)', () => v[ph](H, zz));
