// The options of the backend contract (types.ts ForwardOptions / BackwardOptions, fast-paths.ts
// headed options), read with their defaults, and the positional spellings of the previous
// release (forward(cfg, w, x, B, T, s0, needTape, hSeqOut?), backward(cfg, w, x, fwd, dhSeq,
// dFinal, needDx?)) that the built-in backends still accept for one release, with a warning.
import { deprecated } from '../deprecated.js';
import type { BackwardOptions, CellState, Float, ForwardOptions } from './types.js';
import type { HeadedBackwardOptions, HeadedForwardOptions } from './fast-paths.js';

/** ForwardOptions with defaults applied. */
export interface ForwardArgs {
  state: CellState | null;
  needTape: boolean;
  hSeqOut: Float | undefined;
}

/** BackwardOptions with defaults applied. */
export interface BackwardArgs {
  dhSeq: Float | null;
  dFinal: Partial<CellState> | null;
  needDx: boolean;
}

const isState = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && ('h' in v || 'c' in v || 'a' in v);

/**
 * forward's arguments after B, T: `[opts]`, or the positional `[s0, needTape, hSeqOut?]` of
 * the previous release (warns once).
 */
export function forwardArgs(rest: unknown[]): ForwardArgs {
  if (rest.length > 1 || rest[0] === null || isState(rest[0])) {
    deprecated('backend.forward(cfg, w, x, B, T, s0, needTape, hSeqOut)',
      'backend.forward(cfg, w, x, B, T, { state, needTape, hSeqOut })');
    return { state: (rest[0] ?? null) as CellState | null, needTape: rest[1] === true, hSeqOut: rest[2] as Float | undefined };
  }
  const o = (rest[0] ?? {}) as ForwardOptions;
  return { state: o.state ?? null, needTape: o.needTape ?? false, hSeqOut: o.hSeqOut };
}

/**
 * backward's arguments after fwd: `[opts]`, or the positional `[dhSeq, dFinal, needDx?]` of
 * the previous release (warns once).
 */
export function backwardArgs(rest: unknown[]): BackwardArgs {
  if (rest.length > 1 || rest[0] === null || ArrayBuffer.isView(rest[0])) {
    deprecated('backend.backward(cfg, w, x, fwd, dhSeq, dFinal, needDx)',
      'backend.backward(cfg, w, x, fwd, { dhSeq, dFinal, needDx })');
    return {
      dhSeq: (rest[0] ?? null) as Float | null, dFinal: (rest[1] ?? null) as Partial<CellState> | null,
      needDx: rest[2] === undefined ? true : rest[2] === true,
    };
  }
  const o = (rest[0] ?? {}) as BackwardOptions;
  return { dhSeq: o.dhSeq ?? null, dFinal: o.dFinal ?? null, needDx: o.needDx ?? true };
}

/** HeadedForwardOptions with defaults applied. */
export function headedForwardArgs(o: HeadedForwardOptions = {}): { state: CellState | null; needTape: boolean } {
  return { state: o.state ?? null, needTape: o.needTape ?? false };
}

/** HeadedBackwardOptions with defaults applied. */
export function headedBackwardArgs(o: HeadedBackwardOptions = {}): { dFinal: Partial<CellState> | null; needDx: boolean } {
  return { dFinal: o.dFinal ?? null, needDx: o.needDx ?? true };
}
