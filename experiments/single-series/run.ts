// Single series with long seasons: the pLSTM and LSTM forecasters with their defaults (lookback
// one season), windowed and stateful, against seasonal naive and MSTL + ETS, MASE scaled by the
// long season, several seeds (each seed's MASE, their mean and spread, and the MASE of the
// median of the seeds' forecasts).
//
//   node --import tsx experiments/single-series/run.ts --dataset seattle|m4-weekly
//        [--m4 Hourly-train.csv] [--seeds 1,2,3] [--cells plstm,lstm] [--modes windowed,stateful] [--normalize N]
//        [--settings JSON]   (more Forecaster settings, e.g. '{"epochs": 10}')
//
// seattle: Seattle's daily temp_max 2012-2015 (vega-datasets), the last year held out, 30 days
//   ahead from every 5th day of it, lookback 365, MASE against last year's same day (m = 365).
// m4-weekly: the 8 series of M4 Hourly's train file (the test file is not read) whose weekly
//   cycle repeats best relative to their daily one over the two weeks before the held-out
//   part (chosen on training data only), each forecast alone: the last week of each held out,
//   48 hours ahead from each day of it, lookback 168, MASE against last week (m = 168).
// Prints one JSON line per model and series, then one summary line per model.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BaselineModel, Forecaster, backtest, maseScale, readM4Wide, readSeriesCsv,
  type ForecastCell, type ForecastMode, type ForecasterSettings, type Normalization, type ForecastModel, type TimeSeries,
} from '../../src/forecast/index.js';

const { values: a } = parseArgs({
  options: {
    dataset: { type: 'string' }, m4: { type: 'string' }, seeds: { type: 'string', default: '1,2,3' },
    cells: { type: 'string', default: 'plstm,lstm' }, modes: { type: 'string', default: 'windowed,stateful' },
    normalize: { type: 'string' }, settings: { type: 'string' },
  },
});

interface Dataset { series: TimeSeries[]; horizon: number; lookback: number; testSize: number; stride: number; m: number; shortM: number }

function seattle(): Dataset {
  // vega-datasets (a dev dependency) exports no paths: read its file where npm puts it
  const path = new URL('../../node_modules/vega-datasets/data/seattle-weather.csv', import.meta.url);
  const series = readSeriesCsv(readFileSync(path, 'utf8'), { time: 'date', target: 'temp_max' });
  return { series, horizon: 30, lookback: 365, testSize: 365, stride: 5, m: 365, shortM: 7 };
}

function m4Weekly(file: string): Dataset {
  const testSize = 168, hour = 3_600_000, t0 = Date.UTC(2017, 0, 2);
  const weekly = (v: Float64Array) => {
    const end = v.length - testSize, err = (m: number) => {
      let s = 0;
      for (let t = end - 336; t < end; t++) s += Math.abs(v[t] - v[t - m]);
      return s;
    };
    return err(168) / err(24);
  };
  const rows = readM4Wide(readFileSync(file, 'utf8')).filter((r) => r.values.length >= 900)
    .map((r) => ({ r, w: weekly(r.values) })).sort((x, y) => x.w - y.w).slice(0, 8);
  const series: TimeSeries[] = rows.map(({ r }) => ({
    id: r.id, values: r.values, times: Array.from(r.values, (_, t) => t0 + t * hour), timeKind: 'date', freq: { unit: 'hour', step: 1 },
  }));
  return { series, horizon: 48, lookback: 168, testSize, stride: 24, m: 168, shortM: 24 };
}

if (a.dataset !== 'seattle' && a.dataset !== 'm4-weekly') throw new Error('give --dataset seattle or m4-weekly');
if (a.dataset === 'm4-weekly' && !a.m4) throw new Error('give --m4 FILE: the M4 Hourly train file');
const d = a.dataset === 'seattle' ? seattle() : m4Weekly(a.m4!);
const seeds = a.seeds.split(',').map(Number);

/** MASE (scaled by the long season) of point forecasts [origins, H] of one series. */
function mase(ser: TimeSeries, origins: number[], forecasts: Float64Array): number {
  let err = 0, n = 0;
  origins.forEach((o, w) => {
    for (let h = 0; h < d.horizon; h++) { err += Math.abs(ser.values[o + h] - forecasts[w * d.horizon + h]); n++; }
  });
  return err / n / maseScale(ser.values, ser.values.length - d.testSize, d.m);
}

const summary = new Map<string, { perSeed: number[][]; ensemble: number[] }>();
const note = (model: string, k: number, seedScores: number[], ensemble: number) => {
  const s = summary.get(model) ?? { perSeed: [], ensemble: [] };
  s.perSeed[k] = seedScores;
  s.ensemble[k] = ensemble;
  summary.set(model, s);
};

for (const [k, ser] of d.series.entries()) {
  const baselines: [string, ForecastModel][] = [
    [`snaive ${d.m}`, new BaselineModel({ name: 'snaive', horizon: d.horizon, seasons: [d.m] })],
    [`snaive ${d.shortM}`, new BaselineModel({ name: 'snaive', horizon: d.horizon, seasons: [d.shortM] })],
    ['mstl-ets', new BaselineModel({ name: 'mstl-ets', horizon: d.horizon })],
  ];
  for (const [name, model] of baselines) {
    const r = await backtest(model, ser, { testSize: d.testSize, stride: d.stride });
    const score = mase(ser, r.origins[0], r.forecasts[0]);
    note(name, k, [score], score);
    console.log(JSON.stringify({ series: ser.id, model: name, MASE: +score.toFixed(4) }));
  }
  for (const cell of a.cells.split(',') as ForecastCell[]) {
    for (const mode of a.modes.split(',') as ForecastMode[]) {
      const name = `${cell} ${mode}`;
      const runs = [];
      for (const seed of seeds) {
        const t = performance.now();
        const f = new Forecaster({ horizon: d.horizon, lookback: d.lookback, cell, mode, seed,
          ...(a.normalize ? { normalize: a.normalize as Normalization } : {}), ...(a.settings ? JSON.parse(a.settings) as ForecasterSettings : {}) });
        const r = await backtest(f, ser, { testSize: d.testSize, stride: d.stride });
        f.dispose();
        runs.push(r);
        console.log(JSON.stringify({
          series: ser.id, model: name, seed, MASE: +mase(ser, r.origins[0], r.forecasts[0]).toFixed(4),
          steps: r.train?.steps, seconds: +((performance.now() - t) / 1000).toFixed(1),
        }));
      }
      // the median of the seeds' forecasts, value by value
      const median = runs[0].forecasts[0].map((_, i) => {
        const v = runs.map((r) => r.forecasts[0][i]).sort((x, y) => x - y), n = v.length;
        return n % 2 === 1 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
      });
      note(name, k, runs.map((r) => mase(ser, r.origins[0], r.forecasts[0])), mase(ser, runs[0].origins[0], median));
    }
  }
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
for (const [model, s] of summary) {
  // per seed: the mean MASE over the series; then the mean and spread of those over seeds
  const bySeed = s.perSeed[0].map((_, j) => mean(s.perSeed.map((p) => p[j])));
  const mu = mean(bySeed), sd = Math.sqrt(mean(bySeed.map((x) => (x - mu) ** 2)));
  console.log(JSON.stringify({
    summary: a.dataset, model, series: s.ensemble.length, MASE: +mu.toFixed(4), ...(bySeed.length > 1 ? { sd: +sd.toFixed(4), median: +mean(s.ensemble).toFixed(4) } : {}),
  }));
}
