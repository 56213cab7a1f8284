// Which backends exist, by name. The reference 'js' backend is always there.
import { ConfigError } from '../errors.js';
import type { DType, SequenceBackend } from '../cells/types.js';
import { createJsBackend } from '../cells/js-backend.js';

export interface BackendOptions {
  /** Precision (default float64 for 'js'). */
  dtype?: DType;
  /** Worker threads for backends that use them (ignored by 'js'). */
  threads?: number;
}

/** Every available backend: js float64 and js float32 (and the fast ones, once built). */
export function listBackends(opts: { threads?: number } = {}): SequenceBackend[] {
  void opts;
  return [createJsBackend('float64'), createJsBackend('float32')];
}

/** One backend by name. */
export function getBackend(name: 'js' | 'wasm', opts: BackendOptions = {}): SequenceBackend {
  if (name === 'js') return createJsBackend(opts.dtype ?? 'float64');
  if (name === 'wasm') throw new ConfigError('wasm backend not available');
  throw new ConfigError(`unknown backend ${JSON.stringify(name)}: use 'js' or 'wasm'`);
}
