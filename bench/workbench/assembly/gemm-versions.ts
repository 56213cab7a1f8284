// Numbered GEMM versions for the workbench: C[M, N] = A[M, K] B[K, N] (row-major, f32).
// Each is checked against a float64 reference before it is timed (see ../run.ts).
// The winner lives in src/kernels/assembly/gemm.ts (gemmNN, a 4x8 register block).
import { madd } from '../../../src/kernels/assembly/simd';

/** v1: scalar, i-k-j loop order (what plain code gets). */
export function gemm_v1(M: i32, N: i32, K: i32, A: usize, B: usize, C: usize): void {
  for (let i = 0; i < M; i++) {
    const c = C + (<usize>i * N << 2);
    for (let j = 0; j < N; j++) store<f32>(c + (<usize>j << 2), 0);
    for (let k = 0; k < K; k++) {
      const a = load<f32>(A + ((<usize>i * K + k) << 2));
      const b = B + (<usize>k * N << 2);
      for (let j = 0; j < N; j++) {
        const o = <usize>j << 2;
        store<f32>(c + o, load<f32>(c + o) + a * load<f32>(b + o));
      }
    }
  }
}

/** v2: SIMD, one row x 4 columns per inner loop (vectorised, no register blocking). N % 4 == 0. */
export function gemm_v2(M: i32, N: i32, K: i32, A: usize, B: usize, C: usize): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j += 4) {
      let acc = f32x4.splat(0);
      let a = A + (<usize>i * K << 2), b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(a), v128.load(b)));
        a += 4; b += <usize>N << 2;
      }
      v128.store(C + ((<usize>i * N + j) << 2), acc);
    }
  }
}

/** v3: SIMD, 4 rows x 8 columns held in 8 registers. M % 4 == 0, N % 8 == 0. */
export function gemm_v3(M: i32, N: i32, K: i32, A: usize, B: usize, C: usize): void {
  const ldb = <usize>N << 2, lda = <usize>K << 2;
  for (let j = 0; j < N; j += 8) {
    for (let i = 0; i < M; i += 4) {
      let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      let a = A + <usize>i * lda, b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(b), b1 = v128.load(b, 16);
        let s = v128.load32_splat(a);
        c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
        s = v128.load32_splat(a + lda);
        c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
        s = v128.load32_splat(a + 2 * lda);
        c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
        s = v128.load32_splat(a + 3 * lda);
        c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
        a += 4; b += ldb;
      }
      const c = C + ((<usize>i * N + j) << 2), ldc = <usize>N << 2;
      v128.store(c, c00); v128.store(c, c01, 16);
      v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
      v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
      v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
    }
  }
}

/** nt_v1: NT dot-product form, 4 rows x 4 columns, B given as Bt[N, K]. M, N, K % 4 == 0. */
export function gemm_nt_v1(M: i32, N: i32, K: i32, A: usize, Bt: usize, C: usize): void {
  const lda = <usize>K << 2;
  for (let j = 0; j < N; j += 4) {
    for (let i = 0; i < M; i += 4) {
      let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
      let c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
      const a = A + <usize>i * lda, b = Bt + <usize>j * lda;
      for (let k: usize = 0; k < lda; k += 16) {
        const b0 = v128.load(b + k), b1 = v128.load(b + lda + k), b2 = v128.load(b + 2 * lda + k), b3 = v128.load(b + 3 * lda + k);
        let s = v128.load(a + k);
        c00 = f32x4.add(c00, f32x4.mul(s, b0)); c01 = f32x4.add(c01, f32x4.mul(s, b1));
        c02 = f32x4.add(c02, f32x4.mul(s, b2)); c03 = f32x4.add(c03, f32x4.mul(s, b3));
        s = v128.load(a + lda + k);
        c10 = f32x4.add(c10, f32x4.mul(s, b0)); c11 = f32x4.add(c11, f32x4.mul(s, b1));
        c12 = f32x4.add(c12, f32x4.mul(s, b2)); c13 = f32x4.add(c13, f32x4.mul(s, b3));
        s = v128.load(a + 2 * lda + k);
        c20 = f32x4.add(c20, f32x4.mul(s, b0)); c21 = f32x4.add(c21, f32x4.mul(s, b1));
        c22 = f32x4.add(c22, f32x4.mul(s, b2)); c23 = f32x4.add(c23, f32x4.mul(s, b3));
        s = v128.load(a + 3 * lda + k);
        c30 = f32x4.add(c30, f32x4.mul(s, b0)); c31 = f32x4.add(c31, f32x4.mul(s, b1));
        c32 = f32x4.add(c32, f32x4.mul(s, b2)); c33 = f32x4.add(c33, f32x4.mul(s, b3));
      }
      const c = C + ((<usize>i * N + j) << 2), ldc = <usize>N << 2;
      v128.store(c, hsum(c00, c01, c02, c03));
      v128.store(c + ldc, hsum(c10, c11, c12, c13));
      v128.store(c + 2 * ldc, hsum(c20, c21, c22, c23));
      v128.store(c + 3 * ldc, hsum(c30, c31, c32, c33));
    }
  }
}

// @ts-ignore: decorator
@inline function hsum(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const t0 = f32x4.add(v128.shuffle<f32>(v0, v1, 0, 4, 1, 5), v128.shuffle<f32>(v0, v1, 2, 6, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(v2, v3, 0, 4, 1, 5), v128.shuffle<f32>(v2, v3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

/** v4: SIMD, 4 rows x 16 columns in 16 registers (+4 for B, +1 broadcast: spills on x64). */
export function gemm_v4(M: i32, N: i32, K: i32, A: usize, B: usize, C: usize): void {
  const lda = <usize>K << 2, ldb = <usize>N << 2;
  for (let j = 0; j < N; j += 16) {
    for (let i = 0; i < M; i += 4) {
      nn4x16(K, A + <usize>i * lda, lda, B + (<usize>j << 2), ldb, C + ((<usize>i * N + j) << 2), ldb, false);
    }
  }
}

// @ts-ignore: decorator
@inline function maddv(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline function nn4x16(K: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c03 = c00;
  let c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  let c20 = c00, c21 = c00, c22 = c00, c23 = c00;
  let c30 = c00, c31 = c00, c32 = c00, c33 = c00;
  if (acc) {
    c00 = v128.load(c); c01 = v128.load(c, 16); c02 = v128.load(c, 32); c03 = v128.load(c, 48);
    c10 = v128.load(c + ldc); c11 = v128.load(c + ldc, 16); c12 = v128.load(c + ldc, 32); c13 = v128.load(c + ldc, 48);
    c20 = v128.load(c + 2 * ldc); c21 = v128.load(c + 2 * ldc, 16); c22 = v128.load(c + 2 * ldc, 32); c23 = v128.load(c + 2 * ldc, 48);
    c30 = v128.load(c + 3 * ldc); c31 = v128.load(c + 3 * ldc, 16); c32 = v128.load(c + 3 * ldc, 32); c33 = v128.load(c + 3 * ldc, 48);
  }
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
    let s = v128.load32_splat(a);
    c00 = maddv(s, b0, c00); c01 = maddv(s, b1, c01); c02 = maddv(s, b2, c02); c03 = maddv(s, b3, c03);
    s = v128.load32_splat(a + lda);
    c10 = maddv(s, b0, c10); c11 = maddv(s, b1, c11); c12 = maddv(s, b2, c12); c13 = maddv(s, b3, c13);
    s = v128.load32_splat(a + 2 * lda);
    c20 = maddv(s, b0, c20); c21 = maddv(s, b1, c21); c22 = maddv(s, b2, c22); c23 = maddv(s, b3, c23);
    s = v128.load32_splat(a + 3 * lda);
    c30 = maddv(s, b0, c30); c31 = maddv(s, b1, c31); c32 = maddv(s, b2, c32); c33 = maddv(s, b3, c33);
    a += 4; b += ldb;
  }
  v128.store(c, c00); v128.store(c, c01, 16); v128.store(c, c02, 32); v128.store(c, c03, 48);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16); v128.store(c + ldc, c12, 32); v128.store(c + ldc, c13, 48);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16); v128.store(c + 2 * ldc, c22, 32); v128.store(c + 2 * ldc, c23, 48);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16); v128.store(c + 3 * ldc, c32, 32); v128.store(c + 3 * ldc, c33, 48);
}

/**
 * v5: 3 rows x 12 columns (9 accumulators + 3 B vectors + 3 splats = 15 registers, V8's
 * limit): 6 loads per 9 multiply-adds against 6 per 8 for 4x8. N % 12 == 0; leftover rows
 * (M % 3) one at a time. Multiply-add through madd (fused in the relaxed build).
 */
export function gemm_v5(M: i32, N: i32, K: i32, A: usize, B: usize, C: usize): void {
  const ldb = <usize>N << 2, lda = <usize>K << 2, ldc = <usize>N << 2;
  const M3 = M - M % 3;
  for (let j = 0; j < N; j += 12) {
    let i = 0;
    for (; i < M3; i += 3) {
      let c00 = f32x4.splat(0), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00, c20 = c00, c21 = c00, c22 = c00;
      let a = A + <usize>i * lda, b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32);
        let s = v128.load32_splat(a);
        c00 = madd(s, b0, c00); c01 = madd(s, b1, c01); c02 = madd(s, b2, c02);
        s = v128.load32_splat(a + lda);
        c10 = madd(s, b0, c10); c11 = madd(s, b1, c11); c12 = madd(s, b2, c12);
        s = v128.load32_splat(a + 2 * lda);
        c20 = madd(s, b0, c20); c21 = madd(s, b1, c21); c22 = madd(s, b2, c22);
        a += 4; b += ldb;
      }
      const c = C + ((<usize>i * N + j) << 2);
      v128.store(c, c00); v128.store(c, c01, 16); v128.store(c, c02, 32);
      v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16); v128.store(c + ldc, c12, 32);
      v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16); v128.store(c + 2 * ldc, c22, 32);
    }
    for (; i < M; i++) {
      let c0 = f32x4.splat(0), c1 = c0, c2 = c0;
      let a = A + <usize>i * lda, b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const s = v128.load32_splat(a);
        c0 = madd(s, v128.load(b), c0); c1 = madd(s, v128.load(b, 16), c1); c2 = madd(s, v128.load(b, 32), c2);
        a += 4; b += ldb;
      }
      const c = C + ((<usize>i * N + j) << 2);
      v128.store(c, c0); v128.store(c, c1, 16); v128.store(c, c2, 32);
    }
  }
}

// v6: 6 rows x 8 columns (12 accumulators + 2 B vectors + 1 splat = 15 registers), rows
// beyond a multiple of 6 in 1x8 tiles. 8 loads per 12 multiply-adds (4x8: 6 per 8).
export function gemm_v6(M: i32, N: i32, K: i32, A: usize, B: usize, C: usize): void {
  const ldb = <usize>N << 2, lda = <usize>K << 2, ldc = <usize>N << 2;
  const M6 = M - M % 6;
  for (let j = 0; j < N; j += 8) {
    let i = 0;
    for (; i < M6; i += 6) {
      let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
      let c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
      let a = A + <usize>i * lda, b = B + (<usize>j << 2);
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
        s = v128.load32_splat(a + 4 * lda);
        c40 = madd(s, b0, c40); c41 = madd(s, b1, c41);
        s = v128.load32_splat(a + 5 * lda);
        c50 = madd(s, b0, c50); c51 = madd(s, b1, c51);
        a += 4; b += ldb;
      }
      const c = C + ((<usize>i * N + j) << 2);
      v128.store(c, c00); v128.store(c, c01, 16);
      v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
      v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
      v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
      v128.store(c + 4 * ldc, c40); v128.store(c + 4 * ldc, c41, 16);
      v128.store(c + 5 * ldc, c50); v128.store(c + 5 * ldc, c51, 16);
    }
    for (; i < M; i++) {
      let c0 = f32x4.splat(0), c1 = c0;
      let a = A + <usize>i * lda, b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const s = v128.load32_splat(a);
        c0 = madd(s, v128.load(b), c0); c1 = madd(s, v128.load(b, 16), c1);
        a += 4; b += ldb;
      }
      const c = C + ((<usize>i * N + j) << 2);
      v128.store(c, c0); v128.store(c, c1, 16);
    }
  }
}

// v7: 5 rows x 8 columns (10 accumulators + 2 + 1 = 13 registers): 7 loads per 10 multiply-adds.
export function gemm_v7(M: i32, N: i32, K: i32, A: usize, B: usize, C: usize): void {
  const ldb = <usize>N << 2, lda = <usize>K << 2, ldc = <usize>N << 2;
  const M5 = M - M % 5;
  for (let j = 0; j < N; j += 8) {
    let i = 0;
    for (; i < M5; i += 5) {
      let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
      let c30 = c00, c31 = c00, c40 = c00, c41 = c00;
      let a = A + <usize>i * lda, b = B + (<usize>j << 2);
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
        s = v128.load32_splat(a + 4 * lda);
        c40 = madd(s, b0, c40); c41 = madd(s, b1, c41);
        a += 4; b += ldb;
      }
      const c = C + ((<usize>i * N + j) << 2);
      v128.store(c, c00); v128.store(c, c01, 16);
      v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
      v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
      v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
      v128.store(c + 4 * ldc, c40); v128.store(c + 4 * ldc, c41, 16);
    }
    for (; i < M; i++) {
      let c0 = f32x4.splat(0), c1 = c0;
      let a = A + <usize>i * lda, b = B + (<usize>j << 2);
      for (let k = 0; k < K; k++) {
        const s = v128.load32_splat(a);
        c0 = madd(s, v128.load(b), c0); c1 = madd(s, v128.load(b, 16), c1);
        a += 4; b += ldb;
      }
      const c = C + ((<usize>i * N + j) << 2);
      v128.store(c, c0); v128.store(c, c1, 16);
    }
  }
}

// ---------------------------------------------------------------------------------------
// TN (weight gradients): C[M, N] += A[K, M]^T B[K, N], columns m0..m1 of A, K in blocks.

// @ts-ignore: decorator
@inline function tn4x8v(K: i32, a: usize, lda: usize, b: usize, ldb: usize, c: usize, ldc: usize): void {
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

/**
 * tn_v2: per block of kc rows, each 4-column strip of A is first copied into a contiguous
 * panel [kc, 4] (pack: kc * 16 bytes of scratch). The strided strip (one cache line per row,
 * rows 1536 bytes apart at the copy task's dz) maps into 8 of L1's 64 sets, where it competes
 * with the B block's lines; the panel takes kc / 4 lines in consecutive sets.
 */
export function gemm_tn_v2(m0: i32, m1: i32, N: i32, K: i32, A: usize, lda: i32, B: usize, ldb: i32,
  C: usize, ldc: i32, pack: usize, KCb: i32): void {
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  for (let k0 = 0; k0 < K; k0 += KCb) {
    const kc = min(KCb, K - k0);
    const Ak = A + <usize>k0 * la, Bk = B + <usize>k0 * lb;
    for (let m = m0; m < m1; m += 4) {
      let src = Ak + (<usize>m << 2);
      for (let k = 0; k < kc; k++) { v128.store(pack + (<usize>k << 4), v128.load(src)); src += la; }
      const c = C + <usize>m * lc;
      for (let n = 0; n < N; n += 8) tn4x8v(kc, pack, 16, Bk + (<usize>n << 2), lb, c + (<usize>n << 2), lc);
    }
  }
}

/** tn_v1: the library's form (strided A strip), for comparison at the same build. */
export function gemm_tn_v1(m0: i32, m1: i32, N: i32, K: i32, A: usize, lda: i32, B: usize, ldb: i32,
  C: usize, ldc: i32, KCb: i32): void {
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  for (let k0 = 0; k0 < K; k0 += KCb) {
    const kc = min(KCb, K - k0);
    const Ak = A + <usize>k0 * la, Bk = B + <usize>k0 * lb;
    for (let m = m0; m < m1; m += 4) {
      const a = Ak + (<usize>m << 2), c = C + <usize>m * lc;
      for (let n = 0; n < N; n += 8) tn4x8v(kc, a, la, Bk + (<usize>n << 2), lb, c + (<usize>n << 2), lc);
    }
  }
}

/**
 * tn_v3: as v2, and each block of kc rows of B is first copied into panels [N/8][kc, 8]
 * (packB: kc * N * 4 bytes), used by every strip of A: both operands then stream from
 * consecutive addresses.
 */
export function gemm_tn_v3(m0: i32, m1: i32, N: i32, K: i32, A: usize, lda: i32, B: usize, ldb: i32,
  C: usize, ldc: i32, pack: usize, packB: usize, KCb: i32): void {
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  for (let k0 = 0; k0 < K; k0 += KCb) {
    const kc = min(KCb, K - k0);
    const Ak = A + <usize>k0 * la, Bk = B + <usize>k0 * lb;
    const panel = <usize>kc << 5; // bytes of one [kc, 8] panel
    for (let k = 0; k < kc; k++) {
      const src = Bk + <usize>k * lb, dst = packB + (<usize>k << 5);
      for (let n = 0; n < N; n += 8) {
        const d = dst + (<usize>(n >> 3)) * panel, s = src + (<usize>n << 2);
        v128.store(d, v128.load(s)); v128.store(d, v128.load(s, 16), 16);
      }
    }
    for (let m = m0; m < m1; m += 4) {
      let src = Ak + (<usize>m << 2);
      for (let k = 0; k < kc; k++) { v128.store(pack + (<usize>k << 4), v128.load(src)); src += la; }
      const c = C + <usize>m * lc;
      for (let n = 0; n < N; n += 8) tn4x8v(kc, pack, 16, packB + (<usize>(n >> 3)) * panel, 32, c + (<usize>n << 2), lc);
    }
  }
}
