// The lookback left out: chosen at fit() from the frequency (two weeks of hours, a year of
// days, ...) and shortened when the training parts cannot hold it, saved with the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSeries, defaultLookback, Forecaster, lookbackOf, type TimeSeries } from '../src/forecast/index.js';
import { ConfigError } from '../src/errors.js';

const HOUR = 3_600_000;

function hourly(n: number, id = 'series'): TimeSeries {
  return buildSeries(id, Array.from({ length: n }, (_, t) => ({
    time: Date.UTC(2020, 0, 6) + t * HOUR, value: 10 + 3 * Math.sin((2 * Math.PI * t) / 24) + (t % 168 < 120 ? 2 : 0), row: t + 1,
  })), 'date');
}

test('defaultLookback: by frequency, four horizons where there is no calendar', () => {
  assert.equal(defaultLookback({ unit: 'hour', step: 1 }, 48), 336);
  assert.equal(defaultLookback({ unit: 'day', step: 1 }, 30), 365);
  assert.equal(defaultLookback({ unit: 'month', step: 1 }, 6), 24);
  assert.equal(defaultLookback({ unit: 'fixed', step: 1 }, 5), 20);
});

test('no lookback: fit() chooses the frequency\'s, or the longest season the shortest series holds; saved with the model', async () => {
  const long = hourly(336 + 2 * 8), short = hourly(200, 'short');
  const f = new Forecaster({ horizon: 8, hidden: 4, epochs: 1, maxSteps: 2, seed: 1 });
  assert.equal(f.settings.lookback, null);
  assert.throws(() => lookbackOf(f.settings), (e: Error) => e instanceof ConfigError && /chosen at fit/.test(e.message));
  // two weeks of hours need 336 steps of history + 2 horizons: the long series holds them
  await f.fit(long);
  assert.equal(f.settings.lookback, 336);
  // a series of 200 hours cannot hold a weekly frame (its base may look a week back from a
  // week-long span: 336 steps): the daily season is the longest that fits ...
  await f.fit([long, short]);
  assert.equal(f.settings.lookback, 24);
  // ... and the file keeps the choice: the loaded model forecasts the same
  const back = Forecaster.fromBytes(f.toBytes());
  assert.equal(back.settings.lookback, 24);
  assert.deepEqual([...back.forecastAt(long, [long.values.length - 8]).point], [...f.forecastAt(long, [long.values.length - 8]).point]);
  f.dispose();
  back.dispose();
});

test('a lookback that is given is kept, whatever the frequency suggests', async () => {
  const f = new Forecaster({ lookback: 48, horizon: 8, hidden: 4, epochs: 1, maxSteps: 2, seed: 1 });
  await f.fit(hourly(600));
  assert.equal(f.settings.lookback, 48);
  f.dispose();
});
