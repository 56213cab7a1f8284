// Covariates of the forecaster: calendar features of the forecast steps (known future
// covariates, a lead of `horizon`), and model files saved before they existed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/cells/rng.js';
import { buildSeries, calendarFeatures, Forecaster, nextTime, seriesCalendar, type TimeSeries } from '../src/forecast/index.js';
import { deserializeModel, serializeModel } from '../src/model/serialize.js';
import { ConfigError } from '../src/errors.js';

const day = 86_400_000, t0 = Date.UTC(2021, 0, 1);
function daily(n: number, seed = 3): TimeSeries {
  const rng = new Rng(seed);
  const obs = Array.from({ length: n }, (_, i) => ({ time: t0 + i * day, value: 5 + Math.sin((2 * Math.PI * i) / 7) + 0.2 * rng.normal(), row: i + 2 }));
  return buildSeries('daily', obs, 'date');
}

test('future calendar: each input step carries the calendar features of the step a horizon later', async () => {
  const L = 10, H = 4, series = daily(80);
  const f = new Forecaster({ lookback: L, horizon: H, hidden: 4, epochs: 1, quantiles: null });
  assert.equal(f.settings.futureCalendar, true);
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
    assert.deepEqual([...loaded.predict(series)[0].mean], [...old.predict(series)[0].mean], mode);
    // and a new file keeps the setting
    const current = new Forecaster({ lookback: 10, horizon: 4, hidden: 4, epochs: 1, mode });
    await current.fit(series);
    const again = Forecaster.fromBytes(current.toBytes());
    assert.equal(again.settings.futureCalendar, true, mode);
    assert.deepEqual([...again.predict(series)[0].mean], [...current.predict(series)[0].mean], mode);
    for (const x of [old, loaded, current, again]) x.dispose();
  }
});
