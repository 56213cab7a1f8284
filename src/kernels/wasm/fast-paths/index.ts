// The wasm backend's optional fast paths (the contract is cells/fast-paths.ts): the linear
// head on its GEMMs, softmax cross-entropy on its loss kernel, the top layer with its head
// inside the time loops, and the one-row streaming step. Each is made on first use and
// declines calls it would not speed up, so the model calls them without knowing the backend.
import type { HeadedLayerPath, LinearHeadPath, SoftmaxXentPath, StreamStepPath } from '../../../cells/fast-paths.js';
import type { HeadedLayer } from '../sequence/step-head.js';
import type { LinearKernels } from '../gemm.js';
import type { LossKernels } from './softmax-xent.js';
import type { StreamingKernels } from './stream-step.js';
import { FAST_HEAD_MIN, WasmHead } from './linear-head.js';
import { WasmXent } from './softmax-xent.js';
import { WasmStreamStep } from './stream-step.js';

export interface WasmFastPaths {
  readonly linearHead: LinearHeadPath;
  readonly softmaxXent: SoftmaxXentPath;
  readonly headedLayer: HeadedLayerPath;
  readonly streamStep: StreamStepPath;
}

/** The fast paths over one wasm backend's memory and threads. */
export function wasmFastPaths(backend: {
  readonly linear: LinearKernels; readonly loss: LossKernels; readonly headed: HeadedLayer;
  readonly streaming: StreamingKernels; alloc(length: number): Float32Array;
}): WasmFastPaths {
  let head: WasmHead | undefined;
  let xent: WasmXent | undefined;
  const headOf = () => (head ??= new WasmHead(backend.linear));
  const xentOf = () => (xent ??= new WasmXent(backend.linear, backend.loss));
  return {
    linearHead: {
      forward: (out, h, W, b, N, H, O) => headOf().forward(out, h, W, b, N, H, O),
      backward: (dOut, h, W, dW, db, dh, N, H, O) => headOf().backward(dOut, h, W, dW, db, dh, N, H, O),
    },
    softmaxXent: {
      loss: (out, y, w, N, O, sumW, dOut) => xentOf().loss(out, y, w, N, O, sumW, dOut),
    },
    headedLayer: {
      // the fused pass replaces the head's GEMMs, so it pays where they would run on SIMD
      accepts: (N, H, O) => N * H * O >= FAST_HEAD_MIN,
      forward: backend.headed.forward,
      backward: backend.headed.backward,
    },
    streamStep: {
      prepare: (parts) => WasmStreamStep.prepare(backend, parts),
    },
  };
}
