// Which backends exist, by name. The reference 'js' backend is always there; the fused
// WebAssembly kernels ('wasm', float32) wherever this engine runs WebAssembly SIMD.
import { ConfigError } from '../errors.js';
import type { DType } from '../cells/types.js';
import type { SequenceBackend } from '../cells/sequence-backend.js';
import { createJsBackend } from '../cells/js-backend.js';
import { createWasmBackend } from './wasm/backend.js';

export interface BackendOptions {
  /** Precision (default float64 for 'js'; 'wasm' is float32 only). */
  dtype?: DType;
  /** Threads for backends that use them (default: the available cores; ignored by 'js'). */
  threads?: number;
}

/**
 * Every available backend: js float64, js float32 and wasm float32 (when this engine runs
 * WebAssembly SIMD). Call dispose() on each when done.
 */
export function listBackends(opts: { threads?: number } = {}): SequenceBackend[] {
  const list: SequenceBackend[] = [createJsBackend('float64'), createJsBackend('float32')];
  try {
    list.push(createWasmBackend({ threads: opts.threads }));
  } catch (err) {
    if (!(err instanceof ConfigError) || /threads/.test(err.message)) throw err;
    // no WebAssembly SIMD here: the reference backends only
  }
  return list;
}

/** One backend by name. */
export function getBackend(name: 'js' | 'wasm', opts: BackendOptions = {}): SequenceBackend {
  if (name === 'js') return createJsBackend(opts.dtype ?? 'float64');
  if (name === 'wasm') {
    if (opts.dtype !== undefined && opts.dtype !== 'float32') {
      throw new ConfigError('the wasm backend runs float32 only: use backend "js" for float64');
    }
    return createWasmBackend({ threads: opts.threads });
  }
  throw new ConfigError(`unknown backend ${JSON.stringify(name)}: use 'js' or 'wasm'`);
}
