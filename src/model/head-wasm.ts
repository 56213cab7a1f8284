// The linear head on the kernels' WebAssembly SIMD GEMMs, for models on the wasm backend.
// Same contract as head.ts (whose plain loops stay the reference). Measured at N = 128*219,
// H = 128, O = 10 on a loaded 2-core machine: forward + backward about 40-90 ms against
// 150-250 ms for the plain loops (the loops were a fifth of a wasm training step).
// Weight gradients sum in float32 here (relative differences ~1e-5 to 1e-4 from the
// float64 sums of head.ts), as the recurrent kernels' weight gradients do.
//
// N = rows, H = hidden, O = outputs; Hp, Op = H, O rounded up to multiples of 4 (the GEMM
// contract), with zeros in the padding. One private single-threaded kernel instance with
// its own memory; the rows are copied in and out per call (cheap next to the GEMMs).

import type { Float } from '../cells/types.js';
import { compiledKernels, createKernelMemory, instantiateKernels, type KernelExports } from '../kernels/wasm-module.js';

const PAGE = 65536;
const roundUp4 = (n: number): number => (n + 3) & ~3;

export class WasmHead {
  private readonly kx: KernelExports;
  private readonly memory: WebAssembly.Memory;
  private readonly base: number;

  private constructor() {
    const compiled = compiledKernels();
    this.memory = createKernelMemory(compiled.shared);
    this.kx = instantiateKernels(compiled.module, this.memory);
    for (const f of ['gemmNT', 'gemmNN', 'gemmTN', 'heapBase'] as const) {
      if (typeof this.kx[f] !== 'function') throw new Error(`kernel module lacks ${f}`);
    }
    this.base = Math.ceil(this.kx.heapBase() / 64) * 64;
  }

  /** A WasmHead, or null where the kernels do not run (no WebAssembly SIMD) or lack the GEMMs. */
  static tryCreate(): WasmHead | null {
    try {
      return new WasmHead();
    } catch {
      return null;
    }
  }

  /** Lays out float32 blocks of the given lengths from the base (64-byte aligned), growing memory. */
  private layout(lengths: number[]): number[] {
    const ptrs: number[] = [];
    let at = this.base;
    for (const n of lengths) {
      ptrs.push(at);
      at += Math.ceil((n * 4) / 64) * 64;
    }
    const have = this.memory.buffer.byteLength;
    if (at > have) this.memory.grow(Math.ceil((at - have) / PAGE));
    return ptrs;
  }

  private view(ptr: number, n: number): Float32Array {
    return new Float32Array(this.memory.buffer, ptr, n);
  }

  /** Copies rows [R, n] into a zero-padded block [R, np]. */
  private packRows(dst: Float32Array, src: Float, R: number, n: number, np: number): void {
    if (n === np) {
      dst.set(src.subarray(0, R * n));
      return;
    }
    for (let r = 0; r < R; r++) {
      const s0 = r * n, d0 = r * np;
      for (let k = 0; k < n; k++) dst[d0 + k] = src[s0 + k];
      for (let k = n; k < np; k++) dst[d0 + k] = 0;
    }
  }

  /** out: [N, O] (overwritten). h: [N, H]. W: [O, H]. b: [O]. */
  forward(out: Float, h: Float, W: Float, b: Float, N: number, H: number, O: number): void {
    const Hp = roundUp4(H), Op = roundUp4(O);
    const [hp, wp, op] = this.layout([N * Hp, Op * Hp, N * Op]);
    this.packRows(this.view(hp, N * Hp), h, N, H, Hp);
    const wv = this.view(wp, Op * Hp);
    wv.fill(0);
    this.packRows(wv, W, O, H, Hp);
    this.kx.gemmNT(N, Op, Hp, hp, Hp, wp, Hp, op, Op, 0); // out' [N, Op] = h' W'^T
    const ov = this.view(op, N * Op);
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) out[n * O + o] = ov[n * Op + o] + b[o];
    }
  }

  /**
   * Backward of forward: dW [O, H] and db [O] (float64, overwritten), dh [N, H] (overwritten).
   * dOut: [N, O]. h: [N, H]. W: [O, H].
   */
  backward(dOut: Float, h: Float, W: Float, dW: Float64Array, db: Float64Array, dh: Float,
    N: number, H: number, O: number): void {
    const Hp = roundUp4(H), Op = roundUp4(O);
    const [hp, wp, gp, dhp, dwp] = this.layout([N * Hp, Op * Hp, N * Op, N * Hp, Op * Hp]);
    this.packRows(this.view(hp, N * Hp), h, N, H, Hp);
    const wv = this.view(wp, Op * Hp);
    wv.fill(0);
    this.packRows(wv, W, O, H, Hp);
    this.packRows(this.view(gp, N * Op), dOut, N, O, Op);
    this.kx.gemmNN(N, Hp, Op, gp, Op, wp, Hp, dhp, Hp, 0); // dh' [N, Hp] = dOut' W'
    this.view(dwp, Op * Hp).fill(0);
    this.kx.gemmTN(0, Op, Hp, N, gp, Op, hp, Hp, dwp, Hp); // dW' [Op, Hp] += dOut'^T h'
    const dhv = this.view(dhp, N * Hp);
    if (H === Hp) dh.set(dhv);
    else for (let n = 0; n < N; n++) for (let k = 0; k < H; k++) dh[n * H + k] = dhv[n * Hp + k];
    const dwv = this.view(dwp, Op * Hp);
    for (let o = 0; o < O; o++) for (let k = 0; k < H; k++) dW[o * H + k] = dwv[o * Hp + k];
    db.fill(0, 0, O);
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) db[o] += dOut[n * O + o];
  }
}
