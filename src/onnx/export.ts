// A whole SequenceModel as one ONNX graph: input stage (one-hot, embedding or dense), every
// recurrent layer with its time loop as an ONNX Scan running the cells' exact math
// (scan-body.ts), reversed and bidirectional layers, and the linear head on every step or the
// last. Batch and time axes are symbolic, so one graph serves any B and T.
//
// B = batch, T = time, I = input width of a layer, H = hidden size of one direction,
// G = gates (3 pLSTM, 4 LSTM), W = a layer's output width (H, or 2H bidirectional), O = outputs.
//
// Graph input x: float32 [B, T, I] (dense) or int64 token ids [B, T] (one-hot, embedding).
// Graph output y: the head's raw outputs, what model.predict returns (logits for loss 'xent',
// values for 'mse', quantiles for 'pinball'): float32 [B, T, O] (head on every step) or
// [B, O] (last step). The initial state is zeros (h = c = 0, age 0), as predict's default.
//
// Initializers keep the model file's names and shapes (layers.<l>.weight_ih [G*H, I], ...;
// model/serialize.ts), so a graph's weights read like the model file's; the transposes the
// products need are Transpose nodes, which ONNX Runtime folds into constants when it loads.

import { ConfigError } from '../errors.js';
import { directionsOf, inputWidth, isLstmLayer, isPlstmLayer, layerWidth, type ResolvedModelConfig } from '../model/config.js';
import type { SequenceModel } from '../model/sequence-model.js';
import { GraphBuilder } from './graph-builder.js';
import { encodeModel, type OnnxValueInfo } from './onnx-proto.js';
import { stateFields, stepBody } from './scan-body.js';

/** The opset the graph is written for (ONNX 1.12; onnxruntime-web and onnxruntime run it). */
export const ONNX_OPSET = 17;
/** The IR version that goes with opset 17. */
const IR_VERSION = 8;

/** Options of exportOnnx. */
export interface OnnxExportOptions {
  /**
   * Extra metadata_props (key -> string; JSON for structured values), after the exporter's own
   * (`powerlaw-lstm.config`). Default: none. A Forecaster's settings and scalers come from its
   * onnxMetadata() without this.
   */
  metadata?: Record<string, string>;
  /** The graph's name. Default 'powerlaw-lstm'. */
  graphName?: string;
  /** producer_version of the ModelProto (e.g. the package's version). Default: not set. */
  producerVersion?: string;
}

/**
 * Something that holds a SequenceModel and metadata to export with it: a Forecaster (its
 * settings and scalers, so that the features can be built and the outputs mapped back).
 */
export interface OnnxExportable {
  readonly sequenceModel: SequenceModel;
  /** metadata_props to store with the network (JSON strings). */
  onnxMetadata(): Record<string, string>;
}

/** The model's config, resolved (what its file stores). */
export const CONFIG_KEY = 'powerlaw-lstm.config';

/**
 * The bytes of an ONNX ModelProto (opset 17) of the whole model: x -> y as model.predict
 * computes it (float32, from a zero state). A Forecaster exports its network with its settings
 * and scalers as metadata_props. Throws ConfigError for a layer of a cell other than 'plstm' or
 * 'lstm' (a cell registered with registerCell has no ONNX form).
 */
export function exportOnnx(source: SequenceModel | OnnxExportable, options: OnnxExportOptions = {}): Uint8Array {
  const held = 'onnxMetadata' in source;
  const model = held ? source.sequenceModel : source;
  const metadata: Record<string, string> = { [CONFIG_KEY]: JSON.stringify(model.config) };
  if (held) Object.assign(metadata, source.onnxMetadata());
  Object.assign(metadata, options.metadata ?? {});
  const graph = buildGraph(model, options.graphName ?? 'powerlaw-lstm');
  return encodeModel({
    irVersion: IR_VERSION, opsetVersion: ONNX_OPSET, producerName: 'powerlaw-lstm',
    producerVersion: options.producerVersion, graph, metadata,
    docString: describe(model.config),
  });
}

/** One line on what the graph computes, for a viewer such as Netron. */
function describe(cfg: ResolvedModelConfig): string {
  const layers = cfg.layers.map((l) => `${l.cell} H=${l.hidden}${l.bidirectional ? ' bidirectional' : l.reverse ? ' reversed' : ''}`);
  return `powerlaw-lstm sequence model: ${cfg.input.kind} input -> ${layers.join(' -> ')} -> head O=${cfg.head.size} on ${cfg.head.steps === 'all' ? 'every step' : 'the last step'} (loss ${cfg.loss}; y is the raw head output)`;
}

/** A parameter of the model as float32 (a float64 model is rounded once). */
function weights(model: SequenceModel, name: string): Float32Array {
  return Float32Array.from(model.parameter(name));
}

function buildGraph(model: SequenceModel, name: string) {
  const cfg = model.config;
  for (const [l, spec] of cfg.layers.entries()) {
    if (!isPlstmLayer(spec) && !isLstmLayer(spec)) {
      throw new ConfigError(`layers[${l}] is a "${spec.cell}" cell: ONNX export knows the built-in cells "plstm" and "lstm" only`);
    }
  }
  const g = new GraphBuilder();
  const tokens = cfg.input.kind !== 'dense';
  const I0 = inputWidth(cfg.input);
  const x = g.reserve('x');
  const input: OnnxValueInfo = tokens
    ? { name: x, elem: 'int64', shape: ['batch', 'time'] }
    : { name: x, elem: 'float', shape: ['batch', 'time', I0] };

  // [B] as a 1-D shape part, for the zero initial states [B, H]
  const batch = g.node('Slice', [g.node('Shape', [x]), g.intConst('zero', [0]), g.intConst('one', [1])], undefined, 'batch');
  const zeros = new Map<number, string>();
  const zerosOf = (H: number): string => {
    if (!zeros.has(H)) {
      const shape = g.node('Concat', [batch, g.intConst(`H${H}`, [H])], { axis: { i: 0 } });
      zeros.set(H, g.node('ConstantOfShape', [shape], { value: { t: { name: 'value', dims: [1], data: new Float32Array(1) } } }, `zeros_${H}`));
    }
    return zeros.get(H)!;
  };

  // The first layer's input: embedding rows [B, T, D], or x itself (dense). One-hot input is
  // never expanded: its product with W_ih^T is a row gather (below), as in the kernels.
  let cur: string | null = cfg.input.kind === 'embedding'
    ? g.node('Gather', [g.floatTensor('embedding.weight', weights(model, 'embedding.weight'), [cfg.input.vocab, cfg.input.dim]), x], { axis: { i: 0 } }, 'embedded')
    : cfg.input.kind === 'dense' ? x : null;

  const dirs = directionsOf(cfg);
  const last = cfg.layers.length - 1;
  const lastOnly = cfg.head.steps === 'last';
  let top = ''; // the head's input: [B, T, W] or [B, W]
  for (let l = 0; l <= last; l++) {
    const spec = cfg.layers[l];
    const plstm = isPlstmLayer(spec) ? spec : null; // else an LSTM (checked above)
    const cell = plstm !== null ? 'plstm' : 'lstm';
    const I = l === 0 ? I0 : layerWidth(cfg.layers[l - 1]);
    const H = spec.hidden, G = plstm !== null ? 3 : 4;
    const needSeq = !(l === last && lastOnly);
    const seqs: string[] = [], finals: string[] = [];
    for (const d of dirs.filter((k) => k.layer === l)) {
      const pre = `layers.${l}`, sfx = d.suffix;
      const wIh = g.floatTensor(`${pre}.weight_ih${sfx}`, weights(model, `${pre}.weight_ih${sfx}`), [G * H, I]);
      const wHh = g.floatTensor(`${pre}.weight_hh${sfx}`, weights(model, `${pre}.weight_hh${sfx}`), [G * H, H]);
      const bias = g.floatTensor(`${pre}.bias${sfx}`, weights(model, `${pre}.bias${sfx}`), [G * H]);
      const wIhT = g.node('Transpose', [wIh], undefined, `${pre}.weight_ih${sfx}.T`); // [I, G*H]
      const whhT = g.node('Transpose', [wHh], undefined, `${pre}.weight_hh${sfx}.T`); // [H, G*H]
      let p: string | null = null;
      if (plstm !== null) {
        p = plstm.pInit.mode === 'fixed'
          ? g.floatTensor(`${pre}.p_fixed${sfx}`, new Float32Array(H).fill(plstm.pInit.p), [H])
          : g.node('Sigmoid', [g.floatTensor(`${pre}.p_param${sfx}`, weights(model, `${pre}.p_param${sfx}`), [H])], undefined, `${pre}.p${sfx}`);
      }
      // the input projection of every step at once: [B, T, G*H]
      const proj = cur === null ? g.node('Gather', [wIhT, x], { axis: { i: 0 } }) : g.node('MatMul', [cur, wIhT]);
      const xp = g.node('Add', [proj, bias], undefined, `${pre}.xp${sfx}`);
      const fields = stateFields(cell);
      const body = stepBody({ cell, hidden: H, eps: plstm?.eps ?? 0, whhT, p, sequence: needSeq }, `l${l}${sfx}/`);
      const back = d.reverse ? 1 : 0;
      const outs = g.nodeN('Scan', [...fields.map(() => zerosOf(H)), xp],
        [...fields.map((f) => `${pre}${sfx}.${f}_final`), ...(needSeq ? [`${pre}${sfx}.h_seq`] : [])], {
          body: { g: body }, num_scan_inputs: { i: 1 },
          // time is axis 1 of [B, T, G*H] and of the outputs [B, T, H]; a reversed direction
          // reads from the last step and writes each output back at its own step
          scan_input_axes: { ints: [1] }, scan_input_directions: { ints: [back] },
          ...(needSeq ? { scan_output_axes: { ints: [1] }, scan_output_directions: { ints: [back] } } : {}),
        });
      finals.push(outs[0]);
      if (needSeq) seqs.push(outs[fields.length]);
    }
    // bidirectional: forward units first, then the reversed ones
    if (needSeq) cur = seqs.length === 1 ? seqs[0] : g.node('Concat', seqs, { axis: { i: 2 } }, `layers.${l}.out`);
    if (l === last) top = lastOnly ? (finals.length === 1 ? finals[0] : g.node('Concat', finals, { axis: { i: 1 } }, `layers.${l}.h_final`)) : cur!;
  }

  const O = cfg.head.size, W = layerWidth(cfg.layers[last]);
  const headW = g.floatTensor('head.weight', weights(model, 'head.weight'), [O, W]);
  const headB = g.floatTensor('head.bias', weights(model, 'head.bias'), [O]);
  const y = g.reserve('y');
  if (lastOnly) {
    g.nodes.push({ op: 'Gemm', inputs: [top, headW, headB], outputs: [y], name: 'head', attrs: { transB: { i: 1 } } });
  } else {
    const yw = g.node('MatMul', [top, g.node('Transpose', [headW], undefined, 'head.weight.T')]);
    g.nodes.push({ op: 'Add', inputs: [yw, headB], outputs: [y], name: 'head' });
  }
  const output: OnnxValueInfo = { name: y, elem: 'float', shape: lastOnly ? ['batch', O] : ['batch', 'time', O] };
  return g.graph(name, [input], [output]);
}
