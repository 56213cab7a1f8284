// Quantile forecasts: the pinball loss against hand values, monotone quantiles, and coverage of
// the 10%-90% interval on a series with known noise; a forecaster survives a bytes round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pinballLoss } from '../src/model/loss.js';
import { Rng } from '../src/cells/rng.js';
import { backtest, buildSeries, Forecaster, sortQuantiles } from '../src/forecast/index.js';
import { ConfigError } from '../src/errors.js';
import { SequenceModel } from '../src/model/index.js';

test('pinball loss and gradient against hand values', () => {
  // 1 row, outputs (q .1, q .9) x 2 steps; y = 1 everywhere
  const out = new Float64Array([0, 0, 2, 2]);
  const y = new Float32Array([1, 1, 1, 1]);
  const d = new Float64Array(4);
  const loss = pinballLoss(out, y, [0.1, 0.9], null, 1, 4, 1, d);
  // under by 1 at q .1 -> .1, at q .9 -> .9; over by 1 at q .1 -> .9, at q .9 -> .1
  assert.ok(Math.abs(loss - (0.1 + 0.9 + 0.9 + 0.1) / 4) < 1e-12);
  assert.deepEqual([...d].map((v) => Math.round(v * 1e12) / 1e12), [-0.1 / 4, -0.9 / 4, 0.9 / 4, 0.1 / 4]);
});

test('the pinball loss needs quantile levels and a head in groups of Q', () => {
  const cfg = { input: { kind: 'dense' as const, size: 1 }, layers: [{ cell: 'plstm' as const, hidden: 2 }], seed: 1 };
  assert.throws(() => SequenceModel.create({ ...cfg, head: { size: 4, steps: 'last' }, loss: 'pinball' }), ConfigError);
  assert.throws(() => SequenceModel.create({ ...cfg, head: { size: 4, steps: 'last' }, loss: 'pinball', quantiles: [0.1, 0.5, 0.9] }), /multiple of the 3 quantiles/);
  assert.throws(() => SequenceModel.create({ ...cfg, head: { size: 4, steps: 'last' }, loss: 'mse', quantiles: [0.5] }), /setting of loss "pinball"/);
});

test('sortQuantiles makes each step monotone', () => {
  const v = new Float32Array([3, 1, 2, 0, 5, -1]);
  sortQuantiles(v, 3);
  assert.deepEqual([...v], [1, 2, 3, -1, 0, 5]);
});

test('quantile forecasts are monotone and the 10%-90% interval covers about 80% of noisy data', async () => {
  // a 12-step season plus Gaussian noise of sd 0.5: the ideal 10%-90% interval is the season
  // +- 1.28 sd, covering 80%
  const rng = new Rng(5);
  const sd = 0.5;
  const T = 600, testSize = 150;
  const values = Array.from({ length: T }, (_, t) => 2 * Math.sin((2 * Math.PI * t) / 12) + sd * rng.normal());
  const series = buildSeries('noisy', values.map((value, i) => ({ time: i, value, row: i + 1 })), 'number');
  // normalize 'series' and a constant rate: the setting these bounds were written for (with the
  // seasonal frame's one-cycle base, K = 1 at lookback 24, this noisy series scores MASE 1.15)
  const f = new Forecaster({ lookback: 24, horizon: 2, hidden: 16, epochs: 15, batchSize: 32, seed: 2, season: 12,
    optimizer: { kind: 'adam', lr: 1e-2 }, normalize: 'series', schedule: 'constant' });
  const bt = await backtest(f, series, { testSize, stride: 1 });
  const Q = 3;
  const q = bt.quantiles![0];
  for (let r = 0; r < q.length; r += Q) assert.ok(q[r] <= q[r + 1] && q[r + 1] <= q[r + 2], `quantiles not monotone at ${r}`);
  const { coverage, MASE } = bt.overall;
  assert.ok(coverage! > 0.65 && coverage! < 0.92, `coverage ${coverage}`);
  // the median beats seasonal naive, whose error on pure noise is sqrt(2) times the noise's
  assert.ok(MASE < 0.9, `MASE ${MASE}`);
  // the interval is about as wide as the noise says (2 * 1.28 * sd = 1.28)
  let width = 0;
  for (let r = 0; r < q.length; r += Q) width += q[r + 2] - q[r];
  width /= q.length / Q;
  assert.ok(width > 0.8 && width < 2, `mean interval width ${width}`);

  // bytes round trip: same forecasts
  const g = Forecaster.fromBytes(f.toBytes());
  assert.deepEqual(g.settings, f.settings);
  assert.deepEqual([...g.predict(series)[0].quantiles!], [...f.predict(series)[0].quantiles!]);
  f.dispose(); g.dispose();
});
