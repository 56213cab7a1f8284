// Register-blocked f32x4 GEMM kernels. Pointers are byte addresses in linear memory;
// leading dimensions (lda, ldb, ldc) are in elements. Contract for every kernel here:
// N and K as noted are multiples of 4 (the backend pads H and I to multiples of 4).
// Every output element is accumulated in the same k order whatever M-tile it falls in,
// so results do not depend on how rows are split across threads.
import { madd } from './simd';

// ---------------------------------------------------------------------------------------
// NN: C[M, N] (+)= A[M, K] B[K, N]. N multiple of 4. Tiles: 4 rows x 8 / 4 columns
// (4x8 keeps all 8 accumulators in registers; 4x16 spills on x64: see bench/workbench).

// @ts-ignore: decorator
@inline function nn4x8(K: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  if (acc) {
    c00 = v128.load(c); c01 = v128.load(c, 16);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16);
  }
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a + lda);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(a + 2 * lda);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(a + 3 * lda);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    a += 4; b += ldb;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

// @ts-ignore: decorator
@inline function nn1x8(K: i32, a: usize, b: usize, ldb: usize, c: usize, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = c0;
  if (acc) { c0 = v128.load(c); c1 = v128.load(c, 16); }
  for (let k = 0; k < K; k++) {
    const s = v128.load32_splat(a);
    c0 = madd(s, v128.load(b), c0); c1 = madd(s, v128.load(b, 16), c1);
    a += 4; b += ldb;
  }
  v128.store(c, c0); v128.store(c, c1, 16);
}

// @ts-ignore: decorator
@inline function nn4x4(K: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0;
  if (acc) { c0 = v128.load(c); c1 = v128.load(c + ldc); c2 = v128.load(c + 2 * ldc); c3 = v128.load(c + 3 * ldc); }
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b);
    c0 = madd(v128.load32_splat(a), b0, c0);
    c1 = madd(v128.load32_splat(a + lda), b0, c1);
    c2 = madd(v128.load32_splat(a + 2 * lda), b0, c2);
    c3 = madd(v128.load32_splat(a + 3 * lda), b0, c3);
    a += 4; b += ldb;
  }
  v128.store(c, c0); v128.store(c + ldc, c1); v128.store(c + 2 * ldc, c2); v128.store(c + 3 * ldc, c3);
}

// @ts-ignore: decorator
@inline function nn1x4(K: i32, a: usize, b: usize, ldb: usize, c: usize, acc: bool): void {
  let c0 = acc ? v128.load(c) : f32x4.splat(0);
  for (let k = 0; k < K; k++) {
    c0 = madd(v128.load32_splat(a), v128.load(b), c0);
    a += 4; b += ldb;
  }
  v128.store(c, c0);
}

/** C[M, N] = (acc ? C : 0) + A[M, K] B[K, N]; N % 4 == 0. */
export function gemmNN(M: i32, N: i32, K: i32, A: usize, lda: i32, B: usize, ldb: i32,
  C: usize, ldc: i32, acc: bool): void {
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  const M4 = M & ~3, N8 = N & ~7;
  for (let n = 0; n < N8; n += 8) {
    const b = B + (<usize>n << 2);
    let m = 0;
    for (; m < M4; m += 4) nn4x8(K, A + <usize>m * la, la, b, lb, C + <usize>m * lc + (<usize>n << 2), lc, acc);
    for (; m < M; m++) nn1x8(K, A + <usize>m * la, b, lb, C + <usize>m * lc + (<usize>n << 2), acc);
  }
  for (let n = N8; n < N; n += 4) {
    const b = B + (<usize>n << 2);
    let m = 0;
    for (; m < M4; m += 4) nn4x4(K, A + <usize>m * la, la, b, lb, C + <usize>m * lc + (<usize>n << 2), lc, acc);
    for (; m < M; m++) nn1x4(K, A + <usize>m * la, b, lb, C + <usize>m * lc + (<usize>n << 2), acc);
  }
}

// ---------------------------------------------------------------------------------------
// NT: C[M, N] (+)= A[M, K] Bt[N, K]^T, i.e. dot products of rows. K % 4 == 0, N % 4 == 0.
// Used by the forward pass so the weights are read in their stored [G*H, K] layout.

/** Sums of four accumulators, lane j of the result = horizontal sum of v_j. */
// @ts-ignore: decorator
@inline function hsum4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const t0 = f32x4.add(v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), v128.shuffle<f32>(v0, v1, 2, 6, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), v128.shuffle<f32>(v2, v3, 2, 6, 3, 7));
  // t0 = [v0a, v1a, v0b, v1b], t1 = [v2a, v3a, v2b, v3b]
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

// @ts-ignore: decorator
@inline function nt2x4(K: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00;
  let c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  for (let k: usize = 0; k < <usize>K << 2; k += 16) {
    const a0 = v128.load(a + k), a1 = v128.load(a + lda + k);
    const b0 = v128.load(b + k), b1 = v128.load(b + ldb + k);
    const b2 = v128.load(b + 2 * ldb + k), b3 = v128.load(b + 3 * ldb + k);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01); c02 = madd(a0, b2, c02); c03 = madd(a0, b3, c03);
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11); c12 = madd(a1, b2, c12); c13 = madd(a1, b3, c13);
  }
  let r0 = hsum4(c00, c01, c02, c03), r1 = hsum4(c10, c11, c12, c13);
  if (acc) { r0 = f32x4.add(v128.load(c), r0); r1 = f32x4.add(v128.load(c + ldc), r1); }
  v128.store(c, r0); v128.store(c + ldc, r1);
}

// @ts-ignore: decorator
@inline function nt1x4(K: i32, a: usize, b: usize, ldb: usize, c: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00;
  for (let k: usize = 0; k < <usize>K << 2; k += 16) {
    const a0 = v128.load(a + k);
    c00 = madd(a0, v128.load(b + k), c00); c01 = madd(a0, v128.load(b + ldb + k), c01);
    c02 = madd(a0, v128.load(b + 2 * ldb + k), c02); c03 = madd(a0, v128.load(b + 3 * ldb + k), c03);
  }
  let r0 = hsum4(c00, c01, c02, c03);
  if (acc) r0 = f32x4.add(v128.load(c), r0);
  v128.store(c, r0);
}

// One row x 8 columns: eight independent accumulator chains (a GEMV, B = 1 streaming).
// @ts-ignore: decorator
@inline function nt1x8(K: i32, a: usize, b: usize, ldb: usize, c: usize, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  const b4 = b + 4 * ldb;
  for (let k: usize = 0; k < <usize>K << 2; k += 16) {
    const a0 = v128.load(a + k);
    c0 = madd(a0, v128.load(b + k), c0); c1 = madd(a0, v128.load(b + ldb + k), c1);
    c2 = madd(a0, v128.load(b + 2 * ldb + k), c2); c3 = madd(a0, v128.load(b + 3 * ldb + k), c3);
    c4 = madd(a0, v128.load(b4 + k), c4); c5 = madd(a0, v128.load(b4 + ldb + k), c5);
    c6 = madd(a0, v128.load(b4 + 2 * ldb + k), c6); c7 = madd(a0, v128.load(b4 + 3 * ldb + k), c7);
  }
  let r0 = hsum4(c0, c1, c2, c3), r1 = hsum4(c4, c5, c6, c7);
  if (acc) { r0 = f32x4.add(v128.load(c), r0); r1 = f32x4.add(v128.load(c, 16), r1); }
  v128.store(c, r0); v128.store(c, r1, 16);
}

/** C[M, N] = (acc ? C : 0) + A[M, K] Bt[N, K]^T; K % 4 == 0, N % 4 == 0. */
export function gemmNT(M: i32, N: i32, K: i32, A: usize, lda: i32, Bt: usize, ldb: i32,
  C: usize, ldc: i32, acc: bool): void {
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  const M2 = M & ~1;
  if (M == 1) { // a single row: 8 columns at a time for more independent chains
    const N8 = N & ~7;
    let n = 0;
    for (; n < N8; n += 8) nt1x8(K, A, Bt + <usize>n * lb, lb, C + (<usize>n << 2), acc);
    for (; n < N; n += 4) nt1x4(K, A, Bt + <usize>n * lb, lb, C + (<usize>n << 2), acc);
    return;
  }
  for (let n = 0; n < N; n += 4) {
    const b = Bt + <usize>n * lb;
    let m = 0;
    for (; m < M2; m += 2) nt2x4(K, A + <usize>m * la, la, b, lb, C + <usize>m * lc + (<usize>n << 2), lc, acc);
    if (m < M) nt1x4(K, A + <usize>m * la, b, lb, C + <usize>m * lc + (<usize>n << 2), acc);
  }
}

// ---------------------------------------------------------------------------------------
// TN: C[M, N] += A[K, M]^T B[K, N] (weight gradients: sum over k = (b, t) rows).

// @ts-ignore: decorator
@inline function tn4x8(K: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c00 = v128.load(c), c01 = v128.load(c, 16);
  let c10 = v128.load(c + ldc), c11 = v128.load(c + ldc, 16);
  let c20 = v128.load(c + 2 * ldc), c21 = v128.load(c + 2 * ldc, 16);
  let c30 = v128.load(c + 3 * ldc), c31 = v128.load(c + 3 * ldc, 16);
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let s = v128.load32_splat(a);
    c00 = madd(s, b0, c00); c01 = madd(s, b1, c01);
    s = v128.load32_splat(a, 4);
    c10 = madd(s, b0, c10); c11 = madd(s, b1, c11);
    s = v128.load32_splat(a, 8);
    c20 = madd(s, b0, c20); c21 = madd(s, b1, c21);
    s = v128.load32_splat(a, 12);
    c30 = madd(s, b0, c30); c31 = madd(s, b1, c31);
    a += lda; b += ldb;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

// @ts-ignore: decorator
@inline function tn4x4(K: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
  let c0 = v128.load(c), c1 = v128.load(c + ldc), c2 = v128.load(c + 2 * ldc), c3 = v128.load(c + 3 * ldc);
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b);
    c0 = madd(v128.load32_splat(a), b0, c0);
    c1 = madd(v128.load32_splat(a, 4), b0, c1);
    c2 = madd(v128.load32_splat(a, 8), b0, c2);
    c3 = madd(v128.load32_splat(a, 12), b0, c3);
    a += lda; b += ldb;
  }
  v128.store(c, c0); v128.store(c + ldc, c1); v128.store(c + 2 * ldc, c2); v128.store(c + 3 * ldc, c3);
}

/** C[M, N] += A[K, M]^T B[K, N] for output rows m0..m1 (multiples of 4); N % 4 == 0. */
export function gemmTN(m0: i32, m1: i32, N: i32, K: i32, A: usize, lda: i32, B: usize, ldb: i32,
  C: usize, ldc: i32): void {
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  const N8 = N & ~7;
  // m outer: one A strip (K rows x 4 floats, K cache lines) stays in L1 while every n tile
  // uses it; the B block (K rows x N) stays in L1 too for the caller's K blocks of 64
  for (let m = m0; m < m1; m += 4) {
    const a = A + (<usize>m << 2), c = C + <usize>m * lc;
    let n = 0;
    for (; n < N8; n += 8) tn4x8(K, a, la, B + (<usize>n << 2), lb, c + (<usize>n << 2), lc);
    for (; n < N; n += 4) tn4x4(K, a, la, B + (<usize>n << 2), lb, c + (<usize>n << 2), lc);
  }
}

// Packed TN for the weight gradients: per block of rows, B's rows are copied into column
// panels [N/8][kc, 8] (+ one [kc, 4] panel when N % 8 == 4) and each 4-column strip of A into
// a contiguous [kc, 4] strip, so the micro-kernel reads both from consecutive addresses.
// Strided, the A strip (one cache line per row, 1536 bytes apart for the copy task's dz)
// falls into 8 of L1's 64 sets, where it evicts the B block (workbench tn_v1..v3: 36 ->
// 40 GFLOP/s at one thread's dW_hh share, as fast as the NN products). Same sums in the
// same order as gemmTN: bit-identical results.

/** B[kc, N] (row stride ldb elements, N % 4 == 0) -> panels at dst (kc * N floats). */
export function packPanels(kc: i32, N: i32, B: usize, ldb: i32, dst: usize): void {
  const lb = <usize>ldb << 2, panel = <usize>kc << 5, N8 = N & ~7;
  for (let k = 0; k < kc; k++) {
    const src = B + <usize>k * lb;
    let d = dst + (<usize>k << 5);
    for (let n = 0; n < N8; n += 8) {
      v128.store(d, v128.load(src + (<usize>n << 2)));
      v128.store(d, v128.load(src + (<usize>n << 2), 16), 16);
      d += panel;
    }
    if (N8 < N) v128.store(dst + <usize>(N8 >> 3) * panel + (<usize>k << 4), v128.load(src + (<usize>N8 << 2)));
  }
}

/**
 * C[m0..m1, N] += A[kc, M]^T B[kc, N] with B as packPanels left it (Bp); packA: kc * 16
 * bytes of scratch for the A strips. m0, m1 multiples of 4.
 */
export function gemmTNPanels(m0: i32, m1: i32, N: i32, kc: i32, A: usize, lda: i32, Bp: usize,
  C: usize, ldc: i32, packA: usize): void {
  const la = <usize>lda << 2, lc = <usize>ldc << 2, panel = <usize>kc << 5, N8 = N & ~7;
  for (let m = m0; m < m1; m += 4) {
    let src = A + (<usize>m << 2);
    for (let k = 0; k < kc; k++) { v128.store(packA + (<usize>k << 4), v128.load(src)); src += la; }
    const c = C + <usize>m * lc;
    let n = 0, b = Bp;
    for (; n < N8; n += 8) { tn4x8(kc, packA, 16, b, 32, c + (<usize>n << 2), lc); b += panel; }
    if (n < N) tn4x4(kc, packA, 16, b, 16, c + (<usize>n << 2), lc);
  }
}

// Rows per k-block of gemmTNBlocked: the A and B panels of one tile stay in L1 (workbench:
// KC 64 -> 28.5, 512 -> 20.8, 2048 -> 11.6 GFLOP/s for dW_hh at the copy-task shape).
export const KC: i32 = 64;

/**
 * C[M, N] += A[K, M]^T B[K, N] for output rows m0..m1 (multiples of 4), over K in blocks of
 * KC rows, each block once through every tile (weight gradients: sums over all rows).
 */
export function gemmTNBlocked(m0: i32, m1: i32, N: i32, K: i32, A: usize, lda: i32, B: usize, ldb: i32,
  C: usize, ldc: i32): void {
  for (let k0 = 0; k0 < K; k0 += KC) {
    gemmTN(m0, m1, N, min(KC, K - k0), A + (<usize>k0 * lda << 2), lda, B + (<usize>k0 * ldb << 2), ldb, C, ldc);
  }
}
