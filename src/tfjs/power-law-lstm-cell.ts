// The pLSTM as a per-step tfjs-layers cell, for tf.layers.rnn and cell composition
// (tf.layers.stackedRNNCells). Each step is a few TF.js ops, so it runs on whatever TF.js backend
// is set and is as slow as tf.layers.lstm; the fused PowerLawLSTM layer is the fast path. Same
// weights, same names and layout as PowerLawLSTM, so setWeights moves them between the two.
//   z = x kernel + h recurrent_kernel + bias   // [B, 3H]: blocks r | o | g
//   a' = r eps + (1 - r)(a + 1)                // age: steps since the last reset
//   f = ((a' + eps) / (a' + 1))^p,  p = sigmoid(p_param) (or the fixed p)
//   c' = f c + (1 - f) g,  h' = o tanh(c')
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, ShapeError } from '../errors.js';
import { DEFAULT_EPS, type PInit } from '../cells/init.js';
import { checkEps, checkPositiveInt, requireSetting } from '../cells/bounds.js';
import type { LayerArgs } from './fused-recurrent.js';
import { serializeInitializer, toInitializer, type Initializer, type InitializerConfig } from './initializers.js';
import { checkPInit, initialTheta } from './power-law-lstm.js';

/** Options of PowerLawLSTMCell. */
export interface PowerLawLSTMCellArgs extends LayerArgs {
  /** H: hidden units. */
  units: number;
  /** The eps in the age update and the forget gate, in (0, 1). Default 1e-3 (the paper's). */
  eps?: number;
  /** How p = sigmoid(p_param) starts, as PowerLawLSTM's pInit. Default { mode: 'uniform' }. */
  pInit?: PInit;
  /** Initialiser of `kernel` [I, 3H]. Default 'glorotUniform'. */
  kernelInitializer?: InitializerConfig;
  /** Initialiser of `recurrent_kernel` [H, 3H]. Default 'orthogonal'. */
  recurrentInitializer?: InitializerConfig;
  /** Initialiser of `bias` [3H]. Default 'zeros'. */
  biasInitializer?: InitializerConfig;
}

/** One pLSTM step as a tfjs-layers RNNCell: states [h, c, a], each [B, H]. */
export class PowerLawLSTMCell extends tfl.layers.RNNCell {
  static readonly className = 'PowerLawLSTMCell';
  readonly units: number;
  readonly eps: number;
  readonly pInit: PInit;
  readonly stateSize: number[];
  readonly kernelInitializer: Initializer;
  readonly recurrentInitializer: Initializer;
  readonly biasInitializer: Initializer;
  kernel: tfl.LayerVariable | null = null; // [I, 3H]
  recurrentKernel: tfl.LayerVariable | null = null; // [H, 3H]
  bias: tfl.LayerVariable | null = null; // [3H]
  pParam: tfl.LayerVariable | null = null; // [H]

  constructor(args: PowerLawLSTMCellArgs) {
    super(args);
    requireSetting('PowerLawLSTMCell units', args.units, checkPositiveInt);
    this.units = args.units;
    this.eps = args.eps ?? DEFAULT_EPS;
    requireSetting('PowerLawLSTMCell eps', this.eps, checkEps);
    this.pInit = checkPInit(args.pInit ?? { mode: 'uniform' }, 'PowerLawLSTMCell');
    this.stateSize = [this.units, this.units, this.units];
    this.kernelInitializer = toInitializer(args.kernelInitializer ?? 'glorotUniform', 'PowerLawLSTMCell kernelInitializer');
    this.recurrentInitializer = toInitializer(args.recurrentInitializer ?? 'orthogonal', 'PowerLawLSTMCell recurrentInitializer');
    this.biasInitializer = toInitializer(args.biasInitializer ?? 'zeros', 'PowerLawLSTMCell biasInitializer');
  }

  override build(inputShape: (number | null)[] | (number | null)[][]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as (number | null)[];
    const I = shape[shape.length - 1];
    if (I === null) throw new ShapeError('PowerLawLSTMCell needs the number of features per step (the last input dimension) to be known');
    const H = this.units;
    this.kernel = this.addWeight('kernel', [I, 3 * H], 'float32', this.kernelInitializer);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [H, 3 * H], 'float32', this.recurrentInitializer);
    this.bias = this.addWeight('bias', [3 * H], 'float32', this.biasInitializer);
    this.pParam = this.addWeight('p_param', [H], 'float32', tfl.initializers.zeros(), undefined, this.pInit.mode !== 'fixed');
    this.pParam.write(tfc.tidy(() => initialTheta(this.pInit, H)));
    this.built = true;
  }

  override call(inputs: tfc.Tensor | tfc.Tensor[]): tfc.Tensor[] {
    return tfc.tidy(() => {
      if (!Array.isArray(inputs) || inputs.length !== 4) {
        throw new ConfigError(`PowerLawLSTMCell expects 4 input tensors (x, h, c, a), got ${Array.isArray(inputs) ? inputs.length : 1}`);
      }
      const [x, h, c, a] = inputs; // [B, I], then [B, H] each
      const z = tfc.add(tfc.add(tfc.matMul(x, this.kernel!.read()), tfc.matMul(h, this.recurrentKernel!.read())), this.bias!.read()); // [B, 3H]
      const [zr, zo, zg] = tfc.split(z, 3, 1);
      const r = tfc.sigmoid(zr), o = tfc.sigmoid(zo), g = tfc.tanh(zg);
      const age = tfc.add(tfc.mul(r, this.eps), tfc.mul(tfc.sub(1, r), tfc.add(a, 1))); // [B, H]
      // A fixed p is used as given, as the fused kernels do (sigmoid(logit(p)) rounds in float32).
      const p = this.pInit.mode === 'fixed' ? tfc.scalar(this.pInit.p) : tfc.sigmoid(this.pParam!.read()); // [H]
      const f = tfc.exp(tfc.mul(p, tfc.log(tfc.div(tfc.add(age, this.eps), tfc.add(age, 1))))); // [B, H]
      const cNext = tfc.add(tfc.mul(f, c), tfc.mul(tfc.sub(1, f), g));
      const hNext = tfc.mul(o, tfc.tanh(cNext));
      return [hNext, hNext, cNext, age];
    });
  }

  override getConfig(): tfc.serialization.ConfigDict {
    return {
      units: this.units, eps: this.eps, pInit: { ...this.pInit },
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      ...super.getConfig(),
    };
  }
}

tfc.serialization.registerClass(PowerLawLSTMCell);
