// Backtests with refitting: every refit trains only on data before the origins its model
// forecasts (checked by watching what fit() is given), expanding or fixed windows, one training
// per refitEvery origins, and the first refit is the same training as a backtest without refits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backtest, buildSeries, Forecaster, type ForecastFitOptions, type ForecasterConfig, type TimeSeries, type TrainSummary,
} from '../src/forecast/index.js';
import { ConfigError } from '../src/errors.js';

// numeric times equal to the step number, so a training part's last time is its last step
function numeric(values: number[], id = 'series'): TimeSeries {
  return buildSeries(id, values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
}

/** A forecaster that records the first and last step of every training part it is given. */
class WatchedForecaster extends Forecaster {
  seen: { first: number; last: number }[] = [];
  override async fit(series: TimeSeries | TimeSeries[], opts: ForecastFitOptions = {}): Promise<TrainSummary> {
    for (const s of Array.isArray(series) ? series : [series]) {
      const end = opts.trainEnd?.(s) ?? s.values.length;
      this.seen.push({ first: s.times[opts.trainStart?.(s) ?? 0], last: s.times[end - 1] });
    }
    return super.fit(series, opts);
  }
}

const T = 160, TEST = 40, H = 3;
// a level that jumps inside the test part: a leak of the jump into training would show
const jumping = () => numeric(Array.from({ length: T }, (_, t) => Math.sin(t / 3) + (t >= 140 ? 20 : 0)));
const settings: ForecasterConfig = { lookback: 8, horizon: H, hidden: 4, epochs: 2, quantiles: null, seed: 7 };

test('refitting backtest, expanding window: each model saw only steps before the origins it forecasts', async () => {
  const series = jumping();
  const f = new WatchedForecaster(settings);
  const every = 4;
  const bt = await backtest(f, series, { testSize: TEST, stride: 2, refitEvery: every });
  const origins = bt.origins[0];
  assert.equal(origins.length, 19); // 120, 122, ..., 156
  assert.equal(f.seen.length, Math.ceil(origins.length / every));
  assert.equal(bt.refits!.length, f.seen.length);
  origins.forEach((o, w) => {
    const g = Math.floor(w / every);
    assert.ok(f.seen[g].last < o, `origin ${o} forecast by a model that saw step ${f.seen[g].last}`);
  });
  bt.refits!.forEach((r, g) => {
    const o = origins[r.firstOrigin];
    assert.equal(r.firstOrigin, g * every);
    assert.deepEqual(r.spans.series, { start: 0, end: o });
    assert.deepEqual(f.seen[g], { first: 0, last: o - 1 }); // everything before the origin
  });
  // the origin just after the jump is forecast by a model that did not see it
  const after = origins.indexOf(140);
  assert.ok(f.seen[Math.floor(after / every)].last < 140);
  f.dispose();
});

test('refitting backtest, fixed window: each refit trains on the last N steps before its origin', async () => {
  const f = new WatchedForecaster(settings);
  const bt = await backtest(f, jumping(), { testSize: TEST, stride: 1, refitEvery: 10, window: 'fixed' });
  const origins = bt.origins[0];
  assert.equal(origins.length, TEST - H + 1);
  assert.equal(f.seen.length, Math.ceil(origins.length / 10));
  bt.refits!.forEach((r, g) => {
    const o = origins[r.firstOrigin];
    assert.deepEqual(r.spans.series, { start: o - (T - TEST), end: o });
    assert.deepEqual(f.seen[g], { first: o - (T - TEST), last: o - 1 });
  });
  f.dispose();
});

test('refitting backtest: the first refit is the training of a backtest without refits (same seed, same data)', async () => {
  const series = jumping();
  const once = new Forecaster(settings), refit = new Forecaster(settings);
  const a = await backtest(once, series, { testSize: TEST, stride: 2 });
  const b = await backtest(refit, series, { testSize: TEST, stride: 2, refitEvery: 5 });
  assert.deepEqual(b.origins, a.origins);
  assert.deepEqual([...b.forecasts[0].subarray(0, 5 * H)], [...a.forecasts[0].subarray(0, 5 * H)]);
  // later groups come from other models (the test can fail)
  assert.notDeepEqual([...b.forecasts[0].subarray(5 * H)], [...a.forecasts[0].subarray(5 * H)]);
  // after the backtest the forecaster knows what its last model saw
  await assert.rejects(backtest(refit, series, { testSize: TEST, refit: false }), /past the start of the test part/);
  await assert.rejects(backtest(refit, series, { testSize: TEST, refitEvery: 0 }), ConfigError);
  await assert.rejects(backtest(refit, series, { testSize: TEST, refitEvery: 2, refit: false }), ConfigError);
  await assert.rejects(backtest(refit, series, { testSize: TEST, window: 'sliding' as 'fixed' }), /unknown window "sliding"/);
  once.dispose(); refit.dispose();
});
