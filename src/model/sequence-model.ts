// The sequence model: input (one-hot, embedding or dense) -> N stacked recurrent layers
// (pLSTM or LSTM) -> linear head (every step or the last) -> loss (xent or mse).
//
// B = batch, T = time, I = input size of a layer, H = hidden size, O = head outputs,
// N = output rows (B*T for head steps 'all', B for 'last'), P = number of trainable numbers.
//
// All trainable parameters live in one flat buffer [P] (and their gradients in another), in
// the backend's dtype and, when the backend has `alloc`, in its own memory (no copies per
// step). Each layer's weights are views into it, so the optimizer and clipping are one loop.
// Layout, in this order (the names are those of the model file):
//   embedding.weight [V, D]                         (embedding input only)
//   layers.<l>.weight_ih [G*H, I]  .weight_hh [G*H, H]  .bias [G*H]  .p_param [H] (learned p)
//   head.weight [O, H]  head.bias [O]
//
// Initialisation draws from one Rng(seed) in that same order: the embedding ~ N(0, 1) (as
// torch.nn.Embedding), each layer by the cells' initPlstmWeights / initLstmWeights, then the
// head ~ U(-1/sqrt(H), 1/sqrt(H)) (as torch.nn.Linear). Values are drawn in float64 and then
// stored in the model's dtype, so every backend starts from the same numbers.

import { ConfigError, ShapeError } from '../errors.js';
import type { CellConfig, CellGrads, CellState, CellWeights, DType, Float, SequenceBackend, SequenceForward } from '../cells/types.js';
import { gatesOf } from '../cells/types.js';
import { Rng } from '../cells/rng.js';
import { initLstmWeights, initPlstmWeights, lstmConfig, plstmConfig } from '../cells/init.js';
import { inputWidth, resolveConfig, type ModelConfig, type ResolvedModelConfig, type RuntimeOptions } from './config.js';
import { openBackend } from './backend.js';
import { embeddingBackward, inputForward } from './input.js';
import { headBackward, headForward } from './head.js';
import type { HeadedLayerPath, StreamStepper } from '../cells/fast-paths.js';
import { mseLoss, xentLoss } from './loss.js';
import { clipGradNorm, globalNorm } from './clip.js';
import type { Optimizer } from './optimizers.js';
import { checkBatch, checkInput, checkModelState, cloneState, type Batch, type ModelState } from './validate.js';
import { TrainingDivergedError } from '../errors.js';

/** Where one named tensor sits in the flat parameter buffer. */
export interface ParamSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** One recurrent layer at run time: its cell config and views of its weights and gradients. */
interface LayerRuntime {
  cfg: CellConfig;
  w: CellWeights; // views into params (theta: a private [H] buffer when p is fixed)
  g: { wIh: Float; wHh: Float; b: Float; theta: Float | null }; // views into grads
}

/** Scratch buffers reused from call to call (they only grow), so steps do not allocate. */
class Workspace {
  private bufs = new Map<string, Float | Float64Array>();
  constructor(private alloc: (n: number) => Float) {}

  /** A backend buffer (the dtype of the model) of at least n numbers, as a view of exactly n. */
  get(name: string, n: number): Float {
    let b = this.bufs.get(name) as Float | undefined;
    if (b === undefined || b.length < n) {
      b = this.alloc(n);
      this.bufs.set(name, b);
    }
    return b.length === n ? b : (b.subarray(0, n) as Float);
  }

  /** A float64 accumulator of at least n numbers, as a view of exactly n. */
  f64(name: string, n: number): Float64Array {
    let b = this.bufs.get(name) as Float64Array | undefined;
    if (b === undefined || b.length < n) {
      b = new Float64Array(n);
      this.bufs.set(name, b);
    }
    return b.length === n ? b : b.subarray(0, n);
  }

  clear(): void {
    this.bufs.clear();
  }
}

/** What one forward pass over a batch leaves for the loss and backward. */
interface ForwardRun {
  B: number;
  T: number;
  N: number;
  xs: Float[]; // input of each layer: [B, T, I_l]
  fwds: SequenceForward[];
  hTop: Float | null; // [N, H_top]: hSeq of the top layer ('all') or its final h ('last'); null when headed
  out: Float; // [N, O] head outputs
  headed: HeadedLayerPath | null; // the top layer ran with the head inside its kernels
}

/**
 * Whether views from backend.alloc stay valid for the model's lifetime. Views of a growing
 * non-shared WebAssembly memory are detached when it grows (their length drops to 0), so
 * weights kept there would be lost: a backend whose alloc hands out such views gets plain
 * arrays instead (it then copies them in per call, which is correct, only slower).
 */
function allocIsStable(backend: SequenceBackend): boolean {
  const probe = backend.alloc!(1);
  if (typeof SharedArrayBuffer !== 'undefined' && probe.buffer instanceof SharedArrayBuffer) return true;
  // An ordinary ArrayBuffer of exactly the probe's size is a plain typed array (the js backend).
  return probe.buffer.byteLength === probe.byteLength;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export class SequenceModel {
  /** The config with every default filled in (what the model file stores). */
  readonly config: ResolvedModelConfig;
  readonly backend: SequenceBackend;
  readonly dtype: DType;
  /** All trainable parameters [P]; layer weights are views into it. */
  readonly params: Float;
  /** Gradients [P] of the last computeGradients / trainStep, same layout as params. */
  readonly grads: Float;
  /** Name, shape and place of every tensor in params. */
  readonly slots: ParamSlot[];

  private readonly layers: LayerRuntime[];
  private readonly emb: { w: Float; g: Float } | null; // [V, D]
  private readonly head: { w: Float; b: Float; gw: Float; gb: Float }; // [O, H], [O]
  private readonly ws: Workspace;
  private readonly allocFn: (n: number) => Float;
  /** step's fast path from the backend (its streamStep): made on first need; null = general path. */
  private fastStep: StreamStepper | null | undefined;
  /** Whether dispose() releases the backend (true when the model opened it). */
  private readonly ownsBackend: boolean;
  private disposed = false;

  private constructor(config: ResolvedModelConfig, backend: SequenceBackend, ownsBackend: boolean) {
    this.config = config;
    this.backend = backend;
    this.ownsBackend = ownsBackend;
    this.dtype = backend.dtype;
    const dtype = backend.dtype;
    const plain = (n: number): Float => (dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
    this.allocFn = backend.alloc && allocIsStable(backend) ? (n) => backend.alloc!(n) : plain;
    this.ws = new Workspace(this.allocFn);

    // Cell configs (these validate H, eps, fixed p once more, with the cells' own messages).
    const cellCfgs: CellConfig[] = [];
    let I = inputWidth(config.input);
    for (const l of config.layers) {
      cellCfgs.push(l.cell === 'plstm'
        ? plstmConfig(I, l.hidden, { eps: l.eps, pInit: l.pInit })
        : lstmConfig(I, l.hidden));
      I = l.hidden;
    }
    const Htop = I;
    const O = config.head.size;

    // Layout of the flat parameter buffer.
    const slots: ParamSlot[] = [];
    let P = 0;
    const add = (name: string, shape: number[]): ParamSlot => {
      const size = shape.reduce((a, b) => a * b, 1);
      const s = { name, shape, offset: P, size };
      slots.push(s);
      P += size;
      return s;
    };
    const embSlot = config.input.kind === 'embedding'
      ? add('embedding.weight', [config.input.vocab, config.input.dim]) : null;
    const layerSlots = cellCfgs.map((c, l) => {
      const G = gatesOf(c.kind);
      const H = c.hiddenSize;
      return {
        wIh: add(`layers.${l}.weight_ih`, [G * H, c.inputSize]),
        wHh: add(`layers.${l}.weight_hh`, [G * H, H]),
        b: add(`layers.${l}.bias`, [G * H]),
        theta: c.kind === 'plstm' && c.fixedP === null ? add(`layers.${l}.p_param`, [H]) : null,
      };
    });
    const headW = add('head.weight', [O, Htop]);
    const headB = add('head.bias', [O]);
    this.slots = slots;
    this.params = this.allocFn(P);
    this.grads = this.allocFn(P);
    const pv = (s: ParamSlot): Float => this.params.subarray(s.offset, s.offset + s.size) as Float;
    const gv = (s: ParamSlot): Float => this.grads.subarray(s.offset, s.offset + s.size) as Float;

    // Seeded initialisation (float64 draws, stored in the model's dtype).
    const rng = new Rng(config.seed);
    this.emb = null;
    if (embSlot !== null) {
      const w = pv(embSlot);
      for (let i = 0; i < w.length; i++) w[i] = rng.normal();
      this.emb = { w, g: gv(embSlot) };
    }
    this.layers = cellCfgs.map((cfg, l) => {
      const spec = config.layers[l];
      const init = spec.cell === 'plstm'
        ? initPlstmWeights(cfg, rng, spec.pInit, 'float64')
        : initLstmWeights(cfg, rng, { forgetBias: spec.forgetBias, chrono: spec.chrono }, 'float64');
      const s = layerSlots[l];
      const w: CellWeights = { wIh: pv(s.wIh), wHh: pv(s.wHh), b: pv(s.b), theta: null };
      w.wIh.set(init.wIh);
      w.wHh.set(init.wHh);
      w.b.set(init.b);
      if (cfg.kind === 'plstm') {
        // A fixed p is not trained: its theta (logit p, never read) sits outside params.
        w.theta = s.theta !== null ? pv(s.theta) : this.allocFn(cfg.hiddenSize);
        w.theta.set(init.theta!);
      }
      return {
        cfg, w,
        g: { wIh: gv(s.wIh), wHh: gv(s.wHh), b: gv(s.b), theta: s.theta !== null ? gv(s.theta) : null },
      };
    });
    const hw = pv(headW);
    const hb = pv(headB);
    const bound = 1 / Math.sqrt(Htop);
    for (let i = 0; i < hw.length; i++) hw[i] = rng.range(-bound, bound);
    for (let i = 0; i < hb.length; i++) hb[i] = rng.range(-bound, bound);
    this.head = { w: hw, b: hb, gw: gv(headW), gb: gv(headB) };
  }

  /** Builds a model with seeded initial weights; throws ConfigError on an invalid config. */
  static create(config: ModelConfig, runtime: RuntimeOptions = {}): SequenceModel {
    const resolved = resolveConfig(config);
    const backend = openBackend(runtime);
    try {
      return new SequenceModel(resolved, backend, true);
    } catch (err) {
      backend.dispose?.();
      throw err;
    }
  }

  /**
   * Builds a model on a backend the caller made (tests, custom backends). The caller keeps
   * ownership: dispose() leaves that backend alone.
   */
  static createOn(config: ModelConfig, backend: SequenceBackend): SequenceModel {
    return new SequenceModel(resolveConfig(config), backend, false);
  }

  /** P: the number of trainable numbers. */
  get parameterCount(): number {
    return this.params.length;
  }

  /** A view of one named tensor of params (e.g. 'layers.0.weight_hh'); writes go into the model. */
  parameter(name: string): Float {
    const s = this.slots.find((x) => x.name === name);
    if (s === undefined) throw new ConfigError(`no parameter named ${JSON.stringify(name)}`);
    return this.params.subarray(s.offset, s.offset + s.size) as Float;
  }

  /** A zeroed buffer in the model's dtype and memory (what optimizers keep their state in). */
  alloc(length: number): Float {
    return this.allocFn(length);
  }

  /** Zero state (h = c = 0, age 0) for B rows. */
  initState(B: number): ModelState {
    if (!(Number.isInteger(B) && B > 0)) throw new ShapeError(`state batch size B must be a positive integer, got ${B}`);
    const mk = (n: number): Float => (this.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
    return {
      B,
      layers: this.layers.map((l) => {
        // h, c (and a) of a layer back to back in one buffer: a B = 1 streaming step then
        // copies the layer's state in and out in one piece (streaming.ts)
        const n = B * l.cfg.hiddenSize;
        const plstm = l.cfg.kind === 'plstm';
        const block = mk((plstm ? 3 : 2) * n); // [h | c | a]
        return { h: block.subarray(0, n), c: block.subarray(n, 2 * n), a: plstm ? block.subarray(2 * n, 3 * n) : null };
      }),
    };
  }

  /** The exponents p per pLSTM layer: sigmoid(theta) when learned, else the fixed p. */
  pSummary(): { layer: number; p: Float64Array }[] {
    const out: { layer: number; p: Float64Array }[] = [];
    this.layers.forEach((l, i) => {
      if (l.cfg.kind !== 'plstm') return;
      const H = l.cfg.hiddenSize;
      const p = new Float64Array(H);
      for (let j = 0; j < H; j++) p[j] = l.cfg.fixedP !== null ? l.cfg.fixedP : sigmoid(l.w.theta![j]);
      out.push({ layer: i, p });
    });
    return out;
  }

  // ----- forward / backward over whole sequences

  private checkAlive(): void {
    if (this.disposed) throw new ConfigError('this model was disposed');
  }

  /**
   * The backend's layer-with-head pass when the head reads every step of the top layer and
   * the backend accepts the size (the head then never needs the layer's [B, T, H] output).
   */
  private headedTop(N: number, H: number, O: number): HeadedLayerPath | null {
    const headed = this.backend.headedLayer;
    if (this.config.head.steps !== 'all' || headed === undefined || !headed.accepts(N, H, O)) return null;
    return headed;
  }

  /** Runs input stage, layers and head. x was validated. s0: initial state or null (zeros). */
  private forward(x: Int32Array | Float32Array | Float64Array, B: number, T: number, s0: ModelState | null,
    needTape: boolean): ForwardRun {
    const I0 = inputWidth(this.config.input);
    const x0 = this.ws.get('x0', B * T * I0); // [B, T, I0]
    inputForward(this.config.input, x0, x, B * T, this.emb?.w ?? null);
    const xs: Float[] = [x0];
    const fwds: SequenceForward[] = [];
    const all = this.config.head.steps === 'all';
    const N = all ? B * T : B;
    const O = this.config.head.size;
    const Htop = this.layers[this.layers.length - 1].cfg.hiddenSize;
    const out = this.ws.get('out', N * O); // [N, O]
    const headed = this.headedTop(N, Htop, O);
    let cur = x0;
    this.layers.forEach((l, i) => {
      const s = s0 === null ? null : s0.layers[i];
      if (headed !== null && i === this.layers.length - 1) {
        fwds.push(headed.forward(l.cfg, l.w, cur, B, T, s, needTape, { W: this.head.w, b: this.head.b, O }, out));
        return;
      }
      const hSeqOut = this.ws.get(`hSeq${i}`, B * T * l.cfg.hiddenSize); // [B, T, H], reused batch to batch
      const f = this.backend.forward(l.cfg, l.w, cur, B, T, s, needTape, hSeqOut);
      fwds.push(f);
      cur = f.hSeq; // [B, T, H]
      if (i + 1 < this.layers.length) xs.push(cur);
    });
    if (headed !== null) return { B, T, N, xs, fwds, hTop: null, out, headed };
    const hTop = all ? cur : fwds[fwds.length - 1].final.h; // [N, H_top]
    if (!this.backend.linearHead?.forward(out, hTop, this.head.w, this.head.b, N, Htop, O)) {
      headForward(out, hTop, this.head.w, this.head.b, N, Htop, O);
    }
    return { B, T, N, xs, fwds, hTop, out, headed: null };
  }

  private lossOf(run: ForwardRun, batch: Batch, weights: Float32Array | null, sumW: number,
    dOut: Float | null): number {
    const O = this.config.head.size;
    if (this.config.loss === 'mse') return mseLoss(run.out, batch.y as Float32Array, weights, run.N, O, sumW, dOut);
    const y = batch.y as Int32Array;
    const fast = this.backend.softmaxXent?.loss(run.out, y, weights, run.N, O, sumW, dOut) ?? null;
    return fast ?? xentLoss(run.out, y, weights, run.N, O, sumW, dOut);
  }

  /** A detached copy of the final states (the backend may reuse its own buffers). */
  private finalState(run: ForwardRun): ModelState {
    return cloneState({ B: run.B, layers: run.fwds.map((f) => f.final) });
  }

  private checkStateArg(state: ModelState | null | undefined, B: number): ModelState | null {
    if (state === null || state === undefined) return null;
    checkModelState(this.config, state, B);
    return state;
  }

  /**
   * Loss and gradients of one batch, written into `grads` (params are not changed).
   * opts.state: initial state (carried from the previous batch for truncated BPTT); no
   * gradient flows into it. Returns the loss and the final state (detached copies).
   */
  computeGradients(batch: Batch, opts: { state?: ModelState | null } = {}): { loss: number; state: ModelState } {
    this.checkAlive();
    const { B, T, N, weights, sumW } = checkBatch(this.config, batch);
    const s0 = this.checkStateArg(opts.state, B);
    const run = this.forward(batch.x, B, T, s0, true);
    const O = this.config.head.size;
    const dOut = this.ws.get('dOut', N * O); // [N, O]
    const loss = this.lossOf(run, batch, weights, sumW, dOut);

    // Head backward: dW, db in float64, then stored into grads; with a headed top layer, in
    // that layer's backward. Then the layers, top to bottom; the head reads every step ('all')
    // or only the final h ('last').
    const top = this.layers[this.layers.length - 1];
    const Htop = top.cfg.hiddenSize;
    const dW = this.ws.f64('dHeadW', O * Htop); // [O, H]
    const db = this.ws.f64('dHeadB', O); // [O]
    const all = this.config.head.steps === 'all';
    // dL/dx of the first layer feeds only an embedding (one-hot and dense inputs get none)
    const needDx = (i: number) => i > 0 || this.emb !== null;
    const keep = (l: LayerRuntime, g: CellGrads) => {
      l.g.wIh.set(g.dWIh);
      l.g.wHh.set(g.dWHh);
      l.g.b.set(g.db);
      if (l.g.theta !== null) l.g.theta.set(g.dTheta!);
    };
    let dhSeq: Float | null;
    let dFinal: Partial<CellState> | null = null;
    let i = this.layers.length - 1;
    if (run.headed !== null) {
      const g = run.headed.backward(top.cfg, top.w, run.xs[i], run.fwds[i], { W: this.head.w, b: this.head.b, O },
        dOut, dW, db, null, needDx(i));
      keep(top, g);
      dhSeq = g.dx; // [B, T, I_top] = dL/dh of the layer below
      i--;
    } else {
      const dhTop = this.ws.get('dhTop', N * Htop); // [N, H]
      if (!this.backend.linearHead?.backward(dOut, run.hTop!, this.head.w, dW, db, dhTop, N, Htop, O)) {
        headBackward(dOut, run.hTop!, this.head.w, dW, db, dhTop, N, Htop, O);
      }
      dhSeq = all ? dhTop : null;
      dFinal = all ? null : { h: dhTop };
    }
    this.head.gw.set(dW);
    this.head.gb.set(db);
    for (; i >= 0; i--) {
      const l = this.layers[i];
      const g = this.backend.backward(l.cfg, l.w, run.xs[i], run.fwds[i], dhSeq, dFinal, needDx(i));
      keep(l, g);
      dhSeq = g.dx; // [B, T, I_l] = dL/dh of the layer below
      dFinal = null;
    }
    if (this.emb !== null) {
      const D = this.emb.w.length / (this.config.input as { vocab: number }).vocab;
      const acc = this.ws.f64('dEmb', this.emb.g.length); // [V, D]
      acc.fill(0);
      embeddingBackward(acc, dhSeq!, batch.x as Int32Array, B * T, D);
      this.emb.g.set(acc);
    }
    return { loss, state: this.finalState(run) };
  }

  /**
   * One optimisation step: loss and gradients of the batch, optional clipping by global norm
   * (opts.clip = max norm, as torch.nn.utils.clip_grad_norm_), then the optimizer's update.
   * Returns the loss (before the update), the gradient norm before clipping, and the final
   * state (detached, to carry into the next batch for truncated BPTT).
   * Throws TrainingDivergedError, leaving the weights untouched, when the loss or the
   * gradient is not finite.
   */
  trainStep(batch: Batch, opt: Optimizer, opts: { clip?: number; state?: ModelState | null } = {})
    : { loss: number; gradNorm: number; state: ModelState } {
    const clip = opts.clip;
    if (clip !== undefined && !(Number.isFinite(clip) && clip > 0)) {
      throw new ConfigError(`clip (max gradient norm) must be a number > 0, got ${String(clip)}`);
    }
    const { loss, state } = this.computeGradients(batch, { state: opts.state });
    const gradNorm = clip !== undefined ? clipGradNorm(this.grads, clip) : globalNorm(this.grads);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      throw new TrainingDivergedError(
        `training diverged: loss ${loss}, gradient norm ${gradNorm}; lower the learning rate or set a clip norm`);
    }
    opt.step(this.params, this.grads, this.allocFn);
    return { loss, gradNorm, state };
  }

  /**
   * Loss and outputs of a batch without training. outputs: the head's raw outputs (logits
   * for xent), Float32Array [B, T, O] ('all') or [B, O] ('last'); state: the final state.
   */
  evaluate(batch: Batch, opts: { state?: ModelState | null } = {})
    : { loss: number; outputs: Float32Array; state: ModelState } {
    this.checkAlive();
    const { B, T, weights, sumW } = checkBatch(this.config, batch);
    const s0 = this.checkStateArg(opts.state, B);
    const run = this.forward(batch.x, B, T, s0, false);
    const loss = this.lossOf(run, batch, weights, sumW, null);
    return { loss, outputs: Float32Array.from(run.out), state: this.finalState(run) };
  }

  /**
   * The head's outputs for x (ids [B, T] or features [B, T, I]) from `state` (null = zeros;
   * not modified): Float32Array [B, T, O] ('all') or [B, O] ('last').
   */
  predict(x: Int32Array | Float32Array | Float64Array, B: number, T: number, state: ModelState | null = null): Float32Array {
    this.checkAlive();
    for (const [v, n] of [[B, 'B'], [T, 'T']] as const) {
      if (!(Number.isInteger(v) && v > 0)) throw new ShapeError(`predict ${n} must be a positive integer, got ${v}`);
    }
    checkInput(this.config, x, [['B', B], ['T', T]]);
    const s0 = this.checkStateArg(state, B);
    return Float32Array.from(this.forward(x, B, T, s0, false).out);
  }

  // ----- streaming

  /**
   * Streaming inference: advances `state` (B rows, updated in place) by one time step with
   * xStep (ids [B] or features [B, I]) and returns the head's outputs for that step [B, O].
   * Running T steps gives what predict gives for the whole sequence (steps 'all'), step by step.
   * On the wasm backend (hidden sizes multiples of 4) a fused one-row kernel path runs
   * (streaming.ts); it agrees with predict to float32 rounding. The returned array is new.
   */
  step(state: ModelState, xStep: Int32Array | Float32Array | Float64Array): Float32Array {
    this.checkAlive();
    if (this.fastStep === undefined) {
      this.fastStep = this.backend.streamStep?.prepare({
        input: this.config.input, embedding: this.emb?.w ?? null, layers: this.layers,
        head: { w: this.head.w, b: this.head.b },
      }) ?? null;
    }
    const fast = this.fastStep;
    // the fast path's allocation-free check covers the common case; anything else gets the
    // full checks (which throw the precise error)
    if (fast === null || !fast.accepts(state, xStep)) {
      checkModelState(this.config, state, state?.B);
      checkInput(this.config, xStep, [['B', state.B]]);
    }
    const B = state.B;
    if (fast !== null) {
      const out = new Float32Array(B * this.config.head.size); // [B, O]
      fast.run(state, xStep, out);
      return out;
    }
    const I0 = inputWidth(this.config.input);
    const x0 = this.ws.get('stepX', B * I0); // [B, I0]
    inputForward(this.config.input, x0, xStep, B, this.emb?.w ?? null);
    let cur: Float = x0;
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i];
      const s = state.layers[i];
      const f = this.backend.forward(l.cfg, l.w, cur, B, 1, s, false);
      s.h.set(f.final.h);
      s.c.set(f.final.c);
      if (s.a !== null) s.a.set(f.final.a!);
      cur = s.h; // [B, H]: the next layer's input for this step
    }
    const O = this.config.head.size;
    const out = this.ws.get('stepOut', B * O); // [B, O]
    headForward(out, cur, this.head.w, this.head.b, B, this.layers[this.layers.length - 1].cfg.hiddenSize, O);
    return Float32Array.from(out);
  }

  /**
   * Releases the backend the model opened (worker threads, memory). The model cannot be
   * used afterwards. Safe to call twice.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ws.clear();
    this.fastStep = null;
    if (this.ownsBackend) this.backend.dispose?.();
  }
}
