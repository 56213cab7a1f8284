// The wasm backend's forward pass over a sequence: packs the input and the weights into the
// kernels' layout, runs the fused time loop (plstmForward / lstmForward) with the batch rows
// split over the threads (rows are independent through all steps: no barrier inside the
// loop), and unpacks h and the final state. With needTape it keeps the activations for
// backward in blocks of their own (a WasmTape); with a head, the head's logits are formed
// from the time-major h here and h itself is never unpacked (HeadedLayer).
import { type CellConfig, type CellState, type CellWeights, type Float,
  type SequenceForward } from '../../../cells/types.js';
import { ConfigError } from '../../../errors.js';
import { checkOutput, checkSequence } from '../../../cells/validate.js';
import { checkConfig, checkState, checkWeights, gatesOf } from '../../../cells/registry.js';
import type { KernelJob } from '../runtime/pool.js';
import { keptList, type Blocks } from '../memory/scratch-arena.js';
import type { WasmContext } from '../runtime/context.js';
import { checkHead, headLogits, type StepHead } from './step-head.js';
import type { WasmTape } from '../memory/tape.js';
import { packWeights } from './packed-weights.js';
import { oneHotPositions, packTimeMajorAt, roundUp4, staged, unpackRows, unpackTimeMajor,
  writeState } from './relayout.js';
import { rowShares } from '../runtime/work-shares.js';

/** SequenceBackend.forward, and with `head` the headed layer's forward (HeadedLayer). */
export function runForward(ctx: WasmContext, cfg: CellConfig, w: CellWeights, x: Float, B: number, T: number,
  s0: CellState | null, needTape: boolean, hSeqOut: Float | undefined,
  head: { head: StepHead; out: Float } | null): SequenceForward {
  const { kx, heap, pool, scratch } = ctx;
  ctx.live();
  checkConfig(cfg);
  if (cfg.kind !== 'plstm' && cfg.kind !== 'lstm') {
    throw new ConfigError(`the wasm kernels run the "plstm" and "lstm" cells only, not ${JSON.stringify(cfg.kind)}: use backend "js" for this cell`);
  }
  checkWeights(cfg, w);
  checkSequence(cfg, x, B, T);
  if (s0) checkState(cfg, s0, B, 'initial state', false);
  if (hSeqOut !== undefined) checkOutput(hSeqOut, 'float32', B * T * cfg.hiddenSize);
  if (head) checkHead(head.head, cfg.hiddenSize, head.out, B * T, 'out');
  const plstm = cfg.kind === 'plstm';
  const G = gatesOf(cfg.kind), H = cfg.hiddenSize, I = cfg.inputSize, Hp = roundUp4(H), Ip = roundUp4(I);
  const GHp = G * Hp;
  const kept: number[] = []; // freed with the tape
  const tapeList: Blocks = needTape ? keptList(heap, kept) : scratch;
  try {
    const pw = packWeights(ctx, cfg, w, scratch);
    // For batches, W_ih^T and W_hh^T make the per-step products register-blocked NN GEMMs
    // (not worth the transposes for a few rows: a streaming step reads W in place). When I
    // is not a multiple of 4, input lane I is a free pad: it holds a constant 1 and row I of
    // W_ih^T the bias, so the input product adds the bias (and backward gets db from dW_ih).
    const batch = B * T >= 16;
    // One-hot inputs (every row of x a single 1): the input part of a step is a row gather
    // of W_ih^T and dW_ih a scatter of dz rows, instead of GEMMs with K = I (copy task,
    // character models: 10-20% of a training batch). x then is not copied at all.
    const xAt = staged(ctx, x, scratch); // [B, T, I] in wasm memory (in place when x is ours)
    const ids = batch ? oneHotPositions(ctx, xAt, B, T, I, tapeList) : 0; // [T, B] i32
    const xPtr = ids === 0 ? packTimeMajorAt(ctx, xAt, B, T, I, Ip, tapeList) : 0; // [T, B, Ip]
    const biasLane = batch && I < Ip && ids === 0;
    let wIhT = 0, wHhT = 0;
    if (batch) {
      wIhT = scratch.take(Ip * GHp * 4);
      kx.transpose(GHp, Ip, pw.wIh, wIhT);
      wHhT = scratch.take(Hp * GHp * 4);
      kx.transpose(GHp, Hp, pw.wHh, wHhT);
    }
    if (biasLane) {
      kx.fillColumn(T * B, Ip, I, 1, xPtr);
      heap.f32(wIhT + I * GHp * 4, GHp).set(heap.f32(pw.bias, GHp));
    }
    const biasArg = biasLane ? 0 : pw.bias;
    const block = (floats: number, list: Blocks) => list.take(floats * 4);
    const steps = needTape ? T : 1; // time blocks of act, c, a, f kept
    const act = block(steps * B * GHp, tapeList); // [T, B, G*Hp] or [B, G*Hp]
    const hbuf = block((T + 1) * B * Hp, tapeList); // [T+1, B, Hp]
    const sBlocks = needTape ? T + 1 : 1;
    const cbuf = block(sBlocks * B * Hp, tapeList); // [T+1, B, Hp] or [B, Hp]
    const abuf = plstm ? block(sBlocks * B * Hp, tapeList) : 0;
    const fbuf = plstm ? block(steps * B * Hp, tapeList) : 0; // [T, B, Hp] or [B, Hp]
    writeState(ctx, hbuf, B, Hp, H, Hp, s0?.h);
    writeState(ctx, cbuf, B, Hp, H, Hp, s0?.c);
    if (plstm) writeState(ctx, abuf, B, Hp, H, Hp, s0?.a);

    const jobs: KernelJob[] = rowShares(ctx, B, 2 * B * T * GHp * (Hp + Ip)).map(([b0, b1]) => {
      const Bc = b1 - b0;
      const at = (ptr: number, rowFloats: number) => (ptr === 0 ? 0 : ptr + b0 * rowFloats * 4);
      // with a tape, each share forms a step's pre-activations in a block of its own that
      // stays in cache (see plstm-forward.ts); without one, act itself is that block
      const zs = needTape ? scratch.take(Bc * GHp * 4) : 0; // [Bc, G*Hp]
      return plstm
        ? { fn: 'plstmForward', args: [Bc, B, T, Ip, Hp, at(xPtr, Ip), at(ids, 1), pw.wIh, wIhT, pw.wHh, wHhT, biasArg,
          pw.p, cfg.eps, at(act, GHp), at(hbuf, Hp), at(cbuf, Hp), at(abuf, Hp), at(fbuf, Hp), needTape ? 1 : 0, zs] }
        : { fn: 'lstmForward', args: [Bc, B, T, Ip, Hp, at(xPtr, Ip), at(ids, 1), pw.wIh, wIhT, pw.wHh, wHhT, biasArg,
          at(act, GHp), at(hbuf, Hp), at(cbuf, Hp), needTape ? 1 : 0, zs] };
    });
    pool.run(jobs, kx);
    const hSeq = head === null // [B, T, H], or nothing when the head consumes it here
      ? unpackTimeMajor(ctx, hbuf + B * Hp * 4, B, T, H, Hp, hSeqOut as Float32Array | undefined)
      : (headLogits(ctx, head.head, head.out, B, T, H, Hp, hbuf + B * Hp * 4), new Float32Array(0));
    const lastSlot = needTape ? T * B * Hp * 4 : 0;
    const final: CellState = {
      h: new Float32Array(B * H), c: new Float32Array(B * H), a: plstm ? new Float32Array(B * H) : null,
    };
    unpackRows(ctx, hbuf + T * B * Hp * 4, B, Hp, H, final.h as Float32Array, 0);
    unpackRows(ctx, cbuf + lastSlot, B, Hp, H, final.c as Float32Array, 0);
    if (plstm) unpackRows(ctx, abuf + lastSlot, B, Hp, H, final.a as Float32Array, 0);
    let tape: WasmTape | null = null;
    if (needTape) {
      tape = {
        kind: 'wasm-tape', cell: cfg.kind as 'plstm' | 'lstm', B, T, I, H, Ip, Hp, act, hbuf, cbuf, abuf, fbuf, x: xPtr, ids, biasLane,
        owned: kept, freed: false,
        bytes: 4 * (B * T * GHp + 2 * B * (T + 1) * Hp + B * T * (ids === 0 ? Ip : 1)
          + (plstm ? B * (T + 1) * Hp + B * T * Hp : 0)),
      };
    }
    const result: SequenceForward = { hSeq, final, tape };
    // freed when backward has run, or when the tape becomes garbage (a forward whose
    // backward never comes)
    if (tape) ctx.tapes.watch(tape);
    return result;
  } catch (e) {
    for (const p of kept) heap.freeBytes(p);
    throw e;
  } finally {
    scratch.reset();
  }
}
