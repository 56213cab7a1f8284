// The M4 Hourly run: one global forecaster trained on the train file only, the 48 forecasts of
// each series written as CSV (a header row, then id,F1,...,F48), and with --validation (the last
// 48 values of each train series held out, as the competition's entrants developed) sMAPE, MASE
// and OWA beside seasonal naive and Naive2 on the same data. Several --seeds train one model
// each; the forecast is their median. The competition's test part is kept aside: this run never
// reads it (without --validation it trains on the whole train file and writes the forecasts
// of the test part, unscored).
//
//   npm run m4 -- --train Hourly-train.csv --out forecasts.csv [--validation]
//                 [--cell plstm|lstm|lstm-chrono] [--seeds 1,2,3] [--lookback 336] [--max-steps 3000] [--hidden 32]
//
// Prints one JSON line per model (the network, each seed's own score, and the baselines).

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BaselineModel, Forecaster, m4ValidationSplit, owa, readM4Wide, scoreM4, writeM4Forecasts,
  type ForecastCell, type M4Entry, type M4Score, type TimeSeries,
} from '../../src/forecast/index.js';

const H = 48, M = 24;

function fail(msg: string): never {
  console.error(`m4: ${msg}`);
  process.exit(2);
}

const { values: a } = (() => {
  try {
    return parseArgs({
      options: {
        train: { type: 'string' }, out: { type: 'string' }, validation: { type: 'boolean', default: false },
        cell: { type: 'string', default: 'plstm' }, seeds: { type: 'string', default: '1' }, seed: { type: 'string' },
        lookback: { type: 'string', default: '336' }, 'max-steps': { type: 'string' }, hidden: { type: 'string' },
        overwrite: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
})();

if (!a.train) fail('give --train FILE.csv (the M4 wide format, e.g. Hourly-train.csv)');
if (!a.out) fail('give --out FILE.csv for the forecasts');
if (existsSync(a.out) && !a.overwrite) fail(`${a.out} exists; give another --out or --overwrite`);
const seeds = (a.seed ?? a.seeds).split(',').map(Number);
if (!seeds.every((s) => Number.isInteger(s) && s >= 0)) fail(`--seeds must be whole numbers >= 0, e.g. 1,2,3; got ${a.seeds}`);

const started = performance.now();
const rows = readM4Wide(readFileSync(a.train, 'utf8'));
// the series the model sees, and the actual values scored (none without --validation)
const parts = rows.map((r) => (a.validation ? m4ValidationSplit(r.values, H) : { train: r.values, actual: null as Float64Array | null }));
const series: TimeSeries[] = rows.map((r, i) => ({
  id: r.id, values: parts[i].train, times: Array.from(parts[i].train, (_, t) => t), timeKind: 'number', freq: { unit: 'hour', step: 1 },
}));

/** Scores forecasts [series, H] when actual values are there. */
function score(forecasts: Float64Array[]): M4Score | null {
  if (parts[0].actual === null) return null;
  const entries: M4Entry[] = parts.map((p, i) => ({ train: p.train, actual: p.actual!, forecast: forecasts[i] }));
  return scoreM4(entries, M);
}

/** Each baseline's forecast after the end of every series. */
async function baseline(name: 'snaive' | 'naive2'): Promise<Float64Array[]> {
  const model = new BaselineModel({ name, horizon: H, seasons: [M] });
  await model.fit();
  return series.map((s) => model.forecastAt(s, [s.values.length]).point);
}

const naive2 = score(await baseline('naive2'));
const report = (model: string, forecasts: Float64Array[], extra: Record<string, unknown> = {}) => {
  const sc = score(forecasts);
  console.log(JSON.stringify({
    model, ...(sc ? { sMAPE: +sc.sMAPE.toFixed(3), MASE: +sc.MASE.toFixed(3), OWA: +owa(sc, naive2!).toFixed(3) } : {}), ...extra,
  }));
};
if (naive2) {
  report('snaive', await baseline('snaive'));
  report('naive2', await baseline('naive2'));
}

const perSeed: Float64Array[][] = [];
for (const seed of seeds) {
  const t0 = performance.now();
  const f = new Forecaster({
    horizon: H, lookback: Number(a.lookback), ...(a.cell === 'lstm-chrono' ? { cell: 'lstm' as const, chrono: true } : { cell: a.cell as ForecastCell }), seed, seasons: [M, 7 * M],
    ...(a['max-steps'] ? { maxSteps: Number(a['max-steps']) } : {}), ...(a.hidden ? { hidden: Number(a.hidden) } : {}),
  });
  const train = await f.fit(series);
  const forecasts = series.map((s) => f.forecastAt(s, [s.values.length]).point);
  f.dispose();
  perSeed.push(forecasts);
  report(`${a.cell} seed ${seed}`, forecasts, { steps: train.steps, seconds: +((performance.now() - t0) / 1000).toFixed(1) });
}
// the ensemble: the median of the seeds' forecasts, step by step
const median = series.map((_, i) => Float64Array.from({ length: H }, (_, h) => {
  const v = perSeed.map((f) => f[i][h]).sort((x, y) => x - y), n = v.length;
  return n % 2 === 1 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}));
report(seeds.length > 1 ? `${a.cell} median of ${seeds.length}` : a.cell, median, { seconds: +((performance.now() - started) / 1000).toFixed(1) });
// written whole to a temporary file, then renamed: a stopped run leaves no half-written file
const tmp = `${a.out}.tmp`;
writeFileSync(tmp, writeM4Forecasts(series.map((s, i) => ({ id: s.id, forecast: median[i] }))));
renameSync(tmp, a.out);
