// Window-relative normalisation (normalize: 'window'): each window's inputs and targets relative
// to its last observed value. Nothing of the forecast part may leak into that level, forecasts
// must move with the level of the inputs, and a trend out of the training range is followed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backtest, buildSeries, windowLevel, removeLevels, windowInputs, Forecaster, type TimeSeries } from '../src/forecast/index.js';
import { ConfigError } from '../src/errors.js';

function numeric(values: number[], id = 'series'): TimeSeries {
  return buildSeries(id, values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
}

const wavy = (T: number, slope: number) => Array.from({ length: T }, (_, t) => 5 + Math.sin((2 * Math.PI * t) / 12) + slope * t);
const settings = { lookback: 12, horizon: 3, hidden: 8, epochs: 3, batchSize: 16, quantiles: null, seed: 3, normalize: 'window' as const };

test('window level: the last observed value, removed from the value feature only', () => {
  const v = [10, 11, 12, 13, 14, 15, 16];
  assert.equal(windowLevel(v, 3), 12);
  const cov = v.map((_, t) => 100 + t);
  const x = windowInputs(v, cov, 1, [3, 5], 3); // [2, 3, 2]
  removeLevels(x, [windowLevel(v, 3), windowLevel(v, 5)], 3, 2);
  assert.deepEqual([...x], [-2, 100, -1, 101, 0, 102, -2, 102, -1, 103, 0, 104]);
});

test('window level: no future value leaks in: forecasts from an origin ignore every value from it on', async () => {
  const T = 90, testSize = 20;
  const base = wavy(T, 0.05);
  const f = new Forecaster(settings);
  const ser = numeric(base);
  await backtest(f, ser, { testSize, stride: 5 });
  for (const o of [12, 40, T - testSize, T - 7]) {
    // the forecast part (and everything after it) replaced by huge values
    const future = numeric(base.map((v, t) => (t >= o ? v * 1000 + 1e4 : v)));
    assert.deepEqual([...f.forecastAt(future, [o]).point], [...f.forecastAt(ser, [o]).point], `origin ${o}`);
  }
  // training did not see the test part either: the same model from a series whose test part is huge
  const g = new Forecaster(settings);
  await backtest(g, numeric(base.map((v, t) => (t >= T - testSize ? v * 1000 : v))), { testSize, stride: 5 });
  assert.deepEqual([...g.forecastAt(ser, [12, 40, 67]).point], [...f.forecastAt(ser, [12, 40, 67]).point]);
  f.dispose(); g.dispose();
});

test('window level: shifting a window\'s values by c shifts its forecast by c (and not without it)', async () => {
  const base = wavy(90, 0);
  const c = 7.5, origins = [20, 50, 80];
  const shifted = numeric(base.map((v) => v + c));
  for (const normalize of ['window', 'series'] as const) {
    const f = new Forecaster({ ...settings, normalize });
    await f.fit(numeric(base));
    const a = f.forecastAt(numeric(base), origins).point, b = f.forecastAt(shifted, origins).point;
    const moved = [...a].every((v, i) => Math.abs(b[i] - v - c) < 1e-3);
    assert.equal(moved, normalize === 'window', `${normalize}: ${[...a]} -> ${[...b]}`);
    f.dispose();
  }
});

test('window level: a linear trend past the training range is followed, where series scaling cannot', async () => {
  const T = 120, testSize = 40;
  const ramp = numeric(Array.from({ length: T }, (_, t) => 2 * t + Math.sin(t)));
  const mae: Record<string, number> = {};
  for (const normalize of ['window', 'series'] as const) {
    const f = new Forecaster({ ...settings, normalize, epochs: 20, calendar: false });
    mae[normalize] = (await backtest(f, ramp, { testSize, stride: 3 })).overall.MAE;
    f.dispose();
  }
  // the test part lies 0 to 80 above the training part's maximum (158)
  assert.ok(mae.window < 3 && mae.window < mae.series / 5, JSON.stringify(mae));
});

test('window level: stateful mode and unknown values are ConfigErrors', () => {
  assert.throws(() => new Forecaster({ lookback: 5, horizon: 2, mode: 'stateful', normalize: 'window' }), (e: Error) => e instanceof ConfigError && /windowed mode/.test(e.message));
  assert.throws(() => new Forecaster({ lookback: 5, horizon: 2, normalize: 'level' as 'window' }), (e: Error) => e instanceof ConfigError && /use seasonal, series or window/.test(e.message));
});
