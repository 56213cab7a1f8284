// Forecasting building blocks against hand-made series and hand-computed values: series checks,
// windows, scaling without leakage from the test part, every metric, the baselines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backtest, buildSeries, seriesFromLong, windowOrigins, windowInputs, windowTargets, fitScaler, MetricAccumulator, maseScale,
  naiveForecast, seasonalNaiveForecast, driftForecast, Forecaster, calendarFeatureNames, nextTime, inferFrequency,
  type TimeSeries,
} from '../src/forecast/index.js';
import { DataError } from '../src/errors.js';

const day = 86_400_000;
function numeric(values: number[], id = 'series'): TimeSeries {
  return buildSeries(id, values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
}

test('windows: origins, inputs and targets of a hand-made series', () => {
  const v = [10, 11, 12, 13, 14, 15, 16];
  assert.deepEqual(windowOrigins({ lookback: 3, horizon: 2, end: 7 }), [3, 4, 5]);
  assert.deepEqual(windowOrigins({ lookback: 3, horizon: 2, end: 7, start: 4, stride: 2 }), [4]);
  // one covariate per step: 100 + t
  const cov = v.map((_, t) => 100 + t);
  assert.deepEqual([...windowInputs(v, cov, 1, [3, 5], 3)], [10, 100, 11, 101, 12, 102, 12, 102, 13, 103, 14, 104]);
  assert.deepEqual([...windowTargets(v, [3, 5], 2, 2)], [13, 13, 14, 14, 15, 15, 16, 16]);
});

test('series: frequency inferred, months follow the calendar, calendar features by frequency', () => {
  const months = ['2020-01-01', '2020-02-01', '2020-03-01', '2020-04-01'].map((d) => Date.parse(d));
  assert.deepEqual(inferFrequency(months, 'date'), { unit: 'month', step: 1 });
  assert.equal(new Date(nextTime(months[3], { unit: 'month', step: 1 }, 9)).toISOString().slice(0, 10), '2021-01-01');
  const days = [0, 1, 2, 3].map((i) => Date.UTC(2021, 0, 1) + i * day);
  assert.deepEqual(inferFrequency(days, 'date'), { unit: 'day', step: 1 });
  assert.deepEqual(calendarFeatureNames({ unit: 'day', step: 1 }, 'date'), ['day_of_week_sin', 'day_of_week_cos', 'day_of_year_sin', 'day_of_year_cos']);
  assert.deepEqual(calendarFeatureNames({ unit: 'month', step: 1 }, 'date'), ['month_sin', 'month_cos']);
  assert.deepEqual(calendarFeatureNames({ unit: 'fixed', step: 1 }, 'number'), []);
  // decimal years of mid-months (SILSO) are regular within tolerance
  const s = buildSeries('s', [1749.042, 1749.123, 1749.204, 1749.288].map((time, i) => ({ time, value: i, row: i + 1 })), 'number');
  assert.equal(s.values.length, 4);
});

test('series: duplicates, unsorted rows, gaps and missing values are DataErrors naming the row', () => {
  const obs = (times: number[], values = times.map(() => 1)) => times.map((time, i) => ({ time, value: values[i], row: i + 2 }));
  assert.throws(() => buildSeries('s', obs([0, 1, 1, 2]), 'number'), (e: Error) => e instanceof DataError && /row 4.*duplicate/.test(e.message));
  assert.throws(() => buildSeries('s', obs([0, 1, 3, 2]), 'number'), (e: Error) => e instanceof DataError && /row 5.*backwards.*sort/.test(e.message));
  assert.throws(() => buildSeries('s', obs([0, 1, 2, 4, 5]), 'number'), (e: Error) => e instanceof DataError && /row 5.*1 missing step.*fill: 'interpolate'/.test(e.message));
  assert.throws(() => buildSeries('s', obs([0, 1, 2], [1, NaN, 3]), 'number'), (e: Error) => e instanceof DataError && /row 3.*missing value/.test(e.message));
  const filled = buildSeries('s', obs([0, 1, 2, 5], [1, NaN, 3, 9]), 'number', { fill: 'interpolate' });
  assert.deepEqual([...filled.values], [1, 2, 3, 5, 7, 9]);
  assert.deepEqual(filled.times, [0, 1, 2, 3, 4, 5]);
  const two = seriesFromLong({ ids: ['a', 'b', 'a', 'b'], times: [0, 0, 1, 1], values: [1, 2, 3, 4], timeKind: 'number' });
  assert.deepEqual(two.map((s) => [s.id, [...s.values]]), [['a', [1, 3]], ['b', [2, 4]]]);
});

test('metrics: MAE, RMSE, sMAPE, MAPE, MASE, pinball and coverage against hand values', () => {
  // training part 1, 3, 2, 4, 3 with m = 2: |2-1| |4-3| |3-2| -> scale 1
  assert.equal(maseScale([1, 3, 2, 4, 3, 99], 5, 2), 1);
  assert.equal(maseScale([1, 3, 5, 7], 4, 1), 2);
  const acc = new MetricAccumulator(2, [0.1, 0.9]);
  // window 1: y = [2, 4], f = [1, 5]; window 2: y = [0, 2], f = [1, 2]
  acc.add([2, 4], [1, 5], 2, [1, 3, 3, 6]); // step 1 in [1, 3]: covered; step 2 in [3, 6]: covered
  acc.add([0, 2], [1, 2], 2, [0.5, 1.5, 2.5, 3]); // 0 outside [0.5, 1.5]; 2 outside [2.5, 3]
  const m = acc.overall();
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(m.MAE, (1 + 1 + 1 + 0) / 4);
  close(m.RMSE, Math.sqrt(3 / 4));
  close(m.sMAPE, (100 / 4) * (2 / 3 + 2 / 9 + 2 / 1 + 0));
  close(m.MAPE, (100 / 3) * (1 / 2 + 1 / 4 + 0 / 2)); // y = 0 left out
  close(m.MASE, 3 / 4 / 2);
  // pinball per point, mean over the two levels:
  // y=2: q.1 f=1 u=1 -> .1; q.9 f=3 u=-1 -> .1      => .1
  // y=4: q.1 f=3 u=1 -> .1; q.9 f=6 u=-2 -> .2      => .15
  // y=0: q.1 f=.5 u=-.5 -> .45; q.9 f=1.5 -> .15    => .3
  // y=2: q.1 f=2.5 u=-.5 -> .45; q.9 f=3 u=-1 -> .1 => .275
  close(m.pinball!, (0.1 + 0.15 + 0.3 + 0.275) / 4);
  close(m.coverage!, 0.5);
  const steps = acc.perStep();
  close(steps[0].MAE, 1);
  close(steps[1].MAE, 0.5);
  close(steps[1].coverage!, 0.5);
});

test('baselines: naive, seasonal naive and drift against hand values', () => {
  const v = Float64Array.from([1, 2, 3, 10, 20, 30, 99]);
  const history = v.subarray(0, 6); // a forecast from origin 6 sees values[0 .. 6)
  assert.deepEqual([...naiveForecast(history, 3, [])], [30, 30, 30]);
  assert.deepEqual([...seasonalNaiveForecast(history, 4, [3])], [10, 20, 30, 10]);
  // from 1 to 30 over 5 steps: slope 29 / 5
  assert.deepEqual([...driftForecast(history, 2, [])].map((x) => Math.round(x * 1e9) / 1e9), [30 + 5.8, 30 + 11.6]);
});

test('scaling is fitted on the training part only: huge test values move neither the scaler nor the forecasts', async () => {
  const T = 90, testSize = 20;
  const base = Array.from({ length: T }, (_, t) => 5 + Math.sin((2 * Math.PI * t) / 12) + 0.01 * t);
  const leaked = base.map((v, t) => (t >= T - testSize ? v * 1000 : v));
  const settings = { lookback: 12, horizon: 3, hidden: 8, epochs: 2, batchSize: 16, quantiles: null, seed: 3 };
  const a = new Forecaster(settings), b = new Forecaster(settings);
  const sa = numeric(base), sb = numeric(leaked);
  await backtest(a, sa, { testSize, stride: 5 });
  await backtest(b, sb, { testSize, stride: 5 });
  const expected = fitScaler(base, T - testSize);
  assert.deepEqual(a.scalerOf('series'), expected);
  assert.deepEqual(b.scalerOf('series'), expected);
  // forecasts of training windows do not see the test part at all
  const origins = [12, 40, 67];
  assert.deepEqual([...b.forecastAt(sb, origins).point], [...a.forecastAt(sa, origins).point]);
  // ... while a scaler fitted on everything would differ (the test can fail)
  assert.notDeepEqual(fitScaler(leaked, T), expected);
  a.dispose(); b.dispose();
});

test('a series shorter than lookback + horizon is a DataError saying what to do', async () => {
  const f = new Forecaster({ lookback: 10, horizon: 5, epochs: 1 });
  await assert.rejects(f.fit(numeric(Array.from({ length: 12 }, (_, i) => i))), (e: Error) => e instanceof DataError && /fewer than lookback \+ horizon = 15/.test(e.message));
});

test('fit() passes the caller\'s callbacks through: a stop after 3 steps ends training there', async () => {
  const values = Array.from({ length: 120 }, (_, t) => Math.sin((2 * Math.PI * t) / 12));
  for (const mode of ['windowed', 'stateful'] as const) {
    const f = new Forecaster({ lookback: 12, horizon: 3, hidden: 4, epochs: 5, batchSize: 8, quantiles: null, mode });
    let seen = 0;
    const summary = await f.fit(numeric(values), { callbacks: [{ onStepEnd: () => (++seen >= 3 ? 'stop' : undefined) }] });
    assert.equal(seen, 3, mode);
    assert.equal(summary.steps, 3, mode);
    f.dispose();
  }
});

test('validationShare holds out the latest windows and keeps the weights of the best epoch', async () => {
  const values = Array.from({ length: 200 }, (_, t) => Math.sin(t / 5) + 0.1 * Math.cos(t * t));
  // the same values with the last 20 in reverse order: the same scaler (mean and spread), and
  // only windows whose target or input reaches t >= 180 see the difference
  const reversedTail = [...values.slice(0, 180), ...values.slice(180).reverse()];
  const EPOCHS = 4;
  async function run(series: number[]) {
    const stepLosses: number[] = [], valLosses: number[] = [], snapshots: Float32Array[] = [];
    const f = new Forecaster({ lookback: 12, horizon: 3, hidden: 8, epochs: EPOCHS, batchSize: 16, validationShare: 0.2, quantiles: null });
    const summary = await f.fit(numeric(series), {
      callbacks: [{
        onStepEnd: (ctx) => {
          stepLosses.push(ctx.loss!);
          // spoil the weights after the last step: the last epoch validates worst, so keeping
          // the best epoch's weights differs from keeping the last ones
          if (ctx.epoch === EPOCHS - 1 && ctx.step === ctx.batchesPerEpoch) ctx.model.params.forEach((_, i, p) => { p[i] = (i % 7) - 3; });
        },
        onEpochEnd: (ctx) => {
          valLosses.push(ctx.record!.validation!.loss);
          snapshots.push(Float32Array.from(ctx.model.params));
        },
      }],
    });
    const kept = Float32Array.from(f.sequenceModel.params);
    f.dispose();
    return { summary, stepLosses, valLosses, snapshots, kept };
  }
  const a = await run(values);
  const b = await run(reversedTail);
  // every epoch is validated
  assert.equal(a.valLosses.length, EPOCHS);
  assert.ok(a.valLosses.every(Number.isFinite), a.valLosses.join(' '));
  // training never read the latest values: the same step losses; validation did: other losses
  assert.equal(a.stepLosses.length, b.stepLosses.length);
  const trainDiff = Math.max(...a.stepLosses.map((l, i) => Math.abs(l - b.stepLosses[i]) / l));
  assert.ok(trainDiff < 1e-6, `training losses differ by ${trainDiff} (relative) when only the latest values change`);
  const valDiff = Math.abs(a.valLosses[0] - b.valLosses[0]) / a.valLosses[0];
  assert.ok(valDiff > 1e-3, `validation loss moved by only ${valDiff} (relative) when the latest values changed`);
  // the weights kept are those of the best epoch, and valLoss is that epoch's loss
  const best = a.valLosses.indexOf(Math.min(...a.valLosses));
  assert.ok(best < EPOCHS - 1, `the spoilt last epoch validated best: ${a.valLosses.join(' ')}`);
  assert.deepEqual(a.kept, a.snapshots[best]);
  assert.equal(a.summary.valLoss, a.valLosses[best]);
});
