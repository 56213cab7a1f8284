// Vanilla LSTM forward (PyTorch gate order i, f, g, o) over a whole sequence for Bc rows:
// z = b + x_t W_ih^T + h_{t-1} W_hh^T, c_t = f c_{t-1} + i g, h_t = o tanh(c_t).
import { gemmNT } from './gemm';
import { fillRows } from './rows';
import { vsigmoid, vtanh } from './simd';

/**
 * x: [Bc, T, Ip]   wIh: [4Hp, Ip]   wHh: [4Hp, Hp]   bias: [4Hp]
 * act:  tape: [Bc, T, 4Hp] (z, then i, f, g, o)   no tape: [Bc, 4Hp]
 * hbuf: [Bc, T+1, Hp] slot 0 = h0      cbuf: tape: [Bc, T+1, Hp]   no tape: [Bc, Hp]
 */
export function lstmForward(Bc: i32, T: i32, Ip: i32, Hp: i32,
  x: usize, wIh: usize, wHh: usize, bias: usize,
  act: usize, hbuf: usize, cbuf: usize, tape: bool): void {
  const GHp = 4 * Hp;
  const hb = <usize>Hp << 2;
  const actStride = tape ? T * GHp : GHp;
  const sStride: usize = tape ? <usize>(T + 1) * hb : hb;
  if (tape) {
    fillRows(Bc * T, GHp, bias, act, GHp);
    gemmNT(Bc * T, GHp, Ip, x, Ip, wIh, Ip, act, GHp, true);
  }
  for (let t = 0; t < T; t++) {
    const actT = tape ? act + (<usize>t * GHp << 2) : act;
    if (!tape) {
      fillRows(Bc, GHp, bias, act, GHp);
      gemmNT(Bc, GHp, Ip, x + (<usize>t * Ip << 2), T * Ip, wIh, Ip, act, GHp, true);
    }
    gemmNT(Bc, GHp, Hp, hbuf + <usize>t * hb, (T + 1) * Hp, wHh, Hp, actT, actStride, true);
    for (let b = 0; b < Bc; b++) {
      const z = actT + (<usize>b * actStride << 2);
      const cPrev = cbuf + <usize>b * sStride + (tape ? <usize>t * hb : 0);
      const cNew = tape ? cPrev + hb : cPrev;
      const h = hbuf + (<usize>b * (T + 1) + t + 1) * hb;
      for (let j: usize = 0; j < hb; j += 16) {
        const i = vsigmoid(v128.load(z + j));
        const f = vsigmoid(v128.load(z + hb + j));
        const g = vtanh(v128.load(z + 2 * hb + j));
        const o = vsigmoid(v128.load(z + 3 * hb + j));
        const c = f32x4.add(f32x4.mul(f, v128.load(cPrev + j)), f32x4.mul(i, g));
        v128.store(h + j, f32x4.mul(o, vtanh(c)));
        v128.store(cNew + j, c);
        if (tape) {
          v128.store(z + j, i);
          v128.store(z + hb + j, f);
          v128.store(z + 2 * hb + j, g);
          v128.store(z + 3 * hb + j, o);
        }
      }
    }
  }
}
