// The stateful forecaster against a hand-made series: a pulse 6 steps long every 40 steps,
// with known noise. Between pulses the recent values say nothing of the next pulse: the state
// must count the steps since the last one. It must come close to seasonal naive (the right
// model for a pure season), and update(value) by the streaming step must give what re-reading
// the whole history gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/cells/rng.js';
import { backtest, BaselineModel, buildSeries, Forecaster, type TimeSeries } from '../src/forecast/index.js';
import { ConfigError } from '../src/errors.js';
import { rowStarts } from '../src/forecast/stateful.js';

const PERIOD = 40, T = 1200, TEST = 200, H = 5;
function seasonal(): TimeSeries {
  const rng = new Rng(11);
  const values = Array.from({ length: T }, (_, t) => (t % PERIOD < 6 ? 2 : 0) + 0.1 * rng.normal());
  return buildSeries('season', values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
}
const head = (s: TimeSeries, n: number): TimeSeries => ({ ...s, times: s.times.slice(0, n), values: s.values.slice(0, n) });

test('stateful: on a long-period season it reproduces seasonal naive; update() equals re-reading the history', async () => {
  const series = seasonal();
  // normalize 'series': the state itself must count the steps since the last pulse (under the
  // default seasonal differencing the last cycle gives the pulse away)
  const f = new Forecaster({ mode: 'stateful', normalize: 'series', lookback: 100, horizon: H, hidden: 32, epochs: 150, quantiles: null, seed: 4,
    season: PERIOD, optimizer: { kind: 'adam', lr: 1e-2 } });
  const bt = await backtest(f, series, { testSize: TEST, stride: 1 });
  const snaive = await backtest(new BaselineModel({ name: 'snaive', horizon: H, seasons: [PERIOD] }), [series], { testSize: TEST, stride: 1 });
  // origins: every step of the test part whose horizon fits, from the state after the step before
  assert.equal(bt.origins[0][0], T - TEST);
  assert.equal(bt.origins[0].length, TEST - H + 1);
  // seasonal naive's MASE on noise of sd 0.1 is about 1; the noise-free season would give
  // 1/sqrt(2). (One epoch gives MASE 10, so this can fail.)
  assert.ok(bt.overall.MASE < snaive.overall.MASE * 1.05, `stateful MASE ${bt.overall.MASE} vs seasonal naive ${snaive.overall.MASE}`);
  // the backtest's forecast from origin o is the one predict() gives for the first o steps
  const o = T - TEST + 17;
  const [p] = f.predict(head(series, o));
  const w = bt.origins[0].indexOf(o);
  for (let k = 0; k < H; k++) assert.ok(Math.abs(p.point[k] - bt.forecasts[0][w * H + k]) < 1e-4, `step ${k}`);

  // read 1000 steps, then stream 158 more one by one: the same forecast as reading all 1158
  // (its horizon 1158..1162 meets the pulse at 1160)
  const start = 1000, end = 1158;
  f.predict(head(series, start));
  let streamed = f.update(series.values[start]);
  for (let t = start + 1; t < end; t++) streamed = f.update(series.values[t]);
  const [reread] = f.predict(head(series, end));
  assert.deepEqual(streamed.times, reread.times);
  assert.deepEqual(streamed.times, [end, end + 1, end + 2, end + 3, end + 4]);
  assert.ok(reread.point[2] > 1 && reread.point[1] < 1, `the pulse at 1160: ${[...reread.point]}`);
  const scale = Math.max(...reread.point.map(Math.abs));
  for (let k = 0; k < H; k++) {
    assert.ok(Math.abs(streamed.point[k] - reread.point[k]) <= 1e-4 * scale, `step ${k}: streamed ${streamed.point[k]} vs re-read ${reread.point[k]}`);
  }
  // ... and not the forecast of the state before the last update (the test can fail)
  const [before] = f.predict(head(series, end - 1));
  assert.ok(Math.abs(before.point[2] - reread.point[2]) > 0.5);

  // the state survives a bytes round trip of the model (weights, scaler, settings)
  const g = Forecaster.fromBytes(f.toBytes());
  assert.equal(g.settings.mode, 'stateful');
  assert.deepEqual([...g.predict(series)[0].point], [...f.predict(series)[0].point]);
  f.dispose(); g.dispose();
});

test('stateful: quantiles stay monotone through update(); update() needs a stateful forecaster and a history', async () => {
  const series = head(seasonal(), 300);
  const f = new Forecaster({ mode: 'stateful', lookback: 50, horizon: 3, hidden: 8, epochs: 2, seed: 1 });
  assert.throws(() => f.update(1), ConfigError); // not fitted
  await f.fit(series);
  assert.throws(() => f.update(1), /call predict\(\) with its history first/);
  f.predict(series);
  const r = f.update(2.5);
  const q = r.quantiles!;
  for (let k = 0; k < 3; k++) assert.ok(q[3 * k] <= q[3 * k + 1] && q[3 * k + 1] <= q[3 * k + 2]);
  assert.throws(() => f.update(NaN), /finite number/);
  f.dispose();
  const w = new Forecaster({ lookback: 10, horizon: 3, epochs: 1 });
  await w.fit(series);
  assert.throws(() => w.update(1), /needs a stateful forecaster/);
  w.dispose();
  assert.throws(() => new Forecaster({ mode: 'stateful', lookback: 10, horizon: 3, validationShare: 0.1 }), /windowed mode/);
});

test('stateful: update() on a daily series feeds the calendar features of each new day, as re-reading does', async () => {
  const day = 86_400_000, t0 = Date.UTC(2021, 0, 1);
  const rng = new Rng(3);
  const obs = Array.from({ length: 300 }, (_, i) => ({ time: t0 + i * day, value: 5 + Math.sin((2 * Math.PI * i) / 7) + 0.2 * rng.normal(), row: i + 2 }));
  const series = buildSeries('daily', obs, 'date');
  const f = new Forecaster({ mode: 'stateful', lookback: 60, horizon: 4, hidden: 8, epochs: 3, seed: 2 });
  await f.fit(head(series, 250));
  f.predict(head(series, 250));
  let streamed = f.update(series.values[250]);
  for (let t = 251; t < 270; t++) streamed = f.update(series.values[t]);
  const [reread] = f.predict(head(series, 270));
  assert.deepEqual(streamed.times, reread.times);
  assert.equal(streamed.times[0], t0 + 270 * day);
  for (let k = 0; k < streamed.quantiles!.length; k++) assert.ok(Math.abs(streamed.quantiles![k] - reread.quantiles![k]) < 1e-4 * 6, `${k}`);
  // (feeding the features of the day before to update() fails this)
  f.dispose();
});

test('stateful: toBytes() keeps each series\' live state; the loaded forecaster continues exactly where the saved one was', async () => {
  const day = 86_400_000, t0 = Date.UTC(2021, 0, 1);
  const rng = new Rng(8);
  const values = Array.from({ length: 240 }, (_, i) => 5 + Math.sin((2 * Math.PI * i) / 7) + 0.2 * rng.normal());
  const series = (id: string, n: number, shift = 0) => buildSeries(id, values.slice(0, n).map((v, i) => ({ time: t0 + i * day, value: v + shift, row: i + 2 })), 'date');
  const f = new Forecaster({ mode: 'stateful', lookback: 50, horizon: 4, hidden: 8, epochs: 2, seed: 5 });
  await f.fit([series('a', 200), series('b', 200, 1)]);
  f.predict([series('a', 200), series('b', 190, 1)]);
  for (let t = 200; t < 205; t++) f.update(values[t], { id: 'a' });
  const g = Forecaster.fromBytes(f.toBytes());
  for (let t = 205; t < 212; t++) {
    const [x, y] = [f.update(values[t], { id: 'a' }), g.update(values[t], { id: 'a' })];
    assert.deepEqual(y.times, x.times);
    assert.deepEqual([...y.quantiles!], [...x.quantiles!], `step ${t}`);
  }
  const [x, y] = [f.update(7, { id: 'b' }), g.update(7, { id: 'b' })];
  assert.deepEqual([...y.quantiles!], [...x.quantiles!]);
  assert.equal(new Date(y.times[0]).toISOString().slice(0, 10), '2021-07-11'); // day 191
  // a model file without live states (e.g. windowed, or never predicted) has none to continue
  const fresh = new Forecaster({ mode: 'stateful', lookback: 50, horizon: 4, hidden: 8, epochs: 1, seed: 5 });
  await fresh.fit(series('a', 200));
  assert.throws(() => Forecaster.fromBytes(fresh.toBytes()).update(1, { id: 'a' }), /call predict\(\) with its history first/);
  for (const m of [f, g, fresh]) m.dispose();
});

test('stateful training rows: a lone series fills a batch with rows cut at staggered phases; many series get one row each', () => {
  // one series, batch 32, chunks of 336: 32 rows, 10.5 steps apart (floored)
  const one = rowStarts(1, 32, 336);
  assert.equal(one.length, 32);
  assert.deepEqual(one.slice(0, 4), [0, 10, 21, 31]);
  assert.equal(one[31], Math.floor((31 * 336) / 32));
  // 5 series: ceil(32 / 5) = 7 rows each; 414 series: one row each, from their first step
  assert.equal(rowStarts(5, 32, 100).length, 7);
  assert.deepEqual(rowStarts(414, 32, 336), [0]);
});
