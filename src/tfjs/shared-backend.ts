// One backend per runtime choice for every TF.js layer of the process: a wasm backend owns a
// worker pool and a wasm memory, so layers share it rather than opening one each.
import type { SequenceBackend } from '../cells/sequence-backend.js';
import { openBackend } from '../model/backend.js';

/** Which of our backends a TF.js layer runs on (not TF.js's own backend). */
export interface KernelRuntime {
  /** 'wasm' (fused kernels) or 'js' (the reference cells, float32). Default: 'wasm' when it loads. */
  backend?: 'wasm' | 'js' | null;
  /** Worker threads of the wasm backend. Default: the available cores. */
  threads?: number | null;
}

const opened = new Map<string, SequenceBackend>();

/** The process's backend for this runtime choice, opened on first use. */
export function sharedBackend(rt: KernelRuntime): SequenceBackend {
  const key = `${rt.backend ?? 'auto'}/${rt.threads ?? 'auto'}`;
  let backend = opened.get(key);
  if (backend === undefined) {
    backend = openBackend({ backend: rt.backend ?? undefined, threads: rt.threads ?? undefined, dtype: 'float32' });
    opened.set(key, backend);
  }
  return backend;
}

/** Frees the backends the TF.js layers opened (their workers and memory); later calls reopen them. */
export function disposeKernelBackends(): void {
  for (const b of opened.values()) b.dispose?.();
  opened.clear();
}
