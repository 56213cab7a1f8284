// The recurrent state of a whole model between calls (streaming, truncated BPTT).
import type { CellState, Float } from '../cells/types.js';

/** The recurrent state of every layer for B rows (h, c and, for the pLSTM, the age a). */
export interface ModelState {
  readonly B: number;
  /** One CellState per layer, buffers [B, H] in the model's dtype. */
  readonly layers: CellState[];
}

/** A deep copy of a state (e.g. to branch a stream). */
export function cloneState(s: ModelState): ModelState {
  const copy = (f: Float): Float => f.slice();
  return { B: s.B, layers: s.layers.map((l) => ({ h: copy(l.h), c: copy(l.c), a: l.a === null ? null : copy(l.a) })) };
}
