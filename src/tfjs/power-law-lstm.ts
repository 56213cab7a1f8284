// The pLSTM (Chien et al., "Slower is Better", 2021) as a TF.js layer on our fused kernels.
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { CellConfig } from '../cells/types.js';
import { DEFAULT_EPS, U_CLAMP, fixedTheta, plstmConfig, type PInit } from '../cells/init.js';
import { resolvePInit } from '../model/config.js';
import { checkEps, requireSetting } from '../cells/bounds.js';
import { FusedRecurrent, type FusedRecurrentArgs } from './fused-recurrent.js';

/** Options of PowerLawLSTM: tf.layers.lstm's, plus the pLSTM's eps and p. */
export interface PowerLawLSTMArgs extends FusedRecurrentArgs {
  /** The eps in the age update and the forget gate, in (0, 1). Default 1e-3 (the paper's). */
  eps?: number;
  /**
   * How the decay exponents p = sigmoid(p_param) start: { mode: 'uniform' } (p ~ U(0, 1)),
   * { mode: 'range', lo, hi } (p_param ~ U(lo, hi)) or { mode: 'fixed', p } (p in (0, 1], not
   * trained; p_param = logit(p) is kept as a non-trainable weight). Default { mode: 'uniform' }.
   */
  pInit?: PInit;
}

/**
 * The power-law forget gate LSTM as one fused layer. Weights: `kernel` [I, 3H],
 * `recurrent_kernel` [H, 3H], `bias` [3H] (gate blocks r, o, g) and `p_param` [H]
 * (p = sigmoid(p_param)). State: h, c and the age a (steps since the last reset).
 */
export class PowerLawLSTM extends FusedRecurrent {
  static readonly className = 'PowerLawLSTM';
  readonly eps: number;
  readonly pInit: PInit;
  pParam: tfl.LayerVariable | null = null; // [H]

  constructor(args: PowerLawLSTMArgs) {
    super(args, 'PowerLawLSTM');
    this.eps = args.eps ?? DEFAULT_EPS;
    requireSetting('PowerLawLSTM eps', this.eps, checkEps);
    this.pInit = checkPInit(args.pInit ?? { mode: 'uniform' }, 'PowerLawLSTM');
  }

  get stateCount(): number {
    return 3;
  }

  protected makeCellConfig(inputSize: number): CellConfig {
    return plstmConfig(inputSize, this.units, { eps: this.eps, pInit: this.pInit });
  }

  protected buildExtraWeights(): void {
    const fixed = this.pInit.mode === 'fixed';
    this.pParam = this.addWeight('p_param', [this.units], 'float32', tfl.initializers.zeros(), undefined, !fixed);
    this.pParam.write(tfc.tidy(() => initialTheta(this.pInit, this.units)));
  }

  protected override decayParameter(): tfc.Tensor {
    return this.pParam!.read();
  }

  override getConfig(): tfc.serialization.ConfigDict {
    return { ...super.getConfig(), eps: this.eps, pInit: { ...this.pInit } };
  }
}

/** A layer's pInit checked as the model checks it; `owner` names the layer in messages. */
export function checkPInit(v: unknown, owner: string): PInit {
  return resolvePInit(v, `${owner} pInit`);
}

/** The initial p_param [H] for a p initialisation (also PowerLawLSTMCell's). */
export function initialTheta(pInit: PInit, H: number): tfc.Tensor {
  switch (pInit.mode) {
    case 'uniform': {
      const u = tfc.randomUniform([H], U_CLAMP, 1 - U_CLAMP);
      return tfc.log(tfc.div(u, tfc.sub(1, u)));
    }
    case 'range':
      return tfc.randomUniform([H], pInit.lo, pInit.hi);
    case 'fixed':
      return tfc.fill([H], fixedTheta(pInit.p));
  }
}

tfc.serialization.registerClass(PowerLawLSTM);
