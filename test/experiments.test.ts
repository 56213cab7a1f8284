// The training loop and the task registry on tiny data: every task learns better than chance,
// options are checked, and a run stopped mid-epoch resumes on exactly the same trajectory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../src/errors.js';
import { SequenceModel, createOptimizer, resolveConfig, type Optimizer } from '../src/model/index.js';
import { loadModel } from '../src/node/save-load.js';
import {
  TASKS, checkRunFits, defaultsFor, estimateRunMemory, layerSpecs, learningRateAt, freshProgress, prepareFreshRunDir, readMetrics, resolveOptions, train, RUN_FILES,
  type Progress, type TrainOptions,
} from '../src/experiments/index.js';
import { writeTinyMnist, writeTinyReviews, writeTinyText } from './tiny-task-data.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'plstm-exp-'));
}

function optimizerOf(o: TrainOptions): Optimizer {
  return createOptimizer(o.optimizer === 'adam' ? { kind: 'adam', lr: o.lr }
    : o.optimizer === 'sgd' ? { kind: 'sgd', lr: o.lr, momentum: o.momentum }
      : { kind: 'rmsprop', lr: o.lr, alpha: o.alpha, momentum: o.momentum });
}

/** Trains a fresh run in `out` through the shared loop and returns its final summary. */
async function run(task: string, given: Partial<TrainOptions>, out: string) {
  const o = resolveOptions(task, { backend: 'js', ...given });
  const prepared = TASKS[o.task](o);
  prepareFreshRunDir(out, true);
  const model = SequenceModel.create(prepared.modelConfig, { backend: 'js' });
  try {
    return await train(o, prepared, model, optimizerOf(o), out, freshProgress());
  } finally {
    model.dispose();
  }
}

test('copy task defaults are the authors\' setup', () => {
  const d = defaultsFor('copy');
  assert.equal(d.delay, 200);
  assert.equal(d.hidden, 128);
  assert.equal(d.optimizer, 'rmsprop');
  assert.equal(d.lr, 1e-3);
  assert.equal(d.alpha, 0.9);
  assert.equal(d.batch, 128);
  assert.equal(d.clip, 1);
  assert.equal(d.trainSamples, 10000);
  assert.equal(d.testSamples, 1000);
  assert.equal(d.pInit, 'uniform');
  const prepared = TASKS.copy(resolveOptions('copy', { trainSamples: 130, testSamples: 10 }));
  assert.equal(prepared.batchesPerEpoch, 2); // 130 sequences in batches of 128
  assert.ok(prepared.solved!({ acc: 0.999, seq_acc: 0.999 }));
  assert.ok(!prepared.solved!({ acc: 1, seq_acc: 0.998 }));
});

test('impossible settings are refused with one line naming the flag', () => {
  const bad: [string, Partial<TrainOptions>, RegExp][] = [
    ['copy', { fixedP: 1.5 }, /--fixed-p must be in \(0, 1\]/],
    ['copy', { hidden: 0 }, /--hidden must be a positive integer/],
    ['copy', { batch: 64, trainSamples: 10 }, /--batch 64 is larger than the 10 training sequences/],
    ['copy', { cell: 'lstm', fixedP: 0.5 }, /--fixed-p is a pLSTM setting/],
    ['copy', { forgetBias: 1 }, /--forget-bias is an LSTM setting/],
    ['copy', { bptt: 20 }, /--bptt does not apply to task copy/],
    ['adding', { delay: 1 }, /--delay \(T\) must be an integer >= 2/],
    ['smnist', {}, /task smnist needs --data/],
    ['copy', { optimizer: 'adam', alpha: 0.5 }, /--alpha is an RMSprop setting/],
    ['copy', { lr: -1 }, /--lr must be > 0/],
    ['copy', { pRange: [-1, 1] }, /--p-range needs --p-init range/],
  ];
  for (const [task, given, re] of bad) {
    assert.throws(() => resolveOptions(task, given), (e: Error) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'),
      `${JSON.stringify(given)} should fail with ${re}`);
  }
  assert.throws(() => resolveOptions('nope', {}), /unknown task "nope"/);
  // a saved config (every default spelled out) resolves to itself
  const o = resolveOptions('adding', { delay: 50 });
  assert.deepEqual(resolveOptions('adding', o), o);
});

test('option bounds are the model\'s own: what the options refuse the model config refuses, and the other way round', () => {
  const modelOf = (o: TrainOptions) => resolveConfig({ input: { kind: 'onehot', size: 10 }, layers: layerSpecs(o), head: { size: 10, steps: 'all' }, loss: 'xent', seed: 1 });
  const bad: [Partial<TrainOptions>, RegExp][] = [
    [{ eps: 1 }, /^--eps must be a number in \(0, 1\), got 1$/],
    [{ eps: 0 }, /^--eps must be a number in \(0, 1\), got 0$/],
    [{ cell: 'lstm', chrono: 1.5 }, /^--chrono \(Tmax\) must be a number > 2, got 1.5$/],
    [{ fixedP: 0 }, /^--fixed-p must be in \(0, 1\], got 0$/],
    [{ pInit: 'range', pRange: [2, 1] }, /^--p-range must be two finite numbers lo, hi with lo <= hi, got 2,1$/],
  ];
  for (const [given, re] of bad) {
    assert.throws(() => resolveOptions('copy', given), (e: Error) => e instanceof ConfigError && re.test(e.message), JSON.stringify(given));
    // the same value, past the option table, is refused by the model config with the same bound
    const o = { ...defaultsFor('copy'), ...given } as TrainOptions;
    const bound = re.source.replace(/^\^--[a-z-]+ /, '').replace(/, got .*$/, '');
    assert.throws(() => modelOf(o), (e: Error) => e instanceof ConfigError && new RegExp(bound).test(e.message), `model config with ${JSON.stringify(given)}`);
  }
  for (const given of [{ eps: 1e-9 }, { eps: 0.999 }, { cell: 'lstm' as const, chrono: 2.5 }, { fixedP: 1 }]) {
    modelOf(resolveOptions('copy', given)); // accepted by both
  }
});

test('each task declares its own options and defaults', () => {
  const copy = resolveOptions('copy', {});
  assert.equal(copy.delay, 200);
  assert.ok(!('bptt' in copy) && !('data' in copy) && !('embed' in copy), 'a copy run holds only core and copy options');
  const charlm = defaultsFor('charlm');
  assert.equal(charlm.bptt, 100);
  assert.equal(charlm.heldOut, 0.05);
  assert.equal(charlm.hidden, 256);
  assert.equal(charlm.lr, 2e-3);
  assert.ok(!('delay' in charlm));
  const sentiment = defaultsFor('sentiment');
  assert.deepEqual([sentiment.vocab, sentiment.maxLen, sentiment.embed, sentiment.batch], [10000, 400, 64, 64]);
  assert.equal(defaultsFor('copy').eps, 1e-3);
  // another task's option at its default (as older saved configs hold) is no setting; a changed one is refused
  assert.deepEqual(resolveOptions('copy', { bptt: 100 }), copy);
  assert.throws(() => resolveOptions('copy', { embed: 32 }), /--embed does not apply to task copy \(only to sentiment\)/);
  assert.throws(() => resolveOptions('adding', { delay: 1 }), /--delay \(T\) must be an integer >= 2/);
  assert.equal(resolveOptions('copy', { delay: 1, trainSamples: 200, batch: 8 }).delay, 1);
});

test('memory check: sizes that cannot fit are refused up front, naming the flags to lower', () => {
  const o = resolveOptions('copy', {});
  const parts = estimateRunMemory(o);
  const total = parts.reduce((sum, p) => sum + p.bytes, 0);
  // the copy defaults: 11,000 sequences of 219 int32 steps (x and y) are in the estimate
  assert.ok(total >= 11000 * 219 * 8, `estimate ${total}`);
  checkRunFits(o, total); // exactly enough
  assert.throws(() => checkRunFits(o, total - 1), (e: Error) => e instanceof ConfigError &&
    /^the run would need about .* GiB of memory \(most of it .*\), more than the .* GiB here; lower --/.test(e.message));
  // the estimate grows with the sizes it names
  const more = estimateRunMemory(resolveOptions('copy', { delay: 400 })).reduce((sum, p) => sum + p.bytes, 0);
  assert.ok(more > 1.8 * total, `delay 400: ${more} vs ${total}`);
  assert.throws(() => checkRunFits(resolveOptions('copy', { trainSamples: 1e12 }), Infinity), /one buffer of about .*; lower --train-samples/);
});

test('adding: beats the always-predict-1 baseline (MSE 0.167)', async () => {
  const dir = tmp();
  try {
    const r = await run('adding', { delay: 10, trainSamples: 2000, testSamples: 300, batch: 32, hidden: 16, lr: 0.01, epochs: 4 }, dir);
    const mse = r.final.test_mse as number;
    assert.ok(mse < 0.12, `adding MSE ${mse} is not clearly below the baseline 0.167`);
    assert.equal(r.final.baseline_mse, 1 / 6);
    const lines = readMetrics(dir);
    assert.equal(lines.filter((l) => l.type === 'epoch').length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('psmnist on a tiny 3-class IDX set: accuracy far above chance; the LSTM too', async () => {
  const dir = tmp();
  try {
    writeTinyMnist(dir, 600, 150);
    for (const cell of ['plstm', 'lstm'] as const) {
      const r = await run('psmnist', { cell, data: dir, batch: 16, hidden: 16, optimizer: 'adam', lr: 0.02, epochs: 6 }, join(dir, 'out-' + cell));
      assert.ok((r.final.test_acc as number) > 0.9, `${cell} psmnist accuracy ${r.final.test_acc}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('charlm: held-out bits per character well below the uniform log2(V)', async () => {
  const dir = tmp();
  try {
    writeTinyText(join(dir, 't.txt'), 6000);
    const r = await run('charlm', { data: join(dir, 't.txt'), batch: 8, bptt: 25, hidden: 32, lr: 0.01, epochs: 3, heldOut: 0.1 }, join(dir, 'out'));
    const bpc = r.final.test_bpc as number, uniform = r.final.uniform_bpc as number;
    assert.ok(bpc < 0.5 * uniform, `bpc ${bpc} vs uniform ${uniform}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sentiment: a keyword decides the label; accuracy far above the majority class', async () => {
  const dir = tmp();
  try {
    writeTinyReviews(dir, 600, 200);
    const r = await run('sentiment', { data: dir, batch: 32, hidden: 16, embed: 8, maxLen: 8, lr: 0.01, epochs: 3 }, join(dir, 'out'));
    assert.ok((r.final.test_acc as number) > 0.9, `sentiment accuracy ${r.final.test_acc}`);
    assert.ok((r.final.majority_acc as number) < 0.6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run stopped mid-epoch (state carried by TBPTT) resumes on exactly the same trajectory', async () => {
  const dir = tmp();
  try {
    writeTinyText(join(dir, 't.txt'), 3000);
    const given = { data: join(dir, 't.txt'), batch: 4, bptt: 20, hidden: 12, lr: 0.01, epochs: 2, heldOut: 0.1, logEvery: 5, backend: 'js' as const };
    const straight = await run('charlm', given, join(dir, 'a'));

    // the same run, interrupted after 23 steps of the first epoch (34 per epoch)
    const o = resolveOptions('charlm', given);
    const prepared = TASKS.charlm(o);
    const out = join(dir, 'b');
    prepareFreshRunDir(out, false);
    const m1 = SequenceModel.create(prepared.modelConfig, { backend: 'js' });
    let steps = 0;
    const first = await train(o, prepared, m1, optimizerOf(o), out, freshProgress(), {
      onStep: () => { steps++; },
      interrupted: () => steps >= 23,
    });
    m1.dispose();
    assert.ok(first.interrupted);
    assert.equal(first.progress.globalStep, 23);
    assert.ok(first.progress.step > 0 && first.progress.epoch === 0, 'stopped mid-epoch');

    const { model: m2, optimizer, meta } = loadModel(join(out, RUN_FILES.last), { backend: 'js' });
    const progress = (meta as { progress: Progress }).progress;
    assert.ok(progress.carried !== null, 'the carried TBPTT state is in the checkpoint');
    const second = await train(o, prepared, m2, optimizer!, out, progress);
    const { model: m3 } = loadModel(join(dir, 'a', RUN_FILES.last), { backend: 'js' });
    assert.deepEqual(Array.from(m2.params), Array.from(m3.params), 'weights after resuming differ');
    m2.dispose();
    m3.dispose();
    const strip = (r: Record<string, unknown>) => { const c = { ...r }; delete c.seconds; return c; };
    assert.deepEqual(strip(second.final), strip(straight.final));
    assert.deepEqual(readMetrics(out).map(strip), readMetrics(join(dir, 'a')).map(strip));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--time-limit stops with a checkpoint and reports the model it ends with', async () => {
  const dir = tmp();
  try {
    const r = await run('copy', { delay: 2, trainSamples: 40000, testSamples: 20, batch: 8, hidden: 8, epochs: 1, timeLimit: 1 }, dir);
    assert.equal(r.progress.stopped, 'time-limit');
    assert.ok(r.progress.step > 0 && r.progress.step < 5000, `stopped mid-epoch, at step ${r.progress.step}`);
    assert.equal(typeof r.final.test_acc, 'number', 'evaluated at the stop');
    const { meta, model } = loadModel(join(dir, RUN_FILES.last), { backend: 'js' });
    model.dispose();
    assert.equal((meta as { progress: Progress }).progress.globalStep, r.progress.globalStep);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('learning-rate schedules: constant, step decay per epochs, cosine to 0 over the run', () => {
  const c = resolveOptions('copy', { lr: 0.1 });
  assert.equal(learningRateAt(c, 7, 3, 10), 0.1);
  const st = resolveOptions('copy', { lr: 0.1, lrSchedule: 'step', lrDecay: 0.5, lrStep: 2 });
  assert.deepEqual([0, 1, 2, 3, 4].map((e) => learningRateAt(st, e, 5, 10)), [0.1, 0.1, 0.05, 0.05, 0.025]);
  const cos = resolveOptions('copy', { lr: 0.1, lrSchedule: 'cosine', epochs: 4 });
  assert.equal(learningRateAt(cos, 0, 0, 10), 0.1);
  assert.ok(Math.abs(learningRateAt(cos, 2, 0, 10) - 0.05) < 1e-15);
  assert.ok(learningRateAt(cos, 3, 9, 10) < 0.001);
  assert.throws(() => resolveOptions('copy', { lrDecay: 0.3 }), /--lr-decay needs --lr-schedule step/);
});
