// Small row helpers shared by the sequence kernels.
import { vsigmoid } from './simd';

/** Every row of C[M, N] (row stride ldc elements) = v[N]; N % 4 == 0. */
export function fillRows(M: i32, N: i32, v: usize, C: usize, ldc: i32): void {
  const lc = <usize>ldc << 2, nb = <usize>N << 2;
  for (let m = 0; m < M; m++) {
    const c = C + <usize>m * lc;
    for (let j: usize = 0; j < nb; j += 16) v128.store(c + j, v128.load(v + j));
  }
}

/**
 * The input part of a step with one-hot inputs, a row gather instead of x W_ih^T:
 * row m of C (row stride ldc elements) = bias [N] + table row ids[m] ([N] each); N % 4 == 0.
 * ids: [M] i32 (time-major slice of one step).
 */
export function gatherRows(M: i32, N: i32, ids: usize, table: usize, bias: usize, C: usize, ldc: i32): void {
  const lc = <usize>ldc << 2, nb = <usize>N << 2;
  for (let m = 0; m < M; m++) {
    const c = C + <usize>m * lc, src = table + <usize>load<i32>(ids + (<usize>m << 2)) * nb;
    for (let j: usize = 0; j < nb; j += 16) v128.store(c + j, f32x4.add(v128.load(bias + j), v128.load(src + j)));
  }
}

/**
 * Column sums over the rows of A: out[j] = sum over rows of A[row, j], j in j0..j1
 * (multiples of 4). Rows are added one after another (A is read once, row by row), so each
 * sum runs in row order whatever the thread split.
 */
export function columnSums(rows: i32, j0: i32, j1: i32, A: usize, lda: i32, out: usize): void {
  const la = <usize>lda << 2, lo = <usize>j0 << 2, hi = <usize>j1 << 2;
  memory.fill(out + lo, 0, hi - lo);
  let a = A;
  for (let r = 0; r < rows; r++) {
    for (let j = lo; j < hi; j += 16) v128.store(out + j, f32x4.add(v128.load(out + j), v128.load(a + j)));
    a += la;
  }
}

/** Copies n floats (any n; SIMD for the multiples of 4). Cheaper than memory.copy for short rows. */
// @ts-ignore: decorator
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  const nb = <usize>n << 2, n4 = nb & ~15;
  let i: usize = 0;
  for (; i < n4; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i < nb; i += 4) store<f32>(dst + i, load<f32>(src + i));
}

/**
 * Batch-major to time-major: src [B, T, n] -> dst [T, B, np] (np >= n; the np - n pad
 * lanes of every row are set to 0), for Bc rows (one thread's share: src and dst point at
 * its first row). With T = 1 it pads rows [B, n] -> [B, np].
 */
export function batchToTime(Bc: i32, B: i32, T: i32, n: i32, np: i32, src: usize, dst: usize): void {
  for (let b = 0; b < Bc; b++) {
    for (let t = 0; t < T; t++) {
      const d = dst + ((<usize>t * B + b) * np << 2);
      copyFloats(d, src + ((<usize>b * T + t) * n << 2), n);
      for (let k = n; k < np; k++) store<f32>(d + (<usize>k << 2), 0);
    }
  }
}

/** dst [R, n] = src [R, np] (the first n of each row) + bias [n], for any n <= np. */
export function unpadRowsBias(R: i32, n: i32, np: i32, src: usize, bias: usize, dst: usize): void {
  for (let r = 0; r < R; r++) {
    const s = src + (<usize>r * np << 2), d = dst + (<usize>r * n << 2);
    for (let k = 0; k < n; k++) {
      const at = <usize>k << 2;
      store<f32>(d + at, load<f32>(s + at) + load<f32>(bias + at));
    }
  }
}

/** Time-major to batch-major: src [T, B, np] -> dst [B, T, n] (the first n of each row), for Bc rows. */
export function timeToBatch(Bc: i32, B: i32, T: i32, n: i32, np: i32, src: usize, dst: usize): void {
  for (let b = 0; b < Bc; b++) {
    for (let t = 0; t < T; t++) {
      copyFloats(dst + ((<usize>b * T + t) * n << 2), src + ((<usize>t * B + b) * np << 2), n);
    }
  }
}

/** dst[C, R] = src[R, C]^T (for example W_ih [G*Hp, Ip] -> W_ih^T [Ip, G*Hp]). */
export function transpose(R: i32, C: i32, src: usize, dst: usize): void {
  for (let r = 0; r < R; r++) {
    const s = src + (<usize>r * C << 2);
    for (let c = 0; c < C; c++) store<f32>(dst + ((<usize>c * R + r) << 2), load<f32>(s + (<usize>c << 2)));
  }
}

/**
 * The pLSTM exponents: out[j] = sigmoid(theta[j]) for j < H, or fixedP everywhere when theta
 * is 0 (fixed p); the Hp - H pad lanes get 0.5 (any finite value: their weights are 0).
 */
export function exponents(H: i32, Hp: i32, theta: usize, fixedP: f32, out: usize): void {
  const hb = <usize>H << 2, h4 = hb & ~15;
  let j: usize = 0;
  if (theta == 0) {
    for (; j < hb; j += 4) store<f32>(out + j, fixedP);
  } else {
    for (; j < h4; j += 16) v128.store(out + j, vsigmoid(v128.load(theta + j)));
    for (; j < hb; j += 4) store<f32>(out + j, <f32>1 / (<f32>1 + Mathf.exp(-load<f32>(theta + j))));
  }
  for (; j < <usize>Hp << 2; j += 4) store<f32>(out + j, 0.5);
}

/**
 * One-hot detection: when every row of x [B, T, I] (batch-major) holds a single 1 and zeros
 * elsewhere, writes the positions of the ones into ids [T, B] (time-major i32) and returns
 * 1; otherwise returns 0 at the first other row (ids then holds garbage).
 */
export function oneHotIds(B: i32, T: i32, I: i32, x: usize, ids: usize): i32 {
  let row = x;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      let at = -1;
      for (let i = 0; i < I; i++) {
        const v = load<f32>(row + (<usize>i << 2));
        if (v == 0) continue;
        if (v != 1 || at >= 0) return 0;
        at = i;
      }
      if (at < 0) return 0;
      store<i32>(ids + ((<usize>t * B + b) << 2), at);
      row += <usize>I << 2;
    }
  }
  return 1;
}

/** A[r, col] = value for every row r of A[rows, ld] (e.g. a constant-1 input lane). */
export function fillColumn(rows: i32, ld: i32, col: i32, value: f32, A: usize): void {
  let a = A + (<usize>col << 2);
  for (let r = 0; r < rows; r++) { store<f32>(a, value); a += <usize>ld << 2; }
}
