// The pLSTM (Chien et al., "Slower is Better", 2021) as a TF.js layer on our fused kernels.
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors.js';
import type { CellConfig } from '../cells/types.js';
import { DEFAULT_EPS, logit, plstmConfig, type PInit } from '../cells/init.js';
import { checkEps, checkFixedP, checkThetaRange, requireSetting } from '../cells/bounds.js';
import { FusedRecurrent, type FusedRecurrentArgs } from './fused-recurrent.js';

/** theta stored for a fixed p = 1 (sigmoid(40) rounds to 1), as the model files store it. */
const THETA_FOR_P_ONE = 40;
/** Keeps u of the 'uniform' p init away from 0 and 1 so theta stays finite. */
const U_CLAMP = 1e-6;

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
    this.pInit = checkPInit(args.pInit ?? { mode: 'uniform' });
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

export function checkPInit(v: unknown): PInit {
  const s = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  switch (s.mode) {
    case 'uniform':
      return { mode: 'uniform' };
    case 'range': {
      const problem = checkThetaRange(s.lo, s.hi);
      if (problem !== null) throw new ConfigError(`PowerLawLSTM pInit range (p_param ~ U(lo, hi)) ${problem}`);
      return { mode: 'range', lo: s.lo as number, hi: s.hi as number };
    }
    case 'fixed':
      requireSetting('PowerLawLSTM pInit fixed p', s.p, checkFixedP);
      return { mode: 'fixed', p: s.p as number };
    default:
      throw new ConfigError('PowerLawLSTM pInit must be { mode: "uniform" }, { mode: "range", lo, hi } or { mode: "fixed", p }');
  }
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
      return tfc.fill([H], pInit.p === 1 ? THETA_FOR_P_ONE : logit(pInit.p));
  }
}

tfc.serialization.registerClass(PowerLawLSTM);
