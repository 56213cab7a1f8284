// Sequence models on the pLSTM / LSTM cells: the public API of src/model.
//
// A model is input (one-hot, embedding or dense) -> N stacked recurrent layers -> a linear
// head (every step or the last) -> a loss (softmax cross-entropy or mean squared error).
//
//   const model = SequenceModel.create({ input: { kind: 'onehot', size: 10 },
//     layers: [{ cell: 'plstm', hidden: 64 }], head: { size: 10, steps: 'all' },
//     loss: 'xent', seed: 1 });
//   const opt = createOptimizer({ kind: 'rmsprop', lr: 1e-3 });
//   const { loss } = model.trainStep({ B, T, x, y }, opt, { clip: 1 });
//   const bytes = serializeModel(model, opt);   // files: saveModel in powerlaw-lstm/node
//
// Beyond the shared contract: `SequenceModel.createOn(config, backend)` (a backend instance),
// `computeGradients` (loss and grads without an update), `params` / `grads` / `slots` /
// `parameter(name)` (the flat parameter buffer and its named views), `serializeModel` /
// `deserializeModel` (bytes, for browsers), `cloneState`, `accuracy` / `argmaxRows`, and
// `TrainingDivergedError` (thrown by trainStep on a non-finite loss or gradient).
// Loss normalisation: xent is the mean over counted steps (sum(w * nll) / sum(w) with
// weights); mse the mean over all elements (weighted per row). Batch.weights is [B, T] for
// head steps 'all' and [B] for 'last'; weight 0 masks a row (its target is not read).
// trainStep's gradNorm is the norm before clipping, as in PyTorch.
// Model files: safetensors with PyTorch-style names (see serialize.ts); deserializeModel keeps the
// saved precision unless RuntimeOptions.dtype (or backend 'wasm') says otherwise.
// On the wasm backend a head on every step runs inside the top layer's kernels (the
// backend's HeadedLayer), a head on the last step on the kernels' SIMD GEMMs (head-wasm.ts),
// and the softmax cross-entropy on their loss kernel (loss-wasm.ts).

export {
  DEFAULTS, resolveConfig, inputWidth,
  type InputSpec, type PInit, type LayerSpec, type HeadSpec, type ModelConfig, type RuntimeOptions,
  type ResolvedLayerSpec, type ResolvedModelConfig,
} from './config.js';
export { SequenceModel, type ParamSlot } from './sequence-model.js';
export { cloneState, type Batch, type ModelState } from './validate.js';
export {
  createOptimizer, resolveOptimizerSpec, stateNamesOf, OPTIMIZER_DEFAULTS,
  type Optimizer, type OptimizerSpec, type ResolvedOptimizerSpec, type Allocator,
} from './optimizers.js';
export { clipGradNorm, globalNorm } from './clip.js';
export { serializeModel, deserializeModel, MODEL_FORMAT, type LoadedModel } from './serialize.js';
export { readSafetensors, writeSafetensors, type TensorIn, type TensorOut } from './safetensors.js';
export { accuracy, argmaxRows } from './metrics.js';
export { openBackend } from './backend.js';
export { TrainingDivergedError } from '../errors.js';
