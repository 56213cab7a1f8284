// The one-row streaming step kernels over a backend's memory: SequenceModel.step's fast
// path, which reads the weights and updates the state in place, on the calling thread.
import type { Float } from '../cells/types.js';
import type { WasmContext } from './wasm-context.js';
import type { KernelExports } from './wasm-module.js';

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
