// What each panel of the playground shows, as Vega-Lite specs from the project's spec
// builders (src/plot): training loss, held-out metric against its baseline, the forecast
// against the actuals, learned p per unit and decay curves (the gate heatmaps: heatmap-canvas.ts).
import { plot } from 'powerlaw-lstm';
type LineSeries = plot.LineSeries;
type PlotPoint = plot.PlotPoint;
type VegaLiteSpec = plot.VegaLiteSpec;
const { lineChart, scaledLineChart, sortedValuesChart } = plot;
import type { Evaluation, ForecastView, Line, ModelName, ModelView } from './protocol.js';

/** Display names and colours of the two models (and a loaded model file). */
export const MODEL_LABEL: Record<ModelName, string> = { plstm: 'pLSTM', lstm: 'LSTM' };
const SHADES: Record<ModelName, string[]> = {
  plstm: ['#1f77b4', '#6baed6', '#08519c', '#9ecae1', '#3182bd'],
  lstm: ['#ff7f0e', '#fdae6b', '#a63603', '#fdd0a2', '#e6550d'],
};
const BASELINE_COLOR = '#7f7f7f';

/** Points drawn per line at most: longer histories are averaged in buckets. */
const MAX_POINTS = 300;

/** A training history: x and y of equal length. */
export interface History {
  x: number[];
  y: number[];
}

/** x, y as points, averaged in buckets when there are more than MAX_POINTS. */
export function thin(h: History): PlotPoint[] {
  const n = h.x.length;
  if (n <= MAX_POINTS) return h.x.map((x, i) => ({ x, y: h.y[i] }));
  const out: PlotPoint[] = [];
  for (let b = 0; b < MAX_POINTS; b++) {
    const lo = Math.floor((b * n) / MAX_POINTS), hi = Math.floor(((b + 1) * n) / MAX_POINTS);
    let sx = 0, sy = 0;
    for (let i = lo; i < hi; i++) { sx += h.x[i]; sy += h.y[i]; }
    out.push({ x: sx / (hi - lo), y: sy / (hi - lo) });
  }
  return out;
}

const points = (l: Line): PlotPoint[] => l.x.map((x, i) => ({ x, y: l.y[i] }));
/** Retention below this is not drawn: exponential curves would stretch the log axis over hundreds of decades. */
const RETENTION_FLOOR = 1e-4;

/** Training loss of both models over steps (log y: losses fall over decades). */
export function lossSpec(losses: Record<ModelName, History>, width: number): VegaLiteSpec {
  const lines: LineSeries[] = (['plstm', 'lstm'] as const).map((m) => ({ name: MODEL_LABEL[m], points: thin(losses[m]), color: SHADES[m][0] }));
  return scaledLineChart(lines, { width, height: 240, xTitle: 'step', yTitle: 'training loss', yScale: 'log' });
}

/** What each held-out metric is called and what its baseline means. */
export const METRIC_TEXT: Record<Evaluation['metric'], { name: string; baseline: string }> = {
  accuracy: { name: 'held-out accuracy', baseline: 'chance' },
  mse: { name: 'held-out MSE', baseline: 'predict the mean' },
  mase: { name: 'held-out MASE', baseline: 'seasonal naive' },
};

/** The held-out metric of both models over steps, with the chance / baseline level dashed. */
export function metricSpec(history: Record<ModelName, History>, latest: Evaluation, width: number): VegaLiteSpec {
  const text = METRIC_TEXT[latest.metric];
  const lines: LineSeries[] = (['plstm', 'lstm'] as const).map((m) => ({ name: MODEL_LABEL[m], points: thin(history[m]), color: SHADES[m][0] }));
  const xs = [...history.plstm.x, ...history.lstm.x];
  const x0 = xs.length > 0 ? Math.min(...xs) : 0, x1 = xs.length > 0 ? Math.max(...xs, x0 + 1) : 1;
  lines.push({ name: text.baseline, points: [{ x: x0, y: latest.baseline }, { x: x1, y: latest.baseline }], color: BASELINE_COLOR, dashed: true });
  return scaledLineChart(lines, { width, height: 240, xTitle: 'step', yTitle: text.name });
}

/** Learned p per unit, sorted (a spread of p is a spread of timescales). */
export function pSpec(groups: { name: string; p: number[] }[], width: number): VegaLiteSpec {
  return sortedValuesChart(groups.map((g) => ({ name: g.name, values: g.p })),
    { width, height: 240, xTitle: 'unit (sorted by p)', yTitle: 'p' });
}

/** Retention after n steps on log-log axes: from the equations (solid) and measured (dashed). */
export function decaySpec(views: { label: string; shades: string[]; view: ModelView }[], width: number): VegaLiteSpec {
  const lines: LineSeries[] = [];
  for (const { label, shades, view } of views) {
    const visible = (l: Line) => points(l).filter((p) => p.y >= RETENTION_FLOOR);
    view.decayEquations.forEach((l, i) => lines.push({ name: `${label}: ${l.name}`, points: visible(l), color: shades[i % shades.length] }));
    if (view.decayMeasured !== null) {
      lines.push({ name: `${label}: ${view.decayMeasured.name}`, points: visible(view.decayMeasured), color: shades[0], dashed: true });
    }
  }
  return colorsInDataOrder(scaledLineChart(lines, { width, height: 240, xTitle: 'steps n', yTitle: 'retention', xScale: 'log', yScale: 'log' }));
}

/**
 * The colour legend read from the data (in line order) rather than from a list of names in
 * the spec: line names that carry numbers (p = 0.49) change as the model trains, and a
 * spec that changes is a view rebuilt, where new data is only a redraw.
 */
function colorsInDataOrder(spec: VegaLiteSpec): VegaLiteSpec {
  const encoding = spec.encoding as { color?: { scale?: { domain?: unknown }; sort?: unknown } } | undefined;
  if (encoding?.color) {
    delete encoding.color.scale?.domain;
    encoding.color.sort = null;
  }
  return spec;
}

/** The shades of one model, for a loaded model's lines. */
export function shadesOf(model: ModelName): string[] {
  return SHADES[model];
}

const isoTime = (l: Line): PlotPoint[] => l.x.map((x, i) => ({ x: new Date(x).toISOString(), y: l.y[i] }));

/** History, actuals and both models' forecasts (the pLSTM's interval shaded). */
export function forecastSpec(views: Record<ModelName, ForecastView>, width: number): VegaLiteSpec {
  const p = views.plstm;
  const lines: LineSeries[] = [
    { name: 'history', points: isoTime(p.history), color: '#444444' },
    { name: 'actual', points: isoTime(p.actual), color: '#2ca02c' },
    { name: 'pLSTM forecast', points: isoTime(p.forecast), color: SHADES.plstm[0], dashed: true },
    { name: 'LSTM forecast', points: isoTime(views.lstm.forecast), color: SHADES.lstm[0], dashed: true },
  ];
  const bands = p.lower !== null && p.upper !== null
    ? [{ name: 'pLSTM interval', points: p.lower.x.map((x, i) => ({ x: new Date(x).toISOString(), lo: p.lower!.y[i], hi: p.upper!.y[i] })) }]
    : [];
  return lineChart(lines, { width, height: 280, xTitle: 'time', yTitle: 'value', xType: 'temporal', bands });
}
