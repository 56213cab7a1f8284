// The package as users get it: `npm pack` (which builds it), installed from the tarball into
// a fresh folder, then (a) imported from an ES module, (b) required from CommonJS, with the
// worker pool starting in both, (c) type-checked from a strict TypeScript file, (d) bundled
// for the browser with esbuild (no Node built-in may be needed), (e) run in headless Chromium
// on a plain page (not cross-origin isolated): a small pLSTM trains on the wasm kernels on
// one thread and its loss falls. Also the README's `plstm conformance` from the install.
//
// The package is built from a copy of the sources, so the working tree's dist/ is never
// rebuilt under the other test files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CHROMIUM_FLAGS, serveFiles, withPage } from './support/browser.js';
import { skipUnless } from './support/requirements.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What the package needs to build (`npm pack` runs `prepare`, i.e. `npm run build`). */
const BUILD_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE', 'scripts', 'src', 'test/fixtures'];

let work = ''; // temp folder: src/ (the copy that is packed) and app/ (where it is installed)
let app = '';
let pkgDir = ''; // the installed package

/** Runs node on a script in the app folder; returns stdout, asserts exit 0 and an empty stderr. */
function runNode(file: string): string {
  const res = spawnSync(process.execPath, [file], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  assert.equal(res.status, 0, `${file} failed:\n${res.stderr}`);
  assert.equal(res.stderr, '', `${file} wrote to stderr`);
  return res.stdout;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'plstm-package-'));
  const copy = join(work, 'src');
  for (const p of BUILD_INPUTS) cpSync(join(ROOT, p), join(copy, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: copy, encoding: 'utf8' });
  const tarball = join(work, packed.trim().split('\n').at(-1)!);
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', tarball], { cwd: app, stdio: 'pipe' });
  pkgDir = join(app, 'node_modules', 'powerlaw-lstm');
}, { timeout: 300_000 });

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// A few steps of a small pLSTM on a fixed task (the next token is the current one); the same
// code runs in Node and in the page. `lib` is the imported package.
const TRAIN_SNIPPET = `
function trainSmall(lib, runtime) {
  const model = lib.SequenceModel.create({ input: { kind: 'onehot', size: 4 }, layers: [{ cell: 'plstm', hidden: 16 }],
    head: { size: 4, steps: 'all' }, loss: 'xent', seed: 3 }, runtime);
  const opt = lib.createOptimizer({ kind: 'adam', lr: 0.05 });
  const B = 8, T = 12, x = new Int32Array(B * T), y = new Int32Array(B * T);
  for (let i = 0; i < B * T; i++) { x[i] = (i * 7 + (i >> 3)) % 4; y[i] = x[i]; }
  const losses = [];
  for (let s = 0; s < 20; s++) losses.push(model.trainStep({ B, T, x, y }, opt, { clip: 1 }).loss);
  const be = model.backend;
  const out = { backend: be.name, threads: be.threads, variant: be.variant, fallback: be.fallbackReason ?? null,
    first: losses[0], last: losses[losses.length - 1] };
  model.dispose();
  return out;
}
`;

/** Starts `threads - 1` pool workers from the installed module and runs jobs on them. */
const POOL_SNIPPET = `
function poolThreads(wasm, poolModule) {
  const compiled = wasm.compiledKernels('simd');
  const memory = wasm.createKernelMemory(true);
  const pool = new poolModule.WorkerPool(compiled.module, memory, 2);
  const kx = wasm.instantiateKernels(compiled.module, memory);
  const base = kx.heapBase();
  const job = (j) => ({ fn: 'fillColumn', args: [16, 1, 0, j + 1, base + j * 64] });
  pool.run([job(0), job(1), job(2)], kx);
  const sums = [0, 1, 2].map((j) => new Float32Array(memory.buffer, base + j * 64, 16).reduce((a, b) => a + b, 0));
  const out = { threads: pool.threads, remoteJobs: pool.remoteJobs, sums };
  pool.dispose();
  return out;
}
`;

// The first bytes of a small model's ONNX export (powerlaw-lstm/onnx): ir_version 8, then the
// producer name; the entry must hand exportOnnx the root entry's SequenceModel class.
const ONNX_SNIPPET = `
function onnxHeader(lib, exportOnnx) {
  const m = lib.SequenceModel.create({ input: { kind: 'dense', size: 2 }, layers: [{ cell: 'plstm', hidden: 3 }],
    head: { size: 1, steps: 'last' }, loss: 'mse', seed: 1 }, { backend: 'js' });
  const bytes = exportOnnx(m);
  m.dispose();
  return Array.from(bytes.subarray(0, 17));
}
`;
const ONNX_HEADER = [0x08, 8, 0x12, 13, ...Buffer.from('powerlaw-lstm')];

function checkTrained(r: { backend: string; threads: number; variant: string; fallback: unknown; first: number; last: number },
  want: { threads: number; variant?: string }) {
  assert.equal(r.backend, 'wasm');
  assert.equal(r.threads, want.threads);
  if (want.variant) assert.equal(r.variant, want.variant);
  assert.equal(r.fallback, null);
  assert.ok(Number.isFinite(r.first) && r.last < 0.8 * r.first, `loss fell from ${r.first} to ${r.last}`);
}

test('the tarball holds dist, the fixtures and the README, not src/; the kernel bytes stay out of the .d.ts', () => {
  assert.ok(existsSync(join(pkgDir, 'dist/index.js')) && existsSync(join(pkgDir, 'dist/cjs/index.js')));
  assert.ok(!existsSync(join(pkgDir, 'src')), 'src/ is not shipped');
  const fixtures = readdirSync(join(pkgDir, 'test/fixtures')).filter((f) => f.endsWith('.json'));
  assert.deepEqual(fixtures.sort(), readdirSync(join(ROOT, 'test/fixtures')).filter((f) => f.endsWith('.json')).sort());
  const dts = readFileSync(join(pkgDir, 'dist/kernels/wasm-bytes.generated.d.ts'), 'utf8');
  assert.ok(dts.length < 1000, `the declarations of the kernel bytes are ${dts.length} characters`);
});

test('(a) ES module: the root, node and onnx entries import, train on wasm threads, and pool workers start', () => {
  writeFileSync(join(app, 'esm.mjs'), `${TRAIN_SNIPPET}${POOL_SNIPPET}${ONNX_SNIPPET}
import * as lib from 'powerlaw-lstm';
import * as node from 'powerlaw-lstm/node';
import { exportOnnx } from 'powerlaw-lstm/onnx';
const wasm = await import('./node_modules/powerlaw-lstm/dist/kernels/wasm/runtime/module.js');
const poolModule = await import('./node_modules/powerlaw-lstm/dist/kernels/wasm/runtime/pool.js');
console.log(JSON.stringify({ same: node.SequenceModel === lib.SequenceModel, save: typeof node.saveModel,
  rootSave: typeof lib.saveModel, trained: trainSmall(lib, { threads: 2 }), pool: poolThreads(wasm, poolModule), onnx: onnxHeader(lib, exportOnnx) }));
`);
  const r = JSON.parse(runNode('esm.mjs'));
  assert.deepEqual([r.same, r.save, r.rootSave], [true, 'function', 'undefined']);
  assert.deepEqual(r.onnx, ONNX_HEADER);
  checkTrained(r.trained, { threads: 2 });
  assert.deepEqual(r.pool, { threads: 3, remoteJobs: 2, sums: [16, 32, 48] });
});

test('(b) CommonJS: require of the root, node and onnx entries works, trains, and pool workers start', () => {
  writeFileSync(join(app, 'cjs.cjs'), `${TRAIN_SNIPPET}${POOL_SNIPPET}${ONNX_SNIPPET}
const lib = require('powerlaw-lstm');
const node = require('powerlaw-lstm/node');
const { exportOnnx } = require('powerlaw-lstm/onnx');
const wasm = require('./node_modules/powerlaw-lstm/dist/cjs/kernels/wasm/runtime/module.js');
const poolModule = require('./node_modules/powerlaw-lstm/dist/cjs/kernels/wasm/runtime/pool.js');
const fs = require('node:fs');
const bytes = lib.serializeModel(lib.SequenceModel.create({ input: { kind: 'dense', size: 2 }, layers: [{ cell: 'lstm', hidden: 3 }],
  head: { size: 1, steps: 'last' }, loss: 'mse', seed: 1 }, { backend: 'js' }));
fs.writeFileSync('m.safetensors', bytes);
const loaded = node.loadModel('m.safetensors');
console.log(JSON.stringify({ same: node.SequenceModel === lib.SequenceModel, loaded: loaded.model instanceof lib.SequenceModel,
  trained: trainSmall(lib, { threads: 2 }), pool: poolThreads(wasm, poolModule), onnx: onnxHeader(lib, exportOnnx) }));
`);
  const r = JSON.parse(runNode('cjs.cjs'));
  assert.deepEqual([r.same, r.loaded], [true, true]);
  assert.deepEqual(r.onnx, ONNX_HEADER);
  checkTrained(r.trained, { threads: 2 });
  assert.deepEqual(r.pool, { threads: 3, remoteJobs: 2, sums: [16, 32, 48] });
});

test('(c) a strict TypeScript file type-checks against the root, node, onnx and backend entries, as ESM and as CommonJS', () => {
  const dir = join(app, 'typed');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'esm.ts'), `
import { SequenceModel, createOptimizer, openBackend, serializeModel, deserializeModel, ConfigError, Rng, data,
  type ModelConfig, type OptimizerConfig, type SequenceBackend } from 'powerlaw-lstm';
import { saveModel, loadModel } from 'powerlaw-lstm/node';
import { exportOnnx, type OnnxExportOptions } from 'powerlaw-lstm/onnx';
import type { ForwardOptions, StreamStepPath, CellConfig as BackendCellConfig } from 'powerlaw-lstm/backend';
const config: ModelConfig = { input: { kind: 'embedding', vocab: 10, dim: 4 }, layers: [{ cell: 'plstm', hidden: 8, pInit: { mode: 'range', lo: -2, hi: 2 } }],
  head: { size: 10, steps: 'last' }, loss: 'xent', seed: 1 };
const spec: OptimizerConfig = { kind: 'rmsprop', lr: 1e-3, alpha: 0.9 };
const backend: SequenceBackend = openBackend({ backend: 'js', dtype: 'float64' });
const reason: string | undefined = backend.fallbackReason;
const model = SequenceModel.createOn(config, backend);
const { loss }: { loss: number } = model.trainStep({ B: 1, T: 2, x: new Int32Array(2), y: new Int32Array(1) }, createOptimizer(spec), { clip: 1 });
const again: SequenceModel = deserializeModel(serializeModel(model)).model;
saveModel('m.safetensors', again);
const n: number = loadModel('m.safetensors').model.config.layers.length + new Rng(1).uniform() + data.copySequenceLength(10);
const e: Error = new ConfigError('x');
const onnxOptions: OnnxExportOptions = { metadata: { note: 'x' } };
const onnx: Uint8Array = exportOnnx(model, onnxOptions);
// the backend contract's parts from the backend entry
const fwdOptions: ForwardOptions = { state: null, needTape: false };
const cellConfig: BackendCellConfig = { kind: 'plstm', inputSize: 1, hiddenSize: 2, eps: 1e-3, fixedP: null };
const stream: StreamStepPath | undefined = backend.streamStep;
backend.forward(cellConfig, { wIh: new Float64Array(6), wHh: new Float64Array(12), b: new Float64Array(6), theta: new Float64Array(2) },
  new Float64Array(2), 1, 2, fwdOptions);
// @ts-expect-error internals are not exported from the root
import { checkConfig } from 'powerlaw-lstm';
// @ts-expect-error file I/O is not in the root entry
import { saveModel as rootSave } from 'powerlaw-lstm';
export { loss, n, e, reason, checkConfig, rootSave, onnx, stream };
`);
  writeFileSync(join(dir, 'cjs.cts'), `
import lib = require('powerlaw-lstm');
import node = require('powerlaw-lstm/node');
import onnx = require('powerlaw-lstm/onnx');
import type { SequenceBackend } from 'powerlaw-lstm/backend';
const be: SequenceBackend = lib.openBackend({ backend: 'js' });
const m: lib.SequenceModel = node.loadModel('m.safetensors').model;
const bytes: Uint8Array = onnx.exportOnnx(m);
export = m;
`);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022',
      lib: ['es2022', 'dom'], types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')], skipLibCheck: false,
    },
    files: ['esm.ts', 'cjs.cts'],
  }));
  const res = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stdout + res.stderr);
});

/** The browser bundle of a page script that trains on the root entry (made by test d, run by test e). */
let pageBundle = '';

test('(d) esbuild bundles the root entry for the browser without any Node built-in', async () => {
  writeFileSync(join(app, 'page.js'), `${TRAIN_SNIPPET}
import * as lib from 'powerlaw-lstm';
try {
  await lib.preloadWasmKernels();
  globalThis.result = { ...trainSmall(lib, {}), isolated: globalThis.crossOriginIsolated };
} catch (e) {
  globalThis.result = { error: String(e && e.stack || e) };
}
`);
  const res = await build({
    absWorkingDir: app, entryPoints: ['page.js'], bundle: true, platform: 'browser', format: 'esm',
    write: false, metafile: true, logLevel: 'silent', outfile: 'bundle.js',
  });
  assert.deepEqual(res.errors, []);
  const inputs = Object.keys(res.metafile.inputs);
  assert.ok(inputs.some((f) => f.includes('powerlaw-lstm/dist/index.js')), 'the ES module build was bundled');
  const builtins = inputs.filter((f) => f.startsWith('node:') || /^(fs|path|zlib|os|worker_threads)$/.test(f));
  assert.deepEqual(builtins, []);
  pageBundle = res.outputFiles[0].text;
});

test('(e) the bundle trains in headless Chromium on a page without cross-origin isolation: wasm, one thread, no console error', { skip: skipUnless('chromium') }, async () => {
  assert.ok(pageBundle, 'test (d) made the bundle');
  const files: Record<string, [string, string]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>plstm</title><script type="module" src="/bundle.js"></script>'],
    '/bundle.js': ['text/javascript', pageBundle],
  };
  const { origin, server } = await serveFiles(files);
  try {
    await withPage(CHROMIUM_FLAGS, async (page, problems) => {
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => (globalThis as { result?: unknown }).result !== undefined, null, { timeout: 60_000 });
      const r = await page.evaluate(() => (globalThis as { result?: unknown }).result) as Record<string, unknown>;
      assert.equal(r.error, undefined, String(r.error));
      assert.equal(r.isolated, false, 'the page is not cross-origin isolated');
      checkTrained(r as Parameters<typeof checkTrained>[0], { threads: 1, variant: 'simd-unshared' });
      assert.deepEqual(problems, []);
    });
  } finally {
    server.close();
  }
});

test('the README command `plstm conformance` runs from the installed package', () => {
  const res = spawnSync(join(app, 'node_modules/.bin/plstm'), ['conformance', '--json'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.pass, true);
  assert.ok(out.runs.length >= 3 * 11, `${out.runs.length} runs: every bundled fixture on every backend`);
});
