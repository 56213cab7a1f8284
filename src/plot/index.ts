// The project's one plotting module: Vega-Lite specs from plain data (specs.ts) and their SVG
// (render.ts). Browser-safe; the PNG renderer is Node only (png.ts, through the Node entry).

export { lineChart, forecastChart, PLOT_DEFAULTS } from './specs.js';
export type { VegaLiteSpec, PlotPoint, LineSeries, BandSeries, LineChartOptions, ForecastPlotData } from './specs.js';
export { renderSvg } from './render.js';
