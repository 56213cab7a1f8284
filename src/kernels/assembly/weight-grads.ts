// Weight gradients after the backward loop, for either cell, as big reductions over all
// B*T rows. Threads split the OUTPUT rows (gate rows j0..j1, hidden units u0..u1), never
// the sum, and every sum runs over the rows in the same order: the result is bit-identical
// for any thread count.
import { gemmTN } from './gemm';
import { columnSums } from './rows';

// k-block of steps per GEMM call, so the A and B panels stay in the L2 cache.
const KC: i32 = 256;

/**
 * act:  [B, T, GHp] dz     hbuf: [B, T+1, Hp] (slot t = h_{t-1})   x: [B, T, Ip]
 * q:    [B, T, Hp] pLSTM per-step dL/dp shares, or 0
 * dWIh: [GHp, Ip]   dWHh: [GHp, Hp]   db: [GHp]   dP: [Hp] (dL/dp, before dp/dtheta)
 */
export function weightGrads(B: i32, T: i32, Ip: i32, Hp: i32, G: i32,
  j0: i32, j1: i32, u0: i32, u1: i32,
  act: usize, hbuf: usize, x: usize, q: usize,
  dWIh: usize, dWHh: usize, db: usize, dP: usize): void {
  const GHp = G * Hp;
  // zero the output rows this call owns
  memory.fill(dWHh + (<usize>j0 * Hp << 2), 0, <usize>(j1 - j0) * Hp << 2);
  memory.fill(dWIh + (<usize>j0 * Ip << 2), 0, <usize>(j1 - j0) * Ip << 2);
  if (j1 > j0) {
    for (let b = 0; b < B; b++) {
      for (let t0 = 0; t0 < T; t0 += KC) {
        const K = min(KC, T - t0);
        const zRows = act + ((<usize>b * T + t0) * GHp << 2);
        // dW_hh += dz^T h_{t-1}
        gemmTN(j0, j1, Hp, K, zRows, GHp, hbuf + ((<usize>b * (T + 1) + t0) * Hp << 2), Hp, dWHh, Hp);
        // dW_ih += dz^T x_t
        gemmTN(j0, j1, Ip, K, zRows, GHp, x + ((<usize>b * T + t0) * Ip << 2), Ip, dWIh, Ip);
      }
    }
    columnSums(B * T, j0, j1, act, GHp, db);
  }
  if (q != 0 && u1 > u0) columnSums(B * T, u0, u1, q, Hp, dP);
}
