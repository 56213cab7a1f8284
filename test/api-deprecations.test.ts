// The spellings deprecated in this release still work for one release: each returns what the
// new spelling returns and warns once (console.warn), naming the new spelling. Each test is the
// first use of its old spelling in this process (the warning is once per process).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceModel, type ModelConfig } from '../src/index.js';
import { Rng } from '../src/cells/rng.js';
import { createJsBackend } from '../src/cells/js-backend.js';
import { initPlstmWeights, plstmConfig } from '../src/cells/init.js';
import { backtest, buildSeries, Forecaster, type ForecastModel } from '../src/forecast/index.js';
import { PowerLawLSTM, disposeKernelBackends } from '../src/tfjs/index.js';
import { deprecated } from '../src/deprecated.js';

const CFG: ModelConfig = {
  input: { kind: 'onehot', size: 5 }, layers: [{ cell: 'plstm', hidden: 6 }], head: { size: 5, steps: 'all' }, loss: 'xent', seed: 3,
};
const B = 2, T = 7;
const X = new Int32Array(B * T).map((_, i) => (i * 3) % 5);

/** Records console.warn for the rest of the test; returns the lines. */
function warnings(t: TestContext): string[] {
  const lines: string[] = [];
  t.mock.method(console, 'warn', (...args: unknown[]) => { lines.push(args.map(String).join(' ')); });
  return lines;
}

test('deprecated() warns once per old spelling, naming the new one', (t) => {
  const lines = warnings(t);
  deprecated('oldThing(a, b)', 'newThing({ a, b })');
  deprecated('oldThing(a, b)', 'newThing({ a, b })');
  deprecated('otherThing()', 'other({})');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /oldThing\(a, b\) is deprecated.*use newThing\(\{ a, b \}\)/);
});

test('model.predict(x, B, T, state) and trace(x, B, T, state): the same result as ({ x, B, T }, { state }), one warning each', (t) => {
  const model = SequenceModel.create(CFG, { backend: 'js' });
  const state = model.evaluate({ x: X, B, T, y: X }).state;
  const lines = warnings(t);
  const want = model.predict({ x: X, B, T }, { state });
  assert.equal(lines.length, 0, 'the new spelling does not warn');
  assert.deepEqual(model.predict(X, B, T, state), want);
  assert.deepEqual(model.predict(X, B, T, state), want);
  assert.notDeepEqual(model.predict({ x: X, B, T }), want, 'the state is read');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /model\.predict\(x, B, T, state\) is deprecated.*model\.predict\(\{ x, B, T \}, \{ state \}\)/);
  const tr = model.trace({ x: X, B, T }, { state });
  assert.deepEqual(model.trace(X, B, T, state), tr);
  assert.deepEqual(model.trace(X, B, T, state).outputs, tr.outputs);
  assert.equal(lines.length, 2);
  assert.match(lines[1], /model\.trace\(x, B, T, state\) is deprecated.*model\.trace\(\{ x, B, T \}, \{ state \}\)/);
  // a Batch is an input too; a bad input or options object is named
  assert.deepEqual(model.predict({ x: X, B, T, y: X }), model.predict({ x: X, B, T }));
  assert.throws(() => model.predict(null as never), /predict needs its input as \{ x, B, T \}/);
  assert.throws(() => model.predict({ x: X, B, T }, 3 as never), /predict's second argument is its options \{ state \}/);
  model.dispose();
});

test('model.step(state, x): the same result as step({ x }, { state }), one warning', (t) => {
  const model = SequenceModel.create(CFG, { backend: 'js' });
  const lines = warnings(t);
  const a = model.initState(B), b = model.initState(B);
  for (let k = 0; k < 3; k++) {
    const x = Int32Array.from([k, (k + 2) % 5]);
    assert.deepEqual(model.step(a, x), model.step({ x }, { state: b }), `step ${k}`);
  }
  assert.deepEqual(a, b, 'both states advanced alike');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /model\.step\(state, x\) is deprecated.*model\.step\(\{ x \}, \{ state \}\)/);
  assert.throws(() => model.step({ x: Int32Array.from([0, 1]) }, undefined as never), /step needs its options \{ state \}/);
  model.dispose();
});

test('backend.forward / backward with positional state and booleans: the same result as the options object, one warning each', (t) => {
  const be = createJsBackend('float64');
  const rng = new Rng(5);
  const cfg = plstmConfig(3, 4);
  const w = initPlstmWeights(cfg, rng);
  const x = Float64Array.from({ length: B * T * 3 }, () => rng.normal());
  const s0 = { h: new Float64Array(B * 4).fill(0.1), c: new Float64Array(B * 4).fill(-0.2), a: new Float64Array(B * 4).fill(2) };
  const dhSeq = Float64Array.from({ length: B * T * 4 }, () => rng.normal());
  const lines = warnings(t);
  const want = be.forward(cfg, w, x, B, T, { state: s0, needTape: true });
  const gWant = be.backward(cfg, w, x, want, { dhSeq, needDx: false });
  assert.equal(lines.length, 0);
  const old = (be.forward as (...a: unknown[]) => ReturnType<typeof be.forward>)(cfg, w, x, B, T, s0, true);
  assert.deepEqual(old.hSeq, want.hSeq);
  const oldBackward = be.backward as (...a: unknown[]) => ReturnType<typeof be.backward>;
  const g = oldBackward(cfg, w, x, old, dhSeq, null, false);
  assert.deepEqual(g, gWant);
  assert.equal(g.dx.length, 0, 'needDx false is read');
  oldBackward(cfg, w, x, (be.forward as (...a: unknown[]) => ReturnType<typeof be.forward>)(cfg, w, x, B, T, null, true), dhSeq, null);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /backend\.forward\(cfg, w, x, B, T, s0, needTape, hSeqOut\) is deprecated.*\{ state, needTape, hSeqOut \}/);
  assert.match(lines[1], /backend\.backward\(cfg, w, x, fwd, dhSeq, dFinal, needDx\) is deprecated.*\{ dhSeq, dFinal, needDx \}/);
});

test('forecaster.update(value, id, h, covariates): the same forecast as update(value, { id, horizon, covariates }), one warning', async (t) => {
  const rng = new Rng(2);
  const values = Array.from({ length: 120 }, (_, i) => Math.sin(i / 3) + 0.1 * rng.normal());
  const series = buildSeries('s', values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
  const mk = () => new Forecaster({ mode: 'stateful', lookback: 30, horizon: 4, hidden: 8, epochs: 1, quantiles: null, seed: 1 });
  const f = mk(), g = mk();
  await f.fit(series);
  await g.fit(series);
  f.predict(series);
  g.predict(series);
  const lines = warnings(t);
  for (const v of [0.3, -0.2]) {
    const a = f.update(v, 's', 2), b = g.update(v, { id: 's', horizon: 2 });
    assert.deepEqual(a, b);
    assert.equal(a.point.length, 2, 'the horizon is read');
  }
  assert.equal(lines.length, 1);
  assert.match(lines[0], /forecaster\.update\(value, id, h, covariates\) is deprecated.*update\(value, \{ id, horizon, covariates \}\)/);
  assert.throws(() => g.update(1, 7 as never), /update's second argument is its options/);
  f.dispose(); g.dispose();
});

test("forecaster cell 'lstm-chrono': the same settings, model and name as { cell: 'lstm', chrono: true }, one warning", async (t) => {
  const values = Array.from({ length: 80 }, (_, i) => Math.sin(i / 4));
  const series = buildSeries('s', values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
  const base = { lookback: 12, horizon: 3, hidden: 4, epochs: 1, quantiles: null, seed: 2 };
  const lines = warnings(t);
  const now = new Forecaster({ ...base, cell: 'lstm', chrono: true });
  assert.equal(lines.length, 0);
  const old = new Forecaster({ ...base, cell: 'lstm-chrono' });
  new Forecaster({ ...base, cell: 'lstm-chrono' }).dispose();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /cell: 'lstm-chrono' is deprecated.*cell: 'lstm', chrono: true/);
  assert.deepEqual(old.settings, now.settings);
  assert.equal(old.name, 'lstm-chrono');
  await old.fit(series);
  await now.fit(series);
  assert.deepEqual(old.sequenceModel.config, now.sequenceModel.config);
  assert.deepEqual(old.predict(series), now.predict(series));
  old.dispose(); now.dispose();
});

test('SeriesForecast.mean and OriginForecasts.mean: the point forecast, one warning each; a model returning { mean } still backtests', async (t) => {
  const values = Array.from({ length: 80 }, (_, i) => Math.sin(i / 4));
  const series = buildSeries('s', values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
  const f = new Forecaster({ lookback: 12, horizon: 3, hidden: 4, epochs: 1, seed: 2 }); // quantiles: point is the median
  await f.fit(series);
  const lines = warnings(t);
  const [p] = f.predict(series);
  assert.equal(p.point.length, 3);
  assert.deepEqual(Object.keys(p).sort(), ['id', 'levels', 'point', 'quantiles', 'times'], 'mean is not enumerable');
  assert.equal(lines.length, 0);
  assert.equal(p.mean, p.point);
  assert.deepEqual(f.predict(series)[0].mean, p.point);
  const o = f.forecastAt(series, [70]);
  assert.equal(o.mean, o.point);
  assert.equal(lines.length, 2);
  assert.match(lines[0], /SeriesForecast\.mean is deprecated.*SeriesForecast\.point/);
  assert.match(lines[1], /OriginForecasts\.mean is deprecated.*OriginForecasts\.point/);
  // a ForecastModel of the previous release returns { mean }: backtest reads it (and warns)
  const oldModel: ForecastModel = {
    name: 'old', horizon: 3, quantileLevels: null, fitted: true,
    minHistory: () => 1, seasonOf: () => 1, fit: async () => null, fittedUntil: () => 0, toBytes: () => new Uint8Array(0), dispose: () => {},
    forecastAt: (_s, origins) => ({ mean: new Float64Array(origins.length * 3).fill(0.5), quantiles: null }) as never,
  } as unknown as ForecastModel;
  const bt = await backtest(oldModel, series, { testSize: 6 });
  assert.ok(bt.forecasts[0].every((v) => v === 0.5));
  assert.equal(lines.length, 3);
  assert.match(lines[2], /forecastAt returning \{ mean \} is deprecated.*\{ point \}/);
  f.dispose();
});

test('TF.js layers: kernels is now backend; the old option works, warns once, and getConfig says backend', (t) => {
  const lines = warnings(t);
  const now = new PowerLawLSTM({ units: 4, backend: 'js' });
  assert.equal(lines.length, 0);
  const old = new PowerLawLSTM({ units: 4, kernels: 'js' });
  assert.equal(old.backend, 'js');
  new PowerLawLSTM({ units: 4, kernels: 'js' });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /PowerLawLSTM\(\{ kernels \}\) is deprecated.*PowerLawLSTM\(\{ backend \}\)/);
  assert.equal(old.getConfig().backend, 'js');
  assert.equal(old.getConfig().kernels, undefined);
  assert.deepEqual(old.getConfig().backend, now.getConfig().backend);
  assert.throws(() => new PowerLawLSTM({ units: 4, backend: 'gpu' as never }), /^.*PowerLawLSTM backend must be "wasm" or "js", got "gpu"$/);
  disposeKernelBackends();
});
