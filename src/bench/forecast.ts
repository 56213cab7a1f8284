// `plstm bench --mode forecast`: the forecaster's two speeds on synthetic daily data (ten years,
// 3650 points, a yearly and a weekly cycle plus noise):
//  (a) one training epoch of the windowed forecaster (lookback 365, horizon 30, point
//      forecasts); the repository's `npm run bench -- --mode forecast` times the same network
//      in TF.js beside it;
//  (b) update(value) plus a new 30-step forecast of a stateful forecaster with 64 units.
import { Rng } from '../cells/rng.js';
import { buildSeries, type TimeSeries } from '../forecast/series.js';
import { Forecaster } from '../forecast/forecaster.js';
import type { ForecastCell } from '../forecast/settings.js';
import { windowOrigins } from '../forecast/windows.js';

/** Options of the forecast bench. */
export interface ForecastBenchOptions {
  /** Cells timed for (a). Default plstm and lstm. */
  cells?: ForecastCell[];
  /** Hidden units of (a). Default 32. */
  hidden?: number;
  /** Timed update() calls for (b). Default 2000. */
  updates?: number;
}

/** Ten years of a synthetic daily series: yearly and weekly cycles plus noise. */
export function syntheticDaily(days = 3650, seed = 1): TimeSeries {
  const rng = new Rng(seed);
  const t0 = Date.UTC(2010, 0, 1);
  const obs = Array.from({ length: days }, (_, i) => ({
    time: t0 + i * 86_400_000,
    value: 15 + 8 * Math.sin((2 * Math.PI * i) / 365.25) + 2 * Math.sin((2 * Math.PI * i) / 7) + rng.normal(),
    row: i + 1,
  }));
  return buildSeries('synthetic', obs, 'date');
}

/** The windowed forecaster of (a): window, batch and input features (the value and 4 calendar features). */
export const FORECAST_EPOCH = { lookback: 365, horizon: 30, batchSize: 32, features: 5 } as const;

/** What (a) measured, for a comparison run beside it. */
export interface ForecastEpochs {
  hidden: number;
  /** Training batches in one epoch. */
  batches: number;
  /** Seconds of one epoch, per cell. */
  seconds: Record<string, number>;
}

/** Runs the forecast bench; emits one JSON-safe record per measurement and returns (a)'s epochs. */
export async function runForecastBench(o: ForecastBenchOptions, emit: (line: Record<string, unknown>) => void,
  progress: (msg: string) => void): Promise<ForecastEpochs> {
  const series = syntheticDaily();
  const { lookback, horizon, batchSize } = FORECAST_EPOCH;
  const hidden = o.hidden ?? 32;
  const batches = Math.ceil(windowOrigins({ lookback, horizon, end: series.values.length }).length / batchSize);
  const ours: Record<string, number> = {};
  for (const cell of o.cells ?? ['plstm', 'lstm']) {
    progress(`forecast (a): one epoch of ${cell}, lookback ${lookback}, horizon ${horizon}, hidden ${hidden} ...`);
    const f = new Forecaster({ lookback, horizon, hidden, cell, epochs: 1, batchSize, quantiles: null, seed: 1 });
    const t0 = performance.now();
    const s = await f.fit(series);
    const seconds = (performance.now() - t0) / 1000;
    f.dispose();
    ours[cell] = seconds;
    emit({ case: 'forecast-epoch', impl: 'ours', cell, lookback, horizon, hidden, batchSize, batches: s.steps, features: FORECAST_EPOCH.features, epoch_s: seconds, loss: s.loss });
  }

  // (b) streaming: update(value) + a 30-step forecast (3 quantiles) with 64 units
  progress('forecast (b): update(value) + a 30-step forecast, stateful, 64 units ...');
  const n = o.updates ?? 2000;
  const hist = { ...series, times: series.times.slice(0, 3000), values: series.values.slice(0, 3000) };
  const f = new Forecaster({ mode: 'stateful', lookback: 365, horizon, hidden: 64, epochs: 1, seed: 1 });
  await f.fit(hist);
  f.predict(hist);
  for (let i = 0; i < 100; i++) f.update(series.values[3000 + (i % 600)]); // warm-up
  f.predict(hist);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = series.values[3000 + (i % 600)];
    const t0 = performance.now();
    f.update(v);
    times.push((performance.now() - t0) * 1000);
  }
  f.dispose();
  times.sort((a, b) => a - b);
  emit({ case: 'forecast-update', impl: 'ours', cell: 'plstm', hidden: 64, horizon, quantiles: 3, calls: n,
    median_us: times[n >> 1], p90_us: times[Math.floor(n * 0.9)], mean_us: times.reduce((a, b) => a + b, 0) / n });
  return { hidden, batches, seconds: ours };
}
