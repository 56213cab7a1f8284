// The LSTM as a TF.js layer on our fused kernels: a drop-in for tf.layers.lstm with
// recurrentActivation 'sigmoid' (the usual LSTM; TF.js's own default is 'hardSigmoid').
import * as tfc from '@tensorflow/tfjs-core';
import type { CellConfig } from '../cells/types.js';
import { lstmConfig } from '../cells/init.js';
import { FusedRecurrent, type FusedRecurrentArgs } from './fused-recurrent.js';

/** Options of FastLSTM: tf.layers.lstm's that a fused layer has. */
export interface FastLSTMArgs extends FusedRecurrentArgs {
  /** Add 1 to the forget gate's bias at initialisation (Jozefowicz et al. 2015). Default false, as tf.layers.lstm. */
  unitForgetBias?: boolean;
}

/**
 * The LSTM as one fused layer, with tf.layers.lstm's weights: `kernel` [I, 4H],
 * `recurrent_kernel` [H, 4H], `bias` [4H] (gate blocks i, f, c, o), activations tanh and
 * sigmoid. State: h and c.
 */
export class FastLSTM extends FusedRecurrent {
  static readonly className = 'FastLSTM';
  readonly unitForgetBias: boolean;

  constructor(args: FastLSTMArgs) {
    super(args, 'FastLSTM');
    this.unitForgetBias = args.unitForgetBias ?? false;
  }

  get stateCount(): number {
    return 2;
  }

  protected makeCellConfig(inputSize: number): CellConfig {
    return lstmConfig(inputSize, this.units);
  }

  protected buildExtraWeights(): void {}

  protected override initialBias(): tfc.Tensor {
    const b = super.initialBias(); // [4H]
    if (!this.unitForgetBias) return b;
    const H = this.units;
    return tfc.add(b, tfc.concat([tfc.zeros([H]), tfc.ones([H]), tfc.zeros([2 * H])]));
  }

  override getConfig(): tfc.serialization.ConfigDict {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }
}

tfc.serialization.registerClass(FastLSTM);
