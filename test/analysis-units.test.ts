// Timescales, reset intervals and unit ablation on models whose answers are known by design.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceModel, type ModelConfig } from '../src/model/index.js';
import { ablateByValue, lstmTimescales, resetIntervals, silenceUnits } from '../src/analysis/index.js';

const rt = { backend: 'js', dtype: 'float64' } as const;

test('LSTM timescale: -1 / ln(f) for a constant forget gate', () => {
  const m = SequenceModel.create({ input: { kind: 'dense', size: 1 }, layers: [{ cell: 'lstm', hidden: 3 }], head: { size: 1, steps: 'all' }, loss: 'mse', seed: 1 }, rt);
  m.parameter('layers.0.weight_ih').fill(0);
  m.parameter('layers.0.weight_hh').fill(0);
  const b = m.parameter('layers.0.bias');
  b[3] = 1; b[4] = 2; b[5] = 3; // forget rows H..2H-1
  const tr = m.trace({ x: new Float64Array(2 * 7).fill(0.5), B: 2, T: 7 });
  const ts = lstmTimescales(tr.layers[0]);
  [1, 2, 3].forEach((z, j) => {
    const f = 1 / (1 + Math.exp(-z));
    assert.ok(Math.abs(ts[j] - -1 / Math.log(f)) <= 1e-9 * ts[j], `unit ${j}: ${ts[j]}`);
  });
});

test('pLSTM reset intervals: the steps run since the last reset, read off a reset gate driven by the input', () => {
  const m = SequenceModel.create({ input: { kind: 'dense', size: 1 }, layers: [{ cell: 'plstm', hidden: 2 }], head: { size: 1, steps: 'all' }, loss: 'mse', seed: 2 }, rt);
  m.parameter('layers.0.weight_hh').fill(0);
  const wih = m.parameter('layers.0.weight_ih'), b = m.parameter('layers.0.bias');
  wih.fill(0);
  b.fill(0);
  wih[0] = 60; b[0] = -30; // unit 0: r = 1 where x = 1, else 0
  b[1] = -30; // unit 1 never resets
  const T = 12;
  const x = new Float64Array(T);
  x[3] = 1; x[8] = 1;
  const iv = resetIntervals(m.trace({ x, B: 1, T }).layers[0], 1, T);
  assert.equal(iv[0].length, 2);
  assert.ok(Math.abs(iv[0][0] - 3) < 1e-9, `first reset after 3 steps, got ${iv[0][0]}`);
  assert.ok(Math.abs(iv[0][1] - 4) < 1e-2, `second after 4 more, got ${iv[0][1]}`);
  assert.deepEqual(iv[1], []);
});

test('silencing units zeroes what reads them; ablation by value groups and evaluates', () => {
  const cfg: ModelConfig = { input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 4 }, { cell: 'lstm', hidden: 3, bidirectional: true }],
    head: { size: 2, steps: 'last' }, loss: 'mse', seed: 3 };
  const m = SequenceModel.create(cfg, rt);
  const x = new Float64Array(3 * 5 * 2).map((_, i) => Math.sin(i));
  const s0 = silenceUnits(m, 0, [1]);
  for (const name of ['layers.1.weight_ih', 'layers.1.weight_ih_reverse']) {
    const w = s0.parameter(name), orig = m.parameter(name);
    for (let r = 0; r < 12; r++) for (let c = 0; c < 4; c++) assert.equal(w[r * 4 + c], c === 1 ? 0 : orig[r * 4 + c], `${name}[${r}, ${c}]`);
  }
  const all = silenceUnits(m, 1, [0, 1, 2, 3, 4, 5]);
  const out = all.predict({ x, B: 3, T: 5 }), bias = m.parameter('head.bias');
  for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - bias[i % 2]) < 1e-6, 'nothing reaches the head but its bias');
  assert.throws(() => silenceUnits(m, 1, [6]), /not in \[0, 6\)/);
  // the metric: the mean output; grouping by value puts the smallest values first
  const ab = ablateByValue(m, 0, [0.9, 0.1, 0.5, 0.3], 2, (mm) => mm.predict({ x, B: 3, T: 5 }).reduce((a, v) => a + v, 0));
  assert.deepEqual(ab.groups.map((g) => g.units), [[1, 3], [2, 0]]);
  assert.deepEqual(ab.groups.map((g) => [g.lo, g.hi]), [[0.1, 0.3], [0.5, 0.9]]);
  assert.equal(ab.intact, m.predict({ x, B: 3, T: 5 }).reduce((a, v) => a + v, 0));
  assert.notEqual(ab.groups[0].metric, ab.intact);
  s0.dispose(); all.dispose(); m.dispose();
});
