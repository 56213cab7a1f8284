// Covariates of the forecaster: calendar features of the forecast steps (known future
// covariates, a lead of `horizon`), model files saved before they existed, and past covariates
// (extra columns known up to each time): that they help, that they do not leak, CSV and update().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/cells/rng.js';
import {
  backtest, buildSeries, calendarFeatures, fitScaler, Forecaster, nextTime, readSeriesCsv, seriesCalendar, sliceSeries, type TimeSeries,
} from '../src/forecast/index.js';
import { deserializeModel, serializeModel } from '../src/model/serialize.js';
import { ConfigError, DataError } from '../src/errors.js';

const day = 86_400_000, t0 = Date.UTC(2021, 0, 1);
function daily(n: number, seed = 3): TimeSeries {
  const rng = new Rng(seed);
  const obs = Array.from({ length: n }, (_, i) => ({ time: t0 + i * day, value: 5 + Math.sin((2 * Math.PI * i) / 7) + 0.2 * rng.normal(), row: i + 2 }));
  return buildSeries('daily', obs, 'date');
}

test('future calendar: each input step carries the calendar features of the step a horizon later', async () => {
  const L = 10, H = 4, series = daily(80);
  assert.equal(new Forecaster({ lookback: L, horizon: H }).settings.futureCalendar, false, 'off by default');
  // normalize 'series': the inputs hold the calendar columns as they are, which this test reads
  const f = new Forecaster({ lookback: L, horizon: H, hidden: 4, epochs: 1, quantiles: null, futureCalendar: true, normalize: 'series' });
  await f.fit(series);
  const own = 4, F = 1 + 2 * own;
  assert.equal(f.sequenceModel.config.input.size, F);
  const origins = [10, 37, 76];
  const { x } = f.windowsOf(series, origins); // [W, L, F]
  origins.forEach((o, w) => {
    for (let i = 0; i < L; i++) {
      const t = o - L + i, row = x.subarray((w * L + i) * F, (w * L + i + 1) * F);
      const close = (got: ArrayLike<number>, want: number[], what: string) =>
        want.forEach((v, k) => assert.ok(Math.abs(got[k] - v) < 1e-6, `${what} of step ${t}, feature ${k}: ${got[k]} vs ${v}`));
      close(row.subarray(1, 1 + own), calendarFeatures(series.times[t], series.freq, 'date'), 'own');
      close(row.subarray(1 + own), calendarFeatures(series.times[t] + H * day, series.freq, 'date'), 'lead');
    }
    // the last H input steps carry the features of the H forecast steps o .. o+H-1
    for (let h = 0; h < H; h++) {
      const row = x.subarray((w * L + L - H + h) * F, (w * L + L - H + h + 1) * F);
      assert.ok(Math.abs(row[1 + own] - calendarFeatures(series.times[o + h], series.freq, 'date')[0]) < 1e-6);
    }
  });
  // past the end of the series the lead features come from the frequency (Tuesday + 4 days = Saturday)
  const { names, data } = seriesCalendar(series, H);
  assert.equal(names[own], 'lead4_day_of_week_sin');
  const last = series.times.length - 1, G = names.length;
  assert.deepEqual([...data.subarray(last * G + own, (last + 1) * G)], calendarFeatures(nextTime(series.times[last], series.freq, H), series.freq, 'date'));
  assert.notDeepEqual([...data.subarray(last * G + own, (last + 1) * G)], [...data.subarray(last * G, last * G + own)]);
  f.dispose();
  // off on request, and never without calendar features
  assert.equal(new Forecaster({ lookback: L, horizon: H, calendar: false }).settings.futureCalendar, false);
  assert.throws(() => new Forecaster({ lookback: L, horizon: H, calendar: false, futureCalendar: true }), ConfigError);
});

test('future calendar: a model file saved before the setting existed loads and forecasts as before', async () => {
  const series = daily(80);
  for (const mode of ['windowed', 'stateful'] as const) {
    const old = new Forecaster({ lookback: 10, horizon: 4, hidden: 4, epochs: 1, mode, futureCalendar: false });
    await old.fit(series);
    // the file as an older version wrote it: no futureCalendar among the settings
    const { model, meta } = deserializeModel(old.toBytes());
    const saved = meta.forecaster as { settings: Record<string, unknown> };
    delete saved.settings.futureCalendar;
    const bytes = serializeModel(model, null, meta);
    model.dispose();
    const loaded = Forecaster.fromBytes(bytes);
    assert.equal(loaded.settings.futureCalendar, false, mode);
    assert.equal(loaded.sequenceModel.config.input.size, 1 + 4, mode);
    assert.deepEqual([...loaded.predict(series)[0].point], [...old.predict(series)[0].point], mode);
    // and a new file keeps the setting
    const current = new Forecaster({ lookback: 10, horizon: 4, hidden: 4, epochs: 1, mode, futureCalendar: true });
    await current.fit(series);
    const again = Forecaster.fromBytes(current.toBytes());
    assert.equal(again.settings.futureCalendar, true, mode);
    assert.deepEqual([...again.predict(series)[0].point], [...current.predict(series)[0].point], mode);
    for (const x of [old, loaded, current, again]) x.dispose();
  }
});

/** A numeric series whose next value is today's covariate: y[t+1] = x[t], x iid normal. */
function led(n: number, seed = 5): TimeSeries {
  const rng = new Rng(seed);
  const x = Array.from({ length: n }, () => rng.normal());
  const obs = x.map((_, t) => ({ time: t, value: t === 0 ? 0 : x[t - 1], row: t + 1, covariates: [x[t]] }));
  return buildSeries('led', obs, 'number', { covariateColumns: ['x'] });
}
const withoutCovariates = (s: TimeSeries): TimeSeries => ({ ...s, covariates: undefined });

test('past covariates: a covariate that leads the target by one step makes the forecast far better', async () => {
  const series = led(500);
  assert.deepEqual(series.covariates!.map((c) => c.name), ['x']);
  const settings = { lookback: 4, horizon: 1, hidden: 8, epochs: 15, batchSize: 16, quantiles: null, seed: 2, optimizer: { kind: 'adam' as const, lr: 1e-2 } };
  const withCov = new Forecaster(settings), without = new Forecaster(settings);
  const a = await backtest(withCov, series, { testSize: 100 });
  const b = await backtest(without, withoutCovariates(series), { testSize: 100 });
  // without it the target is unpredictable noise of sd 1 (MAE about 0.8); with it, a copy
  assert.ok(b.overall.MAE > 0.6, `without the covariate: MAE ${b.overall.MAE}`);
  assert.ok(a.overall.MAE < 0.5 * b.overall.MAE, `with the covariate: MAE ${a.overall.MAE} vs ${b.overall.MAE} without`);
  assert.equal(withCov.sequenceModel.config.input.size, 2);
  // the model file keeps the covariate's name and scaler: the same forecast after a round trip
  const loaded = Forecaster.fromBytes(withCov.toBytes());
  assert.deepEqual([...loaded.predict(series)[0].point], [...withCov.predict(series)[0].point]);
  assert.throws(() => loaded.predict(withoutCovariates(series)), /past covariates none, the model was trained with x/);
  for (const f of [withCov, without, loaded]) f.dispose();
});

test('past covariates are scaled on the training part only: huge test values move neither scaler nor training forecasts', async () => {
  const T = 120, testSize = 30, base = led(T);
  const leaked: TimeSeries = { ...base, covariates: [{ name: 'x', values: base.covariates![0].values.map((v, t) => (t >= T - testSize ? v * 1000 : v)) }] };
  const settings = { lookback: 6, horizon: 2, hidden: 4, epochs: 2, quantiles: null, seed: 1 };
  const a = new Forecaster(settings), b = new Forecaster(settings);
  await backtest(a, base, { testSize });
  await backtest(b, leaked, { testSize });
  const expected = fitScaler(base.covariates![0].values, T - testSize);
  assert.deepEqual(a.covariateScalersOf('led'), [expected]);
  assert.deepEqual(b.covariateScalersOf('led'), [expected]);
  assert.notDeepEqual(fitScaler(leaked.covariates![0].values, T), expected); // the test can fail
  // a forecast from an origin reads the covariate only before it
  const origins = [6, 50, T - testSize];
  assert.deepEqual([...b.forecastAt(leaked, origins).point], [...a.forecastAt(base, origins).point]);
  a.dispose(); b.dispose();
});

test('past covariates: stateful update() takes them by name and equals re-reading the history', async () => {
  const series = led(200);
  const f = new Forecaster({ mode: 'stateful', lookback: 40, horizon: 2, hidden: 6, epochs: 2, seed: 3 });
  await f.fit(sliceSeries(series, 0, 150));
  f.predict(sliceSeries(series, 0, 150));
  let streamed = f.update(series.values[150], { horizon: 2, covariates: { x: series.covariates![0].values[150] } });
  for (let t = 151; t < 170; t++) streamed = f.update(series.values[t], { id: 'led', horizon: 2, covariates: { x: series.covariates![0].values[t] } });
  const [reread] = f.predict(sliceSeries(series, 0, 170));
  for (let k = 0; k < reread.quantiles!.length; k++) assert.ok(Math.abs(streamed.quantiles![k] - reread.quantiles![k]) < 1e-4, `${k}`);
  assert.throws(() => f.update(1), /needs a finite value of past covariate "x"/);
  f.dispose();
});

test('past covariates from CSV: parsed, gaps filled with the target, bad cells named by row and column', () => {
  const text = ['t,y,x,z', '1,10,0.5,7', '2,11,,8', '3,12,1.5,9', '5,14,2.5,11'].join('\n');
  const [s] = readSeriesCsv(text, { time: 't', target: 'y', covariates: ['x', 'z'], fill: 'interpolate' });
  assert.deepEqual(s.covariates!.map((c) => [c.name, [...c.values]]), [['x', [0.5, 1, 1.5, 2, 2.5]], ['z', [7, 8, 9, 10, 11]]]);
  assert.throws(() => readSeriesCsv(text, { time: 't', target: 'y', covariates: ['x'] }), (e: Error) => e instanceof DataError && /row 3, column x: missing value/.test(e.message));
  assert.throws(() => readSeriesCsv(text.replace('1.5', 'abc'), { time: 't', target: 'y', covariates: ['x'], fill: 'interpolate' }),
    (e: Error) => e instanceof DataError && /row 4, column x: "abc" is not a number/.test(e.message));
  assert.throws(() => readSeriesCsv(text, { time: 't', target: 'y', covariates: ['w'] }), (e: Error) => e instanceof DataError && /unknown covariate column "w"/.test(e.message));
});
