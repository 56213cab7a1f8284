// The wasm backend's streamStep fast path (cells/fast-paths.ts), behind SequenceModel.step:
// one kernel call per layer and one for the head per batch row, weights read in place from the model's
// parameter buffer (which lives in the backend's memory), no packing and no allocation.
// The general path (the backend's sequence forward with T = 1) packs the input, copies the
// state in and out, pads and re-packs the weights and runs the head in JS: about three
// quarters of a B = 1 step. Here only the state rows are copied (H floats each way), into
// buffers that stay in wasm memory for the model's lifetime.
//
// B = batch rows, I = input width of a layer, H = hidden size, G = gates, O = head outputs.
//
// StreamingKernels, at the end, are the module's one-row step exports themselves (the
// backend's `streaming`): they read the weights and update the state in place.

import type { CellState, Float } from '../../../cells/types.js';
import { gatesOf } from '../../../cells/registry.js';
import type { StepInput, StreamModelParts, StreamStepper } from '../../../cells/fast-paths.js';
import type { WasmContext } from '../runtime/context.js';
import type { KernelExports } from '../runtime/module.js';

/** What the stepper needs of the wasm backend: its step kernels and its memory. */
export interface StepBackend {
  readonly streaming: StreamingKernels;
  alloc(length: number): Float32Array;
}

/** A model state as the stepper reads it: B rows, one CellState per layer. */
type ModelState = { B: number; layers: CellState[] };

interface LayerPlan {
  plstm: boolean;
  H: number;
  I: number;
  wIh: number; // [G*H, I]
  wHh: number; // [G*H, H]
  bias: number; // [G*H]
  theta: number; // [H] logit p, or 0 for a fixed p
  eps: number;
  z: number; // [G*H] gate pre-activations (scratch)
  state: Float32Array; // [h | c | a], [S*H] (S = 3 pLSTM, 2 LSTM): the state row resident in wasm memory
  h: Float32Array; // [H] views into `state`
  c: Float32Array; // [H]
  a: Float32Array | null; // [H] (pLSTM)
  thetaSeen: number; // [H] theta of the cached exponents (learned p), else 0
  pSeen: number; // [H] the exponents: cached sigmoid(thetaSeen), or the fixed p (pLSTM), else 0
}

export class WasmStreamStep implements StreamStepper {
  private constructor(
    private readonly k: StreamingKernels,
    private readonly input: StepInput,
    private readonly plan: LayerPlan[],
    private readonly emb: number, // [V, D] address, or -1
    private readonly x: Float32Array | null, // [I0] resident dense input row
    private readonly head: { w: number; b: number; O: number; H: number },
    private readonly out: Float32Array, // [O] resident head output row
  ) {}

  /**
   * The fast path for a model on the wasm backend, or null where it does not apply (weights
   * not in the backend's memory, a cell without step kernels, or a hidden size that is not a
   * multiple of 4): step then takes the general path.
   */
  static prepare(wb: StepBackend, parts: StreamModelParts): WasmStreamStep | null {
    const { input, layers, head, embedding: emb } = parts;
    const k = wb.streaming;
    const at = (buf: Float): number => k.addressOf(buf);
    const plan: LayerPlan[] = [];
    for (const { cfg, w } of layers) {
      const H = cfg.hiddenSize;
      if (H % 4 !== 0 || (cfg.kind !== 'plstm' && cfg.kind !== 'lstm')) return null;
      const learnedP = cfg.kind === 'plstm' && cfg.fixedP === null;
      const addrs = [at(w.wIh), at(w.wHh), at(w.b), learnedP ? at(w.theta!) : 0];
      if (addrs.some((p) => p < 0)) return null;
      const G = gatesOf(cfg.kind);
      const plstm = cfg.kind === 'plstm';
      const state = wb.alloc((plstm ? 3 : 2) * H);
      plan.push({
        plstm, H, I: cfg.inputSize,
        wIh: addrs[0], wHh: addrs[1], bias: addrs[2], theta: addrs[3],
        eps: plstm ? cfg.eps : 0,
        z: wb.alloc(G * H).byteOffset,
        state, h: state.subarray(0, H), c: state.subarray(H, 2 * H), a: plstm ? state.subarray(2 * H, 3 * H) : null,
        // the kernel recomputes p where theta differs from thetaSeen: start at theta 0, p 0.5
        thetaSeen: learnedP ? wb.alloc(H).byteOffset : 0,
        pSeen: plstm ? wb.alloc(H).fill(learnedP ? 0.5 : cfg.fixedP!).byteOffset : 0,
      });
    }
    const hw = at(head.w), hb = at(head.b);
    const embAt = emb === null ? -1 : at(emb);
    if (hw < 0 || hb < 0 || (emb !== null && embAt < 0)) return null;
    const O = head.b.length;
    const x = input.kind === 'dense' ? wb.alloc(input.size) : null;
    return new WasmStreamStep(k, input, plan, embAt, x, { w: hw, b: hb, O, H: plan[plan.length - 1].H }, wb.alloc(O));
  }

  /**
   * A quick check that state and xStep are valid for this model (the common case: float32
   * buffers of the right sizes, ids in range, finite features), without allocating. false
   * means "not sure": the caller then runs the full checks, which throw with the precise
   * message (or pass, e.g. for a float64 state, which run() handles too).
   */
  accepts(state: ModelState, xStep: unknown): boolean {
    if (typeof state !== 'object' || state === null) return false;
    const B = state.B, layers = state.layers;
    if (!(Number.isInteger(B) && B > 0) || !Array.isArray(layers) || layers.length !== this.plan.length) return false;
    for (let l = 0; l < this.plan.length; l++) {
      const s = layers[l], n = B * this.plan[l].H;
      if (typeof s !== 'object' || s === null) return false;
      if (!(s.h instanceof Float32Array && s.h.length === n && s.c instanceof Float32Array && s.c.length === n)) return false;
      if (this.plan[l].plstm && !(s.a instanceof Float32Array && s.a.length === n)) return false;
    }
    const spec = this.input;
    if (spec.kind === 'dense') {
      if (!(xStep instanceof Float32Array) || xStep.length !== B * spec.size) return false;
      for (let i = 0; i < xStep.length; i++) if (!Number.isFinite(xStep[i])) return false;
      return true;
    }
    const V = spec.kind === 'onehot' ? spec.size : spec.vocab;
    if (!(xStep instanceof Int32Array) || xStep.length !== B) return false;
    for (let i = 0; i < B; i++) if (!(xStep[i] >= 0 && xStep[i] < V)) return false;
    return true;
  }

  /**
   * One step for B rows: advances `state` in place and writes the head outputs into out
   * [B, O]. state and xStep were validated by the caller (shapes, ids in range, finite).
   */
  run(state: ModelState, xStep: Int32Array | Float32Array | Float64Array, out: Float32Array): void {
    const B = state.B;
    const { k, plan, head } = this;
    for (let b = 0; b < B; b++) {
      // layer 0 input: a token id (one-hot: column gather), an embedding row, or features
      let xPtr = 0, xId = -1;
      if (this.input.kind === 'onehot') xId = xStep[b];
      else if (this.input.kind === 'embedding') xPtr = this.emb + xStep[b] * this.input.dim * 4;
      else {
        const I = this.input.size;
        this.x!.set(B === 1 ? xStep : xStep.subarray(b * I, (b + 1) * I));
        xPtr = this.x!.byteOffset;
      }
      for (let l = 0; l < plan.length; l++) {
        const p = plan[l];
        const s = state.layers[l];
        const H = p.H;
        // one row's state: in one piece when it lies back to back as initState(1) makes it
        const block = B === 1 ? stateBlock(s, p.state.length) : null;
        if (block !== null) p.state.set(block);
        else {
          copyRow(p.h, s.h, b, H, B);
          copyRow(p.c, s.c, b, H, B);
          if (p.plstm) copyRow(p.a!, s.a!, b, H, B);
        }
        if (p.plstm) {
          k.plstmStep(H, p.I, xPtr, xId, p.wIh, p.wHh, p.bias, p.theta, p.eps, p.z,
            p.h.byteOffset, p.c.byteOffset, p.a!.byteOffset, p.thetaSeen, p.pSeen);
        } else {
          k.lstmStep(H, p.I, xPtr, xId, p.wIh, p.wHh, p.bias, p.z, p.h.byteOffset, p.c.byteOffset);
        }
        if (block !== null) block.set(p.state);
        else {
          copyBack(s.h, p.h, b, H, B);
          copyBack(s.c, p.c, b, H, B);
          if (p.plstm) copyBack(s.a!, p.a!, b, H, B);
        }
        xPtr = p.h.byteOffset; // the next layer reads this layer's new h
        xId = -1;
      }
      k.headStep(head.O, head.H, xPtr, head.w, head.b, this.out.byteOffset);
      out.set(this.out, b * head.O);
    }
  }
}

/** Views over [h | c | a] of a one-row layer state whose buffers lie back to back, by its h. */
const blocks = new WeakMap<Float, Float32Array>();

/**
 * The layer state s (one row) as one [h | c | a] view of n floats, or null when its buffers
 * are not float32 and back to back (then they are copied one by one).
 */
function stateBlock(s: { h: Float; c: Float; a: Float | null }, n: number): Float32Array | null {
  const h = s.h;
  if (!(h instanceof Float32Array)) return null;
  const H = h.length, at = h.byteOffset;
  if (s.c.buffer !== h.buffer || s.c.byteOffset !== at + 4 * H) return null;
  if (s.a !== null && (s.a.buffer !== h.buffer || s.a.byteOffset !== at + 8 * H)) return null;
  let block = blocks.get(h);
  if (block === undefined) {
    if (at + 4 * n > h.buffer.byteLength) return null;
    block = new Float32Array(h.buffer, at, n);
    blocks.set(h, block);
  }
  return block;
}

/** dst [H] = row b of src [B, H] (no subarray for B = 1: nothing allocated). */
function copyRow(dst: Float32Array, src: Float, b: number, H: number, B: number): void {
  dst.set(B === 1 ? src : src.subarray(b * H, (b + 1) * H));
}

/** Row b of dst [B, H] = src [H]. */
function copyBack(dst: Float, src: Float32Array, b: number, H: number, B: number): void {
  if (B === 1) dst.set(src);
  else dst.set(src, b * H);
}

/**
 * One-row (B = 1, T = 1) step kernels that read weights in place and update the state in
 * place (see assembly/stream-step.ts). Every pointer is a byte address in the backend's
 * memory, i.e. the `byteOffset` of a buffer from alloc(); H must be a multiple of 4.
 * No validation: the caller checks shapes once and passes addresses from addressOf.
 */
export interface StreamingKernels {
  /** The byte address of buf when it lies in this backend's memory (a view from alloc()), else -1. */
  addressOf(buf: Float): number;
  /**
   * pLSTM layer step: xId >= 0 gathers column xId of wIh [3H, I] (one-hot), else reads x [I].
   * pSeen [H]: the exponents, the fixed p in every lane or a cache of p = sigmoid(theta)
   * (thetaSeen [H]: zeros and pSeen 0.5s at first).
   */
  plstmStep: KernelExports['plstmStreamStep'];
  /** LSTM layer step, the same way (wIh [4H, I], z [4H]). */
  lstmStep: KernelExports['lstmStreamStep'];
  /** out [O] = b [O] + W [O, H] h [H]. */
  headStep: KernelExports['headStep'];
}

/** The StreamingKernels of a backend: the module's exports themselves (no wrapper per step). */
export function createStreamingKernels(ctx: WasmContext): StreamingKernels {
  return {
    addressOf: ctx.addressOf,
    plstmStep: ctx.kx.plstmStreamStep,
    lstmStep: ctx.kx.lstmStreamStep,
    headStep: ctx.kx.headStep,
  };
}
