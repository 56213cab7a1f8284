// The FLOP count behind every "achieved GFLOP/s" the benchmark prints.
//
// Counted per sequence row and time step (one FLOP per add, multiply, divide or
// transcendental; a multiply-add is 2):
//
//   forward   input projection     2*G*H*I   (the one-hot input enters as a dense [B, T, I]
//                                             matrix, as in the authors' model)
//             recurrent GEMM       2*G*H*H   (h_{t-1} W_hh^T)
//             bias                 G*H
//             gate math            E*H       (E = 20 pLSTM, 12 LSTM: see GATE_FLOPS)
//             head                 2*H*O + O
//             softmax + NLL        4*O
//   backward  recurrent            4*G*H*H   (dh_{t-1} = dz W_hh and dW_hh += dz^T h_{t-1})
//             input projection     4*G*H*I   (dW_ih, and dx)
//             gate math            2*E*H
//             head                 4*H*O + O (dW, db, dh)
//             softmax + NLL        2*O
//   per batch clipping + RMSprop   12 per parameter
//
// So a training batch is about 6*G*H^2 * B*T FLOPs plus lower-order terms: 8.3 GFLOP for
// the copy task's pLSTM (G = 3, H = 128, B = 128, T = 219), 11 GFLOP for its LSTM.
// A streaming step counts the forward terms only, for B rows. The same count is applied
// to the baselines, so their GFLOP/s are "the same model's work per second".
import type { BuiltinCellKind } from '../cells/types.js';
import { gatesOfCell } from './config.js';

/**
 * Elementwise FLOPs of one unit's gate math in the forward pass.
 * pLSTM: 2 sigmoids + 1 tanh (r, o, g, with the exponent sigmoid) ~ 4, age update 4,
 * f = ((a+eps)/(a+1))^p 5, c update 4, h = o tanh(c) 2, bias/misc 1.
 * LSTM: 3 sigmoids + 2 tanh 5, c = f c + i g 3, h 2, misc 2.
 */
export const GATE_FLOPS: Record<BuiltinCellKind, number> = { plstm: 20, lstm: 12 };

export interface ShapeForFlops {
  cell: BuiltinCellKind;
  B: number;
  T: number;
  H: number;
  I: number;
  O: number;
}

/** Trainable parameters of the one-layer model: cell weights, (theta), head. */
export function parameterCount(s: ShapeForFlops): number {
  const G = gatesOfCell(s.cell);
  return G * s.H * (s.I + s.H + 1) + (s.cell === 'plstm' ? s.H : 0) + s.O * (s.H + 1);
}

/** FLOPs of one forward step of one row (cell + head + softmax). */
export function forwardFlopsPerRowStep(s: ShapeForFlops): number {
  const G = gatesOfCell(s.cell);
  const { H, I, O } = s;
  return 2 * G * H * I + 2 * G * H * H + G * H + GATE_FLOPS[s.cell] * H + 2 * H * O + O + 4 * O;
}

/** FLOPs of one backward step of one row. */
export function backwardFlopsPerRowStep(s: ShapeForFlops): number {
  const G = gatesOfCell(s.cell);
  const { H, I, O } = s;
  return 4 * G * H * H + 4 * G * H * I + 2 * GATE_FLOPS[s.cell] * H + 4 * H * O + O + 2 * O;
}

/** FLOPs of one training batch: forward + backward over B*T rows, then clip + RMSprop. */
export function trainBatchFlops(s: ShapeForFlops): number {
  const rows = s.B * s.T;
  return rows * (forwardFlopsPerRowStep(s) + backwardFlopsPerRowStep(s)) + 12 * parameterCount(s);
}

/** The recurrent GEMMs alone (6*G*H^2 per row and step): the part the SIMD kernels target. */
export function recurrentGemmFlops(s: ShapeForFlops): number {
  return 6 * gatesOfCell(s.cell) * s.H * s.H * s.B * s.T;
}

/** FLOPs of one streaming step for B rows. */
export function streamStepFlops(s: Omit<ShapeForFlops, 'T'>): number {
  return s.B * forwardFlopsPerRowStep({ ...s, T: 1 });
}
