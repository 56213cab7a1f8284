// Vanilla LSTM backpropagation through time for Bc rows: the per-step part.
import { gemmNN } from './gemm';
import { flushTiny, vone, vtanh } from './simd';

/**
 * Time-major; pointers at this share's first row b0.
 * act:  [T, B, 4Hp] i, f, g, o from the forward pass; overwritten with dz
 * cbuf: [T+1, B, Hp] (slot 0 = c0)   dhSeq: [T, B, Hp] or 0
 * dh, dc: [B, Hp] on entry dL/d(final h, c); on exit dL/d(h0, c0)
 * dx: [T, B, Ip], or 0 when the caller needs no dL/dx
 * dOut: [T, B, Op], wOut: [Op, Hp]: a linear head on every step, or dOut = 0 (as in
 *       plstm-backward.ts)
 */
export function lstmBackwardSteps(Bc: i32, B: i32, T: i32, Ip: i32, Hp: i32,
  wIh: usize, wHh: usize, act: usize, cbuf: usize, dhSeq: usize,
  dh: usize, dc: usize, dx: usize, dOut: usize, wOut: usize, Op: i32): void {
  const GHp = 4 * Hp;
  const hb = <usize>Hp << 2;
  const stepH: usize = <usize>B * hb, stepZ: usize = <usize>B * GHp << 2, stepX: usize = <usize>B * Ip << 2;
  const one = vone();
  const stepO: usize = <usize>B * Op << 2;
  for (let t = T - 1; t >= 0; t--) {
    const z0 = act + <usize>t * stepZ;
    // the head's share of dL/dh_t: dh += dOut_t W_out   [Bc, Op] x [Op, Hp]
    if (dOut != 0) gemmNN(Bc, Hp, Op, dOut + <usize>t * stepO, Op, wOut, Hp, dh, Hp, true);
    const sPrev = <usize>t * stepH, sNow = sPrev + stepH;
    for (let b = 0; b < Bc; b++) {
      const z = z0 + (<usize>b * GHp << 2), row = <usize>b * hb;
      const dhB = dh + row, dcB = dc + row;
      const dSeq = dhSeq != 0 ? dhSeq + sPrev + row : 0;
      const cP = cbuf + sPrev + row, cN = cbuf + sNow + row;
      for (let j: usize = 0; j < hb; j += 16) {
        const i = v128.load(z + j), f = v128.load(z + hb + j);
        const g = v128.load(z + 2 * hb + j), o = v128.load(z + 3 * hb + j);
        const cPrev = v128.load(cP + j), c = v128.load(cN + j);
        let dhv = v128.load(dhB + j);
        if (dSeq != 0) dhv = f32x4.add(dhv, v128.load(dSeq + j));
        // Every value stored for the next step (dc, da) or for a GEMM (dz; q for dL/dp) goes
        // through flushTiny: carried gradients that decay over long sequences would otherwise
        // sit in the subnormal range, where x86 is ~100x slower (see simd.ts). dh comes from a
        // GEMM of flushed dz, so it needs no flush of its own.
        const tc = vtanh(c);
        const dO = f32x4.mul(dhv, tc);
        const dcv = f32x4.add(v128.load(dcB + j),
          f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc))));
        v128.store(dcB + j, flushTiny(f32x4.mul(dcv, f)));
        v128.store(z + j, flushTiny(f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i)))));
        v128.store(z + hb + j, flushTiny(f32x4.mul(f32x4.mul(dcv, cPrev), f32x4.mul(f, f32x4.sub(one, f)))));
        v128.store(z + 2 * hb + j, flushTiny(f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g)))));
        v128.store(z + 3 * hb + j, flushTiny(f32x4.mul(dO, f32x4.mul(o, f32x4.sub(one, o)))));
      }
    }
    gemmNN(Bc, Hp, GHp, z0, GHp, wHh, Hp, dh, Hp, false);
    if (dx != 0) gemmNN(Bc, Ip, GHp, z0, GHp, wIh, Ip, dx + <usize>t * stepX, Ip, false);
  }
}
