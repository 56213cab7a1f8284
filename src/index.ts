// powerlaw-lstm: the public entry. Each section re-exports one layer of the package,
// in the order of dependence: cells <- kernels <- model <- data.

// --- errors: every failure a user can cause is one of these
export * from './errors.js';

// --- cells: the reference math (the oracle), float64 or float32
export * from './cells/index.js';

// --- kernels: fused WebAssembly SIMD kernels on a worker pool, and the backend registry
export * from './kernels/index.js';

// --- model: sequence models, optimizers, streaming, save/load (safetensors)
export * from './model/index.js';

// --- conformance: checking any backend against reference fixtures
export * from './conformance/index.js';

// --- data: task generators and dataset loaders, as one namespace (`data.makeCopyTask`, ...)
export * as data from './data/index.js';

// --- forecast: Forecaster, series from CSV, windows, metrics, baselines (`forecast.Forecaster`, ...)
export * as forecast from './forecast/index.js';

// --- plot: Vega-Lite specs and their SVG (`plot.forecastChart`, `plot.renderSvg`); PNG is Node only
export * as plot from './plot/index.js';
