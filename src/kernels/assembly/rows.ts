// Small row helpers shared by the sequence kernels.

/** Every row of C[M, N] (row stride ldc elements) = v[N]; N % 4 == 0. */
export function fillRows(M: i32, N: i32, v: usize, C: usize, ldc: i32): void {
  const lc = <usize>ldc << 2, nb = <usize>N << 2;
  for (let m = 0; m < M; m++) {
    const c = C + <usize>m * lc;
    for (let j: usize = 0; j < nb; j += 16) v128.store(c + j, v128.load(v + j));
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

/**
 * Batch-major to time-major: src [B, T, n] -> dst [T, B, np] (np >= n; the np - n pad
 * lanes of every row are set to 0).
 */
export function batchToTime(B: i32, T: i32, n: i32, np: i32, src: usize, dst: usize): void {
  const nb = <usize>n << 2, pad = <usize>(np - n) << 2;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const d = dst + ((<usize>t * B + b) * np << 2);
      memory.copy(d, src + ((<usize>b * T + t) * n << 2), nb);
      if (pad != 0) memory.fill(d + nb, 0, pad);
    }
  }
}

/** Time-major to batch-major: src [T, B, np] -> dst [B, T, n] (the first n of each row). */
export function timeToBatch(B: i32, T: i32, n: i32, np: i32, src: usize, dst: usize): void {
  const nb = <usize>n << 2;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      memory.copy(dst + ((<usize>b * T + t) * n << 2), src + ((<usize>t * B + b) * np << 2), nb);
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
