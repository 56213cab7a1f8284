// The recurrent layers a run trains, from its options: every layer the same cell and size.
import type { LayerSpec } from '../model/index.js';
import type { CoreOptions } from './core-options.js';

export function layerSpecs(o: CoreOptions): LayerSpec[] {
  const out: LayerSpec[] = [];
  for (let l = 0; l < o.layers; l++) {
    if (o.cell === 'plstm') {
      out.push({
        cell: 'plstm', hidden: o.hidden, eps: o.eps,
        pInit: o.fixedP !== null ? { mode: 'fixed', p: o.fixedP }
          : o.pInit === 'range' ? { mode: 'range', lo: o.pRange[0], hi: o.pRange[1] } : { mode: 'uniform' },
      });
    } else {
      out.push({ cell: 'lstm', hidden: o.hidden, forgetBias: o.forgetBias, chrono: o.chrono });
    }
  }
  return out;
}
