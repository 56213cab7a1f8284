// The playground's training engine (playground/src/engine): settings in the URL query, both
// models trained side by side, their scores, views and model files, and the problems a user
// can cause. Small sizes and one thread, so the file runs in seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SequenceModel, deserializeModel, serializeModel } from 'powerlaw-lstm';
import {
  DEFAULT_SETTINGS, PlaygroundProblem, PlaygroundRun, settingsFromQuery, settingsToQuery, userSeries,
} from '../playground/src/engine/index.js';
import type { ModelView, PlaygroundSettings } from '../playground/src/protocol.js';
import { CO2_CSV } from '../playground/data/co2-concentration.js';

const small = (over: Partial<PlaygroundSettings>): PlaygroundSettings =>
  ({ ...DEFAULT_SETTINGS, delay: 5, hidden: 16, batchSize: 16, lr: 1e-2, ...over });

/** A PlaygroundProblem with a one-line message matching `pattern`. */
function isProblem(pattern: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof PlaygroundProblem, `expected a PlaygroundProblem, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `message has more than one line: ${err.message}`);
    assert.match(err.message, pattern);
    return true;
  };
}

function assertViewShapes(v: ModelView, hidden: number): void {
  if (v.model === 'plstm') {
    assert.equal(v.p!.length, hidden);
    assert.ok(v.p!.every((p) => p > 0 && p < 1));
  } else {
    assert.equal(v.p, null);
  }
  assert.ok(v.decayEquations.length > 0);
  const lines = [...v.decayEquations, ...(v.decayMeasured === null ? [] : [v.decayMeasured])];
  for (const l of lines) {
    assert.equal(l.x.length, l.y.length);
    assert.ok(l.y.every(Number.isFinite), `${l.name} has non-finite values`);
    assert.ok(Math.abs(l.y[0] - 1) < 1e-9, `${l.name} retention starts at ${l.y[0]}, not 1`);
  }
  assert.deepEqual(v.gates.map((g) => g.name.split(' (')[0]),
    v.model === 'plstm' ? ['reset r', 'age a', 'forget f', 'cell c'] : ['input i', 'forget f', 'output o', 'cell c']);
  for (const g of v.gates) {
    assert.equal(g.rows * g.cols, g.values.length, g.name);
    assert.ok(g.rows <= 64 && g.cols <= 200, g.name);
    assert.ok(g.values.every(Number.isFinite), `${g.name} has non-finite values`);
  }
}

test('settings: the URL query round-trips exactly and holds only what differs from the defaults', () => {
  assert.equal(settingsToQuery(DEFAULT_SETTINGS), '');
  const s: PlaygroundSettings = {
    ...DEFAULT_SETTINGS, task: 'forecast', delay: 37, hidden: 48, pInit: 'constant', pValue: 0.3,
    eps: 2.5e-4, lr: 0.0031, lstmInit: 'chrono', forgetBias: -0.75, batchSize: 48, seed: 12345,
  };
  const q = settingsToQuery(s);
  assert.equal(q, settingsToQuery({ ...s }), 'the query is stable');
  assert.ok(!q.includes('length='), 'default fields are left out');
  const back = settingsFromQuery(`?${q}`);
  assert.deepEqual(back.problems, []);
  assert.deepEqual(back.settings, s);
  assert.equal(settingsToQuery(back.settings), q);
});

test('settings: bad values fall back to their defaults with one problem each; unknown keys are ignored', () => {
  const { settings, problems } = settingsFromQuery('delay=abc&hidden=0&task=nope&lr=&seed=1.5&colour=red&eps=1');
  assert.deepEqual(settings, DEFAULT_SETTINGS);
  assert.equal(problems.length, 6, problems.join('\n'));
  for (const key of ['delay', 'hidden', 'task', 'lr', 'seed', 'eps']) {
    assert.ok(problems.some((p) => p.startsWith(`${key}=`)), `no problem for ${key}`);
  }
  assert.ok(problems.every((p) => !p.includes('\n')));
});

test('copy task: training lowers the pLSTM loss; both models step on the same batch and are scored against chance', async () => {
  const run = await PlaygroundRun.create(small({ task: 'copy' }), { threads: 1 });
  try {
    assert.equal(run.threads, 1);
    const losses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { step, steps } = await run.step();
      assert.equal(step, i + 1);
      assert.deepEqual(steps.map((s) => s.model), ['plstm', 'lstm']);
      for (const s of steps) assert.ok(Number.isFinite(s.loss) && s.batchMs >= 0);
      losses.push(steps[0].loss);
    }
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    assert.ok(mean(losses.slice(-5)) < 0.8 * mean(losses.slice(0, 5)), `pLSTM loss ${losses[0]} -> ${losses.at(-1)}`);
    const ev = await run.evaluate();
    assert.deepEqual(ev.map((e) => e.model), ['plstm', 'lstm']);
    for (const e of ev) {
      assert.equal(e.metric, 'accuracy');
      assert.equal(e.baseline, 1 / 8);
      assert.equal(e.step, 40);
      assert.ok(e.value >= 0 && e.value <= 1);
    }
    for (const v of run.views()) assertViewShapes(v, 16);
  } finally {
    run.dispose();
  }
});

test('views: gate grids of long sequences and many units are subsampled to at most 64 x 200 and say so', async () => {
  const run = await PlaygroundRun.create(small({ task: 'copy', delay: 230, hidden: 70 }), { threads: 1 });
  try {
    await run.step();
    const views = run.views();
    for (const v of views) {
      assertViewShapes(v, 70);
      for (const g of v.gates) {
        assert.equal(g.rows, 64);
        assert.equal(g.cols, 200);
        assert.match(g.name, /64 of 70 units, 200 of 249 steps/);
      }
      assert.equal(v.decayMeasured!.y.length, 249);
    }
  } finally {
    run.dispose();
  }
});

test('adding task: MSE with the 1/6 baseline', async () => {
  const run = await PlaygroundRun.create(small({ task: 'adding', length: 20 }), { threads: 1 });
  try {
    for (let i = 0; i < 3; i++) await run.step();
    const ev = await run.evaluate();
    for (const e of ev) {
      assert.equal(e.metric, 'mse');
      assert.equal(e.baseline, 1 / 6);
      assert.ok(Number.isFinite(e.value) && e.value > 0);
    }
    for (const v of run.views()) assertViewShapes(v, 16);
  } finally {
    run.dispose();
  }
});

test('model files: bytes load back with deserializeModel, and inspect() views them; bad files are problems', async () => {
  const run = await PlaygroundRun.create(small({ task: 'copy', lstmInit: 'chrono' }), { threads: 1 });
  const adding = await PlaygroundRun.create(small({ task: 'adding', length: 20 }), { threads: 1 });
  try {
    for (let i = 0; i < 3; i++) await run.step();
    for (const name of ['plstm', 'lstm'] as const) {
      const { bytes, fileName } = run.modelFile(name);
      assert.match(fileName, new RegExp(`^${name}-copy-step3\\.safetensors$`));
      const { model } = deserializeModel(bytes, { backend: 'js' });
      assert.equal(model.config.layers[0].cell, name);
      assert.deepEqual(Array.from(model.params), Array.from((run as unknown as { pair: { model(n: string): { params: Float32Array } } }).pair.model(name).params));
      model.dispose();
      const { view, description } = run.inspect(bytes, fileName);
      assert.equal(view.model, name);
      assertViewShapes(view, 16);
      assert.ok(view.gates.length === 4 && view.decayMeasured !== null);
      assert.match(description, /traced on the copy task/);
    }
    // a model of the same input kind but another size (e.g. a character model): p and equation curves only
    const chars = SequenceModel.create({ input: { kind: 'onehot', size: 30 }, layers: [{ cell: 'plstm', hidden: 12 }], head: { size: 30, steps: 'all' }, loss: 'xent', seed: 3 }, { backend: 'js' });
    const curvesOnly = run.inspect(serializeModel(chars), 'chars.safetensors');
    chars.dispose();
    assert.equal(curvesOnly.view.p!.length, 12);
    assert.equal(curvesOnly.view.decayEquations.length, 3);
    assert.deepEqual(curvesOnly.view.gates, []);
    assert.equal(curvesOnly.view.decayMeasured, null);
    assert.match(curvesOnly.description, /one-hot tokens of 30.*does not fit.*p and equation curves only/);
    const garbage = new TextEncoder().encode('this is not a model file at all');
    assert.throws(() => run.inspect(garbage, 'notes.txt'), isProblem(/notes\.txt|not a/));
    assert.throws(() => run.inspect(new Uint8Array(0), 'empty.safetensors'), isProblem(/./));
    const dense = adding.modelFile('plstm');
    assert.throws(() => run.inspect(dense.bytes, dense.fileName), isProblem(/2 features per step.*one-hot tokens of 10/));
  } finally {
    run.dispose();
    adding.dispose();
  }
});

test('forecast task on the built-in CO2 series: steps train both forecasters and MASE is finite', async () => {
  const run = await PlaygroundRun.create(small({ task: 'forecast', lookback: 24, horizon: 6, pInit: 'constant', pValue: 0.3, eps: 0.02, forgetBias: -0.5 }), { threads: 1 });
  try {
    // the page's p initialisation reaches the forecaster's model before its first step
    assert.ok(run.views()[0].p!.every((p) => Math.abs(p - 0.3) < 1e-6));
    // and its eps, p init and forget bias are the models' own config, as their files record it
    const layerOf = (name: 'plstm' | 'lstm') => {
      const { model } = deserializeModel(run.modelFile(name).bytes);
      const layer = model.config.layers[0];
      model.dispose();
      return layer as Record<string, unknown>;
    };
    const theta = Math.log(0.3 / 0.7);
    assert.deepEqual([layerOf('plstm').eps, layerOf('plstm').pInit], [0.02, { mode: 'range', lo: theta, hi: theta }]);
    assert.deepEqual([layerOf('lstm').cell, layerOf('lstm').forgetBias], ['lstm', -0.5]);
    for (let i = 0; i < 3; i++) {
      const { step, steps } = await run.step();
      assert.equal(step, i + 1);
      assert.deepEqual(steps.map((s) => s.model), ['plstm', 'lstm']);
      for (const s of steps) assert.ok(Number.isFinite(s.loss) && s.loss > 0);
    }
    const ev = await run.evaluate();
    for (const e of ev) {
      assert.equal(e.metric, 'mase');
      assert.equal(e.baseline, 1);
      assert.ok(Number.isFinite(e.value) && e.value > 0, `MASE ${e.value}`);
    }
    for (const v of run.views()) {
      assertViewShapes(v, 16);
      const f = v.forecast!;
      assert.equal(f.forecast.y.length, 6);
      assert.equal(f.actual.y.length, 12, 'the held-out part: 2 x horizon');
      assert.equal(f.history.y.length, 72, '3 x lookback');
      assert.ok(f.lower!.y.every((lo, k) => lo <= f.forecast.y[k] + 1e-9 && f.forecast.y[k] <= f.upper!.y[k] + 1e-9));
    }
    const file = run.modelFile('plstm');
    assert.match(file.fileName, /^plstm-forecast-co2-step3\.safetensors$/);
    assert.ok(run.inspect(file.bytes, file.fileName).view.gates.length === 4);
  } finally {
    run.dispose();
  }
});

test('forecast task: a user CSV that does not parse is a PlaygroundProblem', async () => {
  const make = (csv: string | undefined) => PlaygroundRun.create(small({ task: 'forecast', series: 'user', lookback: 12, horizon: 3 }), { csv, threads: 1 });
  await assert.rejects(make(undefined), isProblem(/no CSV/));
  await assert.rejects(make('name,score\nada,3\nbob,4\n'), isProblem(/no date column/));
  await assert.rejects(make('date,value\n2020-01-01,1\n2020-02-01,oops\n2020-03-01,3\n'), isProblem(/does not parse.*oops/));
  const months = Array.from({ length: 60 }, (_, k) => `${2000 + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}-01,x${k},${Math.sin(k) + k / 10}`);
  const ok = await make(`when,label,value\n${months.join('\n')}\n`);
  try {
    await ok.step();
    assert.ok((await ok.evaluate()).every((e) => Number.isFinite(e.value)));
  } finally {
    ok.dispose();
  }
  await assert.rejects(make(`when,value\n${months.slice(0, 10).map((r) => r.replace(/,x\d+/, '')).join('\n')}\n`), isProblem(/fewer than lookback \+ horizon/));
});

test('the built-in CO2 series is the vega-datasets file verbatim and reads as a monthly series', () => {
  // the package's exports map hides its data folder: read the file by path
  const original = readFileSync(new URL('../node_modules/vega-datasets/data/co2-concentration.csv', import.meta.url), 'utf8');
  assert.equal(CO2_CSV, original);
  const s = userSeries(CO2_CSV);
  assert.equal(s.freq.unit, 'month');
  assert.ok(s.values.length > 700 && s.values.every(Number.isFinite));
});
