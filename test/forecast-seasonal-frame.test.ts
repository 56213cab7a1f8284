// The seasonal frame (normalize 'seasonal', the windowed default): the lags a base may repeat,
// the history a frame reads, the frame of a window computed by hand, and the forecaster around
// it: logs only for positive series, saved with the model, one-line errors for bad settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSeries, candidateLags, frameHistory, seasonalFrame, Forecaster, SPREAD_FLOOR, type TimeSeries } from '../src/forecast/index.js';
import { ConfigError, DataError } from '../src/errors.js';

function numeric(values: number[], id = 'series'): TimeSeries {
  return buildSeries(id, values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
}

test('candidate lags: the shortest season and its neighbours, then the longer seasons that fit in the lookback', () => {
  assert.deepEqual(candidateLags([24, 168], 336), [23, 24, 25, 168]);
  assert.deepEqual(candidateLags([168, 24], 100), [23, 24, 25]);
  assert.deepEqual(candidateLags([2], 10), [2]);
  assert.deepEqual(candidateLags([400], 10), [1]);
  // M4 hourly: two weeks of input read no further back than the lookback
  assert.equal(frameHistory(336, [24, 168]), 336);
  // daily data, lookback 10: the week fits (span 7); its lags average at least 2 cycles, the
  // longest (8) reaching 16 steps back
  assert.equal(frameHistory(10, [7, 365]), 16);
  // a year of days: two yearly cycles in the base
  assert.equal(frameHistory(365, [7, 365]), 730);
});

test('seasonal frame of one window, by hand: a cycle of 3 found among the lags 3, 4, 5 of season 4', () => {
  const cycle = [1, 5, 2];
  const v = Array.from({ length: 20 }, (_, t) => cycle[t % 3]);
  const o = 15, lookback = 12;
  const fr = seasonalFrame(v, o, lookback, [4], 5);
  // span = 4 (the season): level = mean(v[11..14]) = (2 + 1 + 5 + 2) / 4
  assert.equal(fr.level, 10 / 4);
  // the lookback holds four whole cycles: mean 8/3, variance ((1-8/3)^2 + (5-8/3)^2 + (2-8/3)^2) / 3
  const mean = 8 / 3;
  assert.ok(Math.abs(fr.spread - Math.sqrt(((1 - mean) ** 2 + (5 - mean) ** 2 + (2 - mean) ** 2) / 3)) < 1e-12);
  // lag 3 repeats exactly; K = max(2, floor(min(4, 12 / 2) / 3)) = 2 cycles: the mean of
  // v[o - 3 + (h mod 3)] and v[o - 6 + (h mod 3)]
  assert.equal(fr.lag, 3);
  assert.deepEqual([...fr.base], [1, 5, 2, 1, 5]);
  // two cycles that differ: the base is their mean
  const w = v.map((x, t) => (t >= o - 3 ? x + 1 : x));
  assert.deepEqual([...seasonalFrame(w, o, lookback, [4], 3).base], [1.5, 5.5, 2.5]);
  // a flat window keeps a finite spread
  assert.equal(seasonalFrame(new Array(20).fill(7), o, lookback, [4], 2).spread, SPREAD_FLOOR);
});

test('seasonal frame reads nothing at or after the origin', () => {
  const v = Array.from({ length: 40 }, (_, t) => Math.sin(t / 2) + t / 10);
  const a = seasonalFrame(v, 30, 12, [6], 4);
  const w = v.slice();
  for (let t = 30; t < 40; t++) w[t] = 1e6;
  assert.deepEqual(seasonalFrame(w, 30, 12, [6], 4), a);
});

test('forecaster: logs only for positive series, kept in the model file; forecasts come back the same', async () => {
  const pos = numeric(Array.from({ length: 120 }, (_, t) => 10 + 3 * Math.sin((2 * Math.PI * t) / 6) + (t % 5) / 10));
  const f = new Forecaster({ lookback: 12, horizon: 3, hidden: 4, epochs: 1, seed: 1, season: 6 });
  assert.equal(f.settings.normalize, 'seasonal');
  await f.fit(pos);
  assert.deepEqual(f.settings.seasons, [6], 'the given season frames the windows');
  const back = Forecaster.fromBytes(f.toBytes());
  assert.deepEqual([...back.forecastAt(pos, [100]).point], [...f.forecastAt(pos, [100]).point]);
  // a log-framed model refuses a non-positive value it would have to take the log of
  const bad = numeric([...pos.values].map((v, t) => (t === 95 ? -1 : v)));
  assert.throws(() => f.forecastAt(bad, [100]), (e: Error) => e instanceof DataError && /works in logs/.test(e.message));
  // a series with a non-positive value trains in its scaled values, and forecasts it
  const g = new Forecaster({ lookback: 12, horizon: 3, hidden: 4, epochs: 1, seed: 1, season: 6 });
  await g.fit(bad);
  assert.ok(g.forecastAt(bad, [100]).point.every(Number.isFinite));
  // predict() after a history shorter than the frame reads (14 steps: season 6, lags 5-7 with
  // two cycles each, lookback 12) is refused, not NaN
  const short = numeric([...pos.values].slice(0, 12));
  assert.throws(() => f.predict(short), (e: Error) => e instanceof DataError && /fewer than the 14 steps of history a window's seasonal frame reads/.test(e.message));
  f.dispose(); back.dispose(); g.dispose();
});

test('forecaster: bad seasonal settings are one-line ConfigErrors', () => {
  const base = { lookback: 12, horizon: 3 };
  const bad: [object, RegExp][] = [
    [{ seasons: [] }, /seasons must name at least one period/],
    [{ seasons: [24, 0] }, /seasons/],
    [{ maxSteps: 0 }, /maxSteps/],
    [{ schedule: 'linear' }, /unknown schedule "linear": use cosine or constant/],
    [{ mode: 'stateful', normalize: 'window' }, /normalize 'window' is for windowed mode/],
    [{ normalize: 'level' }, /unknown normalize "level": use seasonal, series or window/],
  ];
  for (const [s, re] of bad) {
    assert.throws(() => new Forecaster({ ...base, ...s }), (e: Error) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'), JSON.stringify(s));
  }
  // stateful forecasters take seasonal differences by default (seasonal-difference.ts)
  assert.equal(new Forecaster({ ...base, mode: 'stateful' }).settings.normalize, 'seasonal');
});
