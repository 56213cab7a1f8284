// Whole-model gradients against central finite differences, float64 on the js backend:
// every parameter of input stage, stacked pLSTM/LSTM layers and head, for each input kind,
// head steps 'all' (with weights/mask) and 'last', xent, mse and pinball, with and without a carried state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceModel, type Batch, type ModelConfig, type ModelState } from '../src/model/index.js';
import { Rng } from '../src/cells/rng.js';
import { worstGradientError } from './support/finite-differences.js';

function makeBatch(cfg: ModelConfig, B: number, T: number, rng: Rng, masked: boolean): Batch {
  const all = cfg.head.steps === 'all';
  const N = all ? B * T : B;
  const O = cfg.head.size;
  let x: Int32Array | Float32Array;
  if (cfg.input.kind === 'dense') {
    x = new Float32Array(B * T * cfg.input.size).map(() => rng.range(-1, 1));
  } else {
    const V = cfg.input.kind === 'onehot' ? cfg.input.size : cfg.input.vocab;
    x = new Int32Array(B * T).map(() => rng.int(V));
  }
  const y = cfg.loss === 'xent'
    ? new Int32Array(N).map(() => rng.int(O))
    : new Float32Array(N * O).map(() => rng.range(-1, 1));
  const batch: Batch = { B, T, x, y };
  if (masked) {
    // a mix of 0 (masked, target set to -1 for xent to show it is not read), 1 and 2.5
    const w = new Float32Array(N).map((_, i) => [0, 1, 2.5][i % 3]);
    if (cfg.loss === 'xent') for (let i = 0; i < N; i++) if (w[i] === 0) (y as Int32Array)[i] = -1;
    batch.weights = w;
  }
  return batch;
}

/** Max over parameters of |analytic - numeric| / (atol + rtol * |numeric|); <= 1 passes. */
function gradCheck(cfg: ModelConfig, masked: boolean, carried: boolean): { worst: number; where: string } {
  const model = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  const rng = new Rng(cfg.seed + 100);
  const B = 3, T = 5;
  const batch = makeBatch(cfg, B, T, rng, masked);
  let state: ModelState | null = null;
  if (carried) {
    // a non-trivial initial state: run a random prefix first
    const pre = makeBatch(cfg, B, 3, rng, false);
    state = model.evaluate(pre).state;
  }
  model.computeGradients(batch, { state });
  return worstGradientError(model, Float64Array.from(model.grads), () => model.evaluate(batch, { state }).loss);
}

const cases: { name: string; cfg: ModelConfig; masked: boolean; carried: boolean }[] = [
  {
    name: 'embedding -> pLSTM -> LSTM -> head all, xent with weights/mask',
    cfg: {
      input: { kind: 'embedding', vocab: 5, dim: 3 },
      layers: [{ cell: 'plstm', hidden: 3 }, { cell: 'lstm', hidden: 4, forgetBias: 1 }],
      head: { size: 4, steps: 'all' }, loss: 'xent', seed: 1,
    },
    masked: true, carried: false,
  },
  {
    name: 'one-hot -> LSTM -> pLSTM (fixed p) -> head last, xent, carried state',
    cfg: {
      input: { kind: 'onehot', size: 4 },
      layers: [{ cell: 'lstm', hidden: 3 }, { cell: 'plstm', hidden: 4, pInit: { mode: 'fixed', p: 0.3 } }],
      head: { size: 3, steps: 'last' }, loss: 'xent', seed: 2,
    },
    masked: false, carried: true,
  },
  {
    name: 'dense -> pLSTM (range) -> pLSTM -> head all, mse with weights, carried state',
    cfg: {
      input: { kind: 'dense', size: 2 },
      layers: [{ cell: 'plstm', hidden: 3, pInit: { mode: 'range', lo: -2, hi: 2 }, eps: 0.01 },
        { cell: 'plstm', hidden: 2 }],
      head: { size: 2, steps: 'all' }, loss: 'mse', seed: 3,
    },
    masked: true, carried: true,
  },
  {
    name: 'dense -> LSTM (chrono) -> pLSTM -> head last, mse with weights',
    cfg: {
      input: { kind: 'dense', size: 3 },
      layers: [{ cell: 'lstm', hidden: 3, chrono: 10 }, { cell: 'plstm', hidden: 3 }],
      head: { size: 2, steps: 'last' }, loss: 'mse', seed: 4,
    },
    masked: true, carried: false,
  },
  {
    name: 'dense -> pLSTM -> LSTM -> head last, pinball (3 quantiles) with weights',
    cfg: {
      input: { kind: 'dense', size: 2 },
      layers: [{ cell: 'plstm', hidden: 3 }, { cell: 'lstm', hidden: 3 }],
      head: { size: 6, steps: 'last' }, loss: 'pinball', quantiles: [0.1, 0.5, 0.9], seed: 5,
    },
    masked: true, carried: false,
  },
  {
    name: 'dense -> pLSTM -> head all, pinball (2 quantiles), carried state',
    cfg: {
      input: { kind: 'dense', size: 2 },
      layers: [{ cell: 'plstm', hidden: 3 }],
      head: { size: 2, steps: 'all' }, loss: 'pinball', quantiles: [0.25, 0.8], seed: 6,
    },
    masked: false, carried: true,
  },
];

for (const c of cases) {
  test(`gradient check: ${c.name}`, () => {
    const { worst, where } = gradCheck(c.cfg, c.masked, c.carried);
    assert.ok(worst <= 1, `worst gradient mismatch ${worst.toFixed(2)}x tolerance at ${where}`);
  });
}

test('gradient check can fail: a perturbed analytic gradient is caught', () => {
  // Same machinery with one wrong number must exceed the tolerance (guards against a vacuous check).
  const cfg = cases[0].cfg;
  const model = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  const batch = makeBatch(cfg, 3, 5, new Rng(7), false);
  model.computeGradients(batch);
  const i = model.slots.find((s) => s.name === 'layers.0.weight_hh')!.offset + 1;
  const analytic = model.grads[i] * 1.001 + 1e-6;
  const h = 1e-6;
  const v = model.params[i];
  model.params[i] = v + h;
  const lp = model.evaluate(batch).loss;
  model.params[i] = v - h;
  const lm = model.evaluate(batch).loss;
  model.params[i] = v;
  const num = (lp - lm) / (2 * h);
  assert.ok(Math.abs(analytic - num) / (1e-8 + 1e-5 * Math.abs(num)) > 1);
});
