// Ratios between our model and the baselines measured in the same run, and the targets. The
// headline is our pLSTM against the fastest PyTorch implementation timed at that shape,
// whichever it is (the per-step cell, the TorchScript-compiled loop, or torch.nn.LSTM).
import { COPY_TASK, type BenchMode } from '../src/bench/config.js';
import type { OursResult } from '../src/bench/ours.js';
import type { BaselineResult } from './baselines.js';

interface Timed { median_s: number; threads: number }

/** The fastest (lowest median) of a list, or null. */
function best<T extends Timed>(xs: T[]): T | null {
  return xs.reduce<T | null>((b, x) => (b === null || x.median_s < b.median_s ? x : b), null);
}

/** One target of the issue: `value` compared with `limit` ('max' = at most, 'min' = at least). */
export interface TargetCheck {
  name: string;
  value: number;
  limit: number;
  kind: 'max' | 'min';
  pass: boolean;
}

/** The ratios line of one shape (mode, B, T, H, I, O). */
export interface RatiosLine {
  source: 'ratios';
  mode: BenchMode;
  B: number; T: number; H: number; I: number; O: number;
  /** Fastest median per contestant, with the thread count it ran at. */
  best: Record<string, { median_s: number; threads: number }>;
  /** Time ratios (ours / baseline: lower is better) and speedups (baseline / ours: higher is better). */
  ratios: Record<string, number>;
  /**
   * Our pLSTM's time over the fastest PyTorch implementation at this shape (best thread count
   * of each), and which one that was; absent without both.
   */
  headline?: { baseline: string; ratio: number };
  targets: TargetCheck[];
}

function sameShape(a: OursResult, b: BaselineResult): boolean {
  return a.mode === b.mode && a.B === b.B && a.T === b.T && a.H === b.H && a.I === b.I && a.O === b.O;
}

function isCopyTask(o: OursResult): boolean {
  return o.mode === 'train' && o.B === COPY_TASK.B && o.T === COPY_TASK.T && o.H === COPY_TASK.H
    && o.I === COPY_TASK.I && o.O === COPY_TASK.O;
}

/** Builds one ratios line per shape that has both our results and some baseline. */
export function compare(ours: OursResult[], baselines: BaselineResult[]): RatiosLine[] {
  const shapes = new Map<string, OursResult>();
  for (const o of ours) shapes.set(`${o.mode}/${o.B}/${o.T}/${o.H}/${o.I}/${o.O}`, o);
  const lines: RatiosLine[] = [];
  for (const shape of shapes.values()) {
    const base = baselines.filter((b) => sameShape(shape, b));
    if (base.length === 0) continue;
    const mine = ours.filter((o) => o.mode === shape.mode && o.B === shape.B && o.T === shape.T
      && o.H === shape.H && o.I === shape.I && o.O === shape.O);
    const bestOf: Record<string, Timed | null> = {
      plstm: best(mine.filter((o) => o.cell === 'plstm')),
      lstm: best(mine.filter((o) => o.cell === 'lstm')),
    };
    for (const impl of new Set(base.map((b) => `${b.source}:${b.impl}`))) {
      bestOf[impl] = best(base.filter((b) => `${b.source}:${b.impl}` === impl));
    }
    const ratios: Record<string, number> = {};
    const put = (name: string, num: string, den: string): void => {
      const n = bestOf[num], d = bestOf[den];
      if (n && d) ratios[name] = n.median_s / d.median_s;
    };
    // time ratios: ours / baseline
    put('plstm/torch:plstm-cell', 'plstm', 'torch:plstm-cell');
    put('plstm/torch:plstm-script', 'plstm', 'torch:plstm-script');
    put('plstm/torch:lstm-nn', 'plstm', 'torch:lstm-nn');
    put('lstm/torch:lstm-nn', 'lstm', 'torch:lstm-nn');
    put('lstm/torch:lstm-cell', 'lstm', 'torch:lstm-cell');
    // speedups: baseline / ours
    put('tfjs:lstm-layer/plstm', 'tfjs:lstm-layer', 'plstm');
    put('tfjs:lstm-layer/lstm', 'tfjs:lstm-layer', 'lstm');
    if (shape.mode === 'infer-step') {
      put('torch:plstm-cell/plstm', 'torch:plstm-cell', 'plstm');
      put('torch:lstm-cell/lstm', 'torch:lstm-cell', 'lstm');
    }

    const torchImpls = Object.keys(bestOf).filter((k) => k.startsWith('torch:') && bestOf[k] !== null);
    const fastest = torchImpls.reduce<string | null>((f, k) => (f === null || bestOf[k]!.median_s < bestOf[f]!.median_s ? k : f), null);
    const headline = fastest !== null && bestOf.plstm
      ? { baseline: fastest, ratio: bestOf.plstm.median_s / bestOf[fastest]!.median_s } : undefined;

    const targets: TargetCheck[] = [];
    const check = (name: string, key: string, limit: number, kind: 'max' | 'min'): void => {
      const value = ratios[key];
      if (value === undefined) return;
      targets.push({ name, value, limit, kind, pass: kind === 'max' ? value <= limit : value >= limit });
    };
    if (isCopyTask(shape)) {
      check('train, copy task: pLSTM time / PyTorch per-step-cell pLSTM (best threads)', 'plstm/torch:plstm-cell', 0.5, 'max');
      check('train, copy task: TF.js LSTM layer time / pLSTM', 'tfjs:lstm-layer/plstm', 40, 'min');
    }
    if (shape.mode === 'infer-step' && shape.B === 1 && shape.H === COPY_TASK.H) {
      check('streaming, B = 1, H = 128: PyTorch per-step cell time / pLSTM step', 'torch:plstm-cell/plstm', 20, 'min');
    }
    const bestOut: RatiosLine['best'] = {};
    for (const [k, v] of Object.entries(bestOf)) if (v) bestOut[k] = { median_s: v.median_s, threads: v.threads };
    lines.push({
      source: 'ratios', mode: shape.mode, B: shape.B, T: shape.T, H: shape.H, I: shape.I, O: shape.O,
      best: bestOut, ratios, ...(headline ? { headline } : {}), targets,
    });
  }
  return lines;
}
