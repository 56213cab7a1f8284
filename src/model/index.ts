// Sequence models on the pLSTM / LSTM cells: the public API of src/model.
//
// A model is input (one-hot, embedding or dense) -> N stacked recurrent layer units (a cell
// looped over time, forward, reversed or bidirectional, dropout on their outputs) -> a linear
// head (every step or the last) -> a loss (softmax cross-entropy or mean squared error).
// `model.trace({ x, B, T })` returns h, c and every gate of every layer at every step.
//
//   const model = SequenceModel.create({ input: { kind: 'onehot', size: 10 },
//     layers: [{ cell: 'plstm', hidden: 64 }], head: { size: 10, steps: 'all' },
//     loss: 'xent', seed: 1 });
//   const opt = createOptimizer({ kind: 'rmsprop', lr: 1e-3 });
//   const { loss } = model.trainStep({ B, T, x, y }, opt, { clip: 1 });
//   const bytes = serializeModel(model, opt);   // files: saveModel in powerlaw-lstm/node
//
// Training loop: `fit(model, opt, { data, batchSize, epochs, validation, metrics, monitor,
// earlyStopping, learningRate, clip, timeLimit, carryState, callbacks, onCheckpoint, progress })`
// (fit.ts) returns a history; its progress (plain numbers, saved state included) passed back
// with the restored model and optimizer resumes a run exactly. Schedules: schedule.ts.
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
// The model never looks at which backend it runs on: the head, the loss, a top layer with its
// head and the streaming step use the backend's optional fast paths (cells/fast-paths.ts)
// where it offers them and accepts the call, else the reference code here.

export {
  DEFAULTS, resolveConfig, inputWidth,
  layerWidth, directionsOf,
  type InputConfig, type PInit, type LayerConfig, type HeadConfig, type ModelConfig, type RuntimeOptions,
  type ResolvedLayerConfig, type ResolvedModelConfig,
  type InputSpec, type LayerSpec, type HeadSpec, type ResolvedLayerSpec,
} from './config.js';
export { SequenceModel, type ParamSlot } from './sequence-model.js';
export { RecurrentLayer, LayerUnit } from './recurrent-layer.js';
export type { ModelTrace, TraceDirection } from './trace.js';
export type { Batch } from './batch.js';
export { cloneState, type ModelState } from './model-state.js';
export {
  createOptimizer, resolveOptimizerSpec, stateNamesOf, OPTIMIZER_DEFAULTS,
  type Optimizer, type OptimizerConfig, type ResolvedOptimizerConfig,
  type OptimizerSpec, type ResolvedOptimizerSpec, type Allocator,
} from './optimizers.js';
export { clipGradNorm, globalNorm } from './clip.js';
export { serializeModel, deserializeModel, MODEL_FORMAT, type LoadedModel } from './serialize.js';
export { readSafetensors, writeSafetensors, type TensorIn, type TensorOut } from './safetensors.js';
export { accuracy, argmaxRows, accuracyMetric, type Metrics, type MetricFn } from './metrics.js';
export {
  fit, freshProgress,
  type FitOptions, type FitHistory, type FitProgress, type FitEpochRecord, type FitContext, type FitCallbacks,
  type CallbackResult, type StopReason,
} from './fit.js';
export { learningRateAt, checkSchedule, type LearningRateSchedule } from './schedule.js';
export { saveState, restoreState, type SavedState } from './saved-state.js';
export { openBackend } from './backend.js';
export { TrainingDivergedError } from '../errors.js';
