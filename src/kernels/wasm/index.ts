// The wasm backend: the fused WebAssembly SIMD kernels (built from ../assembly) behind the
// SequenceBackend contract, float32, rows split over a worker pool on shared memory.
//   backend.ts   the backend, assembled from the parts below
//   runtime/     loading the kernel module, the shared context, the worker pool, work shares
//   memory/      the heap over the module's memory, the per-call scratch arena, staging
//                blocks and the tapes that forward keeps for backward
//   sequence/    the fused time loops: forward, backward, the layouts and packed weights
//                they read, and a head on every step (HeadedLayer)
//   gemm.ts      the GEMMs over the backend's memory
//   fast-paths/  the optional fast paths of the backend contract (linear head, softmax
//                cross-entropy, headed layer, one-row streaming step)
export { createWasmBackend, type WasmBackend, type WasmBackendOptions } from './backend.js';
export { preloadWasmKernels, detectVariant, type KernelVariant } from './runtime/module.js';
