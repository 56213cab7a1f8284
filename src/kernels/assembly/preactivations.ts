// The gate pre-activations of one step, shared by the pLSTM and LSTM forward kernels:
// z = b + x_t W_ih^T + h_{t-1} W_hh^T for Bc rows (G*Hp gate rows each).
import { gemmNN, gemmNT } from './gemm';
import { fillRows, gatherRows } from './rows';

/**
 * z: [Bc, GHp] (row stride GHp). x_t: [Bc, Ip] (row stride Ip), or ids_t: [Bc] i32 one-hot
 * positions (then x_t is unused and wIhT, bias are given). h: [Bc, Hp] h_{t-1}.
 * wIhT: [Ip, GHp] or 0; wIh: [GHp, Ip]; wHhT: [Hp, GHp] or 0; wHh: [GHp, Hp];
 * bias: [GHp], or 0 when it sits in W_ih^T's row for a constant-1 input lane (see the backend).
 */
// @ts-ignore: decorator
@inline export function preactivations(Bc: i32, GHp: i32, Ip: i32, Hp: i32, xt: usize, idsT: usize,
  wIh: usize, wIhT: usize, wHh: usize, wHhT: usize, bias: usize, h: usize, z: usize): void {
  if (idsT != 0) {
    // one-hot input: z = b + row ids[b] of W_ih^T (a gather instead of a K = Ip product)
    gatherRows(Bc, GHp, idsT, wIhT, bias, z, GHp);
  } else {
    if (bias != 0) fillRows(Bc, GHp, bias, z, GHp);
    // input part: with W_ih^T as a register-blocked NN product (short K = Ip makes the
    // dot-product form pay for its horizontal sums); without it (B = 1 streaming) as NT
    if (wIhT != 0) gemmNN(Bc, GHp, Ip, xt, Ip, wIhT, GHp, z, GHp, bias != 0);
    else gemmNT(Bc, GHp, Ip, xt, Ip, wIh, Ip, z, GHp, true);
  }
  // recurrent part, the same way: NN with W_hh^T (workbench: 17% faster in place), else NT
  if (wHhT != 0) gemmNN(Bc, GHp, Hp, h, Hp, wHhT, GHp, z, GHp, true);
  else gemmNT(Bc, GHp, Hp, h, Hp, wHh, Hp, z, GHp, true);
}
