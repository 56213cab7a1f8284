// Save/load (safetensors), resuming training from a saved optimizer state, streaming
// inference against whole-sequence predict, and typed errors for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SequenceModel, createOptimizer, serializeModel, deserializeModel,
  readSafetensors, writeSafetensors, cloneState, TrainingDivergedError,
  type Batch, type ModelConfig, type Optimizer,
} from '../src/model/index.js';
import { saveModel, loadModel } from '../src/node/save-load.js';
import { ConfigError, InputValueError, ModelFileError, ShapeError } from '../src/errors.js';
import { Rng } from '../src/cells/rng.js';
import { FLOAT32_BACKENDS, WASM_AVAILABLE } from './support/backends.js';

const dir = mkdtempSync(join(tmpdir(), 'plstm-model-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const CHAR_CFG: ModelConfig = {
  input: { kind: 'embedding', vocab: 9, dim: 4 },
  layers: [{ cell: 'plstm', hidden: 8 }, { cell: 'plstm', hidden: 6, pInit: { mode: 'fixed', p: 0.4 } },
    { cell: 'lstm', hidden: 5, forgetBias: 1 }],
  head: { size: 9, steps: 'all' }, loss: 'xent', seed: 11,
};

function tokenBatch(rng: Rng, B: number, T: number, V: number): Batch & { x: Int32Array } {
  const x = new Int32Array(B * T).map(() => rng.int(V));
  const y = new Int32Array(B * T).map((_, i) => x[i] === 0 ? 0 : (x[i] + 1) % V);
  return { B, T, x, y };
}

function denseBatch(rng: Rng, B: number, T: number, I: number, O: number): Batch & { x: Float32Array } {
  return {
    B, T, x: new Float32Array(B * T * I).map(() => rng.range(-1, 1)),
    y: new Float32Array(B * O).map(() => rng.range(-1, 1)),
  };
}

// ----- save / load

const RUNS = [...FLOAT32_BACKENDS.map((backend) => ({ backend, dtype: 'float32' as const })),
  { backend: 'js' as const, dtype: 'float64' as const }];
for (const { backend, dtype } of RUNS) {
  test(`save -> load -> predict is bit-identical (${backend} ${dtype})`, () => {
    const model = SequenceModel.create(CHAR_CFG, { backend, dtype });
    const opt = createOptimizer({ kind: 'adam', lr: 0.01 });
    const rng = new Rng(1);
    for (let i = 0; i < 3; i++) model.trainStep(tokenBatch(rng, 4, 7, 9), opt);
    const file = join(dir, `m-${backend}-${dtype}.safetensors`);
    saveModel(file, model, null, { note: 'hello', epoch: 3 });
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []); // no temp files left
    const { model: back, optimizer, meta } = loadModel(file, { backend, dtype });
    assert.equal(optimizer, null);
    assert.deepEqual(meta, { note: 'hello', epoch: 3 });
    assert.deepEqual(back.config, model.config);
    assert.deepEqual(back.params, model.params);
    const probe = tokenBatch(new Rng(2), 3, 11, 9);
    assert.deepEqual(back.predict({ x: probe.x, B: 3, T: 11 }), model.predict({ x: probe.x, B: 3, T: 11 }));
    assert.deepEqual(back.pSummary(), model.pSummary());
    assert.ok(back.pSummary()[1].p.every((p) => p === 0.4));
    model.dispose();
    back.dispose();
  });
}

test('the file is plain safetensors with PyTorch-style names and fixed p stored', () => {
  const model = SequenceModel.create(CHAR_CFG, { backend: 'js', dtype: 'float32' });
  const opt = createOptimizer({ kind: 'rmsprop', lr: 0.01, momentum: 0.5 });
  model.trainStep(tokenBatch(new Rng(1), 2, 5, 9), opt);
  const { tensors, metadata } = readSafetensors(serializeModel(model, opt));
  assert.equal(metadata.format, 'powerlaw-lstm/1');
  assert.deepEqual(JSON.parse(metadata.config), model.config);
  assert.equal(metadata.optimizer_steps, '1');
  const names = Object.keys(tensors);
  for (const n of ['embedding.weight', 'layers.0.weight_ih', 'layers.0.weight_hh', 'layers.0.bias', 'layers.0.p_param',
    'layers.1.p_fixed', 'layers.2.weight_hh', 'head.weight', 'head.bias',
    'optim.square_avg.layers.0.weight_hh', 'optim.momentum_buffer.head.bias']) {
    assert.ok(names.includes(n), `missing ${n}`);
  }
  assert.ok(!names.includes('layers.1.p_param'));
  assert.deepEqual(tensors['layers.0.weight_hh'].shape, [24, 8]);
  assert.deepEqual(tensors['layers.2.weight_hh'].shape, [20, 5]);
  assert.equal(tensors['head.weight'].dtype, 'F32');
  assert.deepEqual(tensors['layers.0.weight_hh'].data32, model.parameter('layers.0.weight_hh'));
  // without a dtype choice a model loads in the precision it was saved in
  const m64 = SequenceModel.create(CHAR_CFG, { backend: 'js', dtype: 'float64' });
  const back64 = deserializeModel(serializeModel(m64), { backend: 'js' }).model;
  assert.equal(back64.dtype, 'float64');
  assert.deepEqual(back64.params, m64.params);
  assert.equal(deserializeModel(serializeModel(model), { backend: 'js' }).model.dtype, 'float32');
});

// ----- resume

test('resuming from a saved optimizer state continues the uninterrupted trajectory bit for bit', () => {
  const specs: { spec: Parameters<typeof createOptimizer>[0]; cfg: ModelConfig }[] = [
    { spec: { kind: 'adam', lr: 0.01 }, cfg: CHAR_CFG },
    { spec: { kind: 'rmsprop', lr: 0.005, momentum: 0.9 }, cfg: CHAR_CFG },
    { spec: { kind: 'sgd', lr: 0.1, momentum: 0.9 }, cfg: { ...CHAR_CFG, input: { kind: 'onehot', size: 9 } } },
  ];
  const runs = [...specs.map((s) => ({ ...s, backend: 'js' as const })),
    ...(WASM_AVAILABLE ? [{ ...specs[0], backend: 'wasm' as const }] : [])];
  for (const { spec, cfg, backend } of runs) {
    const data = (i: number): Batch => tokenBatch(new Rng(100 + i), 4, 6, 9);
    const N = 4, M = 3;
    const a = SequenceModel.create(cfg, { backend, dtype: 'float32' });
    const optA = createOptimizer(spec);
    const lossesA: number[] = [];
    for (let i = 0; i < N + M; i++) lossesA.push(a.trainStep(data(i), optA, { clip: 1 }).loss);

    const b = SequenceModel.create(cfg, { backend, dtype: 'float32' });
    const optB = createOptimizer(spec);
    for (let i = 0; i < N; i++) b.trainStep(data(i), optB, { clip: 1 });
    const file = join(dir, `resume-${spec.kind}.safetensors`);
    saveModel(file, b, optB);
    const { model: c, optimizer } = loadModel(file, { backend, dtype: 'float32' });
    assert.ok(optimizer !== null);
    assert.equal(optimizer.steps, N);
    assert.deepEqual(optimizer.spec, optB.spec);
    const lossesC: number[] = [];
    for (let i = N; i < N + M; i++) lossesC.push(c.trainStep(data(i), optimizer as Optimizer, { clip: 1 }).loss);
    assert.deepEqual(lossesC, lossesA.slice(N), `${spec.kind} on ${backend}`);
    assert.deepEqual(c.params, a.params, `${spec.kind} on ${backend}`);
    for (const m of [a, b, c]) m.dispose();
  }
});

// ----- streaming

for (const backend of FLOAT32_BACKENDS) test(`streaming step by step equals predict over the whole sequence (${backend})`, () => {
  const rng = new Rng(3);
  const model = SequenceModel.create(CHAR_CFG, { backend, dtype: 'float32' });
  const B = 2, T = 9, O = 9;
  const seq = tokenBatch(rng, B, T, 9);
  const whole = model.predict({ x: seq.x, B, T }); // [B, T, O]
  // The model's own state handling must be exact: bit-identical on the reference backend.
  // A SIMD kernel may round a 1-step call differently from a T-step one (other GEMM blocking),
  // so on wasm the check is float32 agreement (1e-6 relative) instead.
  const same = (a: Float32Array, b: Float32Array, what: string): void => {
    if (backend === 'js') return assert.deepEqual(a, b, what);
    for (let i = 0; i < a.length; i++) {
      assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * (1 + Math.abs(b[i])), `${what}: ${a[i]} vs ${b[i]}`);
    }
  };
  const state = model.initState(B);
  const xStep = new Int32Array(B);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) xStep[b] = seq.x[b * T + t];
    const out = model.step({ x: xStep }, { state }); // [B, O]
    for (let b = 0; b < B; b++) {
      same(out.subarray(b * O, (b + 1) * O), whole.subarray((b * T + t) * O, (b * T + t + 1) * O), `t=${t}`);
    }
  }
  // the streamed state is the final state of a whole run, so predict can continue from it
  const more = tokenBatch(rng, B, 4, 9);
  const fromState = model.predict({ x: more.x, B, T: 4 }, { state: cloneState(state) });
  const joined = new Int32Array(B * (T + 4));
  for (let b = 0; b < B; b++) {
    joined.set(seq.x.subarray(b * T, (b + 1) * T), b * (T + 4));
    joined.set(more.x.subarray(b * 4, (b + 1) * 4), b * (T + 4) + T);
  }
  const all = model.predict({ x: joined, B, T: T + 4 });
  for (let b = 0; b < B; b++) {
    same(fromState.subarray(b * 4 * O, (b + 1) * 4 * O), all.subarray((b * (T + 4) + T) * O, (b + 1) * (T + 4) * O), 'continued');
  }
  model.dispose();
});

// The wasm backend's fused one-row step path (src/model/streaming.ts) runs when every hidden
// size is a multiple of 4: check each input kind, both cells, fixed and learned p, B = 1 and
// B > 1, against predict over the whole sequence, run to run, and after a weight change.
if (WASM_AVAILABLE) test('the wasm streaming fast path equals predict for every input kind and cell', () => {
  const cases: { name: string; cfg: ModelConfig; dense: number }[] = [
    { name: 'one-hot pLSTM + LSTM', dense: 0, cfg: {
      input: { kind: 'onehot', size: 10 }, layers: [{ cell: 'plstm', hidden: 16 }, { cell: 'lstm', hidden: 8 }],
      head: { size: 10, steps: 'all' }, loss: 'xent', seed: 21 } },
    { name: 'embedding fixed-p pLSTM', dense: 0, cfg: {
      input: { kind: 'embedding', vocab: 7, dim: 5 },
      layers: [{ cell: 'plstm', hidden: 12, pInit: { mode: 'fixed', p: 0.3 } }],
      head: { size: 7, steps: 'all' }, loss: 'xent', seed: 22 } },
    { name: 'dense LSTM + pLSTM', dense: 3, cfg: {
      input: { kind: 'dense', size: 3 }, layers: [{ cell: 'lstm', hidden: 4 }, { cell: 'plstm', hidden: 8 }],
      head: { size: 2, steps: 'all' }, loss: 'mse', seed: 23 } },
  ];
  const close = (a: Float32Array, b: Float32Array, what: string): void => {
    assert.equal(a.length, b.length, what);
    for (let i = 0; i < a.length; i++) {
      assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * (1 + Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
    }
  };
  for (const { name, cfg, dense } of cases) {
    const model = SequenceModel.create(cfg, { backend: 'wasm', dtype: 'float32' });
    const O = cfg.head.size;
    const V = cfg.input.kind === 'onehot' ? cfg.input.size : cfg.input.kind === 'embedding' ? cfg.input.vocab : 0;
    for (const B of [1, 3]) {
      const T = 12;
      const rng = new Rng(40 + B);
      const x = dense > 0 ? denseBatch(rng, B, T, dense, 1).x : tokenBatch(rng, B, T, V).x;
      const streamAll = (): Float32Array => { // [B, T, O] from step
        const state = model.initState(B);
        const got = new Float32Array(B * T * O);
        const xStep = dense > 0 ? new Float32Array(B * dense) : new Int32Array(B);
        for (let t = 0; t < T; t++) {
          for (let b = 0; b < B; b++) {
            if (dense > 0) xStep.set(x.subarray((b * T + t) * dense, (b * T + t + 1) * dense), b * dense);
            else xStep[b] = x[b * T + t];
          }
          const out = model.step({ x: xStep }, { state });
          for (let b = 0; b < B; b++) got.set(out.subarray(b * O, (b + 1) * O), (b * T + t) * O);
        }
        return got;
      };
      const got = streamAll();
      assert.notEqual((model as unknown as { fastStep: unknown }).fastStep, null, `${name}: fast path taken`);
      close(got, model.predict({ x, B, T }), `${name} B=${B}`);
      assert.deepEqual(streamAll(), got, `${name} B=${B}: bit-identical run to run`);
      // the weights are read in place: a change shows up in the next step
      const w = model.parameter('layers.0.weight_hh');
      w[1] += 0.25;
      close(streamAll(), model.predict({ x, B, T }), `${name} B=${B} after a weight change`);
      w[1] -= 0.25;
      // and so is a trained p (the kernel caches sigmoid(theta) and must notice the change)
      if (model.slots.some((sl) => sl.name === 'layers.0.p_param')) {
        const theta = model.parameter('layers.0.p_param');
        theta[2] -= 1.5;
        close(streamAll(), model.predict({ x, B, T }), `${name} B=${B} after a change of p`);
        theta[2] += 1.5;
        close(streamAll(), model.predict({ x, B, T }), `${name} B=${B} after p changed back`);
      }
    }
    // the fast path's quick input check must not let bad input through
    const bad = dense > 0 ? Float32Array.from([0, NaN, 0]) : Int32Array.from([V]);
    assert.throws(() => model.step({ x: bad }, { state: model.initState(1) }), InputValueError, `${name}: bad input`);
    assert.throws(() => model.step({ x: dense > 0 ? new Float32Array(dense) : new Int32Array(1) }, { state: model.initState(2) }),
      ShapeError, `${name}: B mismatch`);
    const short = model.initState(1);
    short.layers[0].c = new Float32Array(1);
    assert.throws(() => model.step({ x: dense > 0 ? new Float32Array(dense) : new Int32Array(1) }, { state: short }), ShapeError,
      `${name}: state of the wrong size`);
    // a float64 state (accepted by the full checks) streams the same numbers
    const s32 = model.initState(1);
    const s64 = { B: 1, layers: s32.layers.map((l) => ({ h: Float64Array.from(l.h), c: Float64Array.from(l.c),
      a: l.a === null ? null : Float64Array.from(l.a) })) };
    const x1 = dense > 0 ? Float32Array.from([0.5, -0.25, 1]) : Int32Array.from([1]);
    assert.deepEqual(model.step({ x: x1 }, { state: s64 }), model.step({ x: x1 }, { state: s32 }), `${name}: float64 state`);
    assert.deepEqual(Float32Array.from(s64.layers[0].h), s32.layers[0].h, `${name}: float64 state h`);
    // initState(1) lays h, c, a back to back and the fast path copies them in one piece; a
    // state of separate arrays (cloneState), or one with a buffer swapped, takes the per-array
    // copies and must stream the same numbers
    const joined = model.initState(1), apart = cloneState(joined), swapped = model.initState(1);
    swapped.layers[0].c = new Float32Array(swapped.layers[0].c.length);
    for (let t = 0; t < 3; t++) {
      const want = model.step({ x: x1 }, { state: joined });
      assert.deepEqual(model.step({ x: x1 }, { state: apart }), want, `${name}: separate state arrays, step ${t}`);
      assert.deepEqual(model.step({ x: x1 }, { state: swapped }), want, `${name}: swapped state array, step ${t}`);
    }
    assert.deepEqual(apart.layers[0].c, joined.layers[0].c, `${name}: separate state arrays, c`);
    assert.deepEqual(swapped.layers[0].c, joined.layers[0].c, `${name}: swapped state array, c`);
    model.dispose();
  }
});

test('streaming a dense last-step model: the final step equals predict, in float64 too', () => {
  const cfg: ModelConfig = {
    input: { kind: 'dense', size: 3 }, layers: [{ cell: 'lstm', hidden: 4 }, { cell: 'plstm', hidden: 5 }],
    head: { size: 2, steps: 'last' }, loss: 'mse', seed: 5,
  };
  for (const dtype of ['float32', 'float64'] as const) {
    const model = SequenceModel.create(cfg, { backend: 'js', dtype });
    const B = 3, T = 6;
    const { x } = denseBatch(new Rng(8), B, T, 3, 2);
    const state = model.initState(B);
    const xStep = new Float32Array(B * 3);
    let out = new Float32Array(0);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) xStep.set(x.subarray((b * T + t) * 3, (b * T + t + 1) * 3), b * 3);
      out = model.step({ x: xStep }, { state });
    }
    assert.deepEqual(out, model.predict({ x, B, T }), dtype);
  }
});

test('evaluate/trainStep carry state across chunks (truncated BPTT) like one long run', () => {
  const model = SequenceModel.create(CHAR_CFG, { backend: 'js', dtype: 'float64' });
  const rng = new Rng(4);
  const long = tokenBatch(rng, 1, 12, 9);
  const whole = model.evaluate(long);
  const first = model.evaluate({ B: 1, T: 6, x: long.x.subarray(0, 6), y: (long.y as Int32Array).subarray(0, 6) });
  const second = model.evaluate({ B: 1, T: 6, x: long.x.subarray(6), y: (long.y as Int32Array).subarray(6) }, { state: first.state });
  const O = 9;
  for (let i = 0; i < 6 * O; i++) assert.ok(Math.abs(second.outputs[i] - whole.outputs[6 * O + i]) < 1e-6);
  assert.ok(Math.abs((first.loss + second.loss) / 2 - whole.loss) < 1e-12);
  const t = model.trainStep({ B: 1, T: 6, x: long.x.subarray(0, 6), y: (long.y as Int32Array).subarray(0, 6) },
    createOptimizer({ kind: 'sgd', lr: 1e-9 }));
  assert.deepEqual(t.state.layers[0].h.length, 8);
});

// ----- bad input and bad files

test('truncated and foreign model files give ModelFileError naming the problem', () => {
  const model = SequenceModel.create(CHAR_CFG, { backend: 'js', dtype: 'float32' });
  const bytes = serializeModel(model, createOptimizer({ kind: 'adam', lr: 0.1 }));
  const cases: [string, Uint8Array, RegExp][] = [
    ['truncated data', bytes.subarray(0, bytes.length - 10), /truncated|outside/],
    ['truncated header', bytes.subarray(0, 100), /truncated/],
    ['empty', new Uint8Array(0), /truncated or empty/],
    ['random bytes', new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24), /implausible|JSON/],
    ['a JSON file', new TextEncoder().encode(JSON.stringify({ layers: [1, 2, 3], hello: 'world' })), /implausible|JSON/],
    ['safetensors without our metadata', writeSafetensors({ w: { data: new Float32Array(4), shape: [2, 2] } }, {}), /not a powerlaw-lstm model/],
    ['extra bytes', Uint8Array.from([...bytes, 1, 2, 3]), /bytes after the last tensor/],
  ];
  for (const [name, b, re] of cases) {
    assert.throws(() => deserializeModel(b, { backend: 'js' }), (e: unknown) =>
      e instanceof ModelFileError && re.test(e.message), name);
  }
  // a tensor of the wrong shape: rewrite the file with head.weight transposed
  const { tensors, metadata } = readSafetensors(bytes);
  const out: Record<string, { data: Float32Array; shape: number[] }> = {};
  for (const [k, t] of Object.entries(tensors)) out[k] = { data: t.data32!, shape: t.shape };
  out['head.weight'] = { data: out['head.weight'].data, shape: [...out['head.weight'].shape].reverse() };
  assert.throws(() => deserializeModel(writeSafetensors(out, metadata)), /head\.weight.*shape/);
  delete out['layers.0.p_param'];
  out['head.weight'].shape.reverse();
  assert.throws(() => deserializeModel(writeSafetensors(out, metadata)), /lacks tensor "layers.0.p_param"/);
  // files on disk: missing, and a foreign file
  assert.throws(() => loadModel(join(dir, 'nope.safetensors')), (e: unknown) => e instanceof ModelFileError && /no such file/.test((e as Error).message));
  const foreign = join(dir, 'foreign.json');
  writeFileSync(foreign, '{"not": "a model"}');
  assert.throws(() => loadModel(foreign), ModelFileError);
  const truncated = join(dir, 'truncated.safetensors');
  writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
  assert.throws(() => loadModel(truncated), ModelFileError);
  assert.ok(readFileSync(truncated).length > 0);
  // writing into a missing directory names the problem
  assert.throws(() => saveModel(join(dir, 'no-such-dir', 'm.safetensors'), model),
    (e: unknown) => e instanceof ModelFileError && /cannot write model file .*ENOENT/.test((e as Error).message));
});

test('NaN/Inf and out-of-range values in inputs and targets give InputValueError', () => {
  const dense = SequenceModel.create({
    input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 3 }],
    head: { size: 1, steps: 'all' }, loss: 'mse', seed: 1,
  }, { backend: 'js' });
  const opt = createOptimizer({ kind: 'sgd', lr: 0.1 });
  const good = (): Batch => ({ B: 1, T: 2, x: Float32Array.from([0, 1, 2, 3]), y: Float32Array.from([0, 1]) });
  const before = Float32Array.from(dense.params);
  const nanX = good();
  (nanX.x as Float32Array)[2] = NaN;
  assert.throws(() => dense.trainStep(nanX, opt), (e: unknown) => e instanceof InputValueError && /input x contains NaN/.test((e as Error).message));
  const infY = good();
  (infY.y as Float32Array)[1] = Infinity;
  assert.throws(() => dense.trainStep(infY, opt), /target y contains Infinity/);
  assert.throws(() => dense.trainStep({ ...good(), weights: Float32Array.from([0, 0]) }, opt), /all 0/);
  assert.throws(() => dense.trainStep({ ...good(), weights: Float32Array.from([1, -1]) }, opt), InputValueError);
  assert.throws(() => dense.predict({ x: Float32Array.from([0, Infinity, 0, 0]), B: 1, T: 2 }), InputValueError);
  assert.throws(() => dense.step({ x: Float32Array.from([NaN, 0]) }, { state: dense.initState(1) }), InputValueError);
  assert.deepEqual(dense.params, before); // refused batches change nothing

  const tok = SequenceModel.create(CHAR_CFG, { backend: 'js' });
  assert.throws(() => tok.trainStep({ B: 1, T: 2, x: Int32Array.from([0, 9]), y: Int32Array.from([0, 0]) }, opt),
    /token id 9 .* outside the vocabulary 0..8/);
  assert.throws(() => tok.trainStep({ B: 1, T: 2, x: Int32Array.from([0, 1]), y: Int32Array.from([0, 12]) }, opt),
    /target class 12 .* outside 0..8/);
  // a masked step may hold any target (padding)
  tok.trainStep({ B: 1, T: 2, x: Int32Array.from([0, 1]), y: Int32Array.from([0, -1]), weights: Float32Array.from([1, 0]) }, opt);
});

test('shape mismatches give ShapeError naming the expected shape', () => {
  const tok = SequenceModel.create(CHAR_CFG, { backend: 'js' });
  const opt = createOptimizer({ kind: 'sgd', lr: 0.1 });
  assert.throws(() => tok.trainStep({ B: 2, T: 3, x: new Int32Array(5), y: new Int32Array(6) }, opt),
    (e: unknown) => e instanceof ShapeError && /x has 5 ids, expected \[B, T\] = \[2, 3\] = 6/.test((e as Error).message));
  assert.throws(() => tok.trainStep({ B: 2, T: 3, x: new Int32Array(6), y: new Int32Array(2) }, opt), /targets y has 2 ids/);
  assert.throws(() => tok.trainStep({ B: 2, T: 3, x: new Float32Array(6), y: new Int32Array(6) }, opt), /Int32Array of token ids/);
  assert.throws(() => tok.trainStep({ B: 2, T: 3, x: new Int32Array(6), y: new Float32Array(6) }, opt), /Int32Array of class ids/);
  assert.throws(() => tok.trainStep({ B: 2, T: 3, x: new Int32Array(6), y: new Int32Array(6), weights: new Float32Array(2) }, opt), /weights has 2/);
  assert.throws(() => tok.trainStep({ B: 0, T: 3, x: new Int32Array(0), y: new Int32Array(0) }, opt), /batch B/);
  assert.throws(() => tok.evaluate({ B: 2, T: 3, x: new Int32Array(6), y: new Int32Array(6) }, { state: tok.initState(3) }),
    /state is for B=3 rows but the batch has B=2/);
  assert.throws(() => tok.step({ x: new Int32Array(3) }, { state: tok.initState(2) }), ShapeError);
  const last = SequenceModel.create({ input: { kind: 'dense', size: 2 }, layers: [{ cell: 'lstm', hidden: 3 }],
    head: { size: 2, steps: 'last' }, loss: 'mse', seed: 1 }, { backend: 'js' });
  assert.throws(() => last.trainStep({ B: 2, T: 3, x: new Float32Array(12), y: new Float32Array(12) }, opt),
    /y has 12 numbers, expected \[B, O\] = \[2, 2\] = 4/);
  // an optimizer belongs to one model
  const small = SequenceModel.create({ ...CHAR_CFG, layers: [{ cell: 'lstm', hidden: 2 }] }, { backend: 'js' });
  const adam = createOptimizer({ kind: 'adam', lr: 0.1 });
  tok.trainStep(tokenBatch(new Rng(1), 1, 2, 9), adam);
  assert.throws(() => small.trainStep(tokenBatch(new Rng(1), 1, 2, 9), adam), /one optimizer per model/);
});

test('invalid settings give ConfigError naming the setting', () => {
  const base = CHAR_CFG;
  const bad: [Partial<ModelConfig>, RegExp][] = [
    [{ layers: [{ cell: 'plstm', hidden: 0 }] }, /layers\[0\]\.hidden \(H\) must be a positive integer, got 0/],
    [{ layers: [{ cell: 'plstm', hidden: -3 }] }, /hidden/],
    [{ layers: [{ cell: 'plstm', hidden: 4, eps: 0 }] }, /eps must be a number in \(0, 1\), got 0/],
    // eps >= 1 gives a forget gate >= 1: never forgets
    [{ layers: [{ cell: 'plstm', hidden: 4, eps: 1 }] }, /layers\[0\]\.eps must be a number in \(0, 1\), got 1/],
    [{ layers: [{ cell: 'plstm', hidden: 4, pInit: { mode: 'fixed', p: 1.5 } }] }, /fixed p must be in \(0, 1\], got 1.5/],
    [{ layers: [{ cell: 'plstm', hidden: 4, pInit: { mode: 'fixed', p: 0 } }] }, /\(0, 1\]/],
    [{ layers: [{ cell: 'gru' as 'lstm', hidden: 4 }] }, /unknown cell "gru"/],
    [{ layers: [] }, /non-empty/],
    [{ head: { size: 1, steps: 'all' } }, /xent" needs a head with at least 2 classes/],
    [{ head: { size: 4, steps: 'first' as 'all' } }, /head.steps/],
    [{ loss: 'hinge' as 'mse' }, /unknown loss "hinge"/],
    [{ input: { kind: 'image' } as unknown as ModelConfig['input'] }, /unknown input kind "image"/],
    [{ seed: 1.5 }, /seed/],
    [{ layers: [{ cell: 'lstm', hidden: 4, chrono: 1 }] }, /chrono/],
    [{ layers: [{ cell: 'lstm', hidden: 4, chrono: 1.5 }] }, /layers\[0\]\.chrono \(Tmax\) must be a number > 2, got 1.5/],
  ];
  for (const [patch, re] of bad) {
    assert.throws(() => SequenceModel.create({ ...base, ...patch }, { backend: 'js' }),
      (e: unknown) => e instanceof ConfigError && re.test((e as Error).message), JSON.stringify(patch));
  }
  assert.throws(() => SequenceModel.create(base, { backend: 'wasm', dtype: 'float64' }), ConfigError);
  assert.throws(() => SequenceModel.create(base, { backend: 'cuda' as 'js' }), /unknown backend/);
});

test('a diverging step throws TrainingDivergedError and leaves the weights untouched', () => {
  const model = SequenceModel.create({
    input: { kind: 'dense', size: 1 }, layers: [{ cell: 'lstm', hidden: 2 }],
    head: { size: 1, steps: 'last' }, loss: 'mse', seed: 1,
  }, { backend: 'js', dtype: 'float32' });
  const batch: Batch = { B: 1, T: 2, x: Float32Array.from([1, 1]), y: Float32Array.from([3e38]) };
  const before = Float32Array.from(model.params);
  assert.throws(() => model.trainStep(batch, createOptimizer({ kind: 'sgd', lr: 0.1 })), TrainingDivergedError);
  assert.deepEqual(model.params, before);
});
