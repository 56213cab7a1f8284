// The reference backend: the readable cells behind the SequenceBackend interface.
import type { CellConfig, CellGrads, CellState, CellWeights, DType, Float, SequenceForward } from './types.js';
import type { SequenceBackend } from './sequence-backend.js';
import { backwardArgs, forwardArgs } from './backend-args.js';
import { asDType, zerosOf } from './buffers.js';
import { ConfigError } from '../errors.js';
import { checkOutput } from './validate.js';
import { cellDescriptor } from './registry.js';

function weightsAs(w: CellWeights, dtype: DType): CellWeights {
  return {
    wIh: asDType(w.wIh, dtype),
    wHh: asDType(w.wHh, dtype),
    b: asDType(w.b, dtype),
    theta: w.theta === null ? null : asDType(w.theta, dtype),
  };
}

function stateAs(s: CellState | null, dtype: DType): CellState | null {
  if (s === null) return null;
  return { h: asDType(s.h, dtype), c: asDType(s.c, dtype), a: s.a === null ? null : asDType(s.a, dtype) };
}

/**
 * The TypeScript reference ('js') in float64 or float32. Inputs of the other precision are
 * converted first (so a float32 backend really runs on float32 weights and inputs); outputs and
 * gradients come back in the backend's precision.
 */
export function createJsBackend(dtype: DType): SequenceBackend {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ConfigError(`dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  }
  return {
    name: 'js',
    dtype,
    forward(cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number, ...opts: unknown[]): SequenceForward {
      const { state, needTape, hSeqOut } = forwardArgs(opts);
      const f = cellDescriptor(cfg.kind).forward(cfg, weightsAs(w, dtype), asDType(x, dtype), B, T, stateAs(state, dtype), needTape);
      if (hSeqOut === undefined) return f;
      checkOutput(hSeqOut, dtype, B * T * cfg.hiddenSize);
      hSeqOut.set(f.hSeq);
      return { ...f, hSeq: hSeqOut };
    },
    backward(cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward, ...opts: unknown[]): CellGrads {
      const { dhSeq, dFinal, needDx } = backwardArgs(opts);
      const g = cellDescriptor(cfg.kind).backward(cfg, weightsAs(w, dtype), asDType(x, dtype), fwd, dhSeq, dFinal);
      return needDx ? g : { ...g, dx: zerosOf(dtype, 0) };
    },
    alloc(length: number): Float {
      return zerosOf(dtype, length);
    },
  };
}
