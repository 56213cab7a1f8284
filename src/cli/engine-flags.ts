// Imported first by the CLI, before any kernel is compiled.
//
// WebAssembly relaxed SIMD (a fused multiply-add among others) ships on by default from V8
// 11.4 (Node 22); Node 20's V8 11.3 has it behind a flag. The kernels choose the relaxed build
// by feature detection, so turning the flag on here gives the command the faster GEMMs on
// Node 20 too. Library users on Node 20 can pass the flag to node themselves.
import v8 from 'node:v8';

const [major, minor] = process.versions.v8.split('.').map(Number);
if (major < 11 || (major === 11 && minor < 4)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
