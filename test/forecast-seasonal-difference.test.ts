// The stateful forecaster's seasonal frame (normalize 'seasonal' in stateful mode): the base
// lag chosen by hand, and the forecaster around it: update() equal to re-reading the history,
// the lag and the last cycle kept in the model file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/cells/rng.js';
import { buildSeries, Forecaster, type TimeSeries } from '../src/forecast/index.js';
import { baseValue, bestDifferenceLag, differenceHistory, differenceLags, seasonalDifferences } from '../src/forecast/seasonal-difference.js';

test('difference lags: no season (1), the shortest season and its neighbours, then the longer ones', () => {
  assert.deepEqual(differenceLags([24, 168]), [1, 23, 24, 25, 168]);
  assert.deepEqual(differenceLags([2]), [1, 2]);
  assert.deepEqual(differenceLags([1]), [1]);
});

test('base lag by hand: a cycle of 4 picks lag 4; a random walk picks the last value; differences and base', () => {
  const cycle = Array.from({ length: 40 }, (_, t) => [0, 5, 1, 3][t % 4] + t / 100);
  assert.equal(bestDifferenceLag(cycle, 40, [1, 3, 4, 5], 3), 4);
  const rng = new Rng(3);
  let x = 0;
  const walk = Array.from({ length: 200 }, () => (x += rng.normal()));
  assert.equal(bestDifferenceLag(walk, 200, [1, 3, 4, 5], 3), 1);
  // lags with no origin to forecast from are left out
  assert.equal(bestDifferenceLag(cycle, 10, [1, 8, 12], 3), 1);
  // a seasonal lag's base is the mean of its last two cycles; lag 1's is the last value
  assert.equal(differenceHistory(4), 8);
  assert.equal(differenceHistory(1), 1);
  assert.deepEqual([...seasonalDifferences([1, 2, 4, 7, 11, 16], 2)], [0, 0, 0, 0, 11 - (4 + 1) / 2, 16 - (7 + 2) / 2]);
  assert.deepEqual([...seasonalDifferences([1, 2, 4, 7], 1)], [0, 1, 2, 3]);
  // origin 10, lag 4: step h reads v[10 - 4 + (h mod 4)] and v[10 - 8 + (h mod 4)]
  const v = (i: number) => i * i;
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((h) => baseValue(v, 10, 4, h)), [6, 7, 8, 9, 6, 7].map((i) => (i * i + (i - 4) ** 2) / 2));
});

const DAY = 86_400_000, t0 = Date.UTC(2021, 0, 4);
function weekly(n: number, id = 's'): TimeSeries {
  const rng = new Rng(9);
  const values = Array.from({ length: n }, (_, t) => 10 + [0, 1, 1, 1, 2, 4, 3][t % 7] + t / 50 + 0.2 * rng.normal());
  return buildSeries(id, values.map((value, i) => ({ time: t0 + i * DAY, value, row: i + 2 })), 'date');
}
const head = (s: TimeSeries, n: number): TimeSeries => ({ ...s, times: s.times.slice(0, n), values: s.values.slice(0, n) });

test('stateful seasonal: weekly data gets lag 7; update() equals re-reading; the model file keeps lag and last cycle', async () => {
  const series = weekly(260);
  const f = new Forecaster({ mode: 'stateful', normalize: 'seasonal', lookback: 28, horizon: 5, hidden: 8, epochs: 3, seed: 2, quantiles: null });
  await f.fit(head(series, 200));
  assert.equal(f.minHistory(series), 14, 'the base reads two weekly cycles');
  // read 200 steps, then stream 20 more one by one: the same forecast as reading all 220
  f.predict(head(series, 200));
  let streamed = f.update(series.values[200]);
  for (let t = 201; t < 220; t++) streamed = f.update(series.values[t]);
  const g = Forecaster.fromBytes(f.toBytes());
  const [reread] = f.predict(head(series, 220));
  for (let k = 0; k < 5; k++) assert.ok(Math.abs(streamed.point[k] - reread.point[k]) <= 1e-4 * Math.abs(reread.point[k]), `step ${k}`);
  // the loaded forecaster continues where the saved one was (lag and last cycle came along)
  const [a, b] = [f.update(series.values[220]), g.update(series.values[220])];
  assert.deepEqual([...b.point], [...a.point]);
  assert.ok(Math.abs(a.point[0] - reread.point[0]) > 1e-6, 'a new value moves the forecast');
  // the seasonal base carries the weekly shape: the forecast follows next week's pattern
  const [p] = f.predict(head(series, 250));
  const shape = [0, 1, 1, 1, 2, 4, 3];
  const want = Array.from({ length: 5 }, (_, h) => shape[(250 + h) % 7]);
  const corr = (u: number[], v: number[]) => {
    const mu = u.reduce((s, x) => s + x) / u.length, mv = v.reduce((s, x) => s + x) / v.length;
    let num = 0, du = 0, dv = 0;
    u.forEach((x, i) => { num += (x - mu) * (v[i] - mv); du += (x - mu) ** 2; dv += (v[i] - mv) ** 2; });
    return num / Math.sqrt(du * dv);
  };
  assert.ok(corr([...p.point], want) > 0.9, `forecast ${[...p.point]} vs weekly shape ${want}`);
  f.dispose(); g.dispose();
});

test('stateful seasonal: a base of two chunks or more (two weeks of days, chunks of 6) still trains from the first chunk', async () => {
  const series = weekly(120);
  // without rows started late enough, the first chunk of every row would hold no step with a whole base
  const f = new Forecaster({ mode: 'stateful', normalize: 'seasonal', lookback: 6, horizon: 3, hidden: 4, epochs: 2, seed: 1, quantiles: null });
  const train = await f.fit(series);
  assert.ok(train.steps > 0 && Number.isFinite(train.loss), `trained: ${train.steps} steps, loss ${train.loss}`);
  assert.ok(f.predict(series)[0].point.every(Number.isFinite));
  f.dispose();
});
