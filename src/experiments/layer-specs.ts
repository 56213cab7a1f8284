// The recurrent layers a run trains, from its options: every layer the same cell and size.
import type { LayerSpec, PInit } from '../model/index.js';
import type { CoreOptions } from './core-options.js';

export function layerSpecs(o: CoreOptions): LayerSpec[] {
  const out: LayerSpec[] = [];
  for (let l = 0; l < o.layers; l++) {
    if (o.cell === 'plstm') {
      out.push({
        cell: 'plstm', hidden: o.hidden, eps: o.eps,
        pInit: pInitOf(o.pInit, o.pRange, o.fixedP),
      });
    } else {
      out.push({ cell: 'lstm', hidden: o.hidden, forgetBias: o.forgetBias, chrono: o.chrono });
    }
  }
  return out;
}

/** The p initialisation the flags --p-init, --p-range and --fixed-p describe (a fixed p wins). */
export function pInitOf(mode: 'uniform' | 'range', range: readonly [number, number], fixedP: number | null): PInit {
  return fixedP !== null ? { mode: 'fixed', p: fixedP }
    : mode === 'range' ? { mode: 'range', lo: range[0], hi: range[1] } : { mode: 'uniform' };
}
