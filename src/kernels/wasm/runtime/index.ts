// Running the kernel module: loading and instantiating it (module.ts), the state one
// backend's parts share (context.ts), the worker pool on shared memory (pool.ts) and how a
// call splits its rows over the threads (work-shares.ts).
export { compiledKernels, createKernelMemory, instantiateKernels, preloadWasmKernels, detectVariant,
  type KernelExports, type KernelVariant } from './module.js';
export { createWasmContext, type WasmContext } from './context.js';
export { WorkerPool, availableCores, canBlock, type KernelJob } from './pool.js';
export { rowShares, splitBy4 } from './work-shares.js';
