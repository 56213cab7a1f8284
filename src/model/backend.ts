// Picks the backend a model runs on from its RuntimeOptions.

import { ConfigError } from '../errors.js';
import type { SequenceBackend } from '../cells/types.js';
import { getBackend } from '../kernels/registry.js';
import type { RuntimeOptions } from './config.js';

/**
 * 'js' runs the reference cells (float32 or float64); 'wasm' the fused kernels (float32 only).
 * Without a choice: 'wasm' when it loads, else 'js' float32 (float64 always means 'js').
 */
export function openBackend(rt: RuntimeOptions = {}): SequenceBackend {
  const dtype = rt.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ConfigError(`dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  }
  if (rt.threads !== undefined && !(Number.isInteger(rt.threads) && rt.threads > 0)) {
    throw new ConfigError(`threads must be a positive integer, got ${String(rt.threads)}`);
  }
  const opts = { dtype, threads: rt.threads };
  switch (rt.backend) {
    case 'js':
      return getBackend('js', opts);
    case 'wasm':
      if (dtype !== 'float32') throw new ConfigError('the wasm backend runs float32 only: use backend "js" for float64');
      return getBackend('wasm', opts);
    case undefined:
      if (dtype === 'float64') return getBackend('js', opts);
      try {
        return getBackend('wasm', opts);
      } catch {
        return getBackend('js', opts);
      }
    default:
      throw new ConfigError(`unknown backend ${JSON.stringify(rt.backend)}: use "wasm" or "js"`);
  }
}
