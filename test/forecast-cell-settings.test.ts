// The forecaster's cell settings: pLSTM eps and pInit, the LSTM's forgetBias or chrono. They reach
// the model it builds, survive saving, are absent from files saved before they existed, and a
// setting of the other cell (or forgetBias with chrono) is a ConfigError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSeries, Forecaster, FORECASTER_DEFAULTS, type TimeSeries } from '../src/forecast/index.js';
import { DEFAULTS } from '../src/model/config.js';
import { deserializeModel, serializeModel } from '../src/model/serialize.js';
import { ConfigError } from '../src/errors.js';

function wave(n: number): TimeSeries {
  return buildSeries('wave', Array.from({ length: n }, (_, i) => ({ time: i, value: Math.sin(i / 3) + 0.01 * i, row: i + 1 })), 'number');
}
const base = { lookback: 8, horizon: 2, hidden: 4, layers: 2, epochs: 1, quantiles: null, calendar: false };

test('cell settings: defaults are the library\'s, and only the cell\'s own are resolved', () => {
  assert.equal(FORECASTER_DEFAULTS.eps, DEFAULTS.eps);
  assert.deepEqual(FORECASTER_DEFAULTS.pInit, DEFAULTS.pInit);
  assert.equal(FORECASTER_DEFAULTS.forgetBias, DEFAULTS.forgetBias);
  const p = new Forecaster({ ...base }).settings;
  assert.deepEqual([p.eps, p.pInit, p.forgetBias], [DEFAULTS.eps, DEFAULTS.pInit, undefined]);
  const l = new Forecaster({ ...base, cell: 'lstm' }).settings;
  assert.deepEqual([l.eps, l.pInit, l.forgetBias], [undefined, undefined, DEFAULTS.forgetBias]);
  const c = new Forecaster({ ...base, cell: 'lstm', chrono: true });
  assert.deepEqual([c.settings.eps, c.settings.pInit, c.settings.forgetBias, c.settings.chrono], [undefined, undefined, undefined, base.lookback]);
  assert.equal(c.name, 'lstm-chrono', 'its name in backtests');
  assert.equal(new Forecaster({ ...base, cell: 'lstm', chrono: 7 }).settings.chrono, 7);
  assert.equal(new Forecaster({ ...base, cell: 'lstm', chrono: false }).settings.chrono, undefined);
  assert.equal(l.chrono, undefined);
});

test('cell settings reach every layer of the built model and the saved file', async () => {
  const series = wave(60);
  const p = new Forecaster({ ...base, eps: 0.05, pInit: { mode: 'fixed', p: 0.25 } });
  await p.fit(series);
  for (const layer of p.sequenceModel.config.layers) {
    assert.equal(layer.cell, 'plstm');
    assert.equal((layer as { eps: number }).eps, 0.05);
    assert.deepEqual((layer as { pInit: unknown }).pInit, { mode: 'fixed', p: 0.25 });
  }
  const again = Forecaster.fromBytes(p.toBytes());
  assert.equal(again.settings.eps, 0.05);
  assert.deepEqual(again.settings.pInit, { mode: 'fixed', p: 0.25 });
  assert.deepEqual(again.sequenceModel.config.layers, p.sequenceModel.config.layers);
  assert.deepEqual([...again.predict(series)[0].point], [...p.predict(series)[0].point]);

  const biased = new Forecaster({ ...base, cell: 'lstm', forgetBias: 2.5 });
  await biased.fit(series);
  for (const layer of biased.sequenceModel.config.layers) {
    assert.deepEqual([layer.cell, (layer as { forgetBias: number }).forgetBias], ['lstm', 2.5]);
  }
  const loaded = Forecaster.fromBytes(biased.toBytes());
  assert.equal(loaded.settings.forgetBias, 2.5);
  for (const f of [p, again, biased, loaded]) f.dispose();
});

test('cell settings: a model file saved before they existed loads as before (library defaults)', async () => {
  const series = wave(60);
  const old = new Forecaster({ ...base });
  await old.fit(series);
  const { model, meta } = deserializeModel(old.toBytes());
  const saved = meta.forecaster as { settings: Record<string, unknown> };
  delete saved.settings.eps;
  delete saved.settings.pInit;
  const bytes = serializeModel(model, null, meta);
  model.dispose();
  const loaded = Forecaster.fromBytes(bytes);
  assert.equal(loaded.settings.eps, DEFAULTS.eps);
  assert.deepEqual(loaded.settings.pInit, DEFAULTS.pInit);
  assert.deepEqual([...loaded.predict(series)[0].point], [...old.predict(series)[0].point]);
  old.dispose();
  loaded.dispose();
});

test('cell settings: bad values and another cell\'s setting are ConfigErrors naming the setting', () => {
  const fails = (s: object, re: RegExp) => assert.throws(() => new Forecaster({ ...base, ...s }),
    (e: Error) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'), JSON.stringify(s));
  fails({ eps: 1 }, /^eps must be a number in \(0, 1\), got 1$/);
  fails({ eps: 0 }, /^eps must be a number in \(0, 1\)/);
  fails({ pInit: { mode: 'fixed', p: 1.5 } }, /^pInit fixed p must be in \(0, 1\]/);
  fails({ pInit: { mode: 'range', lo: 3, hi: -3 } }, /^pInit range .*lo <= hi/);
  fails({ pInit: { mode: 'constant' } }, /unknown pInit mode "constant"/);
  fails({ cell: 'lstm', forgetBias: Number.NaN }, /^forgetBias must be a finite number/);
  fails({ cell: 'lstm', eps: 0.01 }, /^eps is a pLSTM setting; this forecaster's cell is lstm$/);
  fails({ cell: 'lstm', chrono: true, pInit: { mode: 'uniform' } }, /^pInit is a pLSTM setting; this forecaster's cell is lstm$/);
  fails({ chrono: true }, /^chrono is an LSTM setting; this forecaster's cell is plstm$/);
  assert.equal(new Forecaster({ ...base, chrono: false }).settings.chrono, undefined, 'chrono: false is off, on any cell');
  fails({ cell: 'lstm', chrono: 2 }, /^chrono \(Tmax\) must be a number > 2, got 2$/);
  fails({ forgetBias: 1 }, /^forgetBias is an LSTM setting; this forecaster's cell is plstm$/);
  fails({ cell: 'lstm', chrono: true, forgetBias: 1 }, /^forgetBias with chrono: chrono init sets the forget-gate bias itself/);
});

test('chrono reaches every layer; a file of the previous release with cell "lstm-chrono" loads as { cell: "lstm", chrono } without a warning', async (t) => {
  const series = wave(60);
  const f = new Forecaster({ ...base, cell: 'lstm', chrono: true });
  await f.fit(series);
  for (const layer of f.sequenceModel.config.layers) {
    assert.deepEqual([layer.cell, (layer as { chrono: number | null }).chrono], ['lstm', base.lookback]);
  }
  const { model, meta } = deserializeModel(f.toBytes());
  const saved = meta.forecaster as { settings: Record<string, unknown> };
  assert.equal(saved.settings.chrono, base.lookback);
  saved.settings.cell = 'lstm-chrono'; // as the previous release saved it
  delete saved.settings.chrono;
  const bytes = serializeModel(model, null, meta);
  model.dispose();
  const warn = t.mock.method(console, 'warn', () => {});
  const loaded = Forecaster.fromBytes(bytes);
  assert.equal(warn.mock.callCount(), 0);
  assert.deepEqual([loaded.settings.cell, loaded.settings.chrono, loaded.name], ['lstm', base.lookback, 'lstm-chrono']);
  assert.deepEqual([...loaded.predict(series)[0].point], [...f.predict(series)[0].point]);
  f.dispose(); loaded.dispose();
});
