// The reference cells (the oracle): math on plain typed arrays, float64 or float32.
export * from './types.js';
export type { SequenceBackend } from './sequence-backend.js';
export { plstmForward, plstmBackward, plstmExponents, type PlstmTape } from './plstm.js';
export { lstmForward, lstmBackward, type LstmTape } from './lstm.js';
export { createJsBackend } from './js-backend.js';
export { registerCell, cellDescriptor, gatesOf } from './registry.js';
export { PLSTM_CELL } from './plstm.js';
export { LSTM_CELL } from './lstm.js';
export type { CellDescriptor } from './descriptor.js';
export type * from './fast-paths.js';
export { Rng, deriveSeed, permutation } from './rng.js';
export {
  initPlstmWeights, initLstmWeights, plstmConfig, lstmConfig, logit, DEFAULT_EPS,
  type PInit, type LstmInitOptions,
} from './init.js';
export { checkConfig, checkWeights, checkState } from './registry.js';
export { checkSequence } from './validate.js';
export { zerosOf, zerosLike, asDType, dtypeOf } from './buffers.js';
