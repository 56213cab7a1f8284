// Unit ablation: the task metric after silencing groups of units. A unit is silenced by
// zeroing the weights that read its output h (the next layer's input columns, or the head's),
// in a copy of the model, so it still runs but nothing downstream hears it. Grouping units by
// their exponent p (or LSTM timescale) shows which memories the task relies on.
import { SequenceModel } from '../model/sequence-model.js';
import { directionsOf, layerWidth } from '../model/config.js';
import { ConfigError } from '../errors.js';

/**
 * A copy of the model on the same backend with the given units of one layer silenced (dispose
 * it when done; the backend stays the original model's).
 */
export function silenceUnits(model: SequenceModel, layer: number, units: number[]): SequenceModel {
  const cfg = model.config;
  if (!(Number.isInteger(layer) && layer >= 0 && layer < cfg.layers.length)) {
    throw new ConfigError(`layer must be in [0, ${cfg.layers.length}), got ${layer}`);
  }
  const W = layerWidth(cfg.layers[layer]);
  for (const u of units) if (!(Number.isInteger(u) && u >= 0 && u < W)) throw new ConfigError(`unit ${u} is not in [0, ${W}) of layer ${layer}`);
  const copy = SequenceModel.createOn(cfg, model.backend);
  copy.params.set(model.params);
  // the weights that read layer `layer`'s outputs: [rows, W] matrices whose column u is unit u
  const readers = layer + 1 < cfg.layers.length
    ? directionsOf(cfg).filter((d) => d.layer === layer + 1).map((d) => `layers.${layer + 1}.weight_ih${d.suffix}`)
    : ['head.weight'];
  for (const name of readers) {
    const w = copy.parameter(name);
    const rows = w.length / W;
    for (let r = 0; r < rows; r++) for (const u of units) w[r * W + u] = 0;
  }
  return copy;
}

export interface AblationGroup {
  /** The units silenced (indices into the layer's outputs). */
  units: number[];
  /** The range of the grouping value (p or timescale) in the group. */
  lo: number;
  hi: number;
  /** The metric with the group silenced. */
  metric: number;
}

/**
 * Splits a layer's units into `groups` equal-size groups by value (ascending), silences each
 * group in turn and evaluates the metric; also returns the metric of the intact model.
 */
export function ablateByValue(model: SequenceModel, layer: number, values: ArrayLike<number>, groups: number,
  evaluate: (m: SequenceModel) => number): { intact: number; groups: AblationGroup[] } {
  const order = Array.from(values, (v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const G = Math.max(1, Math.min(groups, order.length));
  const out: AblationGroup[] = [];
  for (let g = 0; g < G; g++) {
    const part = order.slice(Math.floor((g * order.length) / G), Math.floor(((g + 1) * order.length) / G));
    const silenced = silenceUnits(model, layer, part.map((x) => x[1]));
    try {
      out.push({ units: part.map((x) => x[1]), lo: part[0][0], hi: part[part.length - 1][0], metric: evaluate(silenced) });
    } finally {
      silenced.dispose();
    }
  }
  return { intact: evaluate(model), groups: out };
}
