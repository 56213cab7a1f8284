// A recurrent state as plain numbers, for checkpoints and JSON: what fit() keeps in its
// progress so that a run stopped mid-epoch with a carried (TBPTT) state resumes from it.
// float32 and float64 values round-trip exactly through JS numbers and JSON.

import { ShapeError } from '../errors.js';
import type { SequenceModel } from './sequence-model.js';
import type { ModelState } from './model-state.js';

/** A ModelState as plain arrays: per layer h, c (and a for the pLSTM), each [B * H]. */
export interface SavedState {
  B: number;
  layers: { h: number[]; c: number[]; a: number[] | null }[];
}

export function saveState(s: ModelState): SavedState {
  return { B: s.B, layers: s.layers.map((l) => ({ h: Array.from(l.h), c: Array.from(l.c), a: l.a === null ? null : Array.from(l.a) })) };
}

/** Rebuilds a saved state in the model's own buffers (and dtype). */
export function restoreState(model: SequenceModel, s: SavedState): ModelState {
  const st = model.initState(s.B);
  if (s.layers.length !== st.layers.length) {
    throw new ShapeError(`saved state has ${s.layers.length} layers, the model ${st.layers.length}; it belongs to another model`);
  }
  st.layers.forEach((l, i) => {
    const saved = s.layers[i];
    if (saved.h.length !== l.h.length || saved.c.length !== l.c.length || (l.a === null) !== (saved.a === null)
      || (l.a !== null && saved.a!.length !== l.a.length)) {
      throw new ShapeError(`saved state layer ${i} does not fit the model (B=${s.B}, ${l.h.length / s.B} units); it belongs to another model`);
    }
    l.h.set(saved.h);
    l.c.set(saved.c);
    if (l.a !== null) l.a.set(saved.a!);
  });
  return st;
}
