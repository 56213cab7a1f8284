// A model's trainable parameters: the layout of the one flat buffer and its seeded
// initialisation, with the layer objects that hold views into it.
//
// All trainable parameters live in one flat buffer [P] (and their gradients in another), in
// the backend's dtype and, when the backend has `alloc`, in its own memory (no copies per
// step). Each layer's weights are views into it, so the optimizer and clipping are one loop.
// Layout, in this order (the names are those of the model file):
//   embedding.weight [V, D]                         (embedding input only)
//   layers.<l>.weight_ih [G*H, I]  .weight_hh [G*H, H]  .bias [G*H]  .p_param [H] (learned p)
//   (bidirectional layers: then the same four with the suffix _reverse, as PyTorch names them)
//   head.weight [O, W_top]  head.bias [O]
//
// Initialisation draws from one Rng(seed) in that same order: the embedding ~ N(0, 1) (as
// torch.nn.Embedding), each layer by the cells' initPlstmWeights / initLstmWeights, then the
// head ~ U(-1/sqrt(W), 1/sqrt(W)) (as torch.nn.Linear). Values are drawn in float64 and then
// stored in the model's dtype, so every backend starts from the same numbers.
//
// B = batch, T = time, I = input size of a layer, H = hidden size, W_top = the top layer's
// output width, O = head outputs, P = number of trainable numbers.
import type { CellConfig, CellWeights, Float } from '../cells/types.js';
import { Rng } from '../cells/rng.js';
import { initLstmWeights, initPlstmWeights, lstmConfig, plstmConfig } from '../cells/init.js';
import { cellDescriptor, gatesOf } from '../cells/registry.js';
import {
  directionsOf, inputWidth, isLstmLayer, isPlstmLayer, layerWidth,
  type ResolvedLayerSpec, type ResolvedModelConfig,
} from './config.js';
import { LayerUnit, RecurrentLayer } from './recurrent-layer.js';

/** Where one named tensor sits in the flat parameter buffer. */
export interface ParamSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** The parameters of a model and the views that read them. */
export interface ModelParameters {
  /** Name, shape and place of every tensor in params. */
  slots: ParamSlot[];
  /** All trainable parameters [P]. */
  params: Float;
  /** Their gradients [P], same layout. */
  grads: Float;
  emb: { w: Float; g: Float } | null; // [V, D]
  /** Every direction of every unit in state order (ModelState.layers). */
  directions: RecurrentLayer[];
  /** The recurrent layer units, bottom to top. */
  units: LayerUnit[];
  head: { w: Float; b: Float; gw: Float; gb: Float }; // [O, W_top], [O]
}

/** The cell config of one direction of a layer that reads I numbers per step. */
function cellConfigOf(spec: ResolvedLayerSpec, I: number): CellConfig {
  if (isPlstmLayer(spec)) return plstmConfig(I, spec.hidden, { eps: spec.eps, pInit: spec.pInit });
  if (isLstmLayer(spec)) return lstmConfig(I, spec.hidden);
  const cfg: CellConfig = { kind: spec.cell, inputSize: I, hiddenSize: spec.hidden, eps: 0, fixedP: null };
  return cfg;
}

/** Seeded initial weights of one direction (float64 draws). */
function initialWeights(spec: ResolvedLayerSpec, cfg: CellConfig, rng: Rng): CellWeights {
  if (isPlstmLayer(spec)) return initPlstmWeights(cfg, rng, spec.pInit, 'float64');
  if (isLstmLayer(spec)) return initLstmWeights(cfg, rng, { forgetBias: spec.forgetBias, chrono: spec.chrono }, 'float64');
  const d = cellDescriptor(cfg.kind);
  if (d.init !== undefined) return d.init(cfg, rng, 'float64');
  // torch.nn.RNN's rule: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)), drawn in this order
  const G = d.gates.length, H = cfg.hiddenSize, k = 1 / Math.sqrt(H);
  const draw = (n: number) => Float64Array.from({ length: n }, () => rng.range(-k, k));
  return { wIh: draw(G * H * cfg.inputSize), wHh: draw(G * H * H), b: draw(G * H), theta: d.hasTheta ? draw(H) : null };
}

/** Lays out and initialises the parameters of `config` in buffers from allocFn. */
export function buildParameters(config: ResolvedModelConfig, allocFn: (n: number) => Float): ModelParameters {
  // Cell configs, one per direction (these validate H, eps, fixed p once more, with the
  // cells' own messages); a layer reads the whole output width of the one below.
  const dirs = directionsOf(config);
  const widthBelow = (l: number): number => (l === 0 ? inputWidth(config.input) : layerWidth(config.layers[l - 1]));
  const cellCfgs: CellConfig[] = dirs.map(({ layer, spec }) => cellConfigOf(spec, widthBelow(layer)));
  const Htop = layerWidth(config.layers[config.layers.length - 1]);
  const O = config.head.size;

  // Layout of the flat parameter buffer.
  const slots: ParamSlot[] = [];
  let P = 0;
  const add = (name: string, shape: number[]): ParamSlot => {
    const size = shape.reduce((a, b) => a * b, 1);
    const s = { name, shape, offset: P, size };
    slots.push(s);
    P += size;
    return s;
  };
  const embSlot = config.input.kind === 'embedding'
    ? add('embedding.weight', [config.input.vocab, config.input.dim]) : null;
  const layerSlots = cellCfgs.map((c, k) => {
    const G = gatesOf(c.kind);
    const H = c.hiddenSize;
    const { layer: l, suffix } = dirs[k];
    return {
      wIh: add(`layers.${l}.weight_ih${suffix}`, [G * H, c.inputSize]),
      wHh: add(`layers.${l}.weight_hh${suffix}`, [G * H, H]),
      b: add(`layers.${l}.bias${suffix}`, [G * H]),
      theta: cellDescriptor(c.kind).hasTheta && c.fixedP === null ? add(`layers.${l}.p_param${suffix}`, [H]) : null,
    };
  });
  const headW = add('head.weight', [O, Htop]);
  const headB = add('head.bias', [O]);
  const params = allocFn(P);
  const grads = allocFn(P);
  const pv = (s: ParamSlot): Float => params.subarray(s.offset, s.offset + s.size) as Float;
  const gv = (s: ParamSlot): Float => grads.subarray(s.offset, s.offset + s.size) as Float;

  // Seeded initialisation (float64 draws, stored in the model's dtype).
  const rng = new Rng(config.seed);
  let emb: { w: Float; g: Float } | null = null;
  if (embSlot !== null) {
    const w = pv(embSlot);
    for (let i = 0; i < w.length; i++) w[i] = rng.normal();
    emb = { w, g: gv(embSlot) };
  }
  const directions = cellCfgs.map((cfg, k) => {
    const { layer, spec, suffix, reverse } = dirs[k];
    const init = initialWeights(spec, cfg, rng);
    const s = layerSlots[k];
    const w: CellWeights = { wIh: pv(s.wIh), wHh: pv(s.wHh), b: pv(s.b), theta: null };
    w.wIh.set(init.wIh);
    w.wHh.set(init.wHh);
    w.b.set(init.b);
    if (init.theta !== null) {
      // A fixed p is not trained: its theta (logit p, never read) sits outside params.
      w.theta = s.theta !== null ? pv(s.theta) : allocFn(cfg.hiddenSize);
      w.theta.set(init.theta);
    }
    const g = { wIh: gv(s.wIh), wHh: gv(s.wHh), b: gv(s.b), theta: s.theta !== null ? gv(s.theta) : null };
    return new RecurrentLayer(cfg, w, g, reverse, `l${layer}${suffix}`);
  });
  const units = config.layers.map((spec, l) => new LayerUnit(
    directions.filter((_, k) => dirs[k].layer === l), spec.dropout, `l${l}`));
  const hw = pv(headW);
  const hb = pv(headB);
  const bound = 1 / Math.sqrt(Htop);
  for (let i = 0; i < hw.length; i++) hw[i] = rng.range(-bound, bound);
  for (let i = 0; i < hb.length; i++) hb[i] = rng.range(-bound, bound);
  const head = { w: hw, b: hb, gw: gv(headW), gb: gv(headB) };
  return { slots, params, grads, emb, directions, units, head };
}
