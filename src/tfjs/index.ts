// powerlaw-lstm/tfjs: TensorFlow.js layers on our fused kernels. TF.js is a peer dependency
// (@tensorflow/tfjs-core and @tensorflow/tfjs-layers, or @tensorflow/tfjs which holds both):
// the layers register in the user's copy, so model.save and tf.loadLayersModel find them.
export { PowerLawLSTM, type PowerLawLSTMArgs } from './power-law-lstm.js';
export { FastLSTM, type FastLSTMArgs } from './fast-lstm.js';
export { PowerLawLSTMCell, type PowerLawLSTMCellArgs } from './power-law-lstm-cell.js';
export type { FusedRecurrentArgs, LayerArgs } from './fused-recurrent.js';
export type { InitializerConfig, InitializerSpec } from './initializers.js';
export { disposeKernelBackends, type KernelRuntime } from './shared-backend.js';
export {
  sequenceModelToTfjs, tfjsToSequenceModel, modelFileToTfjs, tfjsToModelFile,
  type ToTfjsOptions, type FromTfjsOptions,
} from './convert.js';
