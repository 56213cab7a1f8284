// Model files on disk (Node): serializeModel's bytes, written atomically.

import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './write-atomic.js';
import { ModelFileError } from '../errors.js';
import type { RuntimeOptions } from '../model/config.js';
import type { Optimizer } from '../model/optimizers.js';
import type { SequenceModel } from '../model/sequence-model.js';
import { deserializeModel, serializeModel, type LoadedModel } from '../model/serialize.js';

/**
 * Writes the model (and optionally the optimizer's state and extra info) to `file` as
 * safetensors. Atomic: the bytes go to a temporary file in the same directory, which is then
 * renamed over `file`, so a crash never leaves a half-written model. Replaces an existing
 * file: callers that must not overwrite check first.
 */
export function saveModel(file: string, model: SequenceModel, opt?: Optimizer | null,
  meta: Record<string, unknown> = {}): void {
  const bytes = serializeModel(model, opt, meta);
  try {
    writeFileAtomic(file, bytes);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === undefined) throw err;
    throw new ModelFileError(`cannot write model file ${file}: ${code}${code === 'ENOENT' ? ' (does its directory exist?)' : ''}`);
  }
}

/**
 * Reads a model file written by saveModel. Throws ModelFileError when the file is missing,
 * truncated, corrupt or not a model of this package.
 */
export function loadModel(file: string, runtime: RuntimeOptions = {}): LoadedModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ModelFileError(`cannot read model file ${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? err)}`);
  }
  return deserializeModel(bytes, runtime, `model file ${file}`);
}
