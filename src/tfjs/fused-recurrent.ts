// What PowerLawLSTM and FastLSTM share: a tfjs-layers Layer that keeps its weights in Keras'
// layout, runs the whole sequence as one fused op on our backend (fused-sequence.ts) and
// follows tf.layers.RNN's conventions (returnSequences, returnState, goBackwards, stateful,
// initialState, masking, getConfig for model.save).
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors.js';
import { deprecated } from '../deprecated.js';
import type { CellConfig } from '../cells/types.js';
import { gatesOf } from '../cells/registry.js';
import { checkPositiveInt, requireSetting } from '../cells/bounds.js';
import { fusedSequence, stateRowsOf, type InitialState } from './fused-sequence.js';
import { maskedSequence } from './masked-sequence.js';
import { serializeInitializer, toInitializer, type Initializer, type InitializerConfig } from './initializers.js';
import { sharedBackend } from './shared-backend.js';

/** tfjs-layers' base layer options (name, inputShape, batchInputShape, trainable, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
type Shape = (number | null)[];
type LayerVariable = tfl.LayerVariable;
/** Keyword arguments of call(): `initialState` (eager calls), `mask`, `training`. */
type Kwargs = { [key: string]: unknown };

/** Options every fused recurrent layer takes (tf.layers.lstm's names and defaults). */
export interface FusedRecurrentArgs extends LayerArgs {
  /** H: hidden units (the output width). */
  units: number;
  /** Output every step [B, T, H] (true) or only the last [B, H] (false). Default false. */
  returnSequences?: boolean;
  /** Also return the final state: [output, h, c] (FastLSTM) or [output, h, c, a] (PowerLawLSTM). Default false. */
  returnState?: boolean;
  /**
   * Read the sequence from its last step to its first. As in tf.layers.lstm, outputs are in
   * the order they were computed (output 0 is after reading step T-1). Default false.
   */
  goBackwards?: boolean;
  /**
   * Carry the final state of one call into the next as its initial state (same batch size
   * every call; `resetStates()` starts again from zeros). Default false.
   */
  stateful?: boolean;
  /** Initialiser of `kernel` [I, G*H]. Default 'glorotUniform'. */
  kernelInitializer?: InitializerConfig;
  /** Initialiser of `recurrent_kernel` [H, G*H]. Default 'orthogonal'. */
  recurrentInitializer?: InitializerConfig;
  /** Initialiser of `bias` [G*H]. Default 'zeros'. */
  biasInitializer?: InitializerConfig;
  /**
   * Which of our backends runs the sequence, as the model's RuntimeOptions.backend (not
   * TF.js's backend, which holds the tensors): 'wasm' (fused WebAssembly SIMD kernels) or
   * 'js' (the reference cells). Default null: 'wasm' where it loads, else 'js' with a warning.
   */
  backend?: 'wasm' | 'js' | null;
  /** @deprecated use backend (warns once) */
  kernels?: 'wasm' | 'js' | null;
  /** Worker threads of the wasm kernels. Default null: the available cores. */
  threads?: number | null;
}

/** Options of tf.layers.lstm that a fused layer does not have: passing one is an error. */
const UNSUPPORTED = ['activation', 'recurrentActivation', 'dropout', 'recurrentDropout', 'useBias', 'implementation',
  'kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer', 'kernelConstraint', 'recurrentConstraint',
  'biasConstraint', 'unroll', 'cell'];

/** The shared base of PowerLawLSTM and FastLSTM. */
export abstract class FusedRecurrent extends tfl.layers.Layer {
  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  /** Which of our backends runs the sequence ('wasm', 'js', or null: 'wasm' where it loads). */
  readonly backend: 'wasm' | 'js' | null;
  readonly threads: number | null;
  kernel: LayerVariable | null = null; // [I, G*H]
  recurrentKernel: LayerVariable | null = null; // [H, G*H]
  bias: LayerVariable | null = null; // [G*H]
  protected cellConfig: CellConfig | null = null;
  /** A stateful layer's state between calls (h, c[, a]), each [B, H]; null = zeros. */
  private carried: tfc.Tensor[] | null = null;

  constructor(args: FusedRecurrentArgs, readonly cellName: string) {
    super(args);
    for (const k of UNSUPPORTED) {
      if ((args as unknown as Record<string, unknown>)[k] !== undefined) {
        throw new ConfigError(`${cellName}: option "${k}" does not apply to this fused layer (its activations are fixed); remove it`);
      }
    }
    requireSetting(`${cellName} units`, args.units, checkPositiveInt);
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this._stateful = args.stateful ?? false;
    this.kernelInitializer = toInitializer(args.kernelInitializer ?? 'glorotUniform', `${cellName} kernelInitializer`);
    this.recurrentInitializer = toInitializer(args.recurrentInitializer ?? 'orthogonal', `${cellName} recurrentInitializer`);
    this.biasInitializer = toInitializer(args.biasInitializer ?? 'zeros', `${cellName} biasInitializer`);
    if (args.kernels !== undefined) deprecated(`${cellName}({ kernels })`, `${cellName}({ backend })`);
    const backend = args.backend ?? args.kernels ?? null;
    if (backend !== null && backend !== 'wasm' && backend !== 'js') {
      throw new ConfigError(`${cellName} backend must be "wasm" or "js", got ${JSON.stringify(backend)}`);
    }
    if (args.threads != null) requireSetting(`${cellName} threads`, args.threads, checkPositiveInt);
    this.backend = backend;
    this.threads = args.threads ?? null;
    this.inputSpec = [new tfl.InputSpec({ ndim: 3 })];
    this.supportsMasking = true;
  }

  /** The cell config for an input width I. */
  protected abstract makeCellConfig(inputSize: number): CellConfig;
  /** Adds the weights beyond kernel, recurrent_kernel and bias (the pLSTM's p_param). */
  protected abstract buildExtraWeights(): void;
  /** The initial value of `bias` [G*H] (FastLSTM's unitForgetBias changes it). */
  protected initialBias(): tfc.Tensor {
    return this.biasInitializer.apply([gatesOf(this.cellConfig!.kind) * this.units], 'float32');
  }
  /** The pLSTM's p_param, else null. */
  protected decayParameter(): tfc.Tensor | null {
    return null;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    if (shape.length !== 3) throw new ShapeError(`${this.cellName} expects input [batch, steps, features], got shape [${shape.join(', ')}]`);
    const I = shape[2];
    if (I === null) throw new ShapeError(`${this.cellName} needs the number of features per step (the last input dimension) to be known`);
    this.cellConfig = this.makeCellConfig(I);
    const GH = gatesOf(this.cellConfig.kind) * this.units;
    this.kernel = this.addWeight('kernel', [I, GH], 'float32', this.kernelInitializer);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, GH], 'float32', this.recurrentInitializer);
    this.bias = this.addWeight('bias', [GH], 'float32', this.biasInitializer);
    this.bias.write(tfc.tidy(() => this.initialBias()));
    this.buildExtraWeights();
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const B = shape[0];
    const out: Shape = this.returnSequences ? [B, shape[1], this.units] : [B, this.units];
    if (!this.returnState) return out;
    return [out, ...Array.from({ length: this.stateCount }, () => [B, this.units])];
  }

  /** Number of state tensors: 2 (h, c) for the LSTM, 3 (h, c, a) for the pLSTM. */
  abstract get stateCount(): number;

  /** The carried state of a stateful layer (h, c[, a]); empty before the first call or after a reset. */
  get states(): tfc.Tensor[] {
    return this.carried === null ? [] : this.carried.slice();
  }

  /** Starts a stateful layer from zeros (or from the given states, each [B, H]) on its next call. */
  override resetStates(states?: tfc.Tensor | tfc.Tensor[]): void {
    if (this.carried !== null) tfc.dispose(this.carried);
    this.carried = null;
    if (states === undefined) return;
    const list = Array.isArray(states) ? states : [states];
    if (list.length !== this.stateCount) throw new ShapeError(`${this.cellName} has ${this.stateCount} states, got ${list.length}`);
    this.carried = list.map((s) => tfc.keep(s.clone()));
  }

  override call(inputs: tfc.Tensor | tfc.Tensor[], kwargs: Kwargs): tfc.Tensor | tfc.Tensor[] {
    return tfc.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (x.rank !== 3) throw new ShapeError(`${this.cellName} expects input [batch, steps, features], got rank ${x.rank}`);
      const [B, T] = x.shape;
      const keep = kwargs.mask == null ? null : this.maskValues(kwargs.mask, B, T);
      const H = this.units;
      const cfg = this.cellConfig!;
      // Read before the op runs: inside a custom op TF.js reports its tape as off.
      const needTape = tfc.engine().isTapeOn();
      let xin = x.dtype === 'float32' ? x : tfc.cast(x, 'float32');
      if (this.goBackwards) xin = tfc.reverse(xin, 1);

      const given = (kwargs.initialState as tfc.Tensor | tfc.Tensor[] | undefined) ?? (this.stateful ? this.carried : null);
      const initial = given == null ? null : this.initialStateOf(Array.isArray(given) ? given : [given], B);
      const withState = this.returnState || this.stateful;
      const backend = sharedBackend({ backend: this.backend, threads: this.threads });
      const run = (xs: tfc.Tensor3D, s0: InitialState | null): tfc.Tensor3D => fusedSequence(backend, cfg, {
        x: xs, kernel: this.kernel!.read(), recurrentKernel: this.recurrentKernel!.read(), bias: this.bias!.read(),
        pParam: this.decayParameter(), initial: s0,
      }, withState, needTape);
      const K = stateRowsOf(cfg, withState);
      const out = keep === null ? run(xin as tfc.Tensor3D, initial)
        : maskedSequence(run, xin as tfc.Tensor3D, keep, initial, K, H, this.stateCount); // [B, T + K, H]
      const seq = K === 0 ? out : tfc.slice(out, [0, 0, 0], [B, T, H]); // [B, T, H]
      const hLast = tfc.reshape(tfc.slice(out, [0, T - 1, 0], [B, 1, H]), [B, H]);
      const finalState = [hLast];
      for (let k = 0; k < K; k++) finalState.push(tfc.reshape(tfc.slice(out, [0, T + k, 0], [B, 1, H]), [B, H]));
      if (this.stateful) {
        if (this.carried !== null) tfc.dispose(this.carried);
        this.carried = finalState.map((s) => tfc.keep(tfc.clone(s)));
      }
      const output = this.returnSequences ? seq : hLast;
      return this.returnState ? [output, ...finalState] : output;
    });
  }

  /**
   * The input mask [B, T] as numbers (non-zero = the step counts), in the order the steps are
   * read: reversed when goBackwards, as tf.layers.RNN reverses it.
   */
  private maskValues(mask: unknown, B: number, T: number): Float32Array {
    const m = (Array.isArray(mask) ? mask[0] : mask) as tfc.Tensor;
    if (!(m instanceof tfc.Tensor) || m.rank !== 2 || m.shape[0] !== B || m.shape[1] !== T) {
      const shape = m instanceof tfc.Tensor ? `[${m.shape.join(', ')}]` : typeof m;
      throw new ShapeError(`${this.cellName} mask must be [batch, steps] = [${B}, ${T}] (one flag per step), got ${shape}`);
    }
    const v = Float32Array.from(m.dataSync() as ArrayLike<number>); // [B, T]
    if (!this.goBackwards) return v;
    const r = new Float32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) r[b * T + t] = v[b * T + T - 1 - t];
    return r;
  }

  /** As tf.layers.RNN: the input mask passes on with the sequence output; states get none. */
  override computeMask(_inputs: tfc.Tensor | tfc.Tensor[], mask?: tfc.Tensor | tfc.Tensor[]): tfc.Tensor | tfc.Tensor[] {
    const m = Array.isArray(mask) ? mask[0] : mask;
    const outputMask = this.returnSequences && m != null ? m : null;
    if (!this.returnState) return outputMask as tfc.Tensor;
    return [outputMask, ...Array.from({ length: this.stateCount }, () => null)] as unknown as tfc.Tensor[];
  }

  /** Checks an initial state (h, c[, a], each [B, H]); the pLSTM's age may be left out (zeros). */
  private initialStateOf(list: tfc.Tensor[], B: number): InitialState {
    const n = this.stateCount;
    if (list.length !== n && !(n === 3 && list.length === 2)) {
      throw new ShapeError(`${this.cellName} initialState must be ${n === 3 ? '[h, c] or [h, c, a]' : '[h, c]'}, got ${list.length} tensors`);
    }
    for (const s of list) {
      if (s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== this.units) {
        throw new ShapeError(`${this.cellName} initial state must be [batch, units] = [${B}, ${this.units}], got [${s.shape.join(', ')}]; a stateful layer given a new batch size needs resetStates()`);
      }
    }
    const f = (t: tfc.Tensor): tfc.Tensor => (t.dtype === 'float32' ? t : tfc.cast(t, 'float32'));
    return { h: f(list[0]), c: f(list[1]), a: n === 3 && list.length === 3 ? f(list[2]) : null };
  }

  override getConfig(): tfc.serialization.ConfigDict {
    const config: tfc.serialization.ConfigDict = {
      units: this.units,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      backend: this.backend,
      threads: this.threads,
    };
    return { ...config, ...super.getConfig() };
  }

  /** @deprecated use backend */
  get kernels(): 'wasm' | 'js' | null {
    deprecated('layer.kernels', 'layer.backend');
    return this.backend;
  }

  override dispose(): ReturnType<tfl.layers.Layer['dispose']> {
    this.resetStates();
    return super.dispose();
  }
}
