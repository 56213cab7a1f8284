// The WebAssembly kernel module: fused pLSTM / LSTM sequence kernels and the GEMMs they
// are built from. Every export takes byte addresses into the (shared, imported) memory
// plus counts; nothing here allocates. The TS side (../wasm/runtime/context.ts) owns the memory.
export { gemmNN, gemmNT, gemmTN, gemmTNBlocked, packPanels, gemmTNPanels } from './gemm';
export { fillRows, columnSums, batchToTime, timeToBatch, transpose, exponents, fillColumn, oneHotIds, unpadRowsBias } from './rows';
export { plstmForward } from './plstm-forward';
export { plstmBackwardSteps } from './plstm-backward';
export { lstmForward } from './lstm-forward';
export { lstmBackwardSteps } from './lstm-backward';
export { weightGrads, weightGradsScratch } from './weight-grads';
export { xentRows } from './xent';

/** First byte after the module's static data: the TS allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}
export { plstmStreamStep, lstmStreamStep, headStep } from './stream-step';
