// The whole sequence as one TF.js op: forward on our backend, its gradient on our backward
// kernels, joined by tf.customGrad. Every weight and the initial state are inputs of the op, so
// TF.js hands each its gradient (tf.grads, tf.variableGrads, model.fit).
//
// Data crosses the boundary by copy: TF.js tensor -> Float32Array (dataSync, a download on
// GPU backends) -> our kernels -> tf.tensor (an upload). Per call that is x [B, T, I] and the
// outputs [B, T, H] once each way in forward, dy and dx in backward, and the weights (small).
import * as tfc from '@tensorflow/tfjs-core';
import { ShapeError } from '../errors.js';
import type { CellConfig, CellState, CellWeights } from '../cells/types.js';
import type { SequenceBackend } from '../cells/sequence-backend.js';
import { gatesOf } from '../cells/registry.js';
import { transpose } from './keras-layout.js';

/** An initial state (h, c and, for the pLSTM, the age a; a null age is zeros), each [B, H]. */
export interface InitialState {
  h: tfc.Tensor;
  c: tfc.Tensor;
  a: tfc.Tensor | null;
}

/** The op's inputs, in TF.js's layout. */
export interface FusedSequenceInputs {
  x: tfc.Tensor; // [B, T, I]
  kernel: tfc.Tensor; // [I, G*H]
  recurrentKernel: tfc.Tensor; // [H, G*H]
  bias: tfc.Tensor; // [G*H]
  /** pLSTM only: the raw decay parameter (p = sigmoid(p_param)) [H]; null for the LSTM. */
  pParam: tfc.Tensor | null;
  /** Initial state, each [B, H]; null for zeros. */
  initial: InitialState | null;
}

/** Rows of the op's output after the T steps: 0 (outputs only), or c (and a for the pLSTM). */
export function stateRowsOf(cfg: CellConfig, withState: boolean): number {
  return withState ? (cfg.kind === 'plstm' ? 2 : 1) : 0;
}

/** A Float32Array copy of a tensor's values (dataSync may hand out TF.js's own storage). */
function read(t: tfc.Tensor): Float32Array {
  return Float32Array.from(t.dataSync() as Float32Array);
}

/** A Float32Array view of a tensor's values, read only here (our kernels never write inputs). */
function view(t: tfc.Tensor): Float32Array {
  const d = t.dataSync();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

/**
 * Runs the cell over x as one differentiable op. Returns [B, T + K, H] with K =
 * stateRowsOf(cfg, withState): rows 0..T-1 are the outputs h_1..h_T; with withState row T is
 * the final c and, for the pLSTM, row T+1 the final age. (The final h is row T-1.)
 * needTape: whether a gradient may be asked for (TF.js's tape is recording); without it the
 * forward keeps no activations.
 */
export function fusedSequence(backend: SequenceBackend, cfg: CellConfig, inp: FusedSequenceInputs,
  withState: boolean, needTape: boolean): tfc.Tensor3D {
  if (inp.x.rank !== 3) throw new ShapeError(`input must be [batch, steps, features], got shape [${inp.x.shape.join(', ')}]`);
  const [B, T, I] = inp.x.shape;
  const H = cfg.hiddenSize;
  const G = gatesOf(cfg.kind);
  if (I !== cfg.inputSize) throw new ShapeError(`input has ${I} features per step, the layer was built for ${cfg.inputSize}`);
  if (T < 1) throw new ShapeError('input has no time steps: give at least one');
  const K = stateRowsOf(cfg, withState);
  const plstm = cfg.kind === 'plstm';

  const inputs: tfc.Tensor[] = [inp.x, inp.kernel, inp.recurrentKernel, inp.bias];
  if (plstm) inputs.push(inp.pParam!);
  if (inp.initial !== null) {
    inputs.push(inp.initial.h, inp.initial.c);
    if (plstm) inputs.push(inp.initial.a ?? tfc.zeros([B, H]));
  }

  const op = tfc.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const t = args as tfc.Tensor[];
    const x = view(t[0]); // [B, T, I]
    const w: CellWeights = {
      wIh: transpose(t[1].dataSync(), I, G * H), // [G*H, I]
      wHh: transpose(t[2].dataSync(), H, G * H), // [G*H, H]
      b: read(t[3]), // [G*H]
      theta: plstm ? read(t[4]) : null, // [H]
    };
    const at = plstm ? 5 : 4;
    const s0: CellState | null = inp.initial === null ? null : {
      h: read(t[at]), c: read(t[at + 1]), a: plstm ? read(t[at + 2]) : null,
    };
    const fwd = backend.forward(cfg, w, x, B, T, { state: s0, needTape });
    const value = tfc.tensor3d(packOutputs(fwd.hSeq as Float32Array, fwd.final, B, T, H, K), [B, T + K, H]);

    const gradFunc = (dy: tfc.Tensor3D): tfc.Tensor[] => {
      const { dhSeq, dFinal } = unpackGrad(view(dy), B, T, H, K, plstm);
      const g = backend.backward(cfg, w, x, fwd, { dhSeq, dFinal });
      const grads: tfc.Tensor[] = [
        tfc.tensor3d(g.dx as Float32Array, [B, T, I]),
        tfc.tensor2d(transpose(g.dWIh, G * H, I), [I, G * H]),
        tfc.tensor2d(transpose(g.dWHh, G * H, H), [H, G * H]),
        tfc.tensor1d(g.db as Float32Array),
      ];
      if (plstm) grads.push(tfc.tensor1d(g.dTheta as Float32Array));
      if (inp.initial !== null) {
        grads.push(tfc.tensor2d(g.d0.h as Float32Array, [B, H]), tfc.tensor2d(g.d0.c as Float32Array, [B, H]));
        if (plstm) grads.push(tfc.tensor2d(g.d0.a as Float32Array, [B, H]));
      }
      return grads;
    };
    return { value, gradFunc };
  });
  return op(...inputs) as tfc.Tensor3D;
}

/** [B, T + K, H]: each row's T outputs, then its final c (and a). */
function packOutputs(hSeq: Float32Array, final: CellState, B: number, T: number, H: number, K: number): Float32Array {
  if (K === 0) return hSeq;
  const out = new Float32Array(B * (T + K) * H); // [B, T + K, H]
  for (let b = 0; b < B; b++) {
    const row = b * (T + K) * H;
    out.set(hSeq.subarray(b * T * H, (b + 1) * T * H), row);
    out.set(final.c.subarray(b * H, (b + 1) * H), row + T * H);
    if (K === 2) out.set(final.a!.subarray(b * H, (b + 1) * H), row + (T + 1) * H);
  }
  return out;
}

/** Splits dL/d(output) [B, T + K, H] into dL/dh_t [B, T, H] and dL/d(final c, a) [B, H]. */
function unpackGrad(dy: Float32Array, B: number, T: number, H: number, K: number, plstm: boolean):
  { dhSeq: Float32Array; dFinal: Partial<CellState> | null } {
  if (K === 0) return { dhSeq: dy, dFinal: null };
  const dhSeq = new Float32Array(B * T * H); // [B, T, H]
  const dc = new Float32Array(B * H); // [B, H]
  const da = plstm ? new Float32Array(B * H) : null; // [B, H]
  for (let b = 0; b < B; b++) {
    const row = b * (T + K) * H;
    dhSeq.set(dy.subarray(row, row + T * H), b * T * H);
    dc.set(dy.subarray(row + T * H, row + (T + 1) * H), b * H);
    if (da !== null) da.set(dy.subarray(row + (T + 1) * H, row + (T + 2) * H), b * H);
  }
  return { dhSeq, dFinal: { c: dc, a: da } };
}
