// The wasm backend's linearHead fast path (cells/fast-paths.ts): the linear head on the
// kernels' WebAssembly SIMD GEMMs, used for heads on the last step (a head on every step runs
// inside the top layer's kernels instead: headedLayer). Same contract as model/head.ts (whose
// plain loops stay the reference); declines heads below FAST_HEAD_MIN. Measured at N = 128*219,
// H = 128, O = 10 on a loaded 2-core machine: forward + backward about 40-90 ms against
// 150-250 ms for the plain loops (the loops were a fifth of a wasm training step).
// Weight gradients sum in float32 here (relative differences ~1e-5 to 1e-4 from the
// float64 sums of head.ts), as the recurrent kernels' weight gradients do.
//
// N = rows, H = hidden, O = outputs; Hp, Op = H, O rounded up to multiples of 4 (the GEMM
// contract), with zeros in the padding. Runs on the backend's own memory: the rows h [N, H]
// and dh [N, H] are read and written in place when they lie there (the model's workspace
// buffers do) and H is a multiple of 4; otherwise they are copied through padded blocks.
// The logits and their gradient ([N, O]) are padded and unpadded in wasm when they lie
// there too (else in JS loops); W ([O, H]: small) is always copied.
// Blocks are kept as addresses and viewed just before use: on the unshared build a view
// made before the memory grows is detached.

import type { Float } from '../../../cells/types.js';
import type { LinearHeadPath } from '../../../cells/fast-paths.js';
import { StagingBlocks } from '../memory/staging-blocks.js';
import type { LinearKernels } from '../gemm.js';

/**
 * Head sizes N*H*O (rows x hidden x outputs) from which the head runs on the SIMD GEMMs, and,
 * when it reads every step, inside the top layer's kernels (smaller heads do not repay the
 * copies).
 */
export const FAST_HEAD_MIN = 65536;

const roundUp4 = (n: number): number => (n + 3) & ~3;

export class WasmHead implements LinearHeadPath {
  /** Blocks in backend memory by role, grown when a call needs more. */
  private readonly blocks: StagingBlocks;

  /** minWork: the N*H*O below which forward/backward decline (FAST_HEAD_MIN; tests pass 0). */
  constructor(private readonly k: LinearKernels, private readonly minWork = FAST_HEAD_MIN) {
    this.blocks = new StagingBlocks(k);
  }

  /** The address of rows [R, n] padded to np: src itself when it can be read in place, else a padded copy. */
  private rows(role: string, src: Float, R: number, n: number, np: number): number {
    const at = this.k.addressOf(src);
    if (at >= 0 && n === np) return at;
    const ptr = this.blocks.get(role, R * np);
    if (at >= 0) {
      this.k.pad(R, n, np, at, ptr);
      return ptr;
    }
    const dst = this.k.view(ptr, R * np);
    if (n === np) {
      dst.set(src.subarray(0, R * n));
      return ptr;
    }
    for (let r = 0; r < R; r++) {
      const s0 = r * n, d0 = r * np;
      for (let k = 0; k < n; k++) dst[d0 + k] = src[s0 + k];
      for (let k = n; k < np; k++) dst[d0 + k] = 0;
    }
    return ptr;
  }

  /** W [O, H] as a zero-padded block [Op, Hp]. */
  private weights(W: Float, O: number, H: number): number {
    const Hp = roundUp4(H), Op = roundUp4(O);
    const ptr = this.blocks.get('W', Op * Hp);
    const wv = this.k.view(ptr, Op * Hp);
    wv.fill(0);
    for (let o = 0; o < O; o++) wv.set(W.subarray(o * H, (o + 1) * H), o * Hp);
    return ptr;
  }

  /** out: [N, O] (overwritten). h: [N, H]. W: [O, H]. b: [O]. false = declined (small head). */
  forward(out: Float, h: Float, W: Float, b: Float, N: number, H: number, O: number): boolean {
    if (N * H * O < this.minWork) return false;
    const Hp = roundUp4(H), Op = roundUp4(O);
    const hp = this.rows('h', h, N, H, Hp);
    const wp = this.weights(W, O, H);
    const op = this.blocks.get('out', N * Op);
    this.k.nt(N, Op, Hp, hp, Hp, wp, Hp, op, Op, false); // out' [N, Op] = h' W'^T
    const outAt = this.k.addressOf(out), bAt = this.k.addressOf(b);
    if (outAt >= 0 && bAt >= 0) {
      this.k.unpadBias(N, O, Op, op, bAt, outAt);
      return true;
    }
    const ov = this.k.view(op, N * Op);
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) out[n * O + o] = ov[n * Op + o] + b[o];
    }
    return true;
  }

  /**
   * Backward of forward: dW [O, H] and db [O] (float64, overwritten), dh [N, H] (overwritten).
   * dOut: [N, O]. h: [N, H]. W: [O, H]. false = declined (small head).
   */
  backward(dOut: Float, h: Float, W: Float, dW: Float64Array, db: Float64Array, dh: Float,
    N: number, H: number, O: number): boolean {
    if (N * H * O < this.minWork) return false;
    const Hp = roundUp4(H), Op = roundUp4(O);
    const hp = this.rows('h', h, N, H, Hp);
    const wp = this.weights(W, O, H);
    const gp = this.rows('dOut', dOut, N, O, Op);
    // dh' [N, Hp] = dOut' W', straight into dh when it lies in backend memory unpadded
    const dhAt = H === Hp ? this.k.addressOf(dh) : -1;
    const dhp = dhAt >= 0 ? dhAt : this.blocks.get('dh', N * Hp);
    this.k.nn(N, Hp, Op, gp, Op, wp, Hp, dhp, Hp, false);
    const dwp = this.blocks.get('dW', Op * Hp);
    this.k.view(dwp, Op * Hp).fill(0);
    // dW' [Op, Hp] += dOut'^T h' (over the rows in blocks of 64: each block of h' stays in
    // cache while every column tile uses it; unblocked, h' streamed from memory once per tile)
    this.k.tn(Op, Hp, N, gp, Op, hp, Hp, dwp, Hp);
    if (dhAt < 0) {
      const dhv = this.k.view(dhp, N * Hp);
      if (H === Hp) dh.set(dhv);
      else for (let n = 0; n < N; n++) for (let k = 0; k < H; k++) dh[n * H + k] = dhv[n * Hp + k];
    }
    const dwv = this.k.view(dwp, Op * Hp);
    for (let o = 0; o < O; o++) for (let k = 0; k < H; k++) dW[o * H + k] = dwv[o * Hp + k];
    db.fill(0, 0, O);
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) db[o] += dOut[n * O + o];
    return true;
  }
}
