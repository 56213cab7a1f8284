// The numbers behind every analysis picture of one model, from the model and a batch of its
// task's inputs: decay curves from the equations, the measured decay per layer with both
// fits, timescales (LSTM) or exponents and reset intervals (pLSTM), p at initialisation
// against p now, gate traces of one sequence, and unit ablation when an evaluator is given.
// Browser-safe and JSON-ready: plain numbers and arrays (JSON writes Infinity as null).
//
// B = batch, T = time steps, H = units of one direction, N = steps measured.
import { SequenceModel } from '../model/sequence-model.js';
import { ConfigError } from '../errors.js';
import { lstmRetention, plstmRetention } from './decay-curves.js';
import { fitDecay, type DecayFit } from './decay-fit.js';
import { measuredDecay } from './measured-decay.js';
import { lstmTimescales, resetIntervals } from './timescales.js';
import { ablateByValue, type AblationGroup } from './ablation.js';

/** What the task's metric is, and how to measure it on a (possibly silenced) model. */
export interface AblationEvaluator {
  /**
   * The model to silence units of; defaults to the analysed model. Give a fast copy (e.g.
   * the wasm backend) when the analysed model is a float64 one for clean traces.
   */
  model?: SequenceModel;
  /** The task's primary metric of a model (e.g. the copy task's symbol accuracy). */
  evaluate: (m: SequenceModel) => number;
  /** Name of the metric, e.g. "acc". */
  metric: string;
  /** Equal-size groups of units per layer, by p or timescale (default 4). */
  groups?: number;
}

/** Options of reportData. */
export interface ReportDataOptions {
  /** Constant LSTM forget gates of the equation curves (default [0.9, 0.99, 0.999]). */
  fValues?: number[];
  /** pLSTM exponents of the equation curves (default [0.25, 0.5, 1]). */
  pValues?: number[];
  /** Steps of the equation curves (default 1000). */
  curveSteps?: number;
  /** Step whose cell state is changed for the measured decay (default 0: the initial state). */
  decayStart?: number;
  /** Size of that change (default 1e-4; use about 1e-2 for a float32 model). */
  decayDelta?: number;
  /** Share of units with the longest memory whose mean curve is fitted on its own (default 0.25). */
  memoryShare?: number;
  /** Which sequence of the batch the gate traces show (default 0). */
  traceSequence?: number;
  /** Most units in a gate trace (the first ones; default 32). */
  traceUnits?: number;
  /** Most steps in a gate trace (the first ones; default 256). */
  traceSteps?: number;
  /** Unit ablation with the task's metric; none when not given. */
  ablation?: AblationEvaluator;
}

/** A curve y over steps n. */
export interface Curve {
  n: number[];
  y: number[];
}

/** The fit of one curve, or null when fewer than three usable points remain. */
export type FitResult = DecayFit | null;

/** The measured decay of one forward direction. */
export interface LayerDecay {
  layer: number;
  /** Index into the model's state layers (its directions). */
  direction: number;
  /** Mean over units of the response to the change. */
  mean: Curve;
  meanFit: FitResult;
  /** The units whose response lasts longest (largest at the last step). */
  memoryUnits: number[];
  /** Their mean response. */
  memory: Curve;
  memoryFit: FitResult;
  /** Per unit: the better family and its parameter (null where no fit was possible). */
  units: { better: DecayFit['better'] | null; exponent: number | null; rate: number | null }[];
  /** Units whose curve a power law fits better. */
  powerLawUnits: number;
}

/** Per-unit timescales of one layer. */
export interface LayerTimescales {
  layer: number;
  /** LSTM: -1 / ln(mean forget gate) per unit (Mahto et al. 2021), over all directions. */
  timescale?: number[];
  /** pLSTM: the learned exponent per unit, now. */
  p?: number[];
  /** pLSTM: the exponent per unit at initialisation (the same config and seed). */
  pInit?: number[];
  /** pLSTM: every age at reset of each unit (the traced forward directions). */
  resetIntervals?: number[][];
  /** pLSTM: mean age at reset per unit (null for a unit that never resets). */
  meanResetInterval?: (number | null)[];
}

/** The gate traces of one sequence through one direction: [units, steps] row-major. */
export interface GateTrace {
  layer: number;
  direction: number;
  units: number;
  steps: number;
  /** Per gate name (pLSTM: r, a, f, c; LSTM: i, f, o, c): values[unit * steps + step]. */
  gates: Record<string, number[]>;
}

/** The ablation of one layer. */
export interface LayerAblation {
  layer: number;
  /** What grouped the units: 'p' or 'timescale'. */
  by: 'p' | 'timescale';
  metric: string;
  intact: number;
  groups: AblationGroup[];
}

/** Everything reportData measures. */
export interface ReportData {
  cell: string;
  layers: number;
  hidden: number[];
  sequences: number;
  steps: number;
  equations: {
    lstm: { f: number; retention: number[] }[];
    plstm: { p: number; retention: number[] }[];
  };
  decay: { start: number; delta: number; layers: LayerDecay[] };
  timescales: LayerTimescales[];
  traces: GateTrace[];
  ablation: LayerAblation[] | null;
}

const GATES: Record<string, string[]> = { plstm: ['r', 'a', 'f', 'c'], lstm: ['i', 'f', 'o', 'c'] };

function tryFit(c: Curve): FitResult {
  try {
    return fitDecay(c.n.slice(1), c.y.slice(1));
  } catch {
    return null;
  }
}

/**
 * The numbers behind every analysis picture. x: the model's inputs for B sequences of T
 * steps (ids [B, T] or features [B, T, I]). The model runs through `trace` (the reference
 * cells in its precision): a float64 model gives clean curves.
 */
export function reportData(model: SequenceModel, x: Int32Array | Float32Array | Float64Array, B: number, T: number,
  opts: ReportDataOptions = {}): ReportData {
  const cfg = model.config;
  if (!(Number.isInteger(B) && B > 0 && Number.isInteger(T) && T > 1)) throw new ConfigError(`reportData needs B >= 1 sequences of T >= 2 steps, got B=${B}, T=${T}`);
  const start = opts.decayStart ?? 0;
  const delta = opts.decayDelta ?? 1e-4;
  const share = opts.memoryShare ?? 0.25;
  const curveSteps = opts.curveSteps ?? 1000;
  const seq = opts.traceSequence ?? 0;
  if (!(Number.isInteger(seq) && seq >= 0 && seq < B)) throw new ConfigError(`traceSequence must be in [0, ${B}), got ${seq}`);
  const cell = cfg.layers[0].cell;

  const equations = {
    lstm: (opts.fValues ?? [0.9, 0.99, 0.999]).map((f) => ({ f, retention: Array.from(lstmRetention(f, curveSteps)) })),
    plstm: (opts.pValues ?? [0.25, 0.5, 1]).map((p) => ({ p, retention: Array.from(plstmRetention(p, curveSteps)) })),
  };

  const trace = model.trace({ x, B, T });
  const forward = trace.layers.map((d, i) => ({ d, i })).filter(({ d }) => d.direction === 'forward');

  // measured decay per forward direction
  const decayLayers: LayerDecay[] = forward.map(({ d, i }) => {
    const m = measuredDecay(model, x, B, T, { start, direction: i, delta });
    const steps = Array.from({ length: m.N }, (_, n) => n);
    const mean: Curve = { n: steps, y: Array.from(m.mean) };
    const last = m.N - 1;
    const order = Array.from({ length: m.H }, (_, j) => j).sort((a, b) => m.response[last * m.H + b] - m.response[last * m.H + a]);
    const memoryUnits = order.slice(0, Math.max(1, Math.round(share * m.H))).sort((a, b) => a - b);
    const memory: Curve = { n: steps, y: steps.map((n) => memoryUnits.reduce((s, j) => s + m.response[n * m.H + j], 0) / memoryUnits.length) };
    const units = Array.from({ length: m.H }, (_, j) => {
      const fit = tryFit({ n: steps, y: steps.map((n) => m.response[n * m.H + j]) });
      return fit === null ? { better: null, exponent: null, rate: null }
        : { better: fit.better, exponent: fit.powerLaw.parameter, rate: fit.exponential.parameter };
    });
    return {
      layer: d.layer, direction: i, mean, meanFit: tryFit(mean), memoryUnits, memory, memoryFit: tryFit(memory),
      units, powerLawUnits: units.filter((u) => u.better === 'power-law').length,
    };
  });

  // timescales per layer (all directions of a layer side by side, as the layer's outputs are)
  const pNow = new Map(model.pSummary().map((s) => [s.layer, Array.from(s.p)]));
  const initial = SequenceModel.createOn(cfg, model.backend); // same config and seed: the starting weights
  let pInit: Map<number, number[]>;
  try {
    pInit = new Map(initial.pSummary().map((s) => [s.layer, Array.from(s.p)]));
  } finally {
    initial.dispose();
  }
  const timescales: LayerTimescales[] = cfg.layers.map((spec, layer) => {
    const dirs = trace.layers.filter((d) => d.layer === layer);
    if (spec.cell === 'lstm') return { layer, timescale: dirs.flatMap((d) => Array.from(lstmTimescales(d))) };
    if (spec.cell !== 'plstm') return { layer };
    const intervals = dirs.flatMap((d) => resetIntervals(d, B, T));
    return {
      layer, p: pNow.get(layer), pInit: pInit.get(layer), resetIntervals: intervals,
      meanResetInterval: intervals.map((v) => (v.length === 0 ? null : v.reduce((s, a) => s + a, 0) / v.length)),
    };
  });

  // gate traces of one sequence, first direction of each layer
  const traces: GateTrace[] = [];
  for (let layer = 0; layer < cfg.layers.length; layer++) {
    const i = trace.layers.findIndex((d) => d.layer === layer);
    const d = trace.layers[i];
    const names = GATES[d.cell];
    if (names === undefined) continue;
    const U = Math.min(d.H, opts.traceUnits ?? 32), S = Math.min(T, opts.traceSteps ?? 256);
    const gates: Record<string, number[]> = {};
    for (const g of names) {
      const src = g === 'c' ? d.c : d.gates[g];
      const out = new Array<number>(U * S); // [U, S]
      for (let j = 0; j < U; j++) for (let t = 0; t < S; t++) out[j * S + t] = src[(seq * T + t) * d.H + j];
      gates[g] = out;
    }
    traces.push({ layer, direction: i, units: U, steps: S, gates });
  }

  let ablation: LayerAblation[] | null = null;
  if (opts.ablation !== undefined) {
    const a = opts.ablation;
    const target = a.model ?? model;
    ablation = [];
    for (const ts of timescales) {
      const by = ts.p !== undefined ? 'p' : 'timescale';
      const values = ts.p ?? ts.timescale;
      if (values === undefined) continue;
      const r = ablateByValue(target, ts.layer, values, a.groups ?? 4, a.evaluate);
      ablation.push({ layer: ts.layer, by, metric: a.metric, intact: r.intact, groups: r.groups });
    }
  }

  return {
    cell, layers: cfg.layers.length, hidden: cfg.layers.map((l) => l.hidden), sequences: B, steps: T,
    equations, decay: { start, delta, layers: decayLayers }, timescales, traces, ablation,
  };
}
