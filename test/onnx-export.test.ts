// ONNX export (powerlaw-lstm/onnx): the graph, run by ONNX Runtime (onnxruntime-web on its
// WebAssembly backend, in this process), gives model.predict's outputs (float32, 1e-5) for
// pLSTM and LSTM models with dense, one-hot and embedding inputs, stacked, reversed and
// bidirectional layers, heads on every step and on the last, learned and fixed p, at more than
// one batch and time size; a forecaster's network likewise, with its settings and scalers in
// the metadata. Debian's onnx checker accepts every graph. `plstm export` writes a file that
// runs, and refuses bad input with one line and exit code 2.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { SequenceModel, registerCell, type ModelConfig } from '../src/index.js';
import { cellDescriptor } from '../src/cells/registry.js';
import { ConfigError } from '../src/errors.js';
import { buildSeries, Forecaster, seriesCalendar, windowInputs, type TimeSeries } from '../src/forecast/index.js';
import { serializeModel } from '../src/model/serialize.js';
import { exportOnnx, CONFIG_KEY } from '../src/onnx/index.js';
import { worst } from './support/close.js';
import { skipUnless } from './support/requirements.js';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const work = mkdtempSync(join(tmpdir(), 'plstm-onnx-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Every graph the tests export, for the onnx checker at the end. */
const exported: { name: string; bytes: Uint8Array }[] = [];

/** Runs the graph on x ([B, T, I] float32 or [B, T] token ids) and returns y with its dims. */
async function runGraph(bytes: Uint8Array, x: Float32Array | Int32Array, dims: number[]): Promise<{ y: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feed = x instanceof Float32Array
      ? new ort.Tensor('float32', x, dims)
      : new ort.Tensor('int64', BigInt64Array.from(x, (v) => BigInt(v)), dims);
    const out = await session.run({ x: feed });
    return { y: out.y.data as Float32Array, dims: out.y.dims };
  } finally {
    await session.release();
  }
}

/** Deterministic inputs: features in [-1.5, 1.5] or ids in 0..V-1. */
function inputs(cfg: ModelConfig, B: number, T: number): { x: Float32Array | Int32Array; dims: number[] } {
  if (cfg.input.kind === 'dense') {
    const I = cfg.input.size;
    return { x: Float32Array.from({ length: B * T * I }, (_, i) => 1.5 * Math.sin(0.7 * i + 0.3)), dims: [B, T, I] };
  }
  const V = cfg.input.kind === 'onehot' ? cfg.input.size : cfg.input.vocab;
  return { x: Int32Array.from({ length: B * T }, (_, i) => (i * 7 + (i >> 2)) % V), dims: [B, T] };
}

/** Exports the model, runs the graph at each (B, T), and checks y against predict. */
async function assertMatchesPredict(name: string, cfg: ModelConfig, sizes: [number, number][] = [[3, 9], [1, 4]]): Promise<void> {
  const model = SequenceModel.create(cfg, { threads: 1 });
  try {
    // weights beyond their small initial range, so that every gate and the age swing widely
    for (let i = 0; i < model.params.length; i++) model.params[i] *= 2.5;
    const bytes = exportOnnx(model);
    exported.push({ name, bytes });
    const O = cfg.head.size;
    for (const [B, T] of sizes) {
      const { x, dims } = inputs(cfg, B, T);
      const want = model.predict({ x, B, T });
      const got = await runGraph(bytes, x, dims);
      assert.deepEqual(got.dims, cfg.head.steps === 'all' ? [B, T, O] : [B, O], `${name}: output dims at B=${B}, T=${T}`);
      const w = worst(got.y, want, 1e-5, 1e-5);
      assert.ok(w <= 1, `${name} at B=${B}, T=${T}: ONNX Runtime vs predict, worst error ratio ${w.toFixed(2)} (> 1 at atol = rtol = 1e-5)`);
    }
  } finally {
    model.dispose();
  }
}

test('pLSTM, dense input, two stacked layers, head on every step (learned p)', async () => {
  await assertMatchesPredict('plstm-dense-stacked-all', {
    input: { kind: 'dense', size: 3 }, layers: [{ cell: 'plstm', hidden: 6 }, { cell: 'plstm', hidden: 5 }],
    head: { size: 2, steps: 'all' }, loss: 'mse', seed: 11,
  });
});

test('LSTM, dense input, reversed layer under a bidirectional one, head on the last step', async () => {
  await assertMatchesPredict('lstm-dense-reverse-bidir-last', {
    input: { kind: 'dense', size: 4 }, layers: [{ cell: 'lstm', hidden: 5, reverse: true }, { cell: 'lstm', hidden: 3, bidirectional: true }],
    head: { size: 3, steps: 'last' }, loss: 'xent', seed: 12,
  });
});

test('pLSTM, one-hot input, bidirectional then reversed layer, head on the last step', async () => {
  await assertMatchesPredict('plstm-onehot-bidir-reverse-last', {
    input: { kind: 'onehot', size: 7 }, layers: [{ cell: 'plstm', hidden: 4, bidirectional: true }, { cell: 'plstm', hidden: 6, reverse: true }],
    head: { size: 7, steps: 'last' }, loss: 'xent', seed: 13,
  });
});

test('LSTM, embedding input, stacked, head on every step', async () => {
  await assertMatchesPredict('lstm-embedding-stacked-all', {
    input: { kind: 'embedding', vocab: 9, dim: 4 }, layers: [{ cell: 'lstm', hidden: 5 }, { cell: 'lstm', hidden: 4, bidirectional: true }],
    head: { size: 9, steps: 'all' }, loss: 'xent', seed: 14,
  });
});

test('pLSTM with fixed p and eps 1e-2, embedding input, bidirectional, quantile head on every step', async () => {
  await assertMatchesPredict('plstm-fixed-p-embedding-bidir-all', {
    input: { kind: 'embedding', vocab: 5, dim: 3 },
    layers: [{ cell: 'plstm', hidden: 4, pInit: { mode: 'fixed', p: 0.3 }, eps: 1e-2, bidirectional: true }, { cell: 'lstm', hidden: 3 }],
    head: { size: 6, steps: 'all' }, loss: 'pinball', quantiles: [0.1, 0.5, 0.9], seed: 15,
  });
});

test('pLSTM over a long sequence (T = 300): the age and the power-law forget gate stay exact', async () => {
  await assertMatchesPredict('plstm-onehot-long', {
    input: { kind: 'onehot', size: 4 }, layers: [{ cell: 'plstm', hidden: 8, pInit: { mode: 'range', lo: -3, hi: 3 } }],
    head: { size: 4, steps: 'all' }, loss: 'xent', seed: 16,
  }, [[2, 300]]);
});

test('exportOnnx refuses a registered cell (no ONNX form) with a ConfigError naming the layer', () => {
  registerCell({ ...cellDescriptor('lstm'), kind: 'lstm-copy-for-onnx-test' });
  const model = SequenceModel.create({ input: { kind: 'dense', size: 2 }, layers: [{ cell: 'lstm', hidden: 2 }, { cell: 'lstm-copy-for-onnx-test', hidden: 2 }],
    head: { size: 1, steps: 'last' }, loss: 'mse', seed: 1 }, { backend: 'js' });
  try {
    assert.throws(() => exportOnnx(model), (e: Error) => e instanceof ConfigError && /layers\[1\].*"lstm-copy-for-onnx-test".*"plstm" and "lstm"/.test(e.message));
  } finally {
    model.dispose();
  }
});

test('the model config is in the metadata; a float64 model exports its weights rounded to float32', async () => {
  const cfg: ModelConfig = { input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 3 }], head: { size: 1, steps: 'last' }, loss: 'mse', seed: 3 };
  const m64 = SequenceModel.create(cfg, { backend: 'js', dtype: 'float64' });
  const m32 = SequenceModel.create(cfg, { backend: 'js', dtype: 'float32' });
  try {
    // the same seed draws the same float64 numbers; float32 stores them rounded: one graph
    assert.deepEqual(exportOnnx(m64), exportOnnx(m32));
    const text = Buffer.from(exportOnnx(m64)).toString('latin1');
    assert.ok(text.includes(CONFIG_KEY) && text.includes(JSON.stringify(m64.config)), 'config in metadata_props');
  } finally {
    m64.dispose();
    m32.dispose();
  }
});

/** A daily series with a weekly pattern and a trend (calendar features on). */
function dailySeries(n: number, id = 'daily'): TimeSeries {
  const t0 = Date.UTC(2022, 0, 3);
  return buildSeries(id, Array.from({ length: n }, (_, i) => ({
    time: t0 + i * 86_400_000, value: 20 + 0.05 * i + 4 * Math.sin((2 * Math.PI * i) / 7) + Math.sin(i * 1.3), row: i + 2,
  })), 'date');
}

/** A small trained forecaster. */
async function smallForecaster(mode: 'windowed' | 'stateful'): Promise<{ fc: Forecaster; ser: TimeSeries }> {
  const ser = dailySeries(90);
  // stateful: normalize 'series', whose network output is the forecast (scaled) as it is
  const fc = new Forecaster({ mode, lookback: 14, horizon: 3, hidden: 6, epochs: 1, maxSteps: 4, batchSize: 8, seed: 2,
    ...(mode === 'stateful' ? { normalize: 'series' as const } : {}) }, { threads: 1 });
  await fc.fit(ser);
  return { fc, ser };
}

test('forecaster (windowed, pLSTM, quantiles, calendar features): the graph gives its network\'s outputs on its windows', async () => {
  const { fc, ser } = await smallForecaster('windowed');
  try {
    const bytes = exportOnnx(fc);
    exported.push({ name: 'forecaster-windowed', bytes });
    const origins = [40, 55, 70, 87];
    const { x } = fc.windowsOf(ser, origins); // [W, lookback, F]
    const F = x.length / (origins.length * 14);
    assert.equal(F, 5, 'value + 4 calendar features of a daily series');
    const want = fc.sequenceModel.predict({ x, B: origins.length, T: 14 }); // [W, horizon * Q]
    const got = await runGraph(bytes, x, [origins.length, 14, F]);
    assert.deepEqual(got.dims, [origins.length, 3 * 3]);
    assert.ok(worst(got.y, want, 1e-5, 1e-5) <= 1, 'forecaster network: ONNX Runtime vs predict');
    // what the metadata holds: the model file's settings and scalers, and x's feature names
    const meta = fc.onnxMetadata();
    assert.deepEqual(JSON.parse(meta['forecaster.settings']), JSON.parse(JSON.stringify(fc.settings)));
    assert.deepEqual(JSON.parse(meta['forecaster.scalers']), { daily: fc.scalerOf('daily') });
    assert.deepEqual(JSON.parse(meta['forecaster.features']), ['value', 'day_of_week_sin', 'day_of_week_cos', 'day_of_year_sin', 'day_of_year_cos']);
    assert.equal(meta['forecaster.live'], undefined);
  } finally {
    fc.dispose();
  }
});

test('forecaster (stateful): the graph reads a whole history, head on every step', async () => {
  const { fc, ser } = await smallForecaster('stateful');
  try {
    const bytes = exportOnnx(fc);
    exported.push({ name: 'forecaster-stateful', bytes });
    // the stateful network reads the series from its first step: x [1, T, F], each step's
    // scaled value, then its calendar features (features.ts)
    const T = ser.values.length, F = 5;
    const s = fc.scalerOf(ser.id);
    const x = windowInputs(ser.values.map((v) => (v - s.mean) / s.std), seriesCalendar(ser).data, F - 1, [T], T);
    const want = fc.sequenceModel.predict({ x, B: 1, T });
    const got = await runGraph(bytes, x, [1, T, F]);
    assert.deepEqual(got.dims, [1, T, 9]);
    assert.ok(worst(got.y, want, 1e-5, 1e-5) <= 1, 'stateful forecaster network: ONNX Runtime vs predict');
    // and that network's last step is the forecaster's own forecast (scaled)
    const f = fc.predict(ser)[0];
    for (let h = 0; h < 3; h++) {
      // quantiles [0.1, 0.5, 0.9]: the forecast is the middle of each step's three, once sorted
      const q = [...got.y.subarray((T - 1) * 9 + h * 3, (T - 1) * 9 + h * 3 + 3)].sort((a, b) => a - b);
      const v = q[1] * s.std + s.mean;
      assert.ok(Math.abs(v - f.point[h]) <= 1e-4 * Math.max(1, Math.abs(f.point[h])), `step ${h}: graph ${v} vs forecaster ${f.point[h]}`);
    }
  } finally {
    fc.dispose();
  }
});

/** Runs the CLI. */
function plstm(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('plstm export --format onnx: a model file and a forecaster file run in ONNX Runtime; bad input is one line, exit 2', async () => {
  const cfg: ModelConfig = { input: { kind: 'onehot', size: 5 }, layers: [{ cell: 'plstm', hidden: 4, bidirectional: true }], head: { size: 5, steps: 'last' }, loss: 'xent', seed: 21 };
  const model = SequenceModel.create(cfg, { threads: 1 });
  const { fc, ser } = await smallForecaster('windowed');
  const modelFile = join(work, 'model.safetensors'), fcFile = join(work, 'forecaster.safetensors');
  writeFileSync(modelFile, serializeModel(model));
  writeFileSync(fcFile, fc.toBytes());
  const out = join(work, 'model.onnx');
  try {
    const r = plstm(['export', '--format', 'onnx', modelFile, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*model\.onnx .*x int64 \[batch, time\] -> y float32 \[batch, 5\]/);
    const { x, dims } = inputs(cfg, 2, 6);
    const got = await runGraph(readFileSync(out), x, dims);
    assert.ok(worst(got.y, model.predict({ x, B: 2, T: 6 }), 1e-5, 1e-5) <= 1, 'CLI graph vs predict');

    const fcOut = join(work, 'forecaster.onnx');
    const rf = plstm(['export', '--format', 'onnx', fcFile, '--out', fcOut]);
    assert.equal(rf.code, 0, rf.stderr);
    assert.match(rf.stdout, /forecaster network, x float32 \[batch, time, 5\] -> y float32 \[batch, 9\]/);
    const fcBytes = readFileSync(fcOut);
    const wx = fc.windowsOf(ser, [60, 80]).x;
    const fy = await runGraph(fcBytes, wx, [2, 14, 5]);
    assert.ok(worst(fy.y, fc.sequenceModel.predict({ x: wx, B: 2, T: 14 }), 1e-5, 1e-5) <= 1, 'CLI forecaster graph vs predict');
    const loaded = Forecaster.fromBytes(fc.toBytes(), { backend: 'js' });
    assert.deepEqual(fcBytes, Buffer.from(exportOnnx(loaded)), 'the CLI writes what exportOnnx writes');
    loaded.dispose();

    const bad: [string[], RegExp][] = [
      [['export', '--format', 'onnx', modelFile, '--out', out], /model\.onnx exists: .*--force/],
      [['export', '--format', 'tflite', modelFile, '--out', join(work, 'x.onnx')], /unknown --format "tflite": use onnx/],
      [['export', modelFile, '--out', join(work, 'x.onnx')], /--format is required/],
      [['export', '--format', 'onnx', modelFile], /--out is required/],
      [['export', '--format', 'onnx', join(work, 'missing.safetensors'), '--out', join(work, 'x.onnx')], /cannot read model file .*missing\.safetensors: no such file/],
      [['export', '--format', 'onnx', out, '--out', join(work, 'x.onnx')], /model\.onnx is not a valid safetensors file/], // an ONNX file is not a model file
      [['export', '--format', 'onnx', modelFile, '--out', join(work, 'no-such-folder', 'x.onnx')], /folder .*no-such-folder does not exist/],
    ];
    for (const [args, message] of bad) {
      const b = plstm(args);
      assert.equal(b.code, 2, `${args.join(' ')}: exit ${b.code}\n${b.stderr}`);
      assert.equal(b.stderr.trim().split('\n').length, 1, `${args.join(' ')}: one line, got\n${b.stderr}`);
      assert.match(b.stderr, message);
    }
    // --force replaces the file, atomically: no temporary file is left beside it
    const again = plstm(['export', '--format', 'onnx', modelFile, '--out', out, '--force']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(readFileSync(out), Buffer.from(exportOnnx(model)));
    assert.deepEqual(readdirSync(work).filter((f) => f.endsWith('.tmp')), []);
  } finally {
    model.dispose();
    fc.dispose();
  }
});

test('the onnx checker (full check, with shape inference) accepts every exported graph; a forecaster\'s metadata reads back', { skip: skipUnless('onnx') }, () => {
  assert.ok(exported.length >= 8, 'the tests above exported their graphs');
  const files = exported.map(({ name, bytes }) => {
    const file = join(work, `${name}.onnx`);
    writeFileSync(file, bytes);
    return file;
  });
  const script = [
    'import json, sys, onnx',
    'out = {}',
    'for f in sys.argv[1:]:',
    '    m = onnx.load(f)',
    '    onnx.checker.check_model(m, full_check=True)',
    '    out[f] = {p.key: p.value for p in m.metadata_props}',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const meta = JSON.parse(r.stdout) as Record<string, Record<string, string>>;
  const fcMeta = meta[files[exported.findIndex((e) => e.name === 'forecaster-windowed')]];
  assert.ok(fcMeta[CONFIG_KEY] !== undefined, 'the model config');
  for (const k of ['settings', 'scalers', 'covariates', 'covariateScalers', 'calendar', 'log', 'trainEnds', 'info', 'features']) {
    assert.doesNotThrow(() => JSON.parse(fcMeta[`forecaster.${k}`]), `forecaster.${k} is JSON`);
  }
  assert.equal(JSON.parse(fcMeta['forecaster.settings']).lookback, 14);
});
