// pLSTM backpropagation through time for Bc batch rows (one thread's share): the
// per-step part. Weight gradients are reduced afterwards by weightGrads (weight-grads.ts).
import { gemmNN } from './gemm';
import { flushTiny, splat, vlog1p, vone, vtanh } from './simd';

/**
 * Time-major like the forward pass; pointers point at this share's first row b0.
 * act:  [T, B, 3Hp] r, o, g from the forward pass; overwritten with dz
 * cbuf, abuf: [T+1, B, Hp] (slot 0 = initial state)   fbuf: [T, B, Hp] f; overwritten
 *       with q = dL/df * f * ln((a+eps)/(a+1)), the per-step share of dL/dp
 * dhSeq: [T, B, Hp] or 0 for none
 * dh, dc, da: [B, Hp] on entry dL/d(final h, c, a); on exit dL/d(h0, c0, a0)
 * dx:   [T, B, Ip], or 0 when the caller needs no dL/dx (skips the per-step dz W_ih)
 * dOut: [T, B, Op] dL/d(logits) of a linear head on every step, wOut: [Op, Hp] its weights,
 *       or dOut = 0: each step adds dOut_t wOut to dh while dh is in cache, so the layer's
 *       [T, B, H] output gradient is never written out and read back
 */
export function plstmBackwardSteps(Bc: i32, B: i32, T: i32, Ip: i32, Hp: i32,
  wIh: usize, wHh: usize, p: usize, eps: f32,
  act: usize, cbuf: usize, abuf: usize, fbuf: usize, dhSeq: usize,
  dh: usize, dc: usize, da: usize, dx: usize, dOut: usize, wOut: usize, Op: i32): void {
  const GHp = 3 * Hp;
  const hb = <usize>Hp << 2;
  const stepH: usize = <usize>B * hb, stepZ: usize = <usize>B * GHp << 2, stepX: usize = <usize>B * Ip << 2;
  const epsV = splat(eps), one = vone(), oneMinusEps = splat(1.0 - eps);
  const stepO: usize = <usize>B * Op << 2;
  for (let t = T - 1; t >= 0; t--) {
    const z0 = act + <usize>t * stepZ;
    // the head's share of dL/dh_t: dh += dOut_t W_out   [Bc, Op] x [Op, Hp]
    if (dOut != 0) gemmNN(Bc, Hp, Op, dOut + <usize>t * stepO, Op, wOut, Hp, dh, Hp, true);
    const sPrev = <usize>t * stepH, sNow = sPrev + stepH, fNow = <usize>t * stepH;
    for (let b = 0; b < Bc; b++) {
      const z = z0 + (<usize>b * GHp << 2), row = <usize>b * hb;
      const dhB = dh + row, dcB = dc + row, daB = da + row;
      const dSeq = dhSeq != 0 ? dhSeq + fNow + row : 0;
      const cP = cbuf + sPrev + row, cN = cbuf + sNow + row;
      const aP = abuf + sPrev + row, aN = abuf + sNow + row, fP = fbuf + fNow + row;
      // In two phases (one with the tanh, one with the log and divisions): shorter dependency
      // chains, so the CPU overlaps the iterations; the same operations as one loop, so the
      // same results bit for bit.
      // Every value stored for the next step (dc, da) or for a GEMM (dz; q for dL/dp) goes
      // through flushTiny: carried gradients that decay over long sequences would otherwise
      // sit in the subnormal range, where x86 is ~100x slower (see simd.ts). dh comes from a
      // GEMM of flushed dz, so it needs no flush of its own.
      // phase 1: dL/dc_t (into dc, in place) and the o gate's dz
      for (let j: usize = 0; j < hb; j += 16) {
        const o = v128.load(z + hb + j);
        let dhv = v128.load(dhB + j);
        if (dSeq != 0) dhv = f32x4.add(dhv, v128.load(dSeq + j));
        const tc = vtanh(v128.load(cN + j));
        const dO = f32x4.mul(dhv, tc);
        v128.store(dcB + j, f32x4.add(v128.load(dcB + j),
          f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc)))));
        v128.store(z + hb + j, flushTiny(f32x4.mul(dO, f32x4.mul(o, f32x4.sub(one, o)))));
      }
      // phase 2: through f and the age to r and g, and the carried dc, da
      for (let j: usize = 0; j < hb; j += 16) {
        const r = v128.load(z + j), g = v128.load(z + 2 * hb + j);
        const cPrev = v128.load(cP + j);
        const aPrev = v128.load(aP + j), a = v128.load(aN + j);
        const f = v128.load(fP + j);
        const pv = v128.load(p + j);
        const dcv = v128.load(dcB + j);
        const df = f32x4.mul(dcv, f32x4.sub(cPrev, g));
        const dg = f32x4.mul(dcv, f32x4.sub(one, f));
        v128.store(dcB + j, flushTiny(f32x4.mul(dcv, f)));
        // df/da = p f (1 - eps) / ((a + eps)(a + 1));  df/dp = f ln((a + eps)/(a + 1))
        const ap1 = f32x4.add(a, one);
        const dfda = f32x4.div(f32x4.mul(f32x4.mul(pv, f), oneMinusEps),
          f32x4.mul(f32x4.add(a, epsV), ap1));
        const lr = vlog1p(f32x4.neg(f32x4.div(oneMinusEps, ap1)));
        v128.store(fP + j, flushTiny(f32x4.mul(f32x4.mul(df, f), lr)));
        const dav = f32x4.add(v128.load(daB + j), f32x4.mul(df, dfda));
        // a_t = r eps + (1 - r)(a_{t-1} + 1)
        const dr = f32x4.mul(dav, f32x4.sub(epsV, f32x4.add(aPrev, one)));
        v128.store(daB + j, flushTiny(f32x4.mul(dav, f32x4.sub(one, r))));
        v128.store(z + j, flushTiny(f32x4.mul(dr, f32x4.mul(r, f32x4.sub(one, r)))));
        v128.store(z + 2 * hb + j, flushTiny(f32x4.mul(dg, f32x4.sub(one, f32x4.mul(g, g)))));
      }
    }
    // dL/dh_{t-1} from the recurrence: dh = dz_t W_hh   [Bc, 3Hp] x [3Hp, Hp]
    gemmNN(Bc, Hp, GHp, z0, GHp, wHh, Hp, dh, Hp, false);
    // dx_t = dz_t W_ih   [Bc, 3Hp] x [3Hp, Ip]
    if (dx != 0) gemmNN(Bc, Ip, GHp, z0, GHp, wIh, Ip, dx + <usize>t * stepX, Ip, false);
  }
}
