// openBackend in engines that lack something: without shared memory the wasm kernels run on
// one thread with no error; without WebAssembly it falls back to js and says so (a warning
// once and fallbackReason), and an explicit backend 'wasm' throws why. Each case runs in a
// fresh process, since the kernels are compiled once per process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs an ES module snippet in a fresh node with the sources (tsx), `prelude` first. */
function runIsolated(prelude: string, body: string) {
  // the engine loses its feature after the imports (the TypeScript loader itself needs WebAssembly)
  const code = `const { openBackend } = await import('./src/model/backend.ts');
const { SequenceModel } = await import('./src/model/sequence-model.ts');
const { createOptimizer } = await import('./src/model/optimizers.ts');
${prelude}
${body}`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return { out: JSON.parse(res.stdout.trim().split('\n').at(-1)!), stderr: res.stderr };
}

const TRAIN = `
const model = SequenceModel.create({ input: { kind: 'onehot', size: 4 }, layers: [{ cell: 'plstm', hidden: 16 }],
  head: { size: 4, steps: 'all' }, loss: 'xent', seed: 3 }, { threads: 4 });
const opt = createOptimizer({ kind: 'adam', lr: 0.05 });
const B = 8, T = 12, x = new Int32Array(B * T), y = new Int32Array(B * T);
for (let i = 0; i < B * T; i++) { x[i] = (i * 7) % 4; y[i] = x[i]; }
const losses = [];
for (let s = 0; s < 20; s++) losses.push(model.trainStep({ B, T, x, y }, opt).loss);
`;

test('no SharedArrayBuffer: wasm kernels on one thread, training works, nothing printed', () => {
  const { out, stderr } = runIsolated('delete globalThis.SharedArrayBuffer;', `${TRAIN}
console.log(JSON.stringify({ name: model.backend.name, threads: model.backend.threads, variant: model.backend.variant,
  fallback: model.backend.fallbackReason ?? null, first: losses[0], last: losses.at(-1) }));
model.dispose();`);
  assert.deepEqual([out.name, out.threads, out.variant, out.fallback], ['wasm', 1, 'simd-unshared', null]);
  assert.ok(out.last < out.first * 0.8, `loss fell from ${out.first} to ${out.last}`);
  assert.equal(stderr, '');
});

test('no WebAssembly: openBackend() falls back to js with a reason and one warning; backend "wasm" throws', () => {
  const { out, stderr } = runIsolated('delete globalThis.WebAssembly;', `
const a = openBackend(), b = openBackend();
let thrown = null;
try { openBackend({ backend: 'wasm' }); } catch (e) { thrown = e.constructor.name + ': ' + e.message; }
console.log(JSON.stringify({ name: a.name, dtype: a.dtype, reason: a.fallbackReason, again: b.fallbackReason, thrown }));`);
  assert.equal(out.name, 'js');
  assert.equal(out.dtype, 'float32');
  assert.match(out.reason, /WebAssembly is not available/);
  assert.equal(out.again, out.reason);
  assert.match(out.thrown, /^ConfigError: WebAssembly is not available/);
  const warnings = stderr.trim().split('\n').filter((l) => l.length > 0);
  assert.equal(warnings.length, 1, stderr);
  assert.match(warnings[0], /wasm kernels cannot run here .*using the slower js backend/);
});

test('a backend asked for by name never reports a fallback', () => {
  const { out } = runIsolated('', `
const w = openBackend({ backend: 'wasm', threads: 1 }), j = openBackend({ backend: 'js' });
console.log(JSON.stringify({ w: w.name, wr: w.fallbackReason ?? null, j: j.name, jr: j.fallbackReason ?? null }));
w.dispose();`);
  assert.deepEqual(out, { w: 'wasm', wr: null, j: 'js', jr: null });
});
