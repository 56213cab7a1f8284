// Vanilla LSTM forward (PyTorch gate order i, f, g, o) over a whole sequence for Bc rows:
// z = b + x_t W_ih^T + h_{t-1} W_hh^T, c_t = f c_{t-1} + i g, h_t = o tanh(c_t).
// Layout as in plstm-forward.ts (time-major, pointers at this share's first row).
import { preactivations } from './preactivations';
import { lstmGateRow } from './cell-gates';

/**
 * x: [T, B, Ip], or ids: [T, B] i32 one-hot positions (then x = 0, wIhT and bias given)
 * wIh: [4Hp, Ip]   wIhT: [Ip, 4Hp] or 0   wHhT: [Hp, 4Hp] or 0   wHh: [4Hp, Hp]   bias: [4Hp]
 * act:  [T, B, 4Hp] i, f, g, o per step, or [B, 4Hp] when tape = 0
 * hbuf: [T+1, B, Hp] slot 0 = h0      cbuf: [T+1, B, Hp], or [B, Hp] when tape = 0
 * zs:   [Bc, 4Hp] scratch for one step's pre-activations, or 0 (see plstm-forward.ts)
 */
export function lstmForward(Bc: i32, B: i32, T: i32, Ip: i32, Hp: i32,
  x: usize, ids: usize, wIh: usize, wIhT: usize, wHh: usize, wHhT: usize, bias: usize,
  act: usize, hbuf: usize, cbuf: usize, tape: bool, zs: usize): void {
  const GHp = 4 * Hp;
  const hb = <usize>Hp << 2;
  const stepH: usize = <usize>B * hb;
  const stepS: usize = tape ? stepH : 0;
  const stepZ: usize = tape ? <usize>B * GHp << 2 : 0;
  const stepX: usize = <usize>B * Ip << 2;
  for (let t = 0; t < T; t++) {
    const z = act + <usize>t * stepZ; // [Bc, 4Hp] gates of this step
    const zIn = zs != 0 ? zs : z; // [Bc, 4Hp] pre-activations
    preactivations(Bc, GHp, Ip, Hp, x + <usize>t * stepX, ids != 0 ? ids + (<usize>t * B << 2) : 0,
      wIh, wIhT, wHh, wHhT, bias, hbuf + <usize>t * stepH, zIn);
    const cPrev0 = cbuf + <usize>t * stepS, cNew0 = cPrev0 + stepS, h0 = hbuf + <usize>(t + 1) * stepH;
    for (let b = 0; b < Bc; b++) {
      const zRow = <usize>b * GHp << 2, row = <usize>b * hb;
      const cPrev = cPrev0 + row, cNew = cNew0 + row, h = h0 + row;
      lstmGateRow(hb, zIn + zRow, z + zRow, cPrev, cNew, h);
    }
  }
}
