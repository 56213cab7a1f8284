// The IDX format of MNIST (LeCun et al.): big-endian header, then unsigned bytes.
//   magic 0x00000801: 1-D (labels): count, then count bytes
//   magic 0x00000803: 3-D (images): count, rows, cols, then count*rows*cols bytes
// Only the unsigned-byte type (0x08) with 1 or 3 dimensions is accepted: that is what MNIST
// and its drop-in replacements (Fashion-MNIST, KMNIST) use.
import { DataError } from '../errors.js';

export const IDX_LABELS_MAGIC = 0x00000801;
export const IDX_IMAGES_MAGIC = 0x00000803;

export interface IdxArray {
  dims: number[]; // e.g. [60000] or [60000, 28, 28]
  data: Uint8Array; // product(dims) bytes
}

/** Parses IDX bytes; `name` is only used in error messages. */
export function parseIdx(buf: Uint8Array, name: string, expectMagic?: number): IdxArray {
  if (buf.length < 4) throw new DataError(`${name}: too short to be an IDX file (${buf.length} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== IDX_LABELS_MAGIC && magic !== IDX_IMAGES_MAGIC) {
    throw new DataError(`${name}: bad IDX magic number 0x${magic.toString(16).padStart(8, '0')} ` +
      `(expected 0x00000801 for labels or 0x00000803 for images)`);
  }
  if (expectMagic !== undefined && magic !== expectMagic) {
    const want = expectMagic === IDX_LABELS_MAGIC ? 'a label file (0x00000801)' : 'an image file (0x00000803)';
    throw new DataError(`${name}: expected ${want}, found magic 0x${magic.toString(16).padStart(8, '0')}`);
  }
  const nd = magic & 0xff;
  const header = 4 + 4 * nd;
  if (buf.length < header) throw new DataError(`${name}: truncated IDX header`);
  const dims: number[] = [];
  for (let d = 0; d < nd; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== header + size) {
    throw new DataError(`${name}: IDX header says ${dims.join('x')} = ${size} bytes of data ` +
      `but the file holds ${buf.length - header}; the file is truncated or corrupt`);
  }
  return { dims, data: buf.subarray(header, header + size) };
}

/** Encodes an IDX file (raw bytes); used by tests and for writing small fixtures. */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const nd = dims.length;
  const out = new Uint8Array(4 + 4 * nd + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000800 | nd, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * nd);
  return out;
}
