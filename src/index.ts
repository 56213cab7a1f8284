// powerlaw-lstm: the public entry. It reaches no Node built-in, so it runs in Node, in
// bundlers and in browsers; file I/O (saveModel, loadModel, dataset readers, fixture files)
// is in powerlaw-lstm/node. Internals stay out: tests import them from their source files, and
// what only backend authors need (the backend contract's parts, fast paths) is in
// powerlaw-lstm/backend.

// --- errors: every failure a user can cause is one of these
export {
  PlstmError, ShapeError, ConfigError, InputValueError, ModelFileError, DataError, TrainingDivergedError,
} from './errors.js';

// --- models: configuration, training, prediction, streaming
export {
  SequenceModel, type ParamSlot, type SequenceInput, type StreamInput, type RunOptions, type StepOptions,
} from './model/sequence-model.js';
export {
  DEFAULTS,
  type ModelConfig, type InputConfig, type OneHotInput, type EmbeddingInput, type DenseInput,
  type LayerConfig, type PInit, type HeadConfig, type RuntimeOptions, type ResolvedModelConfig, type ResolvedLayerConfig,
  // deprecated names of the previous release (CHANGELOG.md)
  type InputSpec, type LayerSpec, type HeadSpec, type ResolvedLayerSpec,
} from './model/config.js';
export type { Batch } from './model/batch.js';
export { cloneState, type ModelState } from './model/model-state.js';
export { accuracy, argmaxRows, accuracyMetric, type Metrics, type MetricFn } from './model/metrics.js';
export type { ModelTrace, TraceDirection } from './model/trace.js';

// --- training loop: fit() with validation, callbacks, early stopping, schedules, resume
export {
  fit, freshProgress,
  type FitOptions, type FitHistory, type FitProgress, type FitEpochRecord, type FitContext, type FitCallbacks,
  type CallbackResult, type StopReason,
} from './model/fit.js';
export { learningRateAt, type LearningRateSchedule } from './model/schedule.js';
export { saveState, restoreState, type SavedState } from './model/saved-state.js';

// --- cells: registerCell is deprecated (goes in the next release; the cells are plstm and lstm)
export { registerCell } from './cells/registry.js';
export type { CellDescriptor } from './cells/descriptor.js';

// --- optimizers (PyTorch's update rules)
export {
  createOptimizer, OPTIMIZER_DEFAULTS,
  type Optimizer, type OptimizerConfig, type RmspropConfig, type AdamConfig, type SgdConfig, type ResolvedOptimizerConfig,
  // deprecated names of the previous release (CHANGELOG.md)
  type OptimizerSpec, type RmspropSpec, type AdamSpec, type SgdSpec, type ResolvedOptimizerSpec,
} from './model/optimizers.js';

// --- backends: openBackend is the one way to open one
export { openBackend } from './model/backend.js';
export { preloadWasmKernels, type KernelVariant } from './kernels/wasm/runtime/module.js';
// (what a backend implements, and its fast paths: powerlaw-lstm/backend)
export type { SequenceBackend } from './cells/sequence-backend.js';
export type { DType, Float, CellKind, CellState } from './cells/types.js';

// --- model files as bytes (safetensors); files on disk: powerlaw-lstm/node
export { serializeModel, deserializeModel, MODEL_FORMAT, type LoadedModel } from './model/serialize.js';

// --- reproducible random numbers (weights, data order, task generators, dropout)
export { Rng } from './cells/rng.js';

// --- analysis: decay curves from the equations and measured on a model, fits, timescales, ablation
export * as analysis from './analysis/index.js';

// --- conformance: checking a backend against reference fixtures ("plstm-fixture/1")
export { FIXTURE_FORMAT, parseFixture, type Fixture } from './conformance/fixture.js';
export { runFixture, type ConformanceRun } from './conformance/run.js';
export type { Comparison, Tolerance } from './conformance/compare.js';

// --- data: task generators and parsers on bytes, as one namespace (`data.makeCopyTask`, ...)
export * as data from './data/index.js';

// --- forecast: Forecaster, series from CSV, windows, metrics, baselines (`forecast.Forecaster`, ...)
export * as forecast from './forecast/index.js';

// --- plot: Vega-Lite specs and their SVG (`plot.forecastChart`, `plot.renderSvg`); PNG is Node only
export * as plot from './plot/index.js';

// --- deprecated: the types of backend authors, now in powerlaw-lstm/backend. Importable from
// here for one release (type aliases: nothing of them exists at run time).
import type * as backendApi from './backend/index.js';
import type { Float as F } from './cells/types.js';
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type CellConfig = backendApi.CellConfig;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type CellWeights<T extends F = F> = backendApi.CellWeights<T>;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type CellGrads<T extends F = F> = backendApi.CellGrads<T>;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type SequenceForward<T extends F = F> = backendApi.SequenceForward<T>;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type Allocator = backendApi.Allocator;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type LinearHeadPath = backendApi.LinearHeadPath;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type SoftmaxXentPath = backendApi.SoftmaxXentPath;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type HeadedLayerPath = backendApi.HeadedLayerPath;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type StepHead = backendApi.StepHead;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type StreamStepPath = backendApi.StreamStepPath;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type StreamStepper = backendApi.StreamStepper;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type StreamModelParts = backendApi.StreamModelParts;
/** @deprecated import it from 'powerlaw-lstm/backend' */
export type StepInput = backendApi.StepInput;
