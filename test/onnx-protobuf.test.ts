// The protobuf writer under the ONNX export against hand-encoded bytes from the protobuf
// encoding spec: varints (one byte, several, the largest safe integer, negative int64 as ten
// bytes), fixed 32-bit floats, UTF-8 strings, packed int64s and nested messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter } from '../src/onnx/protobuf.js';

const bytes = (w: ProtoWriter): number[] => Array.from(w.finish());

test('varint fields: 1, 150 (the spec\'s example), 2^53 - 1, -1 and a bigint', () => {
  assert.deepEqual(bytes(new ProtoWriter().int(1, 1)), [0x08, 0x01]);
  assert.deepEqual(bytes(new ProtoWriter().int(1, 150)), [0x08, 0x96, 0x01]);
  assert.deepEqual(bytes(new ProtoWriter().int(2, Number.MAX_SAFE_INTEGER)), [0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
  // negative int64: two's complement in ten bytes
  assert.deepEqual(bytes(new ProtoWriter().int(3, -1)), [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.deepEqual(bytes(new ProtoWriter().int(3, -1n)), bytes(new ProtoWriter().int(3, -1)));
  assert.deepEqual(bytes(new ProtoWriter().int(1, 2n ** 63n - 1n)), [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
  assert.throws(() => new ProtoWriter().int(1, 0.5), RangeError);
});

test('float, string (UTF-8), bytes, packed ints and a nested message with its length', () => {
  assert.deepEqual(bytes(new ProtoWriter().float(2, 1)), [0x15, 0x00, 0x00, 0x80, 0x3f]);
  assert.deepEqual(bytes(new ProtoWriter().string(2, 'testing')), [0x12, 0x07, ...Buffer.from('testing')]);
  assert.deepEqual(bytes(new ProtoWriter().string(1, 'µ')), [0x0a, 0x02, 0xc2, 0xb5]);
  assert.deepEqual(bytes(new ProtoWriter().bytes(9, new Uint8Array([1, 2, 3]))), [0x4a, 0x03, 1, 2, 3]);
  // the spec's packed example: field 4, values 3, 270, 86942
  assert.deepEqual(bytes(new ProtoWriter().packedInts(4, [3, 270, 86942])), [0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
  // the spec's nested example: field 3 holding { 1: 150 }, after other fields, and a long inner one
  const inner = new ProtoWriter().int(1, 150);
  assert.deepEqual(bytes(new ProtoWriter().int(1, 7).message(3, inner)), [0x08, 0x07, 0x1a, 0x03, 0x08, 0x96, 0x01]);
  const big = new Uint8Array(300).fill(9);
  const nested = bytes(new ProtoWriter().message(1, new ProtoWriter().bytes(2, big)));
  assert.deepEqual(nested.slice(0, 6), [0x0a, 0xaf, 0x02, 0x12, 0xac, 0x02]); // 303 = 3 + 300; 300
  assert.equal(nested.length, 306);
});
