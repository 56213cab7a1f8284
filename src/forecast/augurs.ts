// Grafana's augurs (npm @bsull/augurs, Rust compiled to WebAssembly): its ETS and MSTL modules,
// loaded once by `await loadAugurs()` before the first ETS or MSTL forecast; the forecasts
// themselves are synchronous. Browser-safe: no Node built-in is imported. In Node the wasm
// bytes are read through `process.getBuiltinModule('node:fs')` (Node >= 20.16), which no
// bundler follows; in a browser augurs fetches them beside its own module.

import type * as EtsModule from '@bsull/augurs/ets';
import type * as MstlModule from '@bsull/augurs/mstl';
import { ConfigError } from '../errors.js';

/** The two compiled augurs modules this package uses (`ets_bg.wasm`, `mstl_bg.wasm` of @bsull/augurs). */
export interface AugursWasm {
  ets: BufferSource | WebAssembly.Module;
  mstl: BufferSource | WebAssembly.Module;
}

/** The loaded augurs modules. */
export interface Augurs {
  ets: typeof EtsModule;
  mstl: typeof MstlModule;
}

let loaded: Augurs | null = null;

/**
 * Loads augurs' ETS and MSTL WebAssembly modules; later calls return at once. Pass `wasm` to
 * give the bytes yourself (e.g. from a bundler's asset import). Otherwise Node (>= 20.16, ES
 * module or CommonJS) reads them from the installed package, and a browser fetches them from
 * beside augurs' scripts: that works unbundled or with a bundler that copies
 * `new URL('x.wasm', import.meta.url)` assets (Vite does, esbuild does not: pass `wasm` there).
 */
export async function loadAugurs(wasm?: AugursWasm): Promise<void> {
  if (loaded) return;
  const [ets, mstl] = await Promise.all([import('@bsull/augurs/ets'), import('@bsull/augurs/mstl')]);
  const bytes = wasm ?? nodeWasm();
  if (bytes) {
    ets.initSync({ module: bytes.ets });
    mstl.initSync({ module: bytes.mstl });
  } else {
    await Promise.all([ets.default(), mstl.default()]);
  }
  loaded = { ets, mstl };
}

/** Whether loadAugurs() has finished. */
export function augursLoaded(): boolean {
  return loaded !== null;
}

/** The loaded modules; a ConfigError when loadAugurs() has not been awaited yet. */
export function augurs(): Augurs {
  if (!loaded) throw new ConfigError('ETS and MSTL forecasts run on augurs (WebAssembly): call `await loadAugurs()` once before the first one');
  return loaded;
}

interface NodeProcess { getBuiltinModule?: (id: string) => unknown }
interface NodeFs { readFileSync(path: string | URL): Uint8Array }
declare const require: { resolve(id: string): string } | undefined;

/** In Node, the bytes of both modules read from the installed package; null elsewhere. */
function nodeWasm(): AugursWasm | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  if (!fs) return null;
  // ES modules resolve through import.meta; the CommonJS build (where import.meta is empty) through require
  const metaResolve = (import.meta as { resolve?: (id: string) => string }).resolve;
  const resolve = (id: string): string | URL => metaResolve ? new URL(metaResolve(id)) : require!.resolve(id);
  const wasmBeside = (id: string, file: string): Uint8Array => {
    const script = resolve(id);
    return fs.readFileSync(typeof script === 'string' ? script.replace(/[^/\\]+$/, file) : new URL(file, script));
  };
  return { ets: wasmBeside('@bsull/augurs/ets', 'ets_bg.wasm'), mstl: wasmBeside('@bsull/augurs/mstl', 'mstl_bg.wasm') };
}
