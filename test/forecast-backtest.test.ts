// One backtest() for every ForecastModel: a baseline from the table gives the hand-computed
// seasonal-naive numbers, and a model written here (a tiny object implementing the interface)
// goes through the same function, fitted once on the part before the test part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backtest, BaselineModel, BASELINES, buildSeries, isBaseline,
  type ForecastFitOptions, type ForecastModel, type TimeSeries,
} from '../src/forecast/index.js';
import { ConfigError, DataError } from '../src/errors.js';

function numeric(values: number[], id = 'series'): TimeSeries {
  return buildSeries(id, values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
}

// period 3, not exactly: seasonal naive errs by 1 or 2
const V = [5, 1, 3, 6, 2, 3, 7, 1, 4, 6, 2, 5, 8, 1, 4, 7, 3, 5];

test('backtest of BaselineModel snaive: the hand-computed forecasts and metrics', async () => {
  const model = new BaselineModel({ name: 'snaive', horizon: 2, seasons: [3] });
  const bt = await backtest(model, numeric(V), { testSize: 6, stride: 2 });
  assert.equal(bt.model, 'snaive');
  assert.deepEqual(bt.origins, [[12, 14, 16]]);
  // from origin o: values[o - 3], values[o - 2]
  assert.deepEqual([...bt.forecasts[0]], [6, 2, 5, 8, 1, 4]);
  assert.equal(bt.quantiles, null);
  assert.equal(bt.train, undefined);
  // actuals 8 1 | 4 7 | 3 5: errors 2 1 | 1 1 | 2 1
  assert.equal(bt.overall.MAE, 8 / 6);
  assert.equal(bt.overall.RMSE, Math.sqrt(12 / 6));
  // MASE scale: mean |v_t - v_{t-3}| over t = 3 .. 11 (the part before the test part) = 8 / 9
  assert.ok(Math.abs(bt.overall.MASE - 1.5) < 1e-12, `MASE ${bt.overall.MASE}`);
  assert.deepEqual(bt.perStep.map((m) => m.MAE), [5 / 3, 1]);
  // refitting changes nothing for a model that learns nothing, and records no trainings
  const again = await backtest(model, numeric(V), { testSize: 6, stride: 2, refitEvery: 2, window: 'fixed' });
  assert.deepEqual([...again.forecasts[0]], [...bt.forecasts[0]]);
  assert.equal(again.refits, undefined);
});

test('BaselineModel: the table names every baseline; a bad name is a ConfigError; toBytes round-trips', () => {
  assert.deepEqual(Object.keys(BASELINES), ['naive', 'snaive', 'drift', 'naive2', 'ets', 'mstl-ets']);
  assert.ok(isBaseline('drift') && !isBaseline('arima') && !isBaseline('toString'));
  assert.throws(() => new BaselineModel({ name: 'arima' as 'naive', horizon: 2 }), (e: Error) => e instanceof ConfigError && /unknown baseline "arima"/.test(e.message));
  const model = new BaselineModel({ name: 'snaive', horizon: 4, seasons: [3, 6] });
  const back = BaselineModel.fromBytes(model.toBytes());
  assert.deepEqual([back.name, back.horizon, back.seasons], ['snaive', 4, [3, 6]]);
  // without seasons, each series' frequency gives the period (numeric times: 1)
  assert.equal(new BaselineModel({ name: 'snaive', horizon: 2 }).minHistory(numeric(V)), 1);
  assert.throws(() => BaselineModel.fromBytes(new TextEncoder().encode('{')), DataError);
});

/** A model written outside the library: forecasts the mean of the training part plus the last change. */
class MeanModel implements ForecastModel {
  readonly name = 'mean';
  readonly quantileLevels = null;
  fitted = false;
  fits: { id: string; start: number; end: number }[] = [];
  private means = new Map<string, number>();
  private ends = new Map<string, number>();
  constructor(readonly horizon: number) {}
  minHistory(): number { return 2; }
  seasonOf(): number { return 3; }
  fittedUntil(series: TimeSeries): number { return this.ends.get(series.id) ?? 0; }
  async fit(series: TimeSeries[], opts: ForecastFitOptions = {}): Promise<null> {
    for (const s of series) {
      const start = opts.trainStart?.(s) ?? 0, end = opts.trainEnd?.(s) ?? s.values.length;
      this.fits.push({ id: s.id, start, end });
      let sum = 0;
      for (let t = start; t < end; t++) sum += s.values[t];
      this.means.set(s.id, sum / (end - start));
      this.ends.set(s.id, end);
    }
    this.fitted = true;
    return null;
  }
  forecastAt(series: TimeSeries, origins: number[]): { point: Float64Array; quantiles: null } {
    const mean = new Float64Array(origins.length * this.horizon); // [origins, H]
    origins.forEach((o, w) => mean.fill(this.means.get(series.id)! + series.values[o - 1] - series.values[o - 2], w * this.horizon, (w + 1) * this.horizon));
    return { point: mean, quantiles: null };
  }
  toBytes(): Uint8Array { return new Uint8Array(0); }
  dispose(): void {}
}

test('a custom ForecastModel backtests through the same function: fitted before the test part, then scored', async () => {
  const model = new MeanModel(2);
  const series = [numeric(V, 'a'), numeric(V.map((v) => 2 * v), 'b')];
  const bt = await backtest(model, series, { testSize: 6, stride: 2 });
  assert.deepEqual(model.fits, [{ id: 'a', start: 0, end: 12 }, { id: 'b', start: 0, end: 12 }]);
  assert.equal(bt.model, 'mean');
  assert.deepEqual(bt.origins, [[12, 14, 16], [12, 14, 16]]);
  // series a: mean of the first 12 values = 45 / 12; from origin 12 the last change is 5 - 2
  assert.deepEqual([...bt.forecasts[0].subarray(0, 2)], [45 / 12 + 3, 45 / 12 + 3]);
  // b is a scaled by 2: so are its forecasts
  assert.deepEqual([...bt.forecasts[1]], [...bt.forecasts[0]].map((f) => 2 * f));
  // fitted now: the default is no refit, and what it learnt ends at the test part
  const again = await backtest(model, series, { testSize: 6, stride: 2 });
  assert.equal(model.fits.length, 2);
  assert.deepEqual(again.overall, bt.overall);
  // a model fitted on the test part is refused without refit
  await model.fit(series);
  await assert.rejects(backtest(model, series, { testSize: 6, refit: false }), /past the start of the test part/);
  // fixed-window refits are asked for the last 12 steps before each group's first origin
  model.fits = [];
  await backtest(model, [series[0]], { testSize: 6, stride: 2, refitEvery: 2, window: 'fixed' });
  assert.deepEqual(model.fits, [{ id: 'a', start: 0, end: 12 }, { id: 'a', start: 4, end: 16 }]);
});
