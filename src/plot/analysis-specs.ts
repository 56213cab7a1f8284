// Vega-Lite spec builders for the analysis pictures: lines on log axes, sorted values per
// unit, histograms and heatmaps. Browser-safe: plain data in, a plain JSON spec out.

import { PALETTE, chartFrame, lineStyles, numberAxis, type LineSeries, type VegaLiteSpec } from './specs.js';

/** Axis scale of a chart. */
export type AxisScale = 'linear' | 'log';

/** Options shared by the analysis charts. */
export interface AnalysisChartOptions {
  /** Chart title. Default none. */
  title?: string;
  /** Width of the whole picture in pixels (axes and legend included). Default 720. */
  width?: number;
  /** Height of the whole picture in pixels. Default 320. */
  height?: number;
  /** Label of the x axis. Default "x". */
  xTitle?: string;
  /** Label of the y axis. Default "value". */
  yTitle?: string;
  /** Scale of the x axis (log drops points with x <= 0). Default 'linear'. */
  xScale?: AxisScale;
  /** Scale of the y axis (log drops points with y <= 0). Default 'linear'. */
  yScale?: AxisScale;
}

function frame(opts: AnalysisChartOptions, body: Record<string, unknown>): VegaLiteSpec {
  // legend labels long enough for names like "longest-memory: power law fit"
  return chartFrame(opts, { config: { legend: { labelLimit: 280 } }, ...body });
}

const scaleOf = (s: AxisScale | undefined) => (s === 'log' ? { type: 'log' } : { zero: false });
/** Log axes cannot show values <= 0 or non-finite ones: such points are left out. */
const shows = (v: number, s: AxisScale | undefined) => Number.isFinite(v) && (s !== 'log' || v > 0);

/**
 * Lines over a numeric x axis, each axis linear or logarithmic (a power law is a straight
 * line on log-log axes, an exponential one on a log y axis). Dashed lines for fits.
 */
export function scaledLineChart(lines: LineSeries[], opts: AnalysisChartOptions = {}): VegaLiteSpec {
  const values = lines.flatMap((l) => l.points
    .filter((p) => typeof p.x === 'number' && shows(p.x, opts.xScale) && shows(p.y, opts.yScale))
    .map((p) => ({ x: p.x, y: p.y, series: l.name })));
  return frame(opts, {
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xTitle ?? 'x', scale: scaleOf(opts.xScale), axis: numberAxis(opts.xScale) },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'value', scale: scaleOf(opts.yScale), axis: numberAxis(opts.yScale) },
      ...lineStyles(lines),
    },
  });
}

/** A group of per-unit values, e.g. one layer's exponents. */
export interface ValueGroup {
  /** Legend label, e.g. "layer 0". */
  name: string;
  values: number[];
}

/**
 * Every group's values sorted ascending, as points over their rank: the spread of per-unit
 * timescales or exponents at a glance (a log y axis for timescales spanning decades).
 */
export function sortedValuesChart(groups: ValueGroup[], opts: AnalysisChartOptions = {}): VegaLiteSpec {
  const values = groups.flatMap((g) => [...g.values].filter((v) => shows(v, opts.yScale)).sort((a, b) => a - b)
    .map((v, rank) => ({ rank, y: v, series: g.name })));
  return frame(opts, {
    data: { values },
    mark: { type: 'point', filled: true, size: 30 },
    encoding: {
      x: { field: 'rank', type: 'quantitative', title: opts.xTitle ?? 'unit (sorted)' },
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'value', scale: scaleOf(opts.yScale), axis: numberAxis(opts.yScale) },
      color: { field: 'series', type: 'nominal', title: null, scale: { range: PALETTE } },
    },
  });
}

/** Bar heights of a histogram: `bins` equal bins from the smallest to the largest value. */
export function histogramBins(values: number[], bins: number): { lo: number; hi: number; count: number }[] {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return [];
  let lo = Math.min(...v), hi = Math.max(...v);
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  const width = (hi - lo) / bins;
  const out = Array.from({ length: bins }, (_, i) => ({ lo: lo + i * width, hi: lo + (i + 1) * width, count: 0 }));
  for (const x of v) out[Math.min(bins - 1, Math.floor((x - lo) / width))].count += 1;
  return out;
}

/**
 * Histograms of several groups on one axis (bins over all groups together, bars side by
 * side per bin through transparency): e.g. p at initialisation against p after training.
 */
export function histogramChart(groups: ValueGroup[], opts: AnalysisChartOptions & { bins?: number } = {}): VegaLiteSpec {
  const bins = opts.bins ?? 20;
  const all = groups.flatMap((g) => g.values).filter(Number.isFinite);
  const edges = histogramBins(all, bins);
  const values = groups.flatMap((g) => {
    const counts = edges.map(() => 0);
    if (edges.length > 0) {
      const lo = edges[0].lo, width = edges[0].hi - edges[0].lo;
      for (const x of g.values) if (Number.isFinite(x)) counts[Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)))] += 1;
    }
    return edges.map((e, i) => ({ lo: e.lo, hi: e.hi, count: counts[i], series: g.name }));
  });
  return frame(opts, {
    data: { values },
    mark: { type: 'rect', opacity: 0.55 },
    encoding: {
      x: { field: 'lo', type: 'quantitative', title: opts.xTitle ?? 'value', axis: numberAxis() },
      x2: { field: 'hi' },
      y: { field: 'count', type: 'quantitative', title: opts.yTitle ?? 'units' },
      color: { field: 'series', type: 'nominal', title: null, scale: { range: PALETTE } },
    },
  });
}

/** A matrix to draw as a heatmap: values[row * cols + col]. */
export interface HeatmapData {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
}

/**
 * A heatmap with x = column (e.g. time step) and y = row (e.g. unit), colour = value: where a
 * unit resets, how its age grows, what its cell state holds.
 */
export function heatmapChart(data: HeatmapData, opts: AnalysisChartOptions & { scheme?: string } = {}): VegaLiteSpec {
  const values: { x: number; y: number; v: number }[] = [];
  for (let r = 0; r < data.rows; r++) {
    for (let c = 0; c < data.cols; c++) {
      const v = data.values[r * data.cols + c];
      if (Number.isFinite(v)) values.push({ x: c, y: r, v });
    }
  }
  return frame(opts, {
    data: { values },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: opts.xTitle ?? 'step', axis: { labelOverlap: 'greedy', labelAngle: 0 } },
      y: { field: 'y', type: 'ordinal', title: opts.yTitle ?? 'unit', axis: { labelOverlap: 'greedy' } },
      color: { field: 'v', type: 'quantitative', title: null, scale: { scheme: opts.scheme ?? 'viridis' } },
    },
  });
}

/** One bar of a bar chart. */
export interface BarDatum {
  label: string;
  value: number;
}

/** Bars in the given order with an optional reference line (e.g. the intact model's metric). */
export function barChart(bars: BarDatum[], opts: AnalysisChartOptions & { reference?: { name: string; value: number } } = {}): VegaLiteSpec {
  const layers: unknown[] = [{
    data: { values: bars.map((b, i) => ({ label: b.label, value: b.value, order: i })) },
    mark: { type: 'bar', color: PALETTE[0] },
    encoding: {
      x: { field: 'label', type: 'nominal', title: opts.xTitle ?? '', sort: { field: 'order' }, axis: { labelAngle: 0 } },
      y: { field: 'value', type: 'quantitative', title: opts.yTitle ?? 'value' },
    },
  }];
  if (opts.reference !== undefined) {
    layers.push({
      data: { values: [{ value: opts.reference.value, name: opts.reference.name }] },
      mark: { type: 'rule', color: PALETTE[3], strokeDash: [5, 3], strokeWidth: 1.5 },
      encoding: { y: { field: 'value', type: 'quantitative' } },
    });
  }
  return frame(opts, { layer: layers });
}
