// The "40-line window script" of the forecasting issue, as a new user would write it on the
// built package (`npm run build` first): daily Seattle temp_max (npm vega-datasets), a
// SequenceModel with dense input and a head on the last step with 30 outputs, MSE, Adam,
// lookback 400, horizon 30, the last two years held out. No calendar features, no quantiles.
// It is then scored on exactly the origins and with the metric code of
// `plstm forecast backtest --test-size 730 --stride 1 --season 365` (EXPERIMENTS.md, Seattle).
//
//   node experiments/forecast/window-script-baseline.mjs [--cells plstm,lstm] [--seeds 1,2,3] [--epochs 100]
//
// Prints one JSON line per (cell, seed) with MAE, RMSE, sMAPE, MAPE, MASE.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SequenceModel, createOptimizer, fit, forecast } from '../../dist/index.js';

const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i < 0 ? dflt : process.argv[i + 1]; };
const cells = arg('cells', 'plstm,lstm').split(','), seeds = arg('seeds', '1,2,3').split(',').map(Number);
const epochs = Number(arg('epochs', '100'));

// --- the script: read, scale on the training part, window, train, forecast
const file = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '..', 'data', 'seattle-weather.csv');
const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const y = Float64Array.from(rows, (r) => Number(r[2])); // temp_max, one row per day, no gaps
const T = y.length, L = 400, H = 30, trainEnd = T - 730;
let mean = 0, sq = 0;
for (let t = 0; t < trainEnd; t++) mean += y[t] / trainEnd;
for (let t = 0; t < trainEnd; t++) sq += (y[t] - mean) ** 2 / trainEnd;
const std = Math.sqrt(sq), z = y.map((v) => (v - mean) / std);
/** Inputs [W, L, 1] and targets [W, H] of the windows whose first forecast step is o. */
function windows(origins) {
  const x = new Float32Array(origins.length * L), t = new Float32Array(origins.length * H);
  origins.forEach((o, w) => { x.set(z.subarray(o - L, o), w * L); t.set(z.subarray(o, o + H), w * H); });
  return { B: origins.length, T: L, x, y: t };
}
const trainOrigins = Array.from({ length: trainEnd - H - L + 1 }, (_, i) => L + i); // targets inside the training part
async function trainAndForecast(cell, seed, origins) {
  const model = SequenceModel.create({
    input: { kind: 'dense', size: 1 }, layers: [{ cell, hidden: 32 }], head: { size: H, steps: 'last' }, loss: 'mse', seed,
  });
  await fit(model, createOptimizer({ kind: 'adam', lr: 3e-3 }), { data: windows(trainOrigins), batchSize: 32, epochs, seed, clip: 1 });
  const out = model.predict({ x: windows(origins).x, B: origins.length, T: L }); // [W, H], scaled
  model.dispose();
  return out.map((v) => v * std + mean);
}

// --- scoring: the backtest's origins and metric code
const origins = forecast.testOrigins(T, 730, 1, H, L);
const scale = forecast.maseScale(y, trainEnd, 365);
for (const cell of cells) {
  for (const seed of seeds) {
    const t0 = performance.now();
    const f = await trainAndForecast(cell, seed, origins);
    const acc = new forecast.MetricAccumulator(H);
    origins.forEach((o, w) => acc.add(y.subarray(o, o + H), Float64Array.from(f.subarray(w * H, (w + 1) * H)), scale));
    const { MAE, RMSE, sMAPE, MAPE, MASE } = acc.overall();
    console.log(JSON.stringify({ series: 'seattle', model: `window-script-${cell}`, seed, origins: origins.length, MAE, RMSE, sMAPE, MAPE, MASE,
      seconds: (performance.now() - t0) / 1000 }));
  }
}
