// Loads the kernel module: picks the best build this engine can run, compiles it once
// (synchronously; the bytes are embedded, so no file paths or fetches) and instantiates it
// on a memory. Relaxed SIMD (fused multiply-add) is used only where WebAssembly.validate
// accepts it; otherwise plain SIMD. Where SharedArrayBuffer is missing (a page without
// cross-origin isolation) an unshared build runs on one thread.
import { KERNELS_RELAXED_BASE64, KERNELS_SIMD_BASE64, KERNELS_UNSHARED_BASE64 } from '../../wasm-bytes.generated.js';
import { ConfigError } from '../../../errors.js';

/** The exports of the kernel module (byte addresses and counts; see assembly/*.ts). */
export interface KernelExports {
  heapBase(): number;
  gemmNN(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, acc: number): void;
  gemmNT(M: number, N: number, K: number, A: number, lda: number, Bt: number, ldb: number, C: number, ldc: number, acc: number): void;
  gemmTN(m0: number, m1: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number): void;
  gemmTNBlocked(m0: number, m1: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number): void;
  packPanels(kc: number, N: number, B: number, ldb: number, dst: number): void;
  gemmTNPanels(m0: number, m1: number, N: number, kc: number, A: number, lda: number, Bp: number, C: number, ldc: number, packA: number): void;
  plstmForward(Bc: number, B: number, T: number, Ip: number, Hp: number, x: number, ids: number, wIh: number, wIhT: number, wHh: number, wHhT: number,
    bias: number, p: number, eps: number, act: number, hbuf: number, cbuf: number, abuf: number, fbuf: number,
    tape: number, zs: number): void;
  plstmBackwardSteps(Bc: number, B: number, T: number, Ip: number, Hp: number, wIh: number, wHh: number, p: number,
    eps: number, act: number, cbuf: number, abuf: number, fbuf: number, dhSeq: number, dh: number, dc: number,
    da: number, dx: number, dOut: number, wOut: number, Op: number): void;
  lstmForward(Bc: number, B: number, T: number, Ip: number, Hp: number, x: number, ids: number, wIh: number, wIhT: number, wHh: number, wHhT: number,
    bias: number, act: number, hbuf: number, cbuf: number, tape: number, zs: number): void;
  lstmBackwardSteps(Bc: number, B: number, T: number, Ip: number, Hp: number, wIh: number, wHh: number,
    act: number, cbuf: number, dhSeq: number, dh: number, dc: number, dx: number, dOut: number, wOut: number, Op: number): void;
  xentRows(n0: number, n1: number, O: number, out: number, y: number, w: number, sumW: number, dOut: number, nll: number): void;
  unpadRowsBias(R: number, n: number, np: number, src: number, bias: number, dst: number): void;
  oneHotIds(B: number, T: number, I: number, x: number, ids: number): number;
  batchToTime(Bc: number, B: number, T: number, n: number, np: number, src: number, dst: number): void;
  timeToBatch(Bc: number, B: number, T: number, n: number, np: number, src: number, dst: number): void;
  transpose(R: number, C: number, src: number, dst: number): void;
  fillRows(M: number, N: number, v: number, C: number, ldc: number): void;
  columnSums(rows: number, j0: number, j1: number, A: number, lda: number, out: number): void;
  fillColumn(rows: number, ld: number, col: number, value: number, A: number): void;
  exponents(H: number, Hp: number, theta: number, fixedP: number, out: number): void;
  weightGrads(R: number, Ip: number, Hp: number, G: number, j0: number, j1: number, u0: number, u1: number,
    act: number, hbuf: number, x: number, ids: number, dWIhT: number, q: number, dWIh: number, dWHh: number,
    db: number, dP: number, pack: number): void;
  weightGradsScratch(Hp: number): number;
  plstmStreamStep(H: number, I: number, x: number, xId: number, wIh: number, wHh: number, bias: number,
    theta: number, eps: number, z: number, h: number, c: number, a: number,
    thetaSeen: number, pSeen: number): void;
  lstmStreamStep(H: number, I: number, x: number, xId: number, wIh: number, wHh: number, bias: number,
    z: number, h: number, c: number): void;
  headStep(O: number, H: number, h: number, W: number, b: number, out: number): void;
}

export type KernelVariant = 'relaxed-simd' | 'simd' | 'simd-unshared';

export interface CompiledKernels {
  module: WebAssembly.Module;
  variant: KernelVariant;
  /** Whether the module imports shared memory (so workers can join in). */
  shared: boolean;
}

/** 4 GiB, the most a 32-bit memory can address (the module declares this maximum). */
export const MAX_PAGES = 65536;
const INITIAL_PAGES = 32;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const g = globalThis as { Buffer?: { from(s: string, enc: string): Uint8Array } };
  if (g.Buffer) {
    const b = g.Buffer.from(text, 'base64');
    const out = new Uint8Array(b.length);
    out.set(b);
    return out;
  }
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function sharedMemoryWorks(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  // a page that is not cross-origin isolated cannot post shared memory to its workers
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Which build this engine runs, by feature detection, and its bytes. (An ArrayBuffer rather
 * than a typed array: the declarations then read the same in every TypeScript version.)
 */
export function detectVariant(): { variant: KernelVariant; bytes: ArrayBuffer } {
  if (typeof WebAssembly === 'undefined') throw new ConfigError('WebAssembly is not available here: use backend "js"');
  if (!sharedMemoryWorks()) {
    const bytes = decodeBase64(KERNELS_UNSHARED_BASE64);
    if (!WebAssembly.validate(bytes)) throw new ConfigError('this engine lacks WebAssembly SIMD: use backend "js"');
    return { variant: 'simd-unshared', bytes: bytes.buffer };
  }
  const relaxed = decodeBase64(KERNELS_RELAXED_BASE64);
  if (WebAssembly.validate(relaxed)) return { variant: 'relaxed-simd', bytes: relaxed.buffer };
  const simd = decodeBase64(KERNELS_SIMD_BASE64);
  if (!WebAssembly.validate(simd)) throw new ConfigError('this engine lacks WebAssembly SIMD: use backend "js"');
  return { variant: 'simd', bytes: simd.buffer };
}

let cached: CompiledKernels | null = null;

/**
 * The compiled kernel module (compiled once per process). Synchronous: fine in Node and in
 * web workers. A browser's main thread refuses to compile modules this size synchronously;
 * call `await preloadWasmKernels()` there first.
 */
export function compiledKernels(forceVariant?: KernelVariant): CompiledKernels {
  if (forceVariant) return compileVariant(forceVariant);
  if (!cached) {
    const { variant, bytes } = detectVariant();
    cached = { module: new WebAssembly.Module(bytes), variant, shared: variant !== 'simd-unshared' };
  }
  return cached;
}

function compileVariant(variant: KernelVariant): CompiledKernels {
  const text = variant === 'relaxed-simd' ? KERNELS_RELAXED_BASE64
    : variant === 'simd' ? KERNELS_SIMD_BASE64 : KERNELS_UNSHARED_BASE64;
  const bytes = decodeBase64(text);
  if (!WebAssembly.validate(bytes)) throw new ConfigError(`kernel build ${variant} does not run on this engine`);
  return { module: new WebAssembly.Module(bytes), variant, shared: variant !== 'simd-unshared' };
}

/** Compiles the kernels asynchronously (needed once on a browser's main thread). */
export async function preloadWasmKernels(): Promise<void> {
  if (cached) return;
  const { variant, bytes } = detectVariant();
  const module = await WebAssembly.compile(bytes);
  cached = { module, variant, shared: variant !== 'simd-unshared' };
}

/** A fresh memory for one backend, shared when the build imports shared memory. */
export function createKernelMemory(shared: boolean): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared });
}

/** Instantiates the module on a memory (synchronously). */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
