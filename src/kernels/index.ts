// The fast path, by concern:
//   registry.ts  which backends exist, by name ('js', the reference; 'wasm' where the engine
//                runs WebAssembly SIMD): most code opens a backend through it
//   wasm/        the wasm backend (see wasm/index.ts for its parts)
//   assembly/    the AssemblyScript sources of the kernel module (built by
//                scripts/build-wasm.mjs into wasm-bytes.generated.ts, which is not in git)
// The backends implement the SequenceBackend contract (cells/sequence-backend.ts).
export { createWasmBackend, type WasmBackend, type WasmBackendOptions } from './wasm/backend.js';
export { preloadWasmKernels, detectVariant, type KernelVariant } from './wasm/runtime/module.js';
export { listBackends, getBackend, type BackendOptions } from './registry.js';
