// pLSTM forward over a whole sequence for Bc batch rows (one thread's share).
//
// Per step: z = b + x_t W_ih^T + h_{t-1} W_hh^T (gate rows r, o, g), then the gate math
// of the age form: a_t = r eps + (1 - r)(a_{t-1} + 1), f = ((a + eps)/(a + 1))^p,
// c_t = f c_{t-1} + (1 - f) g, h_t = o tanh(c_t).
// Hidden sizes are padded to Hp (multiple of 4); padded weight rows/columns are zero.
import { gemmNT } from './gemm';
import { fillRows } from './rows';
import { splat, vexp, vlog1p, vsigmoid, vtanh } from './simd';

/**
 * x:    [Bc, T, Ip]      inputs
 * wIh:  [3Hp, Ip]        wHh: [3Hp, Hp]   bias: [3Hp]   p: [Hp] effective exponents
 * act:  tape: [Bc, T, 3Hp] (z, then r, o, g)   no tape: [Bc, 3Hp] reused every step
 * hbuf: [Bc, T+1, Hp]    slot 0 = h0 on entry, slot t+1 = h_t on exit
 * cbuf, abuf: tape: [Bc, T+1, Hp] (slot 0 = c0 / a0)   no tape: [Bc, Hp] updated in place
 * fbuf: tape: [Bc, T, Hp] forget gates   no tape: [Bc, Hp] scratch
 */
export function plstmForward(Bc: i32, T: i32, Ip: i32, Hp: i32,
  x: usize, wIh: usize, wHh: usize, bias: usize, p: usize, eps: f32,
  act: usize, hbuf: usize, cbuf: usize, abuf: usize, fbuf: usize, tape: bool): void {
  const GHp = 3 * Hp;
  const hb = <usize>Hp << 2; // bytes per hidden row
  const actStride = tape ? T * GHp : GHp; // elements between batch rows of act
  const sStride: usize = tape ? <usize>(T + 1) * hb : hb; // bytes between batch rows of c, a
  const fStride: usize = tape ? <usize>T * hb : hb;
  if (tape) {
    // input projection of all steps as one GEMM: act[Bc*T, 3Hp] = b + x W_ih^T
    fillRows(Bc * T, GHp, bias, act, GHp);
    gemmNT(Bc * T, GHp, Ip, x, Ip, wIh, Ip, act, GHp, true);
  }
  const epsV = splat(eps), one = splat(1.0), oneMinusEps = splat(1.0 - eps);
  for (let t = 0; t < T; t++) {
    const actT = tape ? act + (<usize>t * GHp << 2) : act;
    if (!tape) {
      fillRows(Bc, GHp, bias, act, GHp);
      gemmNT(Bc, GHp, Ip, x + (<usize>t * Ip << 2), T * Ip, wIh, Ip, act, GHp, true);
    }
    // recurrent part: z += h_{t-1} W_hh^T
    gemmNT(Bc, GHp, Hp, hbuf + <usize>t * hb, (T + 1) * Hp, wHh, Hp, actT, actStride, true);
    for (let b = 0; b < Bc; b++) {
      const z = actT + (<usize>b * actStride << 2);
      const cPrev = cbuf + <usize>b * sStride + (tape ? <usize>t * hb : 0);
      const aPrev = abuf + <usize>b * sStride + (tape ? <usize>t * hb : 0);
      const cNew = tape ? cPrev + hb : cPrev, aNew = tape ? aPrev + hb : aPrev;
      const f = fbuf + <usize>b * fStride + (tape ? <usize>t * hb : 0);
      const h = hbuf + (<usize>b * (T + 1) + t + 1) * hb;
      for (let j: usize = 0; j < hb; j += 16) {
        const r = vsigmoid(v128.load(z + j));
        const o = vsigmoid(v128.load(z + hb + j));
        const g = vtanh(v128.load(z + 2 * hb + j));
        const a = f32x4.add(f32x4.mul(r, epsV),
          f32x4.mul(f32x4.sub(one, r), f32x4.add(v128.load(aPrev + j), one)));
        // ln((a + eps)/(a + 1)) = log1p(-(1 - eps)/(a + 1))
        const lr = vlog1p(f32x4.neg(f32x4.div(oneMinusEps, f32x4.add(a, one))));
        const fg = vexp(f32x4.mul(v128.load(p + j), lr));
        const c = f32x4.add(f32x4.mul(fg, v128.load(cPrev + j)), f32x4.mul(f32x4.sub(one, fg), g));
        v128.store(h + j, f32x4.mul(o, vtanh(c)));
        v128.store(cNew + j, c);
        v128.store(aNew + j, a);
        v128.store(f + j, fg);
        if (tape) {
          v128.store(z + j, r);
          v128.store(z + hb + j, o);
          v128.store(z + 2 * hb + j, g);
        }
      }
    }
  }
}
