// Vanilla LSTM backpropagation through time for Bc rows: the per-step part.
import { gemmNN } from './gemm';
import { splat, vtanh } from './simd';

/**
 * act:  [Bc, T, 4Hp] i, f, g, o from the forward pass; overwritten with dz
 * cbuf: [Bc, T+1, Hp] (slot 0 = c0)   dhSeq: [Bc, T, Hp] or 0
 * dh, dc: [Bc, Hp] on entry dL/d(final h, c); on exit dL/d(h0, c0)
 * dx: [Bc, T, Ip]
 */
export function lstmBackwardSteps(Bc: i32, T: i32, Ip: i32, Hp: i32,
  wIh: usize, wHh: usize, act: usize, cbuf: usize, dhSeq: usize,
  dh: usize, dc: usize, dx: usize): void {
  const GHp = 4 * Hp;
  const hb = <usize>Hp << 2;
  const one = splat(1.0);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < Bc; b++) {
      const z = act + ((<usize>b * T + t) * GHp << 2);
      const sRow = (<usize>b * (T + 1) + t) * hb;
      const dhB = dh + <usize>b * hb, dcB = dc + <usize>b * hb;
      const dSeq = dhSeq != 0 ? dhSeq + (<usize>b * T + t) * hb : 0;
      for (let j: usize = 0; j < hb; j += 16) {
        const i = v128.load(z + j), f = v128.load(z + hb + j);
        const g = v128.load(z + 2 * hb + j), o = v128.load(z + 3 * hb + j);
        const cPrev = v128.load(cbuf + sRow + j), c = v128.load(cbuf + sRow + hb + j);
        let dhv = v128.load(dhB + j);
        if (dSeq != 0) dhv = f32x4.add(dhv, v128.load(dSeq + j));
        const tc = vtanh(c);
        const dO = f32x4.mul(dhv, tc);
        const dcv = f32x4.add(v128.load(dcB + j),
          f32x4.mul(f32x4.mul(dhv, o), f32x4.sub(one, f32x4.mul(tc, tc))));
        v128.store(dcB + j, f32x4.mul(dcv, f));
        v128.store(z + j, f32x4.mul(f32x4.mul(dcv, g), f32x4.mul(i, f32x4.sub(one, i))));
        v128.store(z + hb + j, f32x4.mul(f32x4.mul(dcv, cPrev), f32x4.mul(f, f32x4.sub(one, f))));
        v128.store(z + 2 * hb + j, f32x4.mul(f32x4.mul(dcv, i), f32x4.sub(one, f32x4.mul(g, g))));
        v128.store(z + 3 * hb + j, f32x4.mul(dO, f32x4.mul(o, f32x4.sub(one, o))));
      }
    }
    gemmNN(Bc, Hp, GHp, act + (<usize>t * GHp << 2), T * GHp, wHh, Hp, dh, Hp, false);
  }
  gemmNN(Bc * T, Ip, GHp, act, GHp, wIh, Ip, dx, Ip, false);
}
