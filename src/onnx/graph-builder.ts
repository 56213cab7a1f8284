// Builds an ONNX graph node by node: each call adds one node and returns the name of its
// output, so the exporter reads like the math it writes. Names are unique within the builder
// (a prefix per graph keeps a Scan body's names apart from the outer graph's, which the body
// may read).

import type { OnnxAttribute, OnnxGraph, OnnxTensor, OnnxValueInfo } from './onnx-proto.js';

export class GraphBuilder {
  readonly nodes: OnnxGraph['nodes'] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly used = new Set<string>();
  private count = 0;

  /** prefix: put before every generated name (e.g. 'l0/' for a layer's Scan body). */
  constructor(private readonly prefix = '') {}

  /** A fresh value name from a readable stem. */
  fresh(stem: string): string {
    let name = `${this.prefix}${stem}`;
    while (this.used.has(name)) name = `${this.prefix}${stem}_${++this.count}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node with `outputs` outputs and returns their names. */
  nodeN(op: string, inputs: string[], outputs: number | string[], attrs?: Record<string, OnnxAttribute>): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, k) => this.fresh(`${op.toLowerCase()}${outputs > 1 ? k : ''}`)) : outputs.map((o) => this.fresh(o));
    this.nodes.push({ op, inputs, outputs: outs, name: this.fresh(`${op}_node`), attrs });
    return outs;
  }

  /** Adds a node with one output; `out` names it (else a name from the op). */
  node(op: string, inputs: string[], attrs?: Record<string, OnnxAttribute>, out?: string): string {
    return this.nodeN(op, inputs, [out ?? op.toLowerCase()], attrs)[0];
  }

  /** A float32 initializer with exactly this name (the model file's names are kept as they are). */
  floatTensor(name: string, data: Float32Array, dims: number[]): string {
    if (this.used.has(name)) throw new Error(`ONNX graph: ${name} defined twice`);
    this.used.add(name);
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** A float32 constant (scalar when dims is []). */
  floatConst(stem: string, values: number[], dims: number[] = []): string {
    const name = this.fresh(stem);
    this.initializers.push({ name, dims, data: Float32Array.from(values) });
    return name;
  }

  /** An int64 constant (1-D). */
  intConst(stem: string, values: number[]): string {
    const name = this.fresh(stem);
    this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    return name;
  }

  /** The graph from what was added, with these inputs and outputs. */
  graph(name: string, inputs: OnnxValueInfo[], outputs: OnnxValueInfo[], docString?: string): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs, docString };
  }

  /** Reserves a name given from outside (a graph input) so nothing generated takes it. */
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`ONNX graph: ${name} defined twice`);
    this.used.add(name);
    return name;
  }
}
