// Weight gradients after the backward loop, for either cell, as big reductions over all
// R = T*B rows (time-major). Threads split the OUTPUT rows (gate rows j0..j1, hidden units
// u0..u1), never the sum, and every sum runs over the rows in the same order: the result is
// bit-identical for any thread count.
import { gemmTN, gemmTNPanels, KC, packPanels } from './gemm';
import { columnSums } from './rows';

/** Bytes of scratch one weightGrads call needs (its `pack` argument). */
export function weightGradsScratch(Hp: i32): usize {
  return <usize>KC * 16 + <usize>KC * Hp * 4;
}

/**
 * act:  [R, GHp] dz     hbuf: [R, Hp] h_{t-1} of each row (the first T slots of [T+1, B, Hp])
 * x:    [R, Ip], or ids: [R] i32 one-hot positions (then x = 0, and dWIhT: [Ip, GHp] scratch)
 * q:    [R, Hp] pLSTM per-step dL/dp shares, or 0
 * dWIh: [GHp, Ip]   dWHh: [GHp, Hp]   db: [GHp]   dP: [Hp] (dL/dp, before dp/dtheta)
 * pack: this thread's scratch for the packed dW_hh product, weightGradsScratch(Hp) bytes
 */
export function weightGrads(R: i32, Ip: i32, Hp: i32, G: i32,
  j0: i32, j1: i32, u0: i32, u1: i32,
  act: usize, hbuf: usize, x: usize, ids: usize, dWIhT: usize, q: usize,
  dWIh: usize, dWHh: usize, db: usize, dP: usize, pack: usize): void {
  const packA = pack, packB = pack + (<usize>KC << 4); // [KC, 4], [KC, Hp]
  const GHp = G * Hp;
  if (j1 > j0) {
    // zero the output rows this call owns
    memory.fill(dWHh + (<usize>j0 * Hp << 2), 0, <usize>(j1 - j0) * Hp << 2);
    memory.fill(dWIh + (<usize>j0 * Ip << 2), 0, <usize>(j1 - j0) * Ip << 2);
    // dW_hh += dz^T h_{t-1} and dW_ih in one pass over dz: each block of KC rows goes into
    // dW_ih while it is still in cache from the dW_hh GEMM (a second pass over all of dz
    // was memory-bound: it did not get faster with a second thread)
    const rowBytes = <usize>GHp << 2, lo = <usize>j0 << 2, hi = <usize>j1 << 2;
    if (ids != 0) for (let i = 0; i < Ip; i++) memory.fill(dWIhT + <usize>i * rowBytes + lo, 0, hi - lo);
    for (let k0 = 0; k0 < R; k0 += KC) {
      const kc = min(KC, R - k0), dz = act + <usize>k0 * rowBytes;
      packPanels(kc, Hp, hbuf + (<usize>k0 * Hp << 2), Hp, packB);
      gemmTNPanels(j0, j1, Hp, kc, dz, GHp, packB, dWHh, Hp, packA);
      if (ids != 0) oneHotScatter(kc, rowBytes, lo, hi, dz, ids + (<usize>k0 << 2), dWIhT); // one-hot x
      else gemmTN(j0, j1, Ip, kc, dz, GHp, x + (<usize>k0 * Ip << 2), Ip, dWIh, Ip); // dW_ih += dz^T x_t
    }
    if (ids != 0) {
      for (let j = j0; j < j1; j++) {
        for (let i = 0; i < Ip; i++) {
          store<f32>(dWIh + ((<usize>j * Ip + i) << 2), load<f32>(dWIhT + <usize>i * rowBytes + (<usize>j << 2)));
        }
      }
      // every row of dz went into exactly one row of dWIhT: db is their sum (Ip rows instead
      // of another pass over all R rows of dz)
      if (db != 0) columnSums(Ip, j0, j1, dWIhT, GHp, db);
    } else if (db != 0) {
      columnSums(R, j0, j1, act, GHp, db); // (db = 0: it comes out of dW_ih's constant-1 input lane)
    }
  }
  if (q != 0 && u1 > u0) columnSums(R, u0, u1, q, Hp, dP);
}

/**
 * One-hot dW_ih, gate columns lo..hi (bytes): row ids[r] of dWIhT [Ip, GHp] gets row r of dz,
 * rows r in order (SIMD adds over contiguous gate rows), so the sums do not depend on the
 * thread split; dWIhT is transposed into dWIh [GHp, Ip] afterwards.
 */
// @ts-ignore: decorator
@inline function oneHotScatter(rows: i32, rowBytes: usize, lo: usize, hi: usize, dz: usize, ids: usize, dWIhT: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = dWIhT + <usize>load<i32>(ids + (<usize>r << 2)) * rowBytes;
    for (let j = lo; j < hi; j += 16) v128.store(row + j, f32x4.add(v128.load(row + j), v128.load(dz + j)));
    dz += rowBytes;
  }
}
