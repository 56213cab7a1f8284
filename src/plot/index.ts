// The project's one plotting module: Vega-Lite specs from plain data (specs.ts,
// analysis-specs.ts) and their SVG (render.ts). Browser-safe; the PNG renderer is Node only
// (png.ts, through the Node entry).

export { lineChart, forecastChart, PLOT_DEFAULTS } from './specs.js';
export type { VegaLiteSpec, PlotPoint, LineSeries, BandSeries, LineChartOptions, ForecastPlotData } from './specs.js';
export { scaledLineChart, sortedValuesChart, histogramChart, histogramBins, heatmapChart, barChart } from './analysis-specs.js';
export type { AxisScale, AnalysisChartOptions, ValueGroup, HeatmapData, BarDatum } from './analysis-specs.js';
export { renderSvg } from './render.js';
