// A cell's weights as the kernels read them: gate blocks padded to Hp rows and Ip or Hp
// columns (zeros in the pad), and the pLSTM's exponents p = sigmoid(theta) (or the fixed p)
// computed in wasm. Made per call, in the call's blocks.
import type { CellConfig, CellWeights } from '../../../cells/types.js';
import { gatesOf } from '../../../cells/registry.js';
import type { Blocks } from '../memory/scratch-arena.js';
import type { WasmContext } from '../runtime/context.js';
import { packGateRows, roundUp4, staged } from './relayout.js';

/** Addresses of the packed weights. */
export interface PackedWeights {
  wIh: number; // [G*Hp, Ip]
  wHh: number; // [G*Hp, Hp]
  bias: number; // [G*Hp]
  p: number; // [Hp] the pLSTM's exponents, 0 for the LSTM
}

/** The weights w of cfg in the kernels' layout (in place where w's buffers are ours and need no pad). */
export function packWeights(ctx: WasmContext, cfg: CellConfig, w: CellWeights, temps: Blocks): PackedWeights {
  const G = gatesOf(cfg.kind), H = cfg.hiddenSize, I = cfg.inputSize, Hp = roundUp4(H), Ip = roundUp4(I);
  const wIh = packGateRows(ctx, w.wIh, G, H, Hp, I, Ip, temps); // [G*Hp, Ip]
  const wHh = packGateRows(ctx, w.wHh, G, H, Hp, H, Hp, temps); // [G*Hp, Hp]
  const bias = packGateRows(ctx, w.b, G, H, Hp, 1, 1, temps); // [G*Hp]
  if (cfg.kind !== 'plstm') return { wIh, wHh, bias, p: 0 };
  // effective exponents p = sigmoid(theta) or the fixed p (float32, computed in wasm)
  const p = temps.take(Hp * 4);
  ctx.kx.exponents(H, Hp, cfg.fixedP === null ? staged(ctx, w.theta!, temps) : 0, cfg.fixedP ?? 0, p);
  return { wIh, wHh, bias, p };
}
