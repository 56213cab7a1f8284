// The fused time loops of the wasm backend: forward and backward over whole sequences
// (forward.ts, backward.ts), the packing between the caller's layouts and the kernels'
// (relayout.ts), a cell's weights as the kernels read them (packed-weights.ts), and a linear
// head on every step of a layer inside those loops (step-head.ts).
export { runForward } from './forward.js';
export { runBackward } from './backward.js';
export { packWeights, type PackedWeights } from './packed-weights.js';
export { roundUp4 } from './relayout.js';
export type { HeadedLayer, StepHead } from './step-head.js';
