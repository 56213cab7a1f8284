// The gate math of one batch row after its pre-activations z, shared by the sequence
// kernels (plstm-forward.ts, lstm-forward.ts) and the one-row streaming step (stream-step.ts).
//
// In phases, each loop body one transcendental: short dependency chains, so the CPU overlaps
// the iterations (the copy-task training batch ran 10-12% faster than with one loop over
// everything, the streaming gate math 1.17 against 1.30 us; workbench README). The state may
// be updated in place (aPrev = aNew, cPrev = cNew): every element is read before it is written.
import { vexp, vlog1p, vsigmoid, vtanh } from './simd';

/**
 * pLSTM row. zIn: [3H] pre-activations r, o, g; z: [3H] receives the gates (z = zIn: in
 * place). p: [H] exponents.
 * aPrev, cPrev: [H] state t-1; aNew, cNew, h: [H] state t. f: [H] receives the forget gates
 * (and holds ln((a+eps)/(a+1)) in between). hb = H * 4 bytes; epsV, one, oneMinusEps splats.
 */
// @ts-ignore: decorator
@inline export function plstmGateRow(hb: usize, zIn: usize, z: usize, p: usize, epsV: v128, one: v128, oneMinusEps: v128,
  aPrev: usize, aNew: usize, cPrev: usize, cNew: usize, f: usize, h: usize): void {
  // r, o, g
  for (let j: usize = 0; j < 3 * hb; j += 16) {
    const v = v128.load(zIn + j);
    v128.store(z + j, j < 2 * hb ? vsigmoid(v) : vtanh(v));
  }
  // a_t, and ln((a + eps)/(a + 1)) = log1p(-(1 - eps)/(a + 1)) into f for the next phase
  for (let j: usize = 0; j < hb; j += 16) {
    const r = v128.load(z + j);
    const a = f32x4.add(f32x4.mul(r, epsV),
      f32x4.mul(f32x4.sub(one, r), f32x4.add(v128.load(aPrev + j), one)));
    v128.store(aNew + j, a);
    v128.store(f + j, vlog1p(f32x4.neg(f32x4.div(oneMinusEps, f32x4.add(a, one)))));
  }
  // f = exp(p ln(...)), c_t = f c_{t-1} + (1 - f) g
  for (let j: usize = 0; j < hb; j += 16) {
    const fg = vexp(f32x4.mul(v128.load(p + j), v128.load(f + j)));
    const c = f32x4.add(f32x4.mul(fg, v128.load(cPrev + j)), f32x4.mul(f32x4.sub(one, fg), v128.load(z + 2 * hb + j)));
    v128.store(f + j, fg);
    v128.store(cNew + j, c);
  }
  // h_t = o tanh(c_t)
  for (let j: usize = 0; j < hb; j += 16) {
    v128.store(h + j, f32x4.mul(v128.load(z + hb + j), vtanh(v128.load(cNew + j))));
  }
}

/**
 * LSTM row (gates i, f, g, o). zIn: [4H] pre-activations; z: [4H] receives the gates (z = zIn:
 * in place); cPrev: [H]; cNew, h: [H].
 */
// @ts-ignore: decorator
@inline export function lstmGateRow(hb: usize, zIn: usize, z: usize, cPrev: usize, cNew: usize, h: usize): void {
  for (let j: usize = 0; j < 4 * hb; j += 16) {
    const v = v128.load(zIn + j);
    v128.store(z + j, j >= 2 * hb && j < 3 * hb ? vtanh(v) : vsigmoid(v));
  }
  for (let j: usize = 0; j < hb; j += 16) {
    const c = f32x4.add(f32x4.mul(v128.load(z + hb + j), v128.load(cPrev + j)),
      f32x4.mul(v128.load(z + j), v128.load(z + 2 * hb + j)));
    v128.store(cNew + j, c);
    v128.store(h + j, f32x4.mul(v128.load(z + 3 * hb + j), vtanh(c)));
  }
}
