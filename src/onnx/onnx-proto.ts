// The ONNX messages the exporter writes, as plain objects, and their protobuf encoding.
// Field numbers are those of onnx.proto (ONNX IR version 8, the format of opset 17); only the
// fields the exporter sets are here.

import { ProtoWriter } from './protobuf.js';

/** TensorProto.DataType values used here. */
export const ELEM = { float: 1, int64: 7 } as const;
export type ElemType = keyof typeof ELEM;

/** A constant tensor (an initializer, or a node attribute's value). */
export interface OnnxTensor {
  name: string;
  dims: number[];
  /** float32 or int64 values, row-major. */
  data: Float32Array | BigInt64Array;
}

/** A graph input or output: its element type and shape (a string is a symbolic axis; null: no shape given). */
export interface OnnxValueInfo {
  name: string;
  elem: ElemType;
  shape: (number | string)[] | null;
}

/** A node attribute: the field that holds its value decides its type. */
export type OnnxAttribute =
  | { f: number }
  | { i: number }
  | { ints: number[] }
  | { s: string }
  | { t: OnnxTensor }
  | { g: OnnxGraph };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attrs?: Record<string, OnnxAttribute>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  docString?: string;
}

export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion?: string;
  docString?: string;
  graph: OnnxGraph;
  /** metadata_props: free key -> value strings. */
  metadata: Record<string, string>;
}

/** AttributeProto.AttributeType values. */
const ATTR_TYPE = { f: 1, i: 2, s: 3, t: 4, g: 5, ints: 7 } as const;

function tensor(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length > 0) w.packedInts(1, t.dims);
  w.int(2, t.data instanceof Float32Array ? ELEM.float : ELEM.int64);
  w.string(8, t.name);
  // raw_data: little-endian bytes (typed arrays are little-endian on every engine this runs on,
  // checked once below)
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return w;
}

function valueInfo(v: OnnxValueInfo): ProtoWriter {
  const tensorType = new ProtoWriter().int(1, ELEM[v.elem]);
  if (v.shape !== null) {
    const shape = new ProtoWriter();
    for (const d of v.shape) {
      const dim = new ProtoWriter();
      if (typeof d === 'number') dim.int(1, d);
      else dim.string(2, d);
      shape.message(1, dim);
    }
    tensorType.message(2, shape);
  }
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function attribute(name: string, a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ('f' in a) w.int(20, ATTR_TYPE.f).float(2, a.f);
  else if ('i' in a) w.int(20, ATTR_TYPE.i).int(3, a.i);
  else if ('s' in a) w.int(20, ATTR_TYPE.s).string(4, a.s);
  else if ('t' in a) w.int(20, ATTR_TYPE.t).message(5, tensor(a.t));
  else if ('g' in a) w.int(20, ATTR_TYPE.g).message(6, graph(a.g));
  else {
    w.int(20, ATTR_TYPE.ints);
    for (const v of a.ints) w.int(8, v); // repeated int64, unpacked (as onnx.proto declares it)
  }
  return w;
}

function node(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const [k, a] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, a));
  return w;
}

function graph(g: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, node(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensor(t));
  if (g.docString !== undefined) w.string(10, g.docString);
  for (const v of g.inputs) w.message(11, valueInfo(v));
  for (const v of g.outputs) w.message(12, valueInfo(v));
  return w;
}

/** The ModelProto's bytes. */
export function encodeModel(m: OnnxModel): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('ONNX export needs a little-endian engine (raw tensor data is little-endian)');
  }
  const w = new ProtoWriter().int(1, m.irVersion);
  w.string(2, m.producerName);
  if (m.producerVersion !== undefined) w.string(3, m.producerVersion);
  if (m.docString !== undefined) w.string(6, m.docString);
  w.message(7, graph(m.graph));
  w.message(8, new ProtoWriter().string(1, '').int(2, m.opsetVersion));
  for (const [key, value] of Object.entries(m.metadata)) w.message(14, new ProtoWriter().string(1, key).string(2, value));
  return w.finish();
}
