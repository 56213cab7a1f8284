// The backends the tests run on, worked out once: the reference 'js' (float64 and float32)
// everywhere, and 'wasm' (float32) wherever this engine runs WebAssembly SIMD. A test that
// runs per backend loops over one of these lists (`for (const backend of FLOAT32_BACKENDS)`).
import { getBackend, listBackends } from '../../src/kernels/registry.js';
import type { SequenceBackend } from '../../src/cells/sequence-backend.js';

function wasmLoads(): boolean {
  try {
    getBackend('wasm', { dtype: 'float32' }).dispose?.();
    return true;
  } catch {
    return false;
  }
}

/** Whether the wasm backend runs here. */
export const WASM_AVAILABLE = wasmLoads();

/** The backends that run float32 models, by name: js always, wasm where it loads. */
export const FLOAT32_BACKENDS: readonly ('js' | 'wasm')[] = WASM_AVAILABLE ? ['js', 'wasm'] : ['js'];

/**
 * Every backend opened (js float64, js float32, wasm float32 where it loads), for tests of the
 * SequenceBackend contract; dispose each when done.
 */
export function openAllBackends(): SequenceBackend[] {
  return listBackends();
}
