// The model file: a whole model (config, weights, p learned or fixed) and optionally its
// optimizer's state, in one safetensors buffer. No file system here (browsers use this
// directly); node/save-load.ts writes and reads files.
//
// Tensors (F32 for a float32 model, F64 for a float64 one), named as PyTorch users expect:
//   embedding.weight [V, D]
//   layers.<l>.weight_ih [G*H, I], layers.<l>.weight_hh [G*H, H], layers.<l>.bias [G*H]
//     (gate rows r, o, g for the pLSTM; i, f, g, o for the LSTM, whose bias is
//      bias_ih + bias_hh: load it as bias_ih with bias_hh = 0)
//   layers.<l>.p_param [H]  (learned: p = sigmoid(p_param))  or  layers.<l>.p_fixed [H] (p itself)
//   head.weight [O, H], head.bias [O]
//   optim.<state>.<parameter name>  e.g. optim.exp_avg.layers.0.weight_hh (the optimizer's
//     per-parameter buffers, named as torch.optim names them)
// __metadata__ (strings): format, config (JSON), dtype, and with an optimizer: optimizer
// (JSON spec with the current lr), optimizer_steps; meta (JSON of the caller's extra info).

import { ConfigError, ModelFileError, PlstmError } from '../errors.js';
import type { Float } from '../cells/types.js';
import { directionsOf, isPlstmLayer, resolveConfig, type ModelConfig, type RuntimeOptions } from './config.js';
import { SequenceModel } from './sequence-model.js';
import { createOptimizer, type Optimizer, type OptimizerConfig } from './optimizers.js';
import { readSafetensors, writeSafetensors, type TensorIn, type TensorOut } from './safetensors.js';

/** Format tag in every model file's metadata; bumped when the layout changes. */
export const MODEL_FORMAT = 'powerlaw-lstm/1';

/** What loading gives back. */
export interface LoadedModel {
  model: SequenceModel;
  /** The optimizer with its state when the file has one, else null. */
  optimizer: Optimizer | null;
  /** The caller's extra info saved with the model ({} when none). */
  meta: Record<string, unknown>;
}

/** Serialises a model (and optionally its optimizer and extra info) to safetensors bytes. */
export function serializeModel(model: SequenceModel, opt?: Optimizer | null,
  meta: Record<string, unknown> = {}): Uint8Array {
  const tensors: Record<string, TensorOut> = {};
  for (const s of model.slots) {
    tensors[s.name] = { data: model.params.subarray(s.offset, s.offset + s.size) as Float, shape: s.shape };
  }
  for (const { layer: i, spec: l, suffix } of directionsOf(model.config)) {
    if (isPlstmLayer(l) && l.pInit.mode === 'fixed') {
      const p = model.dtype === 'float64' ? new Float64Array(l.hidden) : new Float32Array(l.hidden);
      tensors[`layers.${i}.p_fixed${suffix}`] = { data: p.fill(l.pInit.p), shape: [l.hidden] };
    }
  }
  const metadata: Record<string, string> = {
    format: MODEL_FORMAT,
    config: JSON.stringify(model.config),
    dtype: model.dtype,
    meta: JSON.stringify(meta),
  };
  if (opt) {
    metadata.optimizer = JSON.stringify({ ...opt.spec, lr: opt.lr });
    metadata.optimizer_steps = String(opt.steps);
    for (const [stateName, buf] of Object.entries(opt.stateTensors())) {
      if (buf.length !== model.params.length) {
        throw new ConfigError('this optimizer belongs to another model (its state has a different size)');
      }
      for (const s of model.slots) {
        tensors[`optim.${stateName}.${s.name}`] = { data: buf.subarray(s.offset, s.offset + s.size) as Float, shape: s.shape };
      }
    }
  }
  return writeSafetensors(tensors, metadata);
}

function parseJson(text: string | undefined, what: string): unknown {
  if (text === undefined) throw new ModelFileError(`model file has no ${what} in its metadata`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelFileError(`model file metadata "${what}" is not valid JSON (corrupt file)`);
  }
}

/** Copies a stored tensor into dst, exactly when the precisions match. */
function copyTensor(dst: Float, t: TensorIn): void {
  if (dst instanceof Float32Array && t.data32 !== null) dst.set(t.data32);
  else dst.set(t.data!);
}

function takeTensor(tensors: Record<string, TensorIn>, used: Set<string>, name: string, shape: number[]): TensorIn {
  const t = tensors[name];
  if (t === undefined) throw new ModelFileError(`model file lacks tensor "${name}" (truncated or from another model)`);
  if (t.dtype !== 'F32' && t.dtype !== 'F64') throw new ModelFileError(`tensor "${name}" is ${t.dtype}, expected F32 or F64`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ModelFileError(`tensor "${name}" has shape [${t.shape.join(', ')}], the config needs [${shape.join(', ')}]`);
  }
  for (let i = 0; i < t.data!.length; i++) {
    if (!Number.isFinite(t.data![i])) throw new ModelFileError(`tensor "${name}" contains ${t.data![i]} (corrupt file)`);
  }
  used.add(name);
  return t;
}

/**
 * Rebuilds a model (and its optimizer, when saved) from safetensors bytes. Without
 * runtime.dtype the model keeps the precision it was saved in (float64 runs on 'js'),
 * unless runtime.backend is 'wasm' (float32: the weights are rounded).
 * Throws ModelFileError when the bytes are truncated, corrupt, of another format or of a
 * model whose tensors do not match its config.
 */
export function deserializeModel(bytes: Uint8Array, runtime: RuntimeOptions = {}, what = 'model file'): LoadedModel {
  const { tensors, metadata } = readSafetensors(bytes, what);
  if (metadata.format === undefined) {
    throw new ModelFileError(`${what} is a safetensors file but not a powerlaw-lstm model (no "format" metadata)`);
  }
  if (metadata.format !== MODEL_FORMAT) {
    throw new ModelFileError(`${what} has format "${metadata.format}", this version reads "${MODEL_FORMAT}"`);
  }
  const config = parseJson(metadata.config, 'config') as ModelConfig;
  const meta = metadata.meta === undefined ? {} : parseJson(metadata.meta, 'meta');
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new ModelFileError('model file "meta" is not an object');

  try {
    resolveConfig(config);
  } catch (err) {
    if (err instanceof PlstmError) throw new ModelFileError(`${what} holds an invalid config: ${err.message}`);
    throw err;
  }
  // Without a dtype choice, a float64 model loads as float64 (on js) unless wasm was asked for.
  const stored = metadata.dtype === 'float64' ? 'float64' : 'float32';
  const rt: RuntimeOptions = runtime.dtype === undefined && runtime.backend !== 'wasm'
    ? { ...runtime, dtype: stored } : runtime;
  const model = SequenceModel.create(config, rt); // errors here are the runtime's
  try {
    const used = new Set<string>();
    for (const s of model.slots) {
      copyTensor(model.params.subarray(s.offset, s.offset + s.size) as Float, takeTensor(tensors, used, s.name, s.shape));
    }
    for (const { layer: i, spec: l, suffix } of directionsOf(model.config)) {
      if (!isPlstmLayer(l) || l.pInit.mode !== 'fixed') continue;
      const name = `layers.${i}.p_fixed${suffix}`;
      const t = takeTensor(tensors, used, name, [l.hidden]);
      const p = l.pInit.p;
      const tol = t.dtype === 'F32' ? 1e-7 : 0;
      for (const v of t.data!) {
        if (Math.abs(v - p) > tol) throw new ModelFileError(`${name} holds ${v}, the config says p = ${p}`);
      }
    }

    let optimizer: Optimizer | null = null;
    if (metadata.optimizer !== undefined) {
      const spec = parseJson(metadata.optimizer, 'optimizer') as OptimizerConfig;
      try {
        optimizer = createOptimizer(spec);
      } catch (err) {
        if (err instanceof PlstmError) throw new ModelFileError(`${what} holds an invalid optimizer: ${err.message}`);
        throw err;
      }
      const steps = Number(metadata.optimizer_steps ?? 'NaN');
      if (!Number.isSafeInteger(steps) || steps < 0) throw new ModelFileError(`${what} has a bad optimizer_steps`);
      const names = new Set<string>();
      for (const key of Object.keys(tensors)) {
        if (!key.startsWith('optim.')) continue;
        const stateName = key.slice('optim.'.length).split('.')[0];
        names.add(stateName);
      }
      const state: Record<string, Float> = {};
      const P = model.params.length;
      for (const n of names) {
        const buf = model.dtype === 'float64' ? new Float64Array(P) : new Float32Array(P);
        for (const s of model.slots) {
          copyTensor(buf.subarray(s.offset, s.offset + s.size), takeTensor(tensors, used, `optim.${n}.${s.name}`, s.shape));
        }
        state[n] = buf;
      }
      try {
        optimizer.loadState(steps, state, (n) => model.alloc(n));
      } catch (err) {
        if (err instanceof PlstmError) throw new ModelFileError(`${what} has a bad optimizer state: ${err.message}`);
        throw err;
      }
    }
    const extra = Object.keys(tensors).filter((k) => !used.has(k));
    if (extra.length > 0) {
      throw new ModelFileError(`${what} has tensors the config does not explain: ${extra.slice(0, 3).join(', ')}`);
    }
    return { model, optimizer, meta: meta as Record<string, unknown> };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
