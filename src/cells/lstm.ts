// The vanilla LSTM with PyTorch's conventions (torch.nn.LSTM): the baseline the pLSTM is
// compared with, and the reference for its fast path. Forward and BPTT over whole sequences.
//
// B = batch, T = time steps, I = input size, H = hidden size; gate rows i, f, g, o (G = 4).
//   z   = W_ih x_t + W_hh h_{t-1} + b            // [4H]: rows i | f | g | o; b = bias_ih + bias_hh
//   i, f, o = sigmoid(z_i, z_f, z_o)   g = tanh(z_g)
//   c_t = f c_{t-1} + i g
//   h_t = o tanh(c_t)
//
// Precision as in plstm.ts: steps compute in doubles and store in the input's precision.
import type { CellConfig, CellGrads, CellState, CellWeights, Float, SequenceForward } from './types.js';
import { copyState, gatesOfActs, requireTape, stateOffset, storeLike, zerosLike } from './buffers.js';
import type { CellDescriptor } from './descriptor.js';
import { stepPreactivations, stepPreactivationsBackward, type LinearGrads } from './step-linear.js';
import { checkBackwardArgs, checkForwardArgs } from './validate.js';

/** What the forward pass keeps for backward. */
export interface LstmTape<F extends Float = Float> {
  kind: 'lstm';
  B: number;
  T: number;
  s0: CellState<F>; // initial state (copies): h, c [B, H]; a = null
  acts: F; // [B, T, 4H] i, f, g, o after their squashing
  cSeq: F; // [B, T, H]
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Runs the LSTM over x [B, T, I] from s0 (null = zeros).
 * Returns hSeq [B, T, H] and the final state (h, c; a = null), in the precision of x.
 */
export function lstmForward<F extends Float>(cfg: CellConfig, w: CellWeights, x: F, B: number, T: number,
  s0: CellState | null, needTape = true): SequenceForward<F> {
  checkForwardArgs(LSTM_CELL, 'lstmForward', cfg, w, x, B, T, s0);

  const H = cfg.hiddenSize;
  const I = cfg.inputSize;
  const G4 = 4 * H;

  const init = copyState(x, s0, B * H, false); // h, c [B, H]
  const hSeq = zerosLike(x, B * T * H); // [B, T, H]
  // Without a tape, c ping-pongs between two [B, H] slots and one step's activations are reused.
  const cSeq = zerosLike(x, needTape ? B * T * H : 2 * B * H); // [B, T, H] or [2, B, H]
  const acts = zerosLike(x, needTape ? B * T * G4 : G4); // [B, T, 4H] or [4H]
  const z = new Float64Array(G4); // [4H]

  for (let t = 0; t < T; t++) {
    for (let bi = 0; bi < B; bi++) {
      const row = bi * T + t;
      const xOff = row * I;
      const hPrev = t === 0 ? init.h : hSeq;
      const hPrevOff = t === 0 ? bi * H : (row - 1) * H;
      const cPrev = t === 0 ? init.c : cSeq;
      const prevOff = t === 0 ? bi * H : stateOffset(needTape, t - 1, bi, B, T, H);
      const outOff = stateOffset(needTape, t, bi, B, T, H);
      const actOff = needTape ? row * G4 : 0;

      stepPreactivations(z, w, x, xOff, hPrev, hPrevOff, G4, I, H); // z = b + W_ih x_t + W_hh h_{t-1}
      for (let j = 0; j < H; j++) {
        const ig = sigmoid(z[j]);
        const fg = sigmoid(z[H + j]);
        const gg = Math.tanh(z[2 * H + j]);
        const og = sigmoid(z[3 * H + j]);
        acts[actOff + j] = ig;
        acts[actOff + H + j] = fg;
        acts[actOff + 2 * H + j] = gg;
        acts[actOff + 3 * H + j] = og;
        cSeq[outOff + j] = fg * cPrev[prevOff + j] + ig * gg;
        hSeq[row * H + j] = og * Math.tanh(cSeq[outOff + j]);
      }
    }
  }

  const final: CellState<F> = { h: zerosLike(x, B * H), c: zerosLike(x, B * H), a: null };
  for (let bi = 0; bi < B; bi++) {
    const last = stateOffset(needTape, T - 1, bi, B, T, H);
    final.h.set(hSeq.subarray((bi * T + T - 1) * H, (bi * T + T) * H), bi * H);
    final.c.set(cSeq.subarray(last, last + H), bi * H);
  }
  const tape: LstmTape<F> | null = needTape ? { kind: 'lstm', B, T, s0: init, acts, cSeq } : null;
  return { hSeq, final, tape };
}

/**
 * Backpropagation through time of an lstmForward run.
 * dhSeq [B, T, H] (null = zeros); dFinal: dL/d(final h, c) (null or null fields = zeros).
 *   do = dh tanh(c)     dc += dh o (1 - tanh(c)^2)
 *   di = dc g   df = dc c_{t-1}   dg = dc i        carried: dc f, dh_{t-1} = W_hh^T dz
 *   dz = [di i(1-i), df f(1-f), dg (1-g^2), do o(1-o)]
 */
export function lstmBackward<F extends Float>(cfg: CellConfig, w: CellWeights, x: F, fwd: SequenceForward<F>,
  dhSeq: Float | null, dFinal: Partial<CellState> | null): CellGrads<F> {
  const tape = requireTape<LstmTape<F>>(fwd.tape, 'lstm');
  const { B, T } = tape;
  checkBackwardArgs(LSTM_CELL, 'lstmBackward', cfg, w, x, B, T, dhSeq, dFinal);
  const H = cfg.hiddenSize;
  const I = cfg.inputSize;
  const G4 = 4 * H;

  const { acts, cSeq, s0 } = tape;
  const hSeq = fwd.hSeq;

  const dh = new Float64Array(B * H); // [B, H]
  const dc = new Float64Array(B * H); // [B, H]
  if (dFinal?.h) dh.set(dFinal.h);
  if (dFinal?.c) dc.set(dFinal.c);

  const grads: LinearGrads = {
    dWIh: new Float64Array(G4 * I), // [4H, I]
    dWHh: new Float64Array(G4 * H), // [4H, H]
    db: new Float64Array(G4), // [4H]
  };
  const dx = zerosLike(x, B * T * I); // [B, T, I]
  const dz = new Float64Array(G4); // [4H]
  const dxRow = new Float64Array(I); // [I]

  for (let t = T - 1; t >= 0; t--) {
    for (let bi = 0; bi < B; bi++) {
      const row = bi * T + t;
      const off = row * H;
      const prevOff = t === 0 ? bi * H : (row - 1) * H;
      const hPrev = t === 0 ? s0.h : hSeq;
      const cPrev = t === 0 ? s0.c : cSeq;
      const actOff = row * G4;
      const sOff = bi * H;

      for (let j = 0; j < H; j++) {
        const ig = acts[actOff + j];
        const fg = acts[actOff + H + j];
        const gg = acts[actOff + 2 * H + j];
        const og = acts[actOff + 3 * H + j];
        const tc = Math.tanh(cSeq[off + j]);
        const dhj = dh[sOff + j] + (dhSeq !== null ? dhSeq[off + j] : 0);
        const dO = dhj * tc;
        const dcj = dc[sOff + j] + dhj * og * (1 - tc * tc);
        dz[j] = dcj * gg * ig * (1 - ig);
        dz[H + j] = dcj * cPrev[prevOff + j] * fg * (1 - fg);
        dz[2 * H + j] = dcj * ig * (1 - gg * gg);
        dz[3 * H + j] = dO * og * (1 - og);
        dc[sOff + j] = dcj * fg;
      }

      stepPreactivationsBackward(dz, w, x, row * I, hPrev, prevOff, dh, sOff, dx, dxRow, grads, G4, I, H);
    }
  }

  return {
    dx,
    dWIh: storeLike(x, grads.dWIh),
    dWHh: storeLike(x, grads.dWHh),
    db: storeLike(x, grads.db),
    dTheta: null,
    d0: { h: storeLike(x, dh), c: storeLike(x, dc), a: null },
  };
}

/** PyTorch's LSTM: gates i, f, g, o; state h, c. */
export const LSTM_CELL: CellDescriptor = {
  kind: 'lstm',
  gates: ['i', 'f', 'g', 'o'],
  hasAge: false,
  hasTheta: false,
  traceNames: ['i', 'f', 'g', 'o'],
  forward: lstmForward,
  backward: lstmBackward,
  internals(cfg, _w, fwd) {
    const tape = fwd.tape as LstmTape;
    return { steps: gatesOfActs(tape.acts, LSTM_CELL.gates, tape.B, tape.T, cfg.hiddenSize), units: {} };
  },
};
