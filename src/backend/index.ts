// powerlaw-lstm/backend: the contract for writing a backend (a new way of running the cells,
// e.g. on another engine) and its optional fast paths. Users of models need none of this:
// they open backends with openBackend and pass them to SequenceModel.createOn, from the root.
//
// A backend implements SequenceBackend (forward and backward over whole sequences, checked
// against the reference fixtures with runFixture from the root) and may offer fast paths, each
// with a reference definition it must match and the right to decline a call.

// --- the contract: cells over whole sequences
export type { SequenceBackend } from '../cells/sequence-backend.js';
export type {
  ForwardOptions, BackwardOptions, DType, Float, CellKind, CellConfig, CellWeights, CellState,
  CellGrads, SequenceForward,
} from '../cells/types.js';

// --- optional fast paths (cells/fast-paths.ts): each matches a reference and may decline
export type {
  LinearHeadPath, SoftmaxXentPath, HeadedLayerPath, HeadedForwardOptions, HeadedBackwardOptions, StepHead,
  StreamStepPath, StreamStepper, StreamModelParts, StepInput,
} from '../cells/fast-paths.js';

// --- where a backend's memory comes from: optimizers keep their state in buffers it allocates
export type { Allocator } from '../model/optimizers.js';
