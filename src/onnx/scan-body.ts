// One time step of a recurrent direction as the body graph of an ONNX Scan: the cells' math
// exactly as src/cells/plstm.ts and src/cells/lstm.ts define it (DESIGN.md §1), on float32.
//
// B = batch, H = hidden size, G = gates (3 pLSTM: r, o, g; 4 LSTM: i, f, g, o).
// The body reads the state (h, c and, for the pLSTM, the age a) [B, H] and this step's input
// projection xp_t = x_t W_ih^T + b [B, G*H] (computed for every step before the Scan); W_hh^T
// [H, G*H] and p [H] are read from the outer graph. It returns the new state and, when asked,
// h once more as the Scan's per-step output.

import { GraphBuilder } from './graph-builder.js';
import type { OnnxGraph, OnnxValueInfo } from './onnx-proto.js';

/** What one direction's step needs. */
export interface StepSpec {
  cell: 'plstm' | 'lstm';
  /** H */
  hidden: number;
  /** pLSTM: eps of the age update and the forget gate. */
  eps: number;
  /** Outer-graph name of W_hh^T [H, G*H]. */
  whhT: string;
  /** pLSTM: outer-graph name of p [H] (sigmoid(theta), or the fixed exponents). */
  p: string | null;
  /** Whether the Scan also outputs h at every step (not needed under a head on the last step only). */
  sequence: boolean;
}

/** The state fields a cell's Scan carries, in order. */
export function stateFields(cell: 'plstm' | 'lstm'): string[] {
  return cell === 'plstm' ? ['h', 'c', 'a'] : ['h', 'c'];
}

/** The Scan body of one step; `prefix` keeps its names apart from the outer graph's. */
export function stepBody(spec: StepSpec, prefix: string): OnnxGraph {
  const b = new GraphBuilder(prefix);
  const H = spec.hidden, G = spec.cell === 'plstm' ? 3 : 4;
  const io = (name: string, width: number): OnnxValueInfo => ({ name, elem: 'float', shape: ['batch', width] });
  const fields = stateFields(spec.cell);
  const prev = Object.fromEntries(fields.map((f) => [f, b.reserve(`${prefix}${f}_prev`)]));
  const xp = b.reserve(`${prefix}xp_t`);
  // z = x_t W_ih^T + b + h_{t-1} W_hh^T   [B, G*H]
  const z = b.node('Add', [xp, b.node('MatMul', [prev.h, spec.whhT], undefined, 'hw')], undefined, 'z');
  const next: Record<string, string> = {};
  if (spec.cell === 'plstm') {
    const [zr, zo, zg] = b.nodeN('Split', [z], ['z_r', 'z_o', 'z_g'], { axis: { i: 1 } });
    const r = b.node('Sigmoid', [zr], undefined, 'r');
    const o = b.node('Sigmoid', [zo], undefined, 'o');
    const g = b.node('Tanh', [zg], undefined, 'g');
    const one = b.floatConst('one', [1]);
    const eps = b.floatConst('eps', [spec.eps]);
    // a_t = r eps + (1 - r)(a_{t-1} + 1)
    const a = b.node('Add', [
      b.node('Mul', [r, eps]),
      b.node('Mul', [b.node('Sub', [one, r]), b.node('Add', [prev.a, one])]),
    ], undefined, 'a');
    // f = ((a_t + eps) / (a_t + 1))^p
    const f = b.node('Pow', [b.node('Div', [b.node('Add', [a, eps]), b.node('Add', [a, one])]), spec.p!], undefined, 'f');
    // c_t = f c_{t-1} + (1 - f) g
    next.c = b.node('Add', [b.node('Mul', [f, prev.c]), b.node('Mul', [b.node('Sub', [one, f]), g])], undefined, 'c');
    next.h = b.node('Mul', [o, b.node('Tanh', [next.c])], undefined, 'h');
    next.a = a;
  } else {
    const [zi, zf, zg, zo] = b.nodeN('Split', [z], ['z_i', 'z_f', 'z_g', 'z_o'], { axis: { i: 1 } });
    const i = b.node('Sigmoid', [zi], undefined, 'i');
    const f = b.node('Sigmoid', [zf], undefined, 'f');
    const g = b.node('Tanh', [zg], undefined, 'g');
    const o = b.node('Sigmoid', [zo], undefined, 'o');
    // c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)
    next.c = b.node('Add', [b.node('Mul', [f, prev.c]), b.node('Mul', [i, g])], undefined, 'c');
    next.h = b.node('Mul', [o, b.node('Tanh', [next.c])], undefined, 'h');
  }
  const outputs = fields.map((f) => io(next[f], H));
  // a Scan output needs a name of its own (h is already the state output)
  if (spec.sequence) outputs.push(io(b.node('Identity', [next.h], undefined, 'h_out'), H));
  const inputs = [...fields.map((f) => io(prev[f], H)), io(xp, G * H)];
  return b.graph(`${prefix}step`, inputs, outputs);
}
