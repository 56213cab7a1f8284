// The GEMMs of the kernel module over a backend's memory, split over its threads when big
// enough: the model's linear head runs on them (LinearKernels), and so do the headed layer's
// logits and head gradients (sequence/step-head.ts).
import type { Float } from '../../cells/types.js';
import type { KernelJob } from './runtime/pool.js';
import type { WasmContext } from './runtime/context.js';
import { rowShares, splitBy4 } from './runtime/work-shares.js';

/**
 * GEMMs on byte addresses in the backend's memory, split over the backend's threads when
 * big enough (see assembly/gemm.ts for the shapes each takes: N and K multiples of 4;
 * leading dimensions in elements). No validation, as StreamingKernels.
 */
export interface LinearKernels {
  /** The byte address of buf when it lies in this backend's memory (a view from alloc()), else -1. */
  addressOf(buf: Float): number;
  /** The byte address of a new zeroed block of n floats, held until dispose. */
  reserve(n: number): number;
  /**
   * A view of n floats at ptr. Take a new one after anything that may grow the memory: on
   * the unshared build growing detaches the views made before.
   */
  view(ptr: number, n: number): Float32Array;
  /** C[M, N] = (acc ? C : 0) + A[M, K] B[K, N], rows of C split over the threads. */
  nn(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, acc: boolean): void;
  /** C[M, N] = (acc ? C : 0) + A[M, K] Bt[N, K]^T, rows of C split over the threads. */
  nt(M: number, N: number, K: number, A: number, lda: number, Bt: number, ldb: number, C: number, ldc: number, acc: boolean): void;
  /**
   * C[M, N] += A[K, M]^T B[K, N] (M, N % 4 == 0), a sum over K rows in a fixed order; columns
   * of C split over the threads, so the result does not depend on their number.
   */
  tn(M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number): void;
  /** dst [R, n] = src [R, np] with zeros in the np - n pad lanes of each row (np >= n). */
  pad(R: number, n: number, np: number, src: number, dst: number): void;
  /** dst [R, n] = the first n of each row of src [R, np], plus bias [n]. */
  unpadBias(R: number, n: number, np: number, src: number, bias: number, dst: number): void;
}

/** C[M, N] = (acc ? C : 0) + A[M, K] Bt[N, K]^T, rows of C split over the threads. */
export function ntRows(ctx: WasmContext, M: number, N: number, K: number, A: number, lda: number, Bt: number, ldb: number,
  C: number, ldc: number, acc: boolean): void {
  ctx.pool.run(rowShares(ctx, M, 2 * M * N * K).map(([m0, m1]) => ({
    fn: 'gemmNT', args: [m1 - m0, N, K, A + m0 * lda * 4, lda, Bt, ldb, C + m0 * ldc * 4, ldc, acc ? 1 : 0],
  })), ctx.kx);
}

/** C[M, N] += A[K, M]^T B[K, N], columns of C split over the threads (see LinearKernels.tn). */
export function tnColumns(ctx: WasmContext, M: number, N: number, K: number, A: number, lda: number, B: number, ldb: number,
  C: number, ldc: number): void {
  // by columns: the head's dW has M = 12 rows (a 4 + 8 split) and N = 128 columns (64 + 64)
  const parts = 2 * M * N * K < ctx.minParallel ? 1 : Math.min(ctx.threads, ctx.pool.threads, N / 4);
  const jobs: KernelJob[] = [];
  for (let s = 0; s < parts; s++) {
    const [n0, n1] = splitBy4(N, parts, s);
    if (n1 > n0) jobs.push({ fn: 'gemmTNBlocked', args: [0, M, n1 - n0, K, A, lda, B + n0 * 4, ldb, C + n0 * 4, ldc] });
  }
  ctx.pool.run(jobs, ctx.kx);
}

/** The LinearKernels of a backend. */
export function createLinearKernels(ctx: WasmContext): LinearKernels {
  const { heap, pool, kx } = ctx;
  return {
    addressOf: ctx.addressOf,
    reserve(n) { ctx.live(); return heap.allocF32(n); },
    view: (ptr, n) => heap.f32(ptr, n),
    nn(M, N, K, A, lda, B, ldb, C, ldc, acc) {
      pool.run(rowShares(ctx, M, 2 * M * N * K).map(([m0, m1]) => ({
        fn: 'gemmNN', args: [m1 - m0, N, K, A + m0 * lda * 4, lda, B, ldb, C + m0 * ldc * 4, ldc, acc ? 1 : 0],
      })), kx);
    },
    nt: (M, N, K, A, lda, Bt, ldb, C, ldc, acc) => ntRows(ctx, M, N, K, A, lda, Bt, ldb, C, ldc, acc),
    tn: (M, N, K, A, lda, B, ldb, C, ldc) => tnColumns(ctx, M, N, K, A, lda, B, ldb, C, ldc),
    pad(R, n, np, src, dst) {
      pool.run(rowShares(ctx, R, R * np).map(([r0, r1]) => ({
        fn: 'batchToTime', args: [r1 - r0, r1 - r0, 1, n, np, src + r0 * n * 4, dst + r0 * np * 4], // T = 1: rows padded
      })), kx);
    },
    unpadBias(R, n, np, src, bias, dst) {
      pool.run(rowShares(ctx, R, R * np).map(([r0, r1]) => ({
        fn: 'unpadRowsBias', args: [r1 - r0, n, np, src + r0 * np * 4, bias, dst + r0 * n * 4],
      })), kx);
    },
  };
}
