// A minimal Protocol Buffers writer: what encoding an ONNX model needs and nothing more
// (varints, 32-bit floats, length-delimited strings, bytes and nested messages).
//
// Why hand-written rather than protobufjs with onnx.proto: the export writes a fixed handful of
// message types (onnx-proto.ts) and never reads any, so a general runtime (a dependency of its
// own, and the schema shipped and parsed at run time or compiled into generated code) would
// outweigh the few lines below many times over in what every user of the package installs.
// The wire format is fixed by the protobuf encoding spec; every graph the exporter writes is
// read back by ONNX Runtime and by the onnx checker in the tests.

/** Wire types of the protobuf encoding. */
const VARINT = 0, FIXED32 = 5, LENGTH_DELIMITED = 2;

const utf8 = new TextEncoder();

/**
 * Builds one message as a list of byte chunks; nested messages are kept as their chunks (no
 * copy until finish()), so a large weight tensor is copied once, into the final buffer.
 */
export class ProtoWriter {
  private readonly parts: Uint8Array[] = [];
  /** Bytes written so far. */
  length = 0;
  private scratch: number[] = [];

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  /** Appends the scratch bytes as one chunk. */
  private flush(): void {
    if (this.scratch.length === 0) return;
    this.push(Uint8Array.from(this.scratch));
    this.scratch = [];
  }

  /** A varint into the scratch bytes: non-negative safe integers, or any int64 as a bigint (two's complement). */
  private varint(v: number | bigint): void {
    let n = typeof v === 'bigint' ? BigInt.asUintN(64, v) : null;
    if (n === null) {
      const k = v as number;
      if (!Number.isSafeInteger(k)) throw new RangeError(`protobuf varint: ${k} is not a safe integer`);
      if (k < 0) n = BigInt.asUintN(64, BigInt(k));
      else {
        let x = k;
        while (x >= 0x80) {
          this.scratch.push((x % 0x80) | 0x80);
          x = Math.floor(x / 0x80);
        }
        this.scratch.push(x);
        return;
      }
    }
    while (n >= 0x80n) {
      this.scratch.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.scratch.push(Number(n));
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** An int32 / int64 / enum field (negative values take ten bytes, as in protobuf). */
  int(field: number, v: number | bigint): this {
    this.tag(field, VARINT);
    this.varint(v);
    return this;
  }

  /** A float field (fixed 32 bits, little-endian). */
  float(field: number, v: number): this {
    this.tag(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    for (const x of b) this.scratch.push(x);
    return this;
  }

  /** A bytes field. */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.varint(data.length);
    this.flush();
    this.push(data);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** A packed repeated int64 field. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.message(field, inner);
  }

  /** A nested message field. */
  message(field: number, m: ProtoWriter): this {
    m.flush();
    this.tag(field, LENGTH_DELIMITED);
    this.varint(m.length);
    this.flush();
    for (const p of m.parts) this.push(p);
    return this;
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
