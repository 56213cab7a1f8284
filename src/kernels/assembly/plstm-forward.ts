// pLSTM forward over a whole sequence for Bc batch rows (one thread's share).
//
// Per step: z = b + x_t W_ih^T + h_{t-1} W_hh^T (gate rows r, o, g), then the gate math
// of the age form: a_t = r eps + (1 - r)(a_{t-1} + 1), f = ((a + eps)/(a + 1))^p,
// c_t = f c_{t-1} + (1 - f) g, h_t = o tanh(c_t).
// Buffers are time-major ([T, B, ...]): one step's rows are contiguous, so the per-step
// GEMMs run on dense blocks. Hidden sizes are padded to Hp (multiple of 4) with zero weights.
import { preactivations } from './preactivations';
import { plstmGateRow } from './cell-gates';
import { splat, vone } from './simd';

/**
 * Pointers point at this share's first row (row b0) inside each time block of B rows.
 * x:    [T, B, Ip], or ids: [T, B] i32 one-hot positions (then x = 0, wIhT and bias given)
 *                         wIh: [3Hp, Ip]   wIhT: [Ip, 3Hp] or 0   wHhT: [Hp, 3Hp] or 0   wHh: [3Hp, Hp]   bias: [3Hp]   p: [Hp] exponents
 * act:  [T, B, 3Hp] r, o, g per step (tape), or [B, 3Hp] reused when tStride = 0
 * hbuf: [T+1, B, Hp]      slot 0 = h0 on entry, slot t+1 = h_t
 * cbuf, abuf: [T+1, B, Hp] (slot 0 = c0 / a0), or [B, Hp] updated in place when tStride = 0
 * fbuf: [T, B, Hp] forget gates, or [B, Hp] when tStride = 0
 * tape: 1 keeps every step (tStride = B rows), 0 keeps only the state (inference)
 * zs:   [Bc, 3Hp] scratch for one step's pre-activations, or 0 to form them in act. With a
 *       tape, a block reused every step stays in cache: the GEMM's tile stores into a fresh
 *       act block each step missed the cache, while the gate math's row-by-row stores into
 *       act stream well.
 */
export function plstmForward(Bc: i32, B: i32, T: i32, Ip: i32, Hp: i32,
  x: usize, ids: usize, wIh: usize, wIhT: usize, wHh: usize, wHhT: usize, bias: usize, p: usize, eps: f32,
  act: usize, hbuf: usize, cbuf: usize, abuf: usize, fbuf: usize, tape: bool, zs: usize): void {
  const GHp = 3 * Hp;
  const hb = <usize>Hp << 2; // bytes per hidden row
  const stepH: usize = <usize>B * hb; // bytes per time block of hidden rows
  const stepS: usize = tape ? stepH : 0; // c, a, f: time blocks kept only with a tape
  const stepZ: usize = tape ? <usize>B * GHp << 2 : 0;
  const stepX: usize = <usize>B * Ip << 2;
  const epsV = splat(eps), one = vone(), oneMinusEps = splat(1.0 - eps);
  for (let t = 0; t < T; t++) {
    const z = act + <usize>t * stepZ; // [Bc, 3Hp] gates of this step
    const zIn = zs != 0 ? zs : z; // [Bc, 3Hp] pre-activations (row stride 3Hp)
    // zIn = b + x_t W_ih^T + h_{t-1} W_hh^T
    preactivations(Bc, GHp, Ip, Hp, x + <usize>t * stepX, ids != 0 ? ids + (<usize>t * B << 2) : 0,
      wIh, wIhT, wHh, wHhT, bias, hbuf + <usize>t * stepH, zIn);
    const cPrev0 = cbuf + <usize>t * stepS, aPrev0 = abuf + <usize>t * stepS;
    const cNew0 = cPrev0 + stepS, aNew0 = aPrev0 + stepS;
    const f0 = fbuf + <usize>t * stepS, h0 = hbuf + <usize>(t + 1) * stepH;
    for (let b = 0; b < Bc; b++) {
      const zRow = <usize>b * GHp << 2, row = <usize>b * hb;
      const cPrev = cPrev0 + row, aPrev = aPrev0 + row, cNew = cNew0 + row, aNew = aNew0 + row;
      const f = f0 + row, h = h0 + row;
      plstmGateRow(hb, zIn + zRow, z + zRow, p, epsV, one, oneMinusEps, aPrev, aNew, cPrev, cNew, f, h);
    }
  }
}
