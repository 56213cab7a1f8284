// fit(): learning on arrays and on a batch function, callbacks and their order, stops,
// early stopping, learning-rate schedules, the time limit, carried TBPTT state, and exact
// resume through serialized bytes. Tiny models on the js backend in float64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SequenceModel, createOptimizer, fit, accuracyMetric, serializeModel, deserializeModel, freshProgress,
  type Batch, type FitOptions, type FitProgress, type ModelConfig, type ModelState, type Optimizer,
} from '../src/model/index.js';
import { ConfigError } from '../src/errors.js';
import { Rng } from '../src/cells/rng.js';

const JS64 = { backend: 'js', dtype: 'float64' } as const;

/** Regression: y = mean over time of x[:, :, 0] - x[:, :, 1] (dense input, head on the last step). */
const REGRESSION: ModelConfig = {
  input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 8 }],
  head: { size: 1, steps: 'last' }, loss: 'mse', seed: 3,
};

function regressionData(N: number, T: number, seed: number): Batch {
  const rng = new Rng(seed);
  const x = new Float64Array(N * T * 2); // [N, T, 2]
  const y = new Float64Array(N); // [N, 1]
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let t = 0; t < T; t++) {
      const a = rng.range(-1, 1);
      const b = rng.range(-1, 1);
      x[(n * T + t) * 2] = a;
      x[(n * T + t) * 2 + 1] = b;
      s += a - b;
    }
    y[n] = s / T;
  }
  return { B: N, T, x, y };
}

/** Echo: the target at step t is the input token of step t - 1 (4 symbols, head on every step). */
const ECHO: ModelConfig = {
  input: { kind: 'onehot', size: 4 }, layers: [{ cell: 'plstm', hidden: 12 }],
  head: { size: 4, steps: 'all' }, loss: 'xent', seed: 5,
};

function echoBatch(B: number, T: number, seed: number): Batch {
  const rng = new Rng(seed);
  const x = new Int32Array(B * T); // [B, T]
  const y = new Int32Array(B * T); // [B, T]
  const weights = new Float32Array(B * T); // [B, T]: step 0 has nothing to echo
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      x[b * T + t] = rng.int(4);
      y[b * T + t] = t > 0 ? x[b * T + t - 1] : 0;
      weights[b * T + t] = t > 0 ? 1 : 0;
    }
  }
  return { B, T, x, y, weights };
}

interface Seen {
  B: number;
  lr: number;
  y: number[];
  stateIn: ModelState | null;
  stateOut: ModelState;
}

/** Records every trainStep call of `model`: batch size, rate, targets, states in and out. */
function spyOnSteps(model: SequenceModel, opt: Optimizer): Seen[] {
  const seen: Seen[] = [];
  const trainStep = model.trainStep.bind(model);
  model.trainStep = (batch, o, opts = {}) => {
    const r = trainStep(batch, o, opts);
    seen.push({ B: batch.B, lr: opt.lr, y: Array.from(batch.y), stateIn: opts.state ?? null, stateOut: r.state });
    return r;
  };
  return seen;
}

const stateValues = (s: ModelState) => s.layers.map((l) => [Array.from(l.h), Array.from(l.c), l.a === null ? null : Array.from(l.a)]);

test('fit on arrays: mse falls on a regression task; last partial batch kept; seeded shuffle per epoch', async () => {
  const model = SequenceModel.create(REGRESSION, JS64);
  const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
  const seen = spyOnSteps(model, opt);
  const data = regressionData(100, 6, 1);
  const validation = regressionData(40, 6, 2);
  const before = model.evaluate(validation).loss;
  const h = await fit(model, opt, { data, batchSize: 32, epochs: 12, validation, seed: 7 });
  assert.equal(h.stopped, 'max-epochs');
  assert.equal(h.epochs.length, 12);
  assert.deepEqual(seen.slice(0, 4).map((s) => s.B), [32, 32, 32, 4], 'ceil(100 / 32) batches, the last one of 4 rows');
  const last = h.epochs[11];
  assert.ok(last.trainLoss < 0.3 * h.epochs[0].trainLoss, `train loss ${h.epochs[0].trainLoss} -> ${last.trainLoss}`);
  assert.ok(last.validation!.loss < 0.3 * before, `validation loss ${before} -> ${last.validation!.loss}`);
  assert.equal(last.validation!.loss, model.evaluate(validation).loss, 'the validation loss is that of the final model');

  // every epoch sees each row once, in an order of its own; the same seed gives the same orders
  const epochTargets = (e: number) => seen.slice(4 * e, 4 * e + 4).flatMap((s) => s.y);
  const sorted = (a: number[]) => [...a].sort((p, q) => p - q);
  assert.deepEqual(sorted(epochTargets(0)), sorted(Array.from(data.y)));
  assert.deepEqual(sorted(epochTargets(1)), sorted(Array.from(data.y)));
  assert.notDeepEqual(epochTargets(0), epochTargets(1));
  const m2 = SequenceModel.create(REGRESSION, JS64);
  const opt2 = createOptimizer({ kind: 'adam', lr: 0.01 });
  const seen2 = spyOnSteps(m2, opt2);
  await fit(m2, opt2, { data, batchSize: 32, epochs: 2, seed: 7 });
  assert.deepEqual(seen2.flatMap((s) => s.y), seen.slice(0, 8).flatMap((s) => s.y));
  const unshuffled = SequenceModel.create(REGRESSION, JS64);
  const opt3 = createOptimizer({ kind: 'adam', lr: 0.01 });
  const seen3 = spyOnSteps(unshuffled, opt3);
  await fit(unshuffled, opt3, { data, batchSize: 32, shuffle: false });
  assert.deepEqual(seen3.flatMap((s) => s.y), Array.from(data.y));
  for (const m of [model, m2, unshuffled]) m.dispose();
});

test('array data: each batch holds whole rows (x, y and weights of the same samples)', async () => {
  const model = SequenceModel.create(REGRESSION, JS64);
  const opt = createOptimizer({ kind: 'sgd', lr: 0.001 });
  const N = 7;
  const T = 3;
  const x = new Float32Array(N * T * 2); // [N, T, 2]: row r holds r / 10 and -r / 10
  for (let r = 0; r < N; r++) for (let k = 0; k < T; k++) { x[(r * T + k) * 2] = r / 10; x[(r * T + k) * 2 + 1] = -r / 10; }
  const y = Float64Array.from({ length: N }, (_, r) => r); // [N, 1]
  const weights = Float32Array.from({ length: N }, (_, r) => r + 1); // [N]
  const batches: Batch[] = [];
  const trainStep = model.trainStep.bind(model);
  model.trainStep = (batch, o, opts) => { batches.push(batch); return trainStep(batch, o, opts); };
  await fit(model, opt, { data: { B: N, T, x, y, weights }, batchSize: 3, epochs: 2, seed: 11 });
  assert.deepEqual(batches.map((b) => b.B), [3, 3, 1, 3, 3, 1]);
  for (const b of batches) {
    assert.ok(b.x instanceof Float32Array && b.y instanceof Float64Array && b.weights instanceof Float32Array, 'types kept');
    for (let i = 0; i < b.B; i++) {
      const r: number = b.y[i];
      assert.equal(b.weights![i], r + 1);
      assert.deepEqual(Array.from(b.x.subarray(i * T * 2, (i + 1) * T * 2)), Array.from(x.subarray(r * T * 2, (r + 1) * T * 2)));
    }
  }
  model.dispose();
});

test('fit on a batch function: cross-entropy falls and accuracy rises on an echo task; metrics on a weighted validation set', async () => {
  const model = SequenceModel.create(ECHO, JS64);
  const opt = createOptimizer({ kind: 'adam', lr: 0.02 });
  const validation = echoBatch(50, 10, 99);
  const h = await fit(model, opt, {
    data: (epoch, step) => echoBatch(16, 10, 1000 * epoch + step), batchesPerEpoch: 10, epochs: 6,
    validation, validationBatchSize: 16, metrics: { acc: accuracyMetric }, monitor: 'acc',
  });
  const first = h.epochs[0];
  const last = h.epochs[5];
  assert.ok(last.trainLoss < 0.5 * first.trainLoss, `train loss ${first.trainLoss} -> ${last.trainLoss}`);
  assert.ok(last.validation!.acc > 0.9, `validation accuracy ${last.validation!.acc}`);
  assert.ok(h.best !== null && h.best >= last.validation!.acc, 'monitor acc: higher is better');
  // the loss over batches of 16 rows equals the loss of the whole set in one batch (weights included)
  const whole = model.evaluate(validation);
  assert.ok(Math.abs(last.validation!.loss - whole.loss) <= 1e-12 * whole.loss, `${last.validation!.loss} vs ${whole.loss}`);
  const O = 4;
  assert.equal(last.validation!.acc, accuracyMetric(whole.outputs, validation, model));
  assert.equal(whole.outputs.length, 50 * 10 * O);
  model.dispose();
});

test('callbacks are called in order with the right counts and contexts', async () => {
  const model = SequenceModel.create(REGRESSION, JS64);
  const opt = createOptimizer({ kind: 'sgd', lr: 0.01 });
  const log: string[] = [];
  const checkpoints: string[] = [];
  const cb = (name: string) => ({
    onEpochStart: (c: { epoch: number; step: number }) => { log.push(`${name} epochStart ${c.epoch} ${c.step}`); },
    onStepStart: (c: { epoch: number; step: number }) => { log.push(`${name} stepStart ${c.epoch} ${c.step}`); },
    onStepEnd: (c: { epoch: number; step: number; globalStep: number; loss: number | null; gradNorm: number | null }) => {
      assert.ok(Number.isFinite(c.loss) && Number.isFinite(c.gradNorm));
      log.push(`${name} stepEnd ${c.epoch} ${c.step} ${c.globalStep}`);
    },
    onEpochEnd: (c: { epoch: number; record: { epoch: number; globalStep: number } | null }) => {
      log.push(`${name} epochEnd ${c.epoch} ${c.record!.epoch} ${c.record!.globalStep}`);
    },
  });
  const h = await fit(model, opt, {
    data: regressionData(10, 3, 1), batchSize: 4, epochs: 2, callbacks: [cb('a'), cb('b')],
    onCheckpoint: (kind, p) => { checkpoints.push(`${kind} ${p.epoch} ${p.step}`); },
  });
  const expected: string[] = [];
  let g = 0;
  for (let e = 0; e < 2; e++) {
    expected.push(`a epochStart ${e} 0`, `b epochStart ${e} 0`);
    for (let s = 0; s < 3; s++) {
      g++;
      expected.push(`a stepStart ${e} ${s}`, `b stepStart ${e} ${s}`, `a stepEnd ${e} ${s + 1} ${g}`, `b stepEnd ${e} ${s + 1} ${g}`);
    }
    // the context's epoch counts finished epochs once one ends; the record names it (1-based)
    expected.push(`a epochEnd ${e + 1} ${e + 1} ${g}`, `b epochEnd ${e + 1} ${e + 1} ${g}`);
  }
  assert.deepEqual(log, expected);
  assert.equal(h.stopped, 'max-epochs');
  // monitor: the training loss; 'best' only after an improvement, 'last' after every epoch
  const bestAfter2 = h.epochs[1].improved;
  assert.deepEqual(checkpoints, ['best 1 0', 'last 1 0', ...(bestAfter2 ? ['best 2 0'] : []), 'last 2 0']);
  model.dispose();
});

test('a callback stops the run: mid-epoch as a pause that a resumed fit continues; with a reason, for good', async () => {
  const model = SequenceModel.create(REGRESSION, JS64);
  const opt = createOptimizer({ kind: 'sgd', lr: 0.01 });
  const seen = spyOnSteps(model, opt);
  const base = { data: regressionData(12, 3, 1), batchSize: 4, epochs: 3 } satisfies FitOptions;
  let last: FitProgress | null = null;
  const h = await fit(model, opt, {
    ...base, callbacks: [{ onStepEnd: (c) => (c.globalStep === 5 ? 'stop' : undefined) }],
    onCheckpoint: (_kind, p) => { last = p; },
  });
  assert.equal(h.stopped, 'stopped');
  assert.equal(seen.length, 5);
  assert.deepEqual([h.progress.epoch, h.progress.step, h.progress.globalStep], [1, 2, 5]);
  assert.equal(h.epochs.length, 1);
  assert.deepEqual(last, { ...h.progress, seconds: last!.seconds }, 'the stop saved a last checkpoint');

  const h2 = await fit(model, opt, { ...base, progress: h.progress });
  assert.equal(h2.stopped, 'max-epochs');
  assert.equal(seen.length, 9, 'the resumed run did the 4 steps left');
  assert.deepEqual(h2.epochs.map((r) => r.epoch), [2, 3]);

  // a reason ends the run: from onEpochEnd it replaces the built-in reason
  const h3 = await fit(model, opt, {
    ...base, epochs: 10, callbacks: [{ onEpochEnd: (c) => { if (c.record!.epoch === 2) c.stop('solved'); } }],
  });
  assert.equal(h3.stopped, 'solved');
  assert.equal(h3.epochs.length, 2);
  const n = seen.length;
  const h4 = await fit(model, opt, { ...base, epochs: 10, progress: h3.progress });
  assert.equal(h4.stopped, 'solved');
  assert.equal(seen.length, n, 'a finished run is not continued');
  assert.equal(h4.epochs.length, 0);
  // a plain stop at the end of the last epoch leaves 'max-epochs'; a stop before a step skips it
  const h5 = await fit(model, opt, { ...base, epochs: 1, callbacks: [{ onEpochEnd: () => 'stop' }] });
  assert.equal(h5.stopped, 'max-epochs');
  const m = seen.length;
  const h6 = await fit(model, opt, { ...base, callbacks: [{ onStepStart: (c) => (c.globalStep === 2 ? 'stop' : undefined) }] });
  assert.deepEqual([h6.stopped, h6.progress.globalStep, seen.length - m], ['stopped', 2, 2]);
  model.dispose();
});

test('early stopping triggers after patience epochs without improvement, and only then', async () => {
  const model = SequenceModel.create(REGRESSION, JS64);
  const opt = createOptimizer({ kind: 'sgd', lr: 0.001 });
  const data = regressionData(4, 2, 1);
  const run = (values: number[], extra: Partial<FitOptions>) => {
    let i = 0;
    return fit(model, opt, { data, batchSize: 4, epochs: values.length, validation: () => ({ loss: values[i++] }), ...extra });
  };
  // flat after the first epoch: epochs 2 and 3 do not improve -> stop after epoch 3 of 6
  const flat = await run([1, 1, 1, 1, 1, 1], { earlyStopping: { patience: 2 } });
  assert.equal(flat.stopped, 'early-stopped');
  assert.equal(flat.epochs.length, 3);
  assert.equal(flat.bestEpoch, 1);
  // improving every epoch: never
  const falling = await run([5, 4, 3, 2, 1], { earlyStopping: { patience: 1 } });
  assert.equal(falling.stopped, 'max-epochs');
  assert.equal(falling.epochs.length, 5);
  assert.equal(falling.bestEpoch, 5);
  // one bad epoch, then an improvement: the count starts again (patience 2 never reached)
  const bumpy = await run([5, 6, 4, 7, 3, 3.5], { earlyStopping: { patience: 2 } });
  assert.equal(bumpy.stopped, 'max-epochs');
  assert.deepEqual(bumpy.epochs.map((r) => r.improved), [true, false, true, false, true, false]);
  // improvements smaller than minDelta do not count
  const creeping = await run([1, 0.99, 0.98, 0.97, 0.96], { earlyStopping: { patience: 2, minDelta: 0.05 } });
  assert.equal(creeping.stopped, 'early-stopped');
  assert.equal(creeping.epochs.length, 3);
  // higher is better for an accuracy
  let i = 0;
  const acc = [0.5, 0.6, 0.7, 0.8];
  const rising = await fit(model, opt, {
    data, batchSize: 4, epochs: 4, validation: () => ({ loss: 1, acc: acc[i++] }), monitor: 'acc', earlyStopping: { patience: 1 },
  });
  assert.equal(rising.stopped, 'max-epochs');
  assert.equal(rising.best, 0.8);
  model.dispose();
});

test('learning-rate schedules: the optimizer sees the scheduled rate at every step', async () => {
  const rates = async (learningRate: FitOptions['learningRate'], epochs: number) => {
    const model = SequenceModel.create(REGRESSION, JS64);
    const opt = createOptimizer({ kind: 'sgd', lr: 0.5 });
    const seen = spyOnSteps(model, opt);
    await fit(model, opt, { data: regressionData(8, 2, 1), batchSize: 4, epochs, learningRate });
    model.dispose();
    return seen.map((s) => s.lr);
  };
  assert.deepEqual(await rates(undefined, 2), [0.5, 0.5, 0.5, 0.5], 'no schedule: the optimizer\'s own lr');
  assert.deepEqual(await rates(0.1, 2), [0.1, 0.1, 0.1, 0.1]);
  assert.deepEqual(await rates({ kind: 'step', lr: 0.1, decay: 0.5, every: 1 }, 3), [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
  const cos = await rates({ kind: 'cosine', lr: 0.1, epochs: 2 }, 2);
  const expected = [0, 1, 2, 3].map((k) => 0.05 * (1 + Math.cos(Math.PI * k / 4)));
  cos.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) < 1e-15, `step ${k}: ${v} vs ${expected[k]}`));
  assert.equal(cos[0], 0.1);
  assert.deepEqual(await rates((e, s, n) => 0.01 * (e * n + s + 1), 2), [0.01, 0.02, 0.03, 0.04]);
  await assert.rejects(rates({ kind: 'step', lr: 0.1, decay: 2, every: 1 }, 1), (e: Error) => e instanceof ConfigError && /decay must be in \(0, 1\]/.test(e.message));
});

test('the time limit stops mid-epoch with a last checkpoint and validates the model it ends with', async () => {
  const model = SequenceModel.create(REGRESSION, JS64);
  const opt = createOptimizer({ kind: 'sgd', lr: 0.01 });
  const data = regressionData(4, 3, 1);
  const saved: FitProgress[] = [];
  let validations = 0;
  const slowBatch = () => {
    const t0 = Date.now();
    while (Date.now() - t0 < 20); // 20 ms per batch
    return data;
  };
  const h = await fit(model, opt, {
    data: slowBatch, batchesPerEpoch: 1000, timeLimit: 0.3,
    validation: (m) => { validations++; return { loss: m.evaluate(data).loss }; },
    onCheckpoint: (kind, p) => { assert.equal(kind, 'last'); saved.push(p); },
  });
  assert.equal(h.stopped, 'time-limit');
  assert.ok(h.progress.step >= 5 && h.progress.step < 100, `stopped at step ${h.progress.step}`);
  assert.ok(h.seconds >= 0.3, `${h.seconds} s`);
  assert.equal(validations, 1);
  assert.equal(saved.length, 1);
  assert.equal(saved[0].stopped, 'time-limit');
  assert.equal(saved[0].globalStep, h.progress.globalStep);
  // resumed under the same limit it does nothing; with a larger one it goes on
  const again = await fit(model, opt, { data: slowBatch, batchesPerEpoch: 1000, timeLimit: 0.3, progress: h.progress });
  assert.equal(again.progress.globalStep, h.progress.globalStep);
  const more = await fit(model, opt, { data: slowBatch, batchesPerEpoch: 1000, timeLimit: h.seconds + 0.1, progress: h.progress });
  assert.equal(more.stopped, 'time-limit');
  assert.ok(more.progress.globalStep > h.progress.globalStep);
  model.dispose();
});

test('carryState: each batch starts from the final state of the one before; every epoch from zeros', async () => {
  const model = SequenceModel.create(ECHO, JS64);
  const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
  const seen = spyOnSteps(model, opt);
  await fit(model, opt, { data: (e, s) => echoBatch(3, 5, 10 * e + s), batchesPerEpoch: 3, epochs: 2, carryState: true });
  assert.equal(seen.length, 6);
  for (let k = 0; k < 6; k++) {
    if (k % 3 === 0) {
      assert.equal(seen[k].stateIn, null, `step ${k} starts an epoch from zeros`);
    } else {
      assert.deepEqual(stateValues(seen[k].stateIn!), stateValues(seen[k - 1].stateOut), `step ${k} starts from step ${k - 1}'s final state`);
      assert.ok(seen[k].stateIn!.layers[0].h.some((v) => v !== 0));
    }
  }
  const plain = spyOnSteps(model, opt);
  await fit(model, opt, { data: (e, s) => echoBatch(3, 5, s), batchesPerEpoch: 2 });
  assert.ok(plain.every((s) => s.stateIn === null), 'without carryState every batch starts from zeros');
  model.dispose();
});

/** Trains `epochs` straight, or stops after `stopAt` steps and resumes from bytes + progress; returns the final weights. */
async function resumeCase(options: Omit<FitOptions, 'progress' | 'callbacks' | 'onCheckpoint'>, config: ModelConfig, stopAt: number | null,
  restoreOptimizer = true) {
  let model = SequenceModel.create(config, JS64);
  let opt = createOptimizer({ kind: 'adam', lr: 0.01 });
  const records = [];
  if (stopAt !== null) {
    let bytes: Uint8Array | null = null;
    const first = await fit(model, opt, {
      ...options, callbacks: [{ onStepEnd: (c) => (c.globalStep === stopAt ? 'stop' : undefined) }],
      onCheckpoint: (kind, progress) => { if (kind === 'last') bytes = serializeModel(model, opt, { progress }); },
    });
    assert.equal(first.stopped, 'stopped');
    assert.equal(first.progress.globalStep, stopAt);
    records.push(...first.epochs);
    model.dispose();
    // everything that survives: the file's bytes, with the progress as JSON inside
    const loaded = deserializeModel(bytes!, JS64);
    model = loaded.model;
    opt = restoreOptimizer ? loaded.optimizer! : createOptimizer({ kind: 'adam', lr: 0.01 });
    const progress = (loaded.meta as { progress: FitProgress }).progress;
    const second = await fit(model, opt, { ...options, progress });
    records.push(...second.epochs);
  } else {
    records.push(...(await fit(model, opt, options)).epochs);
  }
  const params = Float64Array.from(model.params);
  model.dispose();
  return { params, records: records.map(({ seconds: _s, ...r }) => r) };
}

test('resume: stopped mid-epoch and restored from bytes, a run ends bit for bit where an uninterrupted one does', async () => {
  const options = {
    data: regressionData(30, 5, 1), batchSize: 8, epochs: 4, validation: regressionData(10, 5, 2),
    learningRate: { kind: 'cosine', lr: 0.02, epochs: 4 }, clip: 0.5,
  } satisfies FitOptions;
  const straight = await resumeCase(options, REGRESSION, null);
  const resumed = await resumeCase(options, REGRESSION, 6); // 4 steps per epoch: stopped in epoch 2
  assert.deepEqual(Array.from(resumed.params), Array.from(straight.params));
  assert.deepEqual(resumed.records, straight.records);
  // the check can fail: without the optimizer's state (Adam's moments) the run ends elsewhere
  const lost = await resumeCase(options, REGRESSION, 6, false);
  assert.notDeepEqual(Array.from(lost.params), Array.from(straight.params));
});

test('resume with a carried TBPTT state: the state travels in the progress, and the run ends bit for bit the same', async () => {
  const options = {
    data: (e: number, s: number) => echoBatch(4, 6, 100 * e + s), batchesPerEpoch: 5, epochs: 2, carryState: true,
  } satisfies FitOptions;
  const straight = await resumeCase(options, ECHO, null);
  const resumed = await resumeCase(options, ECHO, 3);
  assert.deepEqual(Array.from(resumed.params), Array.from(straight.params));
  assert.deepEqual(resumed.records, straight.records);
  // without the carried state the resumed run differs: the state matters here
  const model = SequenceModel.create(ECHO, JS64);
  const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
  const h = await fit(model, opt, { ...options, callbacks: [{ onStepEnd: (c) => (c.globalStep === 3 ? 'stop' : undefined) }] });
  assert.ok(h.progress.carried !== null);
  await fit(model, opt, { ...options, progress: { ...h.progress, carried: null } });
  assert.notDeepEqual(Array.from(model.params), Array.from(straight.params));
  model.dispose();
});

test('a diverging step ends the run with stopped diverged, the weights of the step before and a last checkpoint', async () => {
  const model = SequenceModel.create(REGRESSION, JS64);
  const opt = createOptimizer({ kind: 'sgd', lr: 0.01 });
  const good = regressionData(4, 3, 1);
  const huge: Batch = { ...good, y: new Float64Array(4).fill(1e200) }; // (out - y)^2 overflows
  let kinds: string[] = [];
  let weights: number[] = [];
  const h = await fit(model, opt, {
    data: (_e, s) => (s < 2 ? good : huge), batchesPerEpoch: 4,
    callbacks: [{ onStepEnd: () => { weights = Array.from(model.params); } }],
    onCheckpoint: (kind) => { kinds.push(kind); },
  });
  assert.equal(h.stopped, 'diverged');
  assert.match(h.error!, /training diverged/);
  assert.equal(h.progress.globalStep, 2);
  assert.deepEqual(Array.from(model.params), weights);
  assert.deepEqual(kinds, ['last']);
  kinds = [];
  const again = await fit(model, opt, { data: () => good, batchesPerEpoch: 4, progress: h.progress });
  assert.equal(again.stopped, 'diverged', 'a diverged run is over');
  model.dispose();
});

test('bad options are refused with a ConfigError naming the problem', async () => {
  const model = SequenceModel.create(REGRESSION, JS64);
  const opt = createOptimizer({ kind: 'sgd', lr: 0.01 });
  const data = regressionData(4, 2, 1);
  const bad: [FitOptions, RegExp][] = [
    [{ data, batchSize: 0 }, /batchSize must be a positive integer/],
    [{ data: () => data }, /batchesPerEpoch must be a positive integer/],
    [{ data, carryState: true }, /carryState needs a batch function/],
    [{ data, monitor: 'acc' }, /monitor "acc" needs validation/],
    [{ data, validation: data, monitor: 'acc' }, /monitor "acc" is not among the validation metrics \(loss\)/],
    [{ data, earlyStopping: { patience: 0 } }, /patience must be a positive integer/],
    [{ data, clip: -1 }, /clip must be a number > 0/],
    [{ data, timeLimit: 0 }, /timeLimit must be a number of seconds > 0/],
    [{ data, epochs: 1.5 }, /epochs must be a positive integer/],
    [{ data: { ...data, y: new Float64Array(3) } }, /data.y has 3 numbers, not a whole number per row of data.B = 4/],
  ];
  for (const [o, re] of bad) {
    await assert.rejects(fit(model, opt, o), (e: Error) => e instanceof ConfigError || e.name === 'ShapeError' ? re.test(e.message) : false, String(re));
  }
  assert.deepEqual(freshProgress().stopped, null);
  model.dispose();
});
