// The fast path: fused WebAssembly SIMD kernels for the pLSTM and the LSTM on a worker pool
// over shared memory, behind the SequenceBackend interface (see cells/types.ts). Most code
// picks a backend by name through the registry; createWasmBackend gives the options.
export { createWasmBackend, type WasmBackend, type WasmBackendOptions } from './wasm-backend.js';
export { preloadWasmKernels, detectVariant, type KernelVariant } from './wasm-module.js';
export { listBackends, getBackend, type BackendOptions } from './registry.js';
