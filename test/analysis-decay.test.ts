// Decay curves from the equations and the fit that tells a power law from an exponential.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitDecay, lstmRetention, plstmRetention } from '../src/analysis/index.js';
import { Rng } from '../src/cells/rng.js';

test('retention from the equations: f^n for the LSTM, about (n + 1)^-p for a pLSTM unit that never resets', () => {
  const l = lstmRetention(0.9, 50);
  assert.equal(l[0], 1);
  assert.ok(Math.abs(l[10] - 0.9 ** 10) < 1e-15);
  const p = 0.7, eps = 1e-3;
  const r = plstmRetention(p, 2000, eps);
  // the product of forget gates, written out for a few steps
  let prod = 1;
  for (let a = 1; a <= 5; a++) prod *= ((a + eps) / (a + 1)) ** p;
  assert.ok(Math.abs(r[5] - prod) < 1e-14, `${r[5]} vs ${prod}`);
  for (const n of [10, 100, 1999]) {
    const ratio = r[n] / (n + 1) ** -p;
    assert.ok(ratio > 0.99 && ratio < 1.01, `n=${n}: ${r[n]} vs (n+1)^-p ${(n + 1) ** -p}`);
  }
});

const steps = Array.from({ length: 300 }, (_, i) => i + 1);

test('a noisy power law is recognised and its exponent recovered within 5%', () => {
  const rng = new Rng(1);
  for (const p of [0.3, 0.6, 1.2]) {
    const y = steps.map((n) => 2 * n ** -p * Math.exp(rng.normal() * 0.05));
    const fit = fitDecay(steps, y);
    assert.equal(fit.better, 'power-law', `p=${p}`);
    assert.ok(Math.abs(fit.powerLaw.parameter - p) <= 0.05 * p, `p=${p}: fitted ${fit.powerLaw.parameter}`);
  }
});

test('a noisy exponential is recognised and its rate recovered within 5%', () => {
  const rng = new Rng(2);
  for (const rate of [0.01, 0.03, 0.1]) {
    const y = steps.map((n) => 1.5 * Math.exp(-rate * n) * Math.exp(rng.normal() * 0.05));
    const fit = fitDecay(steps, y);
    assert.equal(fit.better, 'exponential', `rate=${rate}`);
    assert.ok(Math.abs(fit.exponential.parameter - rate) <= 0.05 * rate, `rate=${rate}: fitted ${fit.exponential.parameter}`);
  }
});

test('the curves from the equations are told apart: pLSTM power law, LSTM exponential', () => {
  const n = Array.from({ length: 500 }, (_, i) => i);
  assert.equal(fitDecay(n, plstmRetention(0.5, 500)).better, 'power-law');
  assert.equal(fitDecay(n, lstmRetention(0.98, 500)).better, 'exponential');
  assert.throws(() => fitDecay([0, 1], [1, 0.5]), /at least 3 points/);
});

test('measured decay of a pLSTM unit that never resets is the power law of the equations; of an LSTM, f^n', async () => {
  const { SequenceModel } = await import('../src/model/index.js');
  const { measuredDecay } = await import('../src/analysis/index.js');
  const B = 2, T = 60;
  const x = new Float64Array(B * T).map((_, i) => Math.sin(i));
  // pLSTM with fixed p: reset gate shut (bias -30), no input to the gates: c_t = f_t c_{t-1} + (1 - f_t) g
  const p = 0.6;
  const pl = SequenceModel.create({ input: { kind: 'dense', size: 1 }, layers: [{ cell: 'plstm', hidden: 2, pInit: { mode: 'fixed', p } }],
    head: { size: 1, steps: 'all' }, loss: 'mse', seed: 1 }, { backend: 'js', dtype: 'float64' });
  pl.parameter('layers.0.weight_ih').fill(0);
  pl.parameter('layers.0.weight_hh').fill(0);
  pl.parameter('layers.0.bias').fill(-30, 0, 2); // r rows
  const m = measuredDecay(pl, x, B, T, { delta: 1e-3 });
  const theory = plstmRetention(p, T);
  for (let n = 1; n < T; n++) assert.ok(Math.abs(m.mean[n] - theory[n]) <= 1e-9, `n=${n}: ${m.mean[n]} vs ${theory[n]}`);
  // LSTM with a constant forget gate sigmoid(2) and no input: response f^n
  const ls = SequenceModel.create({ input: { kind: 'dense', size: 1 }, layers: [{ cell: 'lstm', hidden: 2 }],
    head: { size: 1, steps: 'all' }, loss: 'mse', seed: 1 }, { backend: 'js', dtype: 'float64' });
  ls.parameter('layers.0.weight_ih').fill(0);
  ls.parameter('layers.0.weight_hh').fill(0);
  ls.parameter('layers.0.bias').fill(2, 2, 4); // f rows
  const e = measuredDecay(ls, x, B, T, { start: 5, delta: 1e-3 });
  const f = 1 / (1 + Math.exp(-2));
  for (let n = 1; n < e.N; n++) assert.ok(Math.abs(e.mean[n] - f ** n) <= 1e-9, `n=${n}`);
  assert.equal(fitDecay(Array.from({ length: T }, (_, i) => i), m.mean).better, 'power-law');
  assert.equal(fitDecay(Array.from({ length: e.N }, (_, i) => i), e.mean).better, 'exponential');
});
