// Opens the backend a model runs on from its RuntimeOptions: the one way to get a backend.

import { ConfigError } from '../errors.js';
import type { DType } from '../cells/types.js';
import type { SequenceBackend } from '../cells/sequence-backend.js';
import { getBackend } from '../kernels/registry.js';
import type { RuntimeOptions } from './config.js';
import { isPositiveInt } from '../cells/bounds.js';

let warnedFallback = false;

/**
 * Opens a backend. `backend: 'js'` runs the reference cells (float32 or float64);
 * `backend: 'wasm'` the fused kernels (float32 only), and throws a ConfigError saying why
 * when they cannot run here. With no backend asked for: 'wasm' (float64 always means 'js').
 *
 * Fallback, never silent: with no backend asked for, only an engine without WebAssembly or
 * WebAssembly SIMD falls back to 'js' float32. The returned backend then has
 * `fallbackReason` set to why, and the first such fallback in a process prints one
 * `console.warn`. Any other failure to load the kernels is thrown.
 *
 * Threads: the wasm backend uses `threads` (default: the available cores) where memory can
 * be shared with workers (Node; a cross-origin isolated page) and the caller may block
 * (not a page's main thread); elsewhere it runs on one thread, with no error.
 * Call `dispose()` on the backend when done (it stops its workers).
 */
export function openBackend(rt: RuntimeOptions = {}): SequenceBackend {
  const dtype = rt.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new ConfigError(`dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  }
  if (rt.threads !== undefined && !isPositiveInt(rt.threads)) {
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
      return wasmOrReportedFallback(opts);
    default:
      throw new ConfigError(`unknown backend ${JSON.stringify(rt.backend)}: use "wasm" or "js"`);
  }
}

function wasmOrReportedFallback(opts: { dtype: DType; threads?: number }): SequenceBackend {
  try {
    return getBackend('wasm', opts);
  } catch (err) {
    // detectVariant throws ConfigError only for a missing engine feature; anything else is a fault
    if (!(err instanceof ConfigError) || !/WebAssembly/.test(err.message)) throw err;
    const reason = err.message;
    if (!warnedFallback) {
      warnedFallback = true;
      console.warn(`powerlaw-lstm: the wasm kernels cannot run here (${reason}); using the slower js backend`);
    }
    return { ...getBackend('js', opts), fallbackReason: reason };
  }
}
