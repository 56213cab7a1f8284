// The pLSTM cell (Chien et al. 2021, "Slower is Better"): the readable reference, forward and
// backpropagation through time over whole sequences. This is the oracle every fast path is
// checked against, so clarity comes first; it still allocates nothing inside the time loop.
//
// B = batch, T = time steps, I = input size, H = hidden size; gate rows r, o, g (G = 3).
// One step, per unit (age form of the state, see DESIGN.md §1):
//   z   = W_ih x_t + W_hh h_{t-1} + b            // [3H]: rows r | o | g
//   r   = sigmoid(z_r)   o = sigmoid(z_o)   g = tanh(z_g)
//   p   = sigmoid(theta)  or the fixed exponent
//   a_t = r eps + (1 - r)(a_{t-1} + 1)           // age: steps since the last reset
//   f   = ((a_t + eps) / (a_t + 1))^p
//   c_t = f c_{t-1} + (1 - f) g
//   h_t = o tanh(c_t)
//
// Precision: every step computes in JS doubles and stores its results (h, c, a and the
// activations kept for backward) in buffers of the input's precision, so the float32 variant
// rounds the state once per step, like a float32 kernel. Gradients accumulate in doubles and
// are stored in the input's precision at the end.
import type { CellConfig, CellGrads, CellState, CellWeights, Float, SequenceForward } from './types.js';
import { copyState, gatesOfActs, requireTape, stateOffset, storeLike, zerosLike } from './buffers.js';
import type { CellDescriptor } from './descriptor.js';
import { stepPreactivations, stepPreactivationsBackward, type LinearGrads } from './step-linear.js';
import { checkBackwardArgs, checkForwardArgs } from './validate.js';

/** What the forward pass keeps for backward. */
export interface PlstmTape<F extends Float = Float> {
  kind: 'plstm';
  B: number;
  T: number;
  s0: CellState<F>; // initial state (copies): h, c, a [B, H]
  acts: F; // [B, T, 3H] r, o, g after their squashing
  cSeq: F; // [B, T, H]
  aSeq: F; // [B, T, H]
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The exponent p per unit: sigmoid(theta) or the fixed p. */
export function plstmExponents(cfg: CellConfig, w: CellWeights): Float64Array {
  const H = cfg.hiddenSize;
  const p = new Float64Array(H); // [H]
  for (let j = 0; j < H; j++) p[j] = cfg.fixedP !== null ? cfg.fixedP : sigmoid(w.theta![j]);
  return p;
}

/**
 * Runs the pLSTM over x [B, T, I] from s0 (null = zeros, age 0).
 * Returns hSeq [B, T, H] and the final state (h, c, a), in the precision of x.
 * needTape = false keeps no activations (inference; backward then refuses).
 * Weights and s0 are read as given (any precision); the js backend converts them first.
 */
export function plstmForward<F extends Float>(cfg: CellConfig, w: CellWeights, x: F, B: number, T: number,
  s0: CellState | null, needTape = true): SequenceForward<F> {
  checkForwardArgs(PLSTM_CELL, 'plstmForward', cfg, w, x, B, T, s0);

  const H = cfg.hiddenSize;
  const I = cfg.inputSize;
  const G3 = 3 * H;
  const eps = cfg.eps;
  const p = plstmExponents(cfg, w); // [H]

  const init = copyState(x, s0, B * H, true); // h, c, a [B, H]
  const hSeq = zerosLike(x, B * T * H); // [B, T, H]
  // With a tape every step's c, a and activations are kept; without one, c and a ping-pong
  // between two [B, H] slots and the activations of one step are overwritten by the next.
  const cSeq = zerosLike(x, needTape ? B * T * H : 2 * B * H); // [B, T, H] or [2, B, H]
  const aSeq = zerosLike(x, needTape ? B * T * H : 2 * B * H); // [B, T, H] or [2, B, H]
  const acts = zerosLike(x, needTape ? B * T * G3 : G3); // [B, T, 3H] or [3H]
  const z = new Float64Array(G3); // [3H] pre-activations of one row

  for (let t = 0; t < T; t++) {
    for (let bi = 0; bi < B; bi++) {
      const row = bi * T + t; // (b, t)
      const xOff = row * I;
      // Where the previous state and this step's results live.
      const hPrev = t === 0 ? init.h : hSeq;
      const hPrevOff = t === 0 ? bi * H : (row - 1) * H;
      const cPrev = t === 0 ? init.c : cSeq;
      const aPrev = t === 0 ? init.a! : aSeq;
      const prevOff = t === 0 ? bi * H : stateOffset(needTape, t - 1, bi, B, T, H);
      const outOff = stateOffset(needTape, t, bi, B, T, H);
      const actOff = needTape ? row * G3 : 0;

      stepPreactivations(z, w, x, xOff, hPrev, hPrevOff, G3, I, H); // z = b + W_ih x_t + W_hh h_{t-1}

      for (let j = 0; j < H; j++) {
        const r = sigmoid(z[j]);
        const o = sigmoid(z[H + j]);
        const gg = Math.tanh(z[2 * H + j]);
        acts[actOff + j] = r;
        acts[actOff + H + j] = o;
        acts[actOff + 2 * H + j] = gg;
        aSeq[outOff + j] = r * eps + (1 - r) * (aPrev[prevOff + j] + 1);
        const a = aSeq[outOff + j]; // read back: the stored (possibly float32) age
        const f = Math.pow((a + eps) / (a + 1), p[j]);
        cSeq[outOff + j] = f * cPrev[prevOff + j] + (1 - f) * gg;
        const c = cSeq[outOff + j];
        hSeq[row * H + j] = o * Math.tanh(c);
      }
    }
  }

  // Final state: the last step of every row.
  const final: CellState<F> = { h: zerosLike(x, B * H), c: zerosLike(x, B * H), a: zerosLike(x, B * H) };
  for (let bi = 0; bi < B; bi++) {
    const last = stateOffset(needTape, T - 1, bi, B, T, H);
    final.h.set(hSeq.subarray((bi * T + T - 1) * H, (bi * T + T) * H), bi * H);
    final.c.set(cSeq.subarray(last, last + H), bi * H);
    final.a!.set(aSeq.subarray(last, last + H), bi * H);
  }
  const tape: PlstmTape<F> | null = needTape ? { kind: 'plstm', B, T, s0: init, acts, cSeq, aSeq } : null;
  return { hSeq, final, tape };
}

/**
 * Backpropagation through time of a plstmForward run.
 * dhSeq [B, T, H]: dL/dh_t (null = zeros). dFinal: dL/d(final h, c, a) (null or null fields = zeros).
 * Returns dx, dW_ih, dW_hh, db, dTheta (zeros when p is fixed) and d(initial state) dh0, dc0, da0.
 *
 * Per step, going back in time, with dh, dc, da the gradients arriving at h_t, c_t, a_t:
 *   do = dh tanh(c)                  dc += dh o (1 - tanh(c)^2)
 *   dg = dc (1 - f)                  df  = dc (c_{t-1} - g)
 *   da += df df/da,   df/da = p f (1 - eps) / ((a + eps)(a + 1))
 *   dp += df f ln((a + eps)/(a + 1))                dtheta = dp p (1 - p)
 *   dr = da (eps - (a_{t-1} + 1))
 *   dz = [dr r(1-r), do o(1-o), dg (1-g^2)]
 *   carried to t-1: dc f, da (1 - r), dh_{t-1} = W_hh^T dz
 *   dx_t = W_ih^T dz,  dW_ih += dz x_t^T,  dW_hh += dz h_{t-1}^T,  db += dz
 */
export function plstmBackward<F extends Float>(cfg: CellConfig, w: CellWeights, x: F, fwd: SequenceForward<F>,
  dhSeq: Float | null, dFinal: Partial<CellState> | null): CellGrads<F> {
  const tape = requireTape<PlstmTape<F>>(fwd.tape, 'plstm');
  const { B, T } = tape;
  checkBackwardArgs(PLSTM_CELL, 'plstmBackward', cfg, w, x, B, T, dhSeq, dFinal);
  const H = cfg.hiddenSize;
  const I = cfg.inputSize;
  const G3 = 3 * H;
  const eps = cfg.eps;

  const p = plstmExponents(cfg, w); // [H]
  const { acts, cSeq, aSeq, s0 } = tape;
  const hSeq = fwd.hSeq;

  // Gradients carried backwards in time, in doubles.
  const dh = new Float64Array(B * H); // [B, H] dL/dh_t
  const dc = new Float64Array(B * H); // [B, H] dL/dc_t
  const da = new Float64Array(B * H); // [B, H] dL/da_t
  if (dFinal?.h) dh.set(dFinal.h);
  if (dFinal?.c) dc.set(dFinal.c);
  if (dFinal?.a) da.set(dFinal.a);

  const grads: LinearGrads = {
    dWIh: new Float64Array(G3 * I), // [3H, I]
    dWHh: new Float64Array(G3 * H), // [3H, H]
    db: new Float64Array(G3), // [3H]
  };
  const dp = new Float64Array(H); // [H]
  const dx = zerosLike(x, B * T * I); // [B, T, I]
  const dz = new Float64Array(G3); // [3H] of one (b, t)
  const dxRow = new Float64Array(I); // [I]

  for (let t = T - 1; t >= 0; t--) {
    for (let bi = 0; bi < B; bi++) {
      const row = bi * T + t;
      const off = row * H;
      const prevOff = t === 0 ? bi * H : (row - 1) * H;
      const hPrev = t === 0 ? s0.h : hSeq;
      const cPrev = t === 0 ? s0.c : cSeq;
      const aPrev = t === 0 ? s0.a! : aSeq;
      const actOff = row * G3;
      const sOff = bi * H; // offset in the carried [B, H] gradients

      for (let j = 0; j < H; j++) {
        const r = acts[actOff + j];
        const o = acts[actOff + H + j];
        const g = acts[actOff + 2 * H + j];
        const a = aSeq[off + j];
        const c = cSeq[off + j];
        const pj = p[j];
        const u = (a + eps) / (a + 1);
        const f = Math.pow(u, pj);
        const tc = Math.tanh(c);

        const dhj = dh[sOff + j] + (dhSeq !== null ? dhSeq[off + j] : 0);
        const dO = dhj * tc;
        const dcj = dc[sOff + j] + dhj * o * (1 - tc * tc);
        const dG = dcj * (1 - f);
        const dF = dcj * (cPrev[prevOff + j] - g);
        const daj = da[sOff + j] + dF * (pj * f * (1 - eps)) / ((a + eps) * (a + 1));
        dp[j] += dF * f * Math.log(u);
        const dR = daj * (eps - (aPrev[prevOff + j] + 1));

        dz[j] = dR * r * (1 - r);
        dz[H + j] = dO * o * (1 - o);
        dz[2 * H + j] = dG * (1 - g * g);
        dc[sOff + j] = dcj * f;
        da[sOff + j] = daj * (1 - r);
      }

      // dh_{t-1} = W_hh^T dz;  dx_t = W_ih^T dz;  weight gradients += dz (x_t, h_{t-1})^T
      stepPreactivationsBackward(dz, w, x, row * I, hPrev, prevOff, dh, sOff, dx, dxRow, grads, G3, I, H);
    }
  }

  const dTheta = new Float64Array(H); // [H] zeros when p is fixed
  if (cfg.fixedP === null) for (let j = 0; j < H; j++) dTheta[j] = dp[j] * p[j] * (1 - p[j]);

  return {
    dx,
    dWIh: storeLike(x, grads.dWIh),
    dWHh: storeLike(x, grads.dWHh),
    db: storeLike(x, grads.db),
    dTheta: storeLike(x, dTheta),
    d0: { h: storeLike(x, dh), c: storeLike(x, dc), a: storeLike(x, da) },
  };
}

/** The pLSTM (Chien et al. 2021): gates r, o, g; state h, c and the age a. */
export const PLSTM_CELL: CellDescriptor = {
  kind: 'plstm',
  gates: ['r', 'o', 'g'],
  hasAge: true,
  hasTheta: true,
  traceNames: ['r', 'o', 'g', 'a', 'f'],
  forward: plstmForward,
  backward: plstmBackward,
  internals(cfg, w, fwd) {
    const tape = fwd.tape as PlstmTape;
    const { B, T } = tape;
    const H = cfg.hiddenSize;
    const p = plstmExponents(cfg, w); // [H]
    const f = tape.aSeq instanceof Float32Array ? new Float32Array(B * T * H) : new Float64Array(B * T * H);
    for (let i = 0; i < f.length; i++) {
      const a = tape.aSeq[i];
      f[i] = Math.pow((a + cfg.eps) / (a + 1), p[i % H]); // the forget gate, as the cell computes it
    }
    return {
      steps: { ...gatesOfActs(tape.acts, PLSTM_CELL.gates, B, T, H), a: tape.aSeq, f },
      units: { p },
    };
  },
};
