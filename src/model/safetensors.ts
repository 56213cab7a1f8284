// A strict reader and writer of the safetensors format (the format of Hugging Face's
// `safetensors` library, which PyTorch users read with `safetensors.torch.load_file`).
//
// Layout: 8 bytes little-endian u64 N, then N bytes of JSON header
//   { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
//     "__metadata__": { "<key>": "<string>" } }
// then the raw little-endian tensor data; offsets are relative to the end of the header.
//
// Written by hand because the format is tiny and the npm `safetensors` package is an
// unmaintained 0.0.1. The reader checks everything a truncated or foreign file can get wrong
// (header length vs file size, valid JSON object, known dtypes, shapes vs byte lengths,
// offsets in bounds, contiguous and covering the data) and throws ModelFileError naming it.

import { ModelFileError } from '../errors.js';

/** Bytes per element of every dtype the format defines (we read and write F32 and F64). */
const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1,
  BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};

/** Tensors we write: float32 or float64 data with a shape. */
export interface TensorOut {
  data: Float32Array | Float64Array;
  shape: number[];
}

/** A tensor read from a file: the data converted to float64, and the stored dtype. */
export interface TensorIn {
  dtype: string;
  shape: number[];
  /** The values (F32 and F64 only; other dtypes are listed but not decoded). */
  data: Float64Array | null;
  /** F32 data also as float32, exact (so a float32 model reloads bit for bit). */
  data32: Float32Array | null;
}

/** Header longer than this is not a model file (the Rust library's limit is 100 MB). */
const MAX_HEADER = 100_000_000;

/** Serialises tensors (in the given order) and string metadata into one buffer. */
export function writeSafetensors(tensors: Record<string, TensorOut>, metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(`tensor ${name}: shape [${t.shape.join(', ')}] does not match ${t.data.length} values`);
    }
    const bytes = t.data.byteLength;
    header[name] = { dtype: t.data instanceof Float64Array ? 'F64' : 'F32', shape: t.shape,
      data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (the reference writer does the same).
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - ((8 + headerBytes.length) % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    headerBytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const name of names) {
    const d = tensors[name].data;
    if (d instanceof Float64Array) {
      for (let i = 0; i < d.length; i++, p += 8) dv.setFloat64(p, d[i], true);
    } else {
      for (let i = 0; i < d.length; i++, p += 4) dv.setFloat32(p, d[i], true);
    }
  }
  return out;
}

/** Parses and validates a safetensors buffer; throws ModelFileError on anything wrong. */
export function readSafetensors(bytes: Uint8Array, what = 'model file'):
  { tensors: Record<string, TensorIn>; metadata: Record<string, string> } {
  const bad = (why: string): never => {
    throw new ModelFileError(`${what} is not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) bad(`only ${bytes.length} bytes (truncated or empty)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 < 2n || n64 > BigInt(MAX_HEADER)) bad(`header length ${n64} is implausible (foreign file?)`);
  const n = Number(n64);
  if (8 + n > bytes.length) {
    bad(`header says ${n} bytes but the file has only ${bytes.length - 8} after the length (truncated)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    bad('the header is not valid UTF-8 JSON (foreign or corrupt file)');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) bad('the header is not a JSON object');
  const dataLen = bytes.length - 8 - n;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors: Record<string, TensorIn> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) bad('__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') bad(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (typeof entry !== 'object' || entry === null) bad(`entry "${name}" is not an object`);
    const e = entry as Record<string, unknown>;
    const dtype = e.dtype;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) bad(`tensor "${name}" has unknown dtype ${JSON.stringify(dtype)}`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      bad(`tensor "${name}" has an invalid shape`);
    }
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      bad(`tensor "${name}" has invalid data_offsets`);
    }
    const [begin, end] = offs as number[];
    if (begin > end || end > dataLen) {
      bad(`tensor "${name}" data [${begin}, ${end}) lies outside the ${dataLen} data bytes (truncated)`);
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const size = DTYPE_BYTES[dtype as string];
    if (count * size !== end - begin) {
      bad(`tensor "${name}": shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${count * size} bytes, has ${end - begin}`);
    }
    spans.push({ name, begin, end });
    const base = 8 + n + begin;
    let data: Float64Array | null = null;
    let data32: Float32Array | null = null;
    if (dtype === 'F64') {
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = dv.getFloat64(base + 8 * i, true);
    } else if (dtype === 'F32') {
      data32 = new Float32Array(count);
      for (let i = 0; i < count; i++) data32[i] = dv.getFloat32(base + 4 * i, true);
      data = Float64Array.from(data32);
    }
    tensors[name] = { dtype: dtype as string, shape: shape as number[], data, data32 };
  }
  // The data must be covered exactly, without holes or overlaps.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const s of spans) {
    if (s.begin !== at) bad(`tensor "${s.name}" starts at byte ${s.begin}, expected ${at} (holes or overlaps)`);
    at = s.end;
  }
  if (at !== dataLen) bad(`${dataLen - at} bytes after the last tensor (corrupt or foreign file)`);
  return { tensors, metadata };
}
