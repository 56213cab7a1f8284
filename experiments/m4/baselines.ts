// The statistical baselines on the M4 hourly train file, on the competition's validation split
// (the last 48 values of each series held out, m = 24): seasonal naive, naive, Naive2, ETS and
// MSTL + ETS (periods 24 and 168), scored by sMAPE, MASE and OWA against Naive2's own
// validation score. Forecasts are scored as they come; where some are negative, the score with
// them set to 0 follows on its own line.
//
// Usage: node --import tsx experiments/m4/baselines.ts <Hourly-train.csv>

import { readFileSync } from 'node:fs';
import {
  readM4Wide, m4ValidationSplit, scoreM4, owa, naive2Forecast, isSeasonal, etsForecast, mstlEtsForecast, loadAugurs,
  type BaselineForecast, type M4Entry, type M4Score,
} from '../../src/forecast/index.js';

const H = 48, M = 24, SEASONS = [24, 168];

const METHODS: [string, BaselineForecast][] = [
  ['seasonal naive', (x, h, s) => Float64Array.from({ length: h }, (_, k) => x[x.length - s[0] + (k % s[0])])],
  ['naive', (x, h) => new Float64Array(h).fill(x[x.length - 1])],
  ['Naive2', naive2Forecast],
  ['ETS', etsForecast],
  ['MSTL + ETS', mstlEtsForecast],
];

const file = process.argv[2];
if (!file) {
  console.error('usage: node --import tsx experiments/m4/baselines.ts <Hourly-train.csv>');
  process.exit(2);
}
const started = performance.now();
const splits = readM4Wide(readFileSync(file, 'utf8')).map((s) => m4ValidationSplit(s.values, H));
await loadAugurs();
const seasonal = splits.filter(({ train }) => isSeasonal(train, M)).length;
console.log(`series ${splits.length}, h ${H}, m ${M}, seasons ${SEASONS.join(',')}, seasonal by the M4 test ${seasonal}, read+load ${((performance.now() - started) / 1000).toFixed(2)}s`);

const scores = new Map<string, M4Score>();
for (const [name, forecast] of METHODS) {
  const t0 = performance.now();
  let negative = 0;
  const entries: M4Entry[] = splits.map(({ train, actual }) => {
    const f = forecast(train, H, SEASONS);
    negative += f.filter((v) => v < 0).length;
    return { train, actual, forecast: f };
  });
  const score = scoreM4(entries, M);
  scores.set(name, score);
  const naive2 = scores.get('Naive2');
  const rel = naive2 ? owa(score, naive2).toFixed(3) : 'n/a';
  console.log(`method=${name} sMAPE=${score.sMAPE.toFixed(3)} MASE=${score.MASE.toFixed(3)} OWA=${rel} negative=${negative} seconds=${((performance.now() - t0) / 1000).toFixed(2)}`);
  if (negative > 0 && naive2) {
    // the same forecasts with negative values set to 0 (the data are positive)
    const clipped = scoreM4(entries.map((e) => ({ ...e, forecast: e.forecast.map((v) => Math.max(v, 0)) })), M);
    console.log(`method=${name} (clipped at 0) sMAPE=${clipped.sMAPE.toFixed(3)} MASE=${clipped.MASE.toFixed(3)} OWA=${owa(clipped, naive2).toFixed(3)}`);
  }
}
const naive2 = scores.get('Naive2')!;
for (const name of ['seasonal naive', 'naive']) console.log(`method=${name} OWA=${owa(scores.get(name)!, naive2).toFixed(3)}`);
console.log(`total seconds=${((performance.now() - started) / 1000).toFixed(2)}`);
