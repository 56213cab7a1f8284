// The wasm backend's memory: the first-fit heap over the module's memory (heap.ts), the
// per-call scratch arena and the memory statistics (scratch-arena.ts), the staging blocks
// the fast paths keep from call to call (staging-blocks.ts), and what forward keeps for
// backward with its lifetime (tape.ts).
export { WasmHeap } from './heap.js';
export { ScratchArena, keptList, wasmMemoryStats, type Blocks, type WasmMemoryStats } from './scratch-arena.js';
export { StagingBlocks } from './staging-blocks.js';
export { TapeKeeper, type WasmTape } from './tape.js';
