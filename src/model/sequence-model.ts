// The sequence model: input (one-hot, embedding or dense) -> N stacked recurrent layer units
// (recurrent-layer.ts: pLSTM, LSTM or a registered cell; forward, reversed or bidirectional;
// dropout on their outputs) -> linear head (every step or the last) -> loss (xent or mse).
// The model runs on any backend and never asks which: fast paths are the backend's optional
// capabilities (cells/fast-paths.ts), each with the reference code here as its definition.
//
// B = batch, T = time, I = input size of a layer, H = hidden size, W = a layer's output width
// (H, or 2H bidirectional), O = head outputs, N = output rows (B*T for head steps 'all', B for
// 'last'), P = number of trainable numbers.
// Elsewhere: the parameters' flat buffer, layout and seeded init (parameters.ts), the reusable
// scratch (workspace.ts), trace() (trace.ts), what predict/trace/step read (run-input.ts).

import { ConfigError, ShapeError, TrainingDivergedError } from '../errors.js';
import type { CellState, DType, Float } from '../cells/types.js';
import type { SequenceBackend } from '../cells/sequence-backend.js';
import { Rng, deriveSeed } from '../cells/rng.js';
import { inputWidth, resolveConfig, type ModelConfig, type ResolvedModelConfig, type RuntimeOptions } from './config.js';
import type { LayerUnit, RecurrentLayer, UnitRun } from './recurrent-layer.js';
import { traceModel, unitStates, type ModelTrace } from './trace.js';
import { buildParameters, type ParamSlot } from './parameters.js';
import { modelAllocator, Workspace } from './workspace.js';
import { openBackend } from './backend.js';
import { embeddingBackward, inputForward } from './input.js';
import { headBackward, headForward } from './head.js';
import type { HeadedLayerPath, StreamStepper } from '../cells/fast-paths.js';
import { mseLoss, pinballLoss, xentLoss } from './loss.js';
import { clipGradNorm, globalNorm } from './clip.js';
import type { Optimizer } from './optimizers.js';
import { checkBatch, checkInput, checkModelState } from './validate.js';
import type { Batch } from './batch.js';
import { cloneState, type ModelState } from './model-state.js';
import { isPositiveInt } from '../cells/bounds.js';
import { checkRunShape, checkStepArgs, legacyStepArgs, runArgs, type Input, type RunOptions, type SequenceInput, type StepOptions, type StreamInput } from './run-input.js';

export type { SequenceInput, RunOptions, StreamInput, StepOptions } from './run-input.js';
export type { ParamSlot } from './parameters.js';

/** What one forward pass over a batch leaves for the loss and backward. */
interface ForwardRun {
  B: number;
  T: number;
  N: number;
  xs: Float[]; // input of each unit: [B, T, I_l] (after the dropout of the unit below)
  runs: UnitRun[];
  /** Per unit: its dropout mask ([B, T, W], or [B, W] on the top unit of a 'last' head), or null. */
  masks: (Float | null)[];
  hTop: Float | null; // [N, W_top]: the head's input (after dropout); null when headed
  out: Float; // [N, O] head outputs
  headed: HeadedLayerPath | null; // the top layer ran with the head inside its kernels
}

/** Model seed and call counter -> the seed of one call's dropout masks (a stream of its own). */
function dropoutSeed(seed: number, call: number): number {
  return deriveSeed(Math.trunc(seed), call, 0xd20f);
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

  /** The recurrent layer units, bottom to top. */
  private readonly units: LayerUnit[];
  /** Every direction of every unit in state order (ModelState.layers). */
  private readonly directions: RecurrentLayer[];
  private readonly emb: { w: Float; g: Float } | null; // [V, D]
  private readonly head: { w: Float; b: Float; gw: Float; gb: Float }; // [O, W_top], [O]
  /** Training calls so far: numbers each call's dropout masks. */
  private dropoutCalls = 0;
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
    this.allocFn = modelAllocator(backend);
    this.ws = new Workspace(this.allocFn);
    const p = buildParameters(config, this.allocFn);
    this.slots = p.slots;
    this.params = p.params;
    this.grads = p.grads;
    this.emb = p.emb;
    this.directions = p.directions;
    this.units = p.units;
    this.head = p.head;
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

  /** Zero state (h = c = 0, age 0) for B rows: one entry per direction of each layer. */
  initState(B: number): ModelState {
    if (!isPositiveInt(B)) throw new ShapeError(`state batch size B must be a positive integer, got ${B}`);
    const mk = (n: number): Float => (this.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n));
    return {
      B,
      layers: this.directions.map((d) => {
        // h, c (and a) of a layer back to back in one buffer: a B = 1 streaming step then
        // copies the layer's state in and out in one piece (the wasm stream step)
        const n = B * d.hidden;
        const age = d.descriptor.hasAge;
        const block = mk((age ? 3 : 2) * n); // [h | c | a]
        return { h: block.subarray(0, n), c: block.subarray(n, 2 * n), a: age ? block.subarray(2 * n, 3 * n) : null };
      }),
    };
  }

  /**
   * The exponents p per pLSTM layer: sigmoid(theta) when learned, else the fixed p. A
   * bidirectional layer lists its forward units first, then its reversed ones.
   */
  pSummary(): { layer: number; p: Float64Array }[] {
    const out: { layer: number; p: Float64Array }[] = [];
    this.units.forEach((u, i) => {
      if (u.dirs[0].cfg.kind !== 'plstm') return;
      const p = new Float64Array(u.width);
      let col = 0;
      for (const d of u.dirs) {
        for (let j = 0; j < d.hidden; j++) p[col + j] = d.cfg.fixedP !== null ? d.cfg.fixedP : sigmoid(d.w.theta![j]);
        col += d.hidden;
      }
      out.push({ layer: i, p });
    });
    return out;
  }

  // ----- forward / backward over whole sequences
  private checkAlive(): void {
    if (this.disposed) throw new ConfigError('this model was disposed');
  }

  private get top(): LayerUnit {
    return this.units[this.units.length - 1];
  }

  /**
   * The backend's layer-with-head pass when the head reads every step of a plain top layer
   * (one forward direction, no dropout) and the backend accepts the size: the head then never
   * needs the layer's [B, T, H] output.
   */
  private headedTop(N: number, H: number, O: number): HeadedLayerPath | null {
    const headed = this.backend.headedLayer;
    if (this.config.head.steps !== 'all' || headed === undefined || !this.top.plain || this.top.dropout > 0) return null;
    return headed.accepts(N, H, O) ? headed : null;
  }

  /** The initial states of unit i's directions (null = zeros). */
  private unitStates(s0: ModelState | null, i: number): (CellState | null)[] {
    return unitStates(this.directions, this.units[i], s0);
  }

  /** out = x * mask with a fresh inverted-dropout mask of rate `rate` drawn from rng (both [n]). */
  private dropout(name: string, x: Float, n: number, rate: number, rng: Rng): { y: Float; mask: Float } {
    const mask = this.ws.get(`${name}.mask`, n);
    const y = this.ws.get(`${name}.drop`, n);
    const keep = 1 / (1 - rate);
    for (let i = 0; i < n; i++) {
      mask[i] = rng.uniform() < rate ? 0 : keep;
      y[i] = x[i] * mask[i];
    }
    return { y, mask };
  }

  /**
   * Runs input stage, layers and head. x was validated. s0: initial state or null (zeros).
   * drop: the generator of this call's dropout masks (training), or null (no dropout).
   */
  private forward(x: Int32Array | Float32Array | Float64Array, B: number, T: number, s0: ModelState | null,
    needTape: boolean, drop: Rng | null): ForwardRun {
    const I0 = inputWidth(this.config.input);
    const x0 = this.ws.get('x0', B * T * I0); // [B, T, I0]
    inputForward(this.config.input, x0, x, B * T, this.emb?.w ?? null);
    const xs: Float[] = [x0];
    const runs: UnitRun[] = [];
    const masks: (Float | null)[] = [];
    const all = this.config.head.steps === 'all';
    const N = all ? B * T : B;
    const O = this.config.head.size;
    const top = this.top;
    const Wtop = top.width;
    const out = this.ws.get('out', N * O); // [N, O]
    const headed = this.headedTop(N, Wtop, O);
    const last = this.units.length - 1;
    let cur = x0;
    for (let i = 0; i <= last; i++) {
      const u = this.units[i];
      if (headed !== null && i === last) {
        const d = u.dirs[0];
        const fwd = headed.forward(d.cfg, d.w, cur, B, T, { W: this.head.w, b: this.head.b, O }, out,
          { state: this.unitStates(s0, i)[0], needTape });
        runs.push({ dirs: [{ fwd, x: cur }], out: fwd.hSeq, finals: [fwd.final] });
        masks.push(null);
        return { B, T, N, xs, runs, masks, hTop: null, out, headed };
      }
      const run = u.forward(this.backend, cur, B, T, this.unitStates(s0, i), needTape, (k, n) => this.ws.get(k, n));
      runs.push(run);
      let next: Float = i < last || all ? run.out : u.finalH(run, B, this.ws.get('hLast', B * Wtop)); // [B, T, W] or [B, W]
      let mask: Float | null = null;
      if (drop !== null && u.dropout > 0) {
        ({ y: next, mask } = this.dropout(u.key, next, next.length, u.dropout, drop));
      }
      masks.push(mask);
      cur = next;
      if (i < last) xs.push(cur);
    }
    const hTop = cur; // [N, W_top]
    if (!this.backend.linearHead?.forward(out, hTop, this.head.w, this.head.b, N, Wtop, O)) {
      headForward(out, hTop, this.head.w, this.head.b, N, Wtop, O);
    }
    return { B, T, N, xs, runs, masks, hTop, out, headed: null };
  }

  private lossOf(run: ForwardRun, batch: Batch, weights: Float32Array | null, sumW: number,
    dOut: Float | null): number {
    const O = this.config.head.size;
    if (this.config.loss === 'mse') return mseLoss(run.out, batch.y as Float32Array, weights, run.N, O, sumW, dOut);
    if (this.config.loss === 'pinball') {
      return pinballLoss(run.out, batch.y as Float32Array, this.config.quantiles!, weights, run.N, O, sumW, dOut);
    }
    const y = batch.y as Int32Array;
    const fast = this.backend.softmaxXent?.loss(run.out, y, weights, run.N, O, sumW, dOut) ?? null;
    return fast ?? xentLoss(run.out, y, weights, run.N, O, sumW, dOut);
  }

  /** A detached copy of the final states (the backend may reuse its own buffers). */
  private finalState(run: ForwardRun): ModelState {
    return cloneState({ B: run.B, layers: run.runs.flatMap((r) => r.finals) });
  }

  private checkStateArg(state: ModelState | null | undefined, B: number): ModelState | null {
    if (state === null || state === undefined) return null;
    checkModelState(this.config, state, B);
    return state;
  }

  /**
   * Loss and gradients of one batch, written into `grads` (params are not changed).
   * opts.state: initial state (carried from the previous batch for truncated BPTT); no
   * gradient flows into it. opts.dropoutSeed: draw this call's dropout masks from this seed
   * (the same seed gives the same masks; tests of the gradient use it); by default each call
   * draws new masks from the model's seed and a call counter. Returns the loss and the final
   * state (detached copies).
   */
  computeGradients(batch: Batch, opts: { state?: ModelState | null; dropoutSeed?: number } = {}): { loss: number; state: ModelState } {
    this.checkAlive();
    const { B, T, N, weights, sumW } = checkBatch(this.config, batch);
    const s0 = this.checkStateArg(opts.state, B);
    const drop = this.units.some((u) => u.dropout > 0)
      ? new Rng(opts.dropoutSeed ?? dropoutSeed(this.config.seed, this.dropoutCalls++)) : null;
    const run = this.forward(batch.x, B, T, s0, true, drop);
    const O = this.config.head.size;
    const dOut = this.ws.get('dOut', N * O); // [N, O]
    const loss = this.lossOf(run, batch, weights, sumW, dOut);

    // Head backward: dW, db in float64, then stored into grads; with a headed top layer, in
    // that layer's backward. Then the units, top to bottom; the head reads every step ('all')
    // or only the final h ('last').
    const Wtop = this.top.width;
    const dW = this.ws.f64('dHeadW', O * Wtop); // [O, W]
    const db = this.ws.f64('dHeadB', O); // [O]
    const all = this.config.head.steps === 'all';
    const scratch = (k: string, n: number) => this.ws.get(k, n);
    // dL/dx of the first layer feeds only an embedding (one-hot and dense inputs get none)
    const needDx = (i: number) => i > 0 || this.emb !== null;
    let i = this.units.length - 1;
    let dNext: Float; // dL/d(input of unit i + 1): [B, T, W_i], or [B, W_top] for a 'last' head
    if (run.headed !== null) {
      const d = this.top.dirs[0];
      const g = run.headed.backward(d.cfg, d.w, run.xs[i], run.runs[i].dirs[0].fwd, { W: this.head.w, b: this.head.b, O },
        dOut, dW, db, { needDx: needDx(i) });
      d.keep(g);
      dNext = g.dx; // [B, T, I_top] = dL/d(output of the unit below)
      i--;
    } else {
      dNext = this.ws.get('dhTop', N * Wtop); // [N, W]
      if (!this.backend.linearHead?.backward(dOut, run.hTop!, this.head.w, dW, db, dNext, N, Wtop, O)) {
        headBackward(dOut, run.hTop!, this.head.w, dW, db, dNext, N, Wtop, O);
      }
    }
    this.head.gw.set(dW);
    this.head.gb.set(db);
    for (; i >= 0; i--) {
      const u = this.units[i];
      const mask = run.masks[i];
      if (mask !== null) for (let k = 0; k < mask.length; k++) dNext[k] *= mask[k];
      const lastOnly = i === this.units.length - 1 && !all;
      dNext = u.backward(this.backend, run.runs[i], B, T, lastOnly ? null : dNext, lastOnly ? dNext : null, needDx(i), scratch);
    }
    if (this.emb !== null) {
      const D = this.emb.w.length / (this.config.input as { vocab: number }).vocab;
      const acc = this.ws.f64('dEmb', this.emb.g.length); // [V, D]
      acc.fill(0);
      embeddingBackward(acc, dNext, batch.x as Int32Array, B * T, D);
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
   * Loss and outputs of a batch without training (no dropout). outputs: the head's raw
   * outputs (logits for xent), Float32Array [B, T, O] ('all') or [B, O] ('last'); state: the
   * final state.
   */
  evaluate(batch: Batch, opts: RunOptions = {})
    : { loss: number; outputs: Float32Array; state: ModelState } {
    this.checkAlive();
    const { B, T, weights, sumW } = checkBatch(this.config, batch);
    const s0 = this.checkStateArg(opts.state, B);
    const run = this.forward(batch.x, B, T, s0, false, null);
    const loss = this.lossOf(run, batch, weights, sumW, null);
    return { loss, outputs: Float32Array.from(run.out), state: this.finalState(run) };
  }

  private checkPredictArgs(input: SequenceInput, state: ModelState | null, what: string): ModelState | null {
    this.checkAlive();
    checkRunShape(input, what);
    checkInput(this.config, input.x, [['B', input.B], ['T', input.T]]);
    return this.checkStateArg(state, input.B);
  }

  /**
   * The head's outputs for input.x (ids [B, T] or features [B, T, I]) from opts.state (left
   * out = zeros; not modified): Float32Array [B, T, O] ('all') or [B, O] ('last'). A Batch
   * may be given as the input (its targets are not read).
   */
  predict(input: SequenceInput, opts?: RunOptions): Float32Array;
  /** @deprecated use predict({ x, B, T }, { state }) */
  predict(x: Input, B: number, T: number, state?: ModelState | null): Float32Array;
  predict(...args: unknown[]): Float32Array {
    const { input, state } = runArgs('predict', args);
    const s0 = this.checkPredictArgs(input, state, 'predict');
    return Float32Array.from(this.forward(input.x, input.B, input.T, s0, false, null).out);
  }

  /**
   * Everything the layers compute for input.x (ids [B, T] or features [B, T, I]) from
   * opts.state (left out = zeros), per layer and direction and step: h, c and the cell's
   * internals (pLSTM: r, o, g, age a, forget gate f, and p per unit; LSTM: i, f, g, o), plus
   * the head's outputs. Every [B, T, H] array is in input time order, also for reversed
   * directions.
   *
   * The values are the reference cells' (each cell's descriptor, cells/registry.ts), run in the model's precision
   * on the model's weights, whatever the backend: the fused kernels keep their internals in a
   * private padded time-major layout, and a trace is for looking, not for speed.
   */
  trace(input: SequenceInput, opts?: RunOptions): ModelTrace;
  /** @deprecated use trace({ x, B, T }, { state }) */
  trace(x: Input, B: number, T: number, state?: ModelState | null): ModelTrace;
  trace(...args: unknown[]): ModelTrace {
    const { input, state } = runArgs('trace', args);
    const s0 = this.checkPredictArgs(input, state, 'trace');
    return traceModel(this.config, this.dtype, this.units, this.directions, this.emb?.w ?? null, this.head, input.x, input.B, input.T, s0);
  }

  // ----- streaming
  /**
   * Streaming inference: advances opts.state (B rows, updated in place) by one time step with
   * input.x (ids [B] or features [B, I]) and returns the head's outputs for that step [B, O].
   * Running T steps gives what predict gives for the whole sequence (steps 'all'), step by step.
   * Needs causal layers (no reversed or bidirectional layer: those read the whole sequence).
   * Where the backend has a streaming fast path (the wasm one, hidden sizes multiples of 4)
   * it runs; it agrees with predict to float32 rounding. The returned array is new.
   */
  step(input: StreamInput, opts: StepOptions): Float32Array;
  /** @deprecated use step({ x }, { state }) */
  step(state: ModelState, xStep: Input): Float32Array;
  step(a: StreamInput | ModelState, b: StepOptions | Input): Float32Array {
    this.checkAlive();
    let state: ModelState, xStep: Input; // read in place: no object per call (a step takes microseconds)
    if (ArrayBuffer.isView(b)) [state, xStep] = legacyStepArgs(a as ModelState, b);
    else { checkStepArgs(a, b); state = b.state; xStep = (a as StreamInput).x; }
    if (this.units.some((u) => !u.plain)) {
      throw new ConfigError('step() runs causal layers only: a reversed or bidirectional layer reads the whole sequence; use predict()');
    }
    if (this.fastStep === undefined) {
      this.fastStep = this.backend.streamStep?.prepare({
        input: this.config.input, embedding: this.emb?.w ?? null, layers: this.directions,
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
    for (let i = 0; i < this.directions.length; i++) {
      const l = this.directions[i];
      const s = state.layers[i];
      const f = this.backend.forward(l.cfg, l.w, cur, B, 1, { state: s });
      s.h.set(f.final.h);
      s.c.set(f.final.c);
      if (s.a !== null) s.a.set(f.final.a!);
      cur = s.h; // [B, H]: the next layer's input for this step
    }
    const O = this.config.head.size;
    const out = this.ws.get('stepOut', B * O); // [B, O]
    headForward(out, cur, this.head.w, this.head.b, B, this.top.width, O);
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
