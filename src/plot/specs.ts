// Vega-Lite spec builders: plain data in, a plain JSON spec out. Browser-safe (no rendering
// here); render.ts turns a spec into SVG and png.ts (Node only) turns SVG into PNG.

/** A Vega-Lite spec as plain JSON (the top-level view specification). */
export type VegaLiteSpec = Record<string, unknown>;

/** One point of a line: x is a number (step) or a date/time string (ISO 8601). */
export interface PlotPoint {
  x: number | string;
  y: number;
}

/** A named line of a chart. */
export interface LineSeries {
  /** Legend label. */
  name: string;
  points: PlotPoint[];
  /** Stroke colour (any CSS colour); default: Vega's category palette. */
  color?: string;
  /** Draw dashed. Default false. */
  dashed?: boolean;
}

/** A shaded band between two curves (a prediction interval). */
export interface BandSeries {
  /** Legend label, e.g. "80% interval". */
  name: string;
  points: { x: number | string; lo: number; hi: number }[];
  /** Fill colour. Default a light blue. */
  color?: string;
}

/** Options of lineChart. */
export interface LineChartOptions {
  /** Chart title. Default none. */
  title?: string;
  /** Width of the whole picture in pixels (axes and legend included). Default 720. */
  width?: number;
  /** Height of the whole picture in pixels. Default 320. */
  height?: number;
  /** Label of the x axis. Default "time". */
  xTitle?: string;
  /** Label of the y axis. Default "value". */
  yTitle?: string;
  /** How x is read: 'temporal' (dates) or 'quantitative' (numbers). Default: from the first point. */
  xType?: 'temporal' | 'quantitative';
  /** Shaded bands drawn under the lines. Default none. */
  bands?: BandSeries[];
}

/** Default picture size, in one place. */
export const PLOT_DEFAULTS = { width: 720, height: 320, bandColor: '#9ecae1' } as const;

/**
 * Tick labels of a numeric axis: plain numbers, no thousands separator (1749.5, not 1,749.5).
 * Vega sets the precision of '~g' from the tick step, which prints 1750 as 1.75e+3; '~f' takes
 * its decimals from the step instead. Log axes keep '~g' (0.001, 1, 1000).
 */
export function numberAxis(scale: 'linear' | 'log' = 'linear'): { format: string } {
  return { format: scale === 'log' ? '~g' : '~f' };
}

/**
 * Lines (and optional bands under them) over a shared x axis: the spec of every time-series
 * picture of the project. The whole picture, legend and axes included, is width x height.
 */
export function lineChart(lines: LineSeries[], opts: LineChartOptions = {}): VegaLiteSpec {
  const first = lines.find((l) => l.points.length > 0)?.points[0] ?? opts.bands?.[0]?.points[0];
  const xType = opts.xType ?? (typeof first?.x === 'string' ? 'temporal' : 'quantitative');
  const x = { field: 'x', type: xType, title: opts.xTitle ?? 'time', ...(xType === 'quantitative' ? { axis: numberAxis() } : {}) };
  const layers: unknown[] = [];
  for (const band of opts.bands ?? []) {
    layers.push({
      data: { values: band.points.map((p) => ({ x: p.x, lo: p.lo, hi: p.hi })) },
      mark: { type: 'area', opacity: 0.5, color: band.color ?? PLOT_DEFAULTS.bandColor },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    });
  }
  layers.push({
    data: { values: lines.flatMap((l) => l.points.map((p) => ({ x: p.x, y: p.y, series: l.name }))) },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x,
      y: { field: 'y', type: 'quantitative', title: opts.yTitle ?? 'value', scale: { zero: false } },
      ...lineStyles(lines),
    },
  });
  return chartFrame(opts, { layer: layers });
}

/** The colour (each line's own, else the palette's in order) and dash (dashed lines) of line marks, by series name. */
export function lineStyles(lines: LineSeries[]): { color: unknown; strokeDash: unknown } {
  const names = lines.map((l) => l.name);
  const colors = lines.map((l, i) => l.color ?? PALETTE[i % PALETTE.length]);
  const dashedNames = lines.filter((l) => l.dashed).map((l) => l.name);
  return {
    color: { field: 'series', type: 'nominal', title: null, scale: { domain: names, range: colors } },
    strokeDash: {
      condition: { test: `indexof(${JSON.stringify(dashedNames)}, datum.series) >= 0`, value: [5, 3] },
      value: [1, 0],
    },
  };
}

/**
 * The frame every chart of the project shares: schema, size (the whole picture, legend
 * included, fits width x height), white background, title; body holds the marks.
 */
export function chartFrame(opts: { width?: number; height?: number; title?: string }, body: Record<string, unknown>): VegaLiteSpec {
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: opts.width ?? PLOT_DEFAULTS.width,
    height: opts.height ?? PLOT_DEFAULTS.height,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    ...body,
  };
  if (opts.title !== undefined) spec.title = opts.title;
  return spec;
}

// Vega's category10, so colours given for some lines do not clash with the defaults of others.
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** What forecastChart draws: the history, the forecast, its interval and the actuals. */
export interface ForecastPlotData {
  /** The observed series before the forecast origin. */
  history: PlotPoint[];
  /** Point forecast (the median when quantiles are forecast). */
  forecast: PlotPoint[];
  /** Prediction interval of the forecast. Default none. */
  interval?: { x: number | string; lo: number; hi: number }[];
  /** Label of the interval, e.g. "10%-90%". Default "interval". */
  intervalName?: string;
  /** What really happened over the forecast's horizon. Default none. */
  actuals?: PlotPoint[];
}

/** The forecasting picture: history, forecast (dashed), interval band and actuals. */
export function forecastChart(data: ForecastPlotData, opts: LineChartOptions = {}): VegaLiteSpec {
  const lines: LineSeries[] = [{ name: 'history', points: data.history, color: '#444444' }];
  if (data.actuals !== undefined && data.actuals.length > 0) {
    lines.push({ name: 'actual', points: data.actuals, color: '#2ca02c' });
  }
  lines.push({ name: 'forecast', points: data.forecast, color: '#d62728', dashed: true });
  const bands = data.interval !== undefined && data.interval.length > 0
    ? [{ name: data.intervalName ?? 'interval', points: data.interval }] : [];
  return lineChart(lines, { ...opts, bands: [...bands, ...(opts.bands ?? [])] });
}
