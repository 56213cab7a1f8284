// Weight gradients after the backward loop, for either cell, as big reductions over all
// R = T*B rows (time-major). Threads split the OUTPUT rows (gate rows j0..j1, hidden units
// u0..u1), never the sum, and every sum runs over the rows in the same order: the result is
// bit-identical for any thread count.
import { gemmTNBlocked } from './gemm';
import { columnSums } from './rows';

/**
 * act:  [R, GHp] dz     hbuf: [R, Hp] h_{t-1} of each row (the first T slots of [T+1, B, Hp])
 * x:    [R, Ip], or ids: [R] i32 one-hot positions (then x = 0, and dWIhT: [Ip, GHp] scratch)
 * q:    [R, Hp] pLSTM per-step dL/dp shares, or 0
 * dWIh: [GHp, Ip]   dWHh: [GHp, Hp]   db: [GHp]   dP: [Hp] (dL/dp, before dp/dtheta)
 */
export function weightGrads(R: i32, Ip: i32, Hp: i32, G: i32,
  j0: i32, j1: i32, u0: i32, u1: i32,
  act: usize, hbuf: usize, x: usize, ids: usize, dWIhT: usize, q: usize,
  dWIh: usize, dWHh: usize, db: usize, dP: usize): void {
  const GHp = G * Hp;
  if (j1 > j0) {
    // zero the output rows this call owns
    memory.fill(dWHh + (<usize>j0 * Hp << 2), 0, <usize>(j1 - j0) * Hp << 2);
    memory.fill(dWIh + (<usize>j0 * Ip << 2), 0, <usize>(j1 - j0) * Ip << 2);
    // dW_hh += dz^T h_{t-1}
    gemmTNBlocked(j0, j1, Hp, R, act, GHp, hbuf, Hp, dWHh, Hp);
    if (ids != 0) {
      oneHotGrads(R, Ip, GHp, j0, j1, act, ids, dWIhT, dWIh);
      // every row of dz went into exactly one row of dWIhT: db is their sum (Ip rows instead
      // of another pass over all R rows of dz)
      if (db != 0) columnSums(Ip, j0, j1, dWIhT, GHp, db);
    } else {
      gemmTNBlocked(j0, j1, Ip, R, act, GHp, x, Ip, dWIh, Ip); // dW_ih += dz^T x_t
      // db = 0: the bias gradient comes out of dW_ih (constant-1 input lane)
      if (db != 0) columnSums(R, j0, j1, act, GHp, db);
    }
  }
  if (q != 0 && u1 > u0) columnSums(R, u0, u1, q, Hp, dP);
}

/**
 * dW_ih for one-hot inputs, gate rows j0..j1: column ids[r] of dW_ih gets row r of dz. Summed
 * in dWIhT [Ip, GHp] (contiguous gate rows: SIMD adds, rows r in order, so the result does
 * not depend on the thread split), then transposed into dWIh [GHp, Ip].
 */
function oneHotGrads(R: i32, Ip: i32, GHp: i32, j0: i32, j1: i32, act: usize, ids: usize, dWIhT: usize, dWIh: usize): void {
  const rowBytes = <usize>GHp << 2, lo = <usize>j0 << 2, hi = <usize>j1 << 2;
  for (let i = 0; i < Ip; i++) memory.fill(dWIhT + <usize>i * rowBytes + lo, 0, hi - lo);
  let dz = act;
  for (let r = 0; r < R; r++) {
    const row = dWIhT + <usize>load<i32>(ids + (<usize>r << 2)) * rowBytes;
    for (let j = lo; j < hi; j += 16) v128.store(row + j, f32x4.add(v128.load(row + j), v128.load(dz + j)));
    dz += rowBytes;
  }
  for (let j = j0; j < j1; j++) {
    for (let i = 0; i < Ip; i++) {
      store<f32>(dWIh + ((<usize>j * Ip + i) << 2), load<f32>(dWIhT + <usize>i * rowBytes + (<usize>j << 2)));
    }
  }
}
