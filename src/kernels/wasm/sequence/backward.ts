// The wasm backend's backward pass over a forward run's tape, in two phases. First the fused
// time loop (plstmBackwardSteps / lstmBackwardSteps) from the last step to the first, batch
// rows split over the threads, giving dz per step, dL/dx and the initial state's gradient
// (with a head, its dL/dh of each step is added inside that loop). Then the weight gradients
// dW_ih, dW_hh, db and dp reduced over all B*T rows (weightGrads), the threads splitting the
// OUTPUT rows and each sum running over the rows in one fixed order, so every result is
// bit-identical for any thread count. The tape's activations are freed at the end.
import { ShapeError } from '../../../errors.js';
import { type CellConfig, type CellGrads, type CellState, type CellWeights,
  type Float, type SequenceForward } from '../../../cells/types.js';
import { checkSequence } from '../../../cells/validate.js';
import { checkConfig, checkState, checkWeights, gatesOf } from '../../../cells/registry.js';
import type { KernelJob } from '../runtime/pool.js';
import type { WasmContext } from '../runtime/context.js';
import { checkHead, headGrads, type StepHead } from './step-head.js';
import type { WasmTape } from '../memory/tape.js';
import { packWeights } from './packed-weights.js';
import { packGateRows, packTimeMajor, roundUp4, unpackRows, unpackTimeMajor, writeState } from './relayout.js';
import { rowShares, splitBy4 } from '../runtime/work-shares.js';

/** SequenceBackend.backward, and with `head` the headed layer's backward (HeadedLayer). */
export function runBackward(ctx: WasmContext, cfg: CellConfig, w: CellWeights, x: Float, fwd: SequenceForward,
  dhSeq: Float | null, dFinal: Partial<CellState> | null, needDx: boolean,
  head: { head: StepHead; dOut: Float; dW: Float64Array; db: Float64Array } | null): CellGrads {
  const { kx, heap, pool, scratch } = ctx;
  ctx.live();
  checkConfig(cfg);
  checkWeights(cfg, w);
  const tape = fwd.tape as WasmTape | null;
  if (!tape || tape.kind !== 'wasm-tape') {
    throw new ShapeError('backward needs a forward run of this backend with needTape = true');
  }
  if (tape.freed) throw new ShapeError('backward already ran on this forward result (its activations are freed): run forward again');
  if (tape.cell !== cfg.kind || tape.H !== cfg.hiddenSize || tape.I !== cfg.inputSize) {
    throw new ShapeError('backward got a config that differs from the forward run');
  }
  const { B, T, H, I, Hp, Ip } = tape;
  checkSequence(cfg, x, B, T);
  if (dhSeq !== null && dhSeq.length !== B * T * H) {
    throw new ShapeError(`dhSeq has ${dhSeq.length} numbers, expected [B, T, H] = ${B * T * H}`);
  }
  if (dFinal) checkState(cfg, dFinal, B, 'dFinal', true);
  if (head) {
    checkHead(head.head, H, head.dOut, B * T, 'dOut');
    if (head.dW.length !== head.head.O * H || head.db.length !== head.head.O) {
      throw new ShapeError(`the head's gradients need dW [O, H] = ${head.head.O * H} and db [O] = ${head.head.O} numbers`);
    }
  }
  const plstm = cfg.kind === 'plstm';
  const G = gatesOf(cfg.kind), GHp = G * Hp;
  try {
    const pw = packWeights(ctx, cfg, w, scratch);
    const dSeq = dhSeq === null ? 0 : packTimeMajor(ctx, dhSeq, B, T, H, Hp, scratch); // [T, B, Hp]
    const carried = (src: Float | null | undefined) => { // [B, Hp]
      const p = scratch.take(B * Hp * 4);
      writeState(ctx, p, B, Hp, H, Hp, src);
      return p;
    };
    const dh = carried(dFinal?.h), dc = carried(dFinal?.c), da = plstm ? carried(dFinal?.a) : 0;
    const dx = needDx ? scratch.take(T * B * Ip * 4) : 0; // [T, B, Ip]
    // the head's dL/d(logits), time-major [T, B, Op], and its weights [Op, Hp]
    const O = head?.head.O ?? 0, Op = roundUp4(O);
    const dOut = head ? packTimeMajor(ctx, head.dOut, B, T, O, Op, scratch) : 0;
    const wOut = head ? packGateRows(ctx, head.head.W, 1, O, Op, H, Hp, scratch) : 0;
    // phase 1: the time loop, batch rows split across threads
    const flops = 2 * B * T * GHp * (Hp + Ip);
    const shares = rowShares(ctx, B, flops);
    pool.run(shares.map(([b0, b1]) => {
      const Bc = b1 - b0;
      const at = (ptr: number, rowFloats: number) => (ptr === 0 ? 0 : ptr + b0 * rowFloats * 4);
      return plstm
        ? { fn: 'plstmBackwardSteps', args: [Bc, B, T, Ip, Hp, pw.wIh, pw.wHh, pw.p, cfg.eps,
          at(tape.act, GHp), at(tape.cbuf, Hp), at(tape.abuf, Hp), at(tape.fbuf, Hp),
          at(dSeq, Hp), at(dh, Hp), at(dc, Hp), at(da, Hp), at(dx, Ip), at(dOut, Op), wOut, Op] }
        : { fn: 'lstmBackwardSteps', args: [Bc, B, T, Ip, Hp, pw.wIh, pw.wHh,
          at(tape.act, GHp), at(tape.cbuf, Hp), at(dSeq, Hp), at(dh, Hp), at(dc, Hp), at(dx, Ip), at(dOut, Op), wOut, Op] };
    }), kx);
    // phase 2: weight gradients, output rows split across threads, fixed summation order
    const dWIh = scratch.take(GHp * Ip * 4), dWHh = scratch.take(GHp * Hp * 4);
    const db = scratch.take(GHp * 4), dP = scratch.take(Hp * 4);
    const dWIhT = tape.ids !== 0 ? scratch.take(Ip * GHp * 4) : 0; // [Ip, GHp] one-hot dW_ih sums
    const parts = flops < ctx.minParallel ? 1 : Math.min(ctx.threads, pool.threads, GHp / 4);
    const jobs: KernelJob[] = [];
    for (let s = 0; s < parts; s++) {
      const [j0, j1] = splitBy4(GHp, parts, s);
      const [u0, u1] = splitBy4(Hp, parts, s);
      const pack = scratch.take(kx.weightGradsScratch(Hp)); // this thread's packed panels
      jobs.push({ fn: 'weightGrads', args: [T * B, Ip, Hp, G, j0, j1, u0, u1, tape.act, tape.hbuf, tape.x,
        tape.ids, dWIhT, plstm ? tape.fbuf : 0, dWIh, dWHh, tape.biasLane ? 0 : db, dP, pack] });
    }
    pool.run(jobs, kx);
    if (head) headGrads(ctx, head.dW, head.db, B * T, H, Hp, O, Op, dOut, tape.hbuf + B * Hp * 4);

    // unpack [G*Hp, n] -> [G*H, n]
    const gateRows = (ptr: number, n: number, np: number) => {
      const out = new Float32Array(G * H * n);
      for (let g = 0; g < G; g++) unpackRows(ctx, ptr + g * Hp * np * 4, H, np, n, out, g * H * n);
      return out;
    };
    // column `col` of [G*Hp, np] -> [G*H]
    const gateColumn = (ptr: number, col: number, np: number) => {
      const out = new Float32Array(G * H);
      const src = heap.f32(ptr, G * Hp * np);
      for (let g = 0; g < G; g++) for (let j = 0; j < H; j++) out[g * H + j] = src[(g * Hp + j) * np + col];
      return out;
    };
    const grads: CellGrads = {
      dx: needDx ? unpackTimeMajor(ctx, dx, B, T, I, Ip) : new Float32Array(0),
      dWIh: gateRows(dWIh, I, Ip),
      dWHh: gateRows(dWHh, H, Hp),
      db: tape.biasLane ? gateColumn(dWIh, I, Ip) : gateRows(db, 1, 1),
      dTheta: null,
      d0: { h: new Float32Array(B * H), c: new Float32Array(B * H), a: plstm ? new Float32Array(B * H) : null },
    };
    unpackRows(ctx, dh, B, Hp, H, grads.d0.h as Float32Array, 0);
    unpackRows(ctx, dc, B, Hp, H, grads.d0.c as Float32Array, 0);
    if (plstm) {
      unpackRows(ctx, da, B, Hp, H, grads.d0.a as Float32Array, 0);
      const dTheta = new Float32Array(H); // dL/dtheta = dL/dp p (1 - p); zeros when p is fixed
      if (cfg.fixedP === null) {
        const dPv = heap.f32(dP, Hp), pv = heap.f32(pw.p, Hp);
        for (let j = 0; j < H; j++) dTheta[j] = dPv[j] * pv[j] * (1 - pv[j]);
      }
      grads.dTheta = dTheta;
    }
    return grads;
  } finally {
    scratch.reset();
    // the activations are consumed: free them now rather than waiting for the GC
    ctx.tapes.consume(tape);
  }
}
