// Conformance: every fixture passes on every backend, and the check is able to fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsBackend } from '../src/cells/index.js';
import type { SequenceBackend } from '../src/cells/sequence-backend.js';
import { DataError } from '../src/errors.js';
import { parseFixture, runFixture, type ConformanceRun } from '../src/conformance/index.js';
import { loadFixture } from '../src/node/fixtures.js';
import { openAllBackends } from './support/backends.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

function failedChecks(run: ConformanceRun): string[] {
  return run.comparisons.filter((c) => !c.pass).map((c) => c.name);
}

test('the fixture folder holds the public fixtures and the generated ones', () => {
  for (const name of ['plstm_tiny_learned_p', 'plstm_fixed_p0.2', 'plstm_batch3_T40', 'plstm_reset_saturated',
    'lstm_vanilla', 'plstm_state_B3_T300_eps1e-2', 'plstm_long_T2000_mixed_resets', 'lstm_state_B3_T30']) {
    assert.ok(files.includes(`${name}.json`), name);
  }
});

for (const file of files) {
  test(`${file} passes on every backend`, () => {
    const fx = loadFixture(join(FIXTURES, file));
    for (const be of openAllBackends()) {
      const run = runFixture(fx, be);
      assert.equal(run.error, undefined, `${be.name} ${be.dtype}: ${run.error}`);
      assert.deepEqual(failedChecks(run), [], `${be.name} ${be.dtype}`);
      // Every gradient of the fixture was compared.
      const names = run.comparisons.map((c) => c.name);
      for (const key of Object.keys(fx.grads)) assert.ok(names.includes(`grad ${key}`), `grad ${key} compared`);
      be.dispose?.();
    }
  });
}

/** A fixture's JSON with one number changed. */
function corrupt(file: string, section: string, key: string, factor: number, minAbs: number): string {
  const doc = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
  const data: number[] = doc[section][key].data;
  const i = data.findIndex((v) => Math.abs(v) > minAbs);
  assert.ok(i >= 0);
  data[i] *= factor;
  return JSON.stringify(doc);
}

test('a gradient changed by 1e-6 relative fails on float64 (and only that gradient)', () => {
  const fx = parseFixture(corrupt('plstm_batch3_T40.json', 'grads', 'weight_hh', 1 + 1e-6, 1e-2), 'corrupted');
  const run = runFixture(fx, createJsBackend('float64'));
  assert.equal(run.pass, false);
  assert.deepEqual(failedChecks(run), ['grad weight_hh']);
  assert.equal(run.comparisons.find((c) => c.name === 'grad weight_hh')!.failures, 1);
});

test('a change of 1e-3 relative fails on float32: an output, k and a gradient', () => {
  const be = createJsBackend('float32');
  const h = parseFixture(corrupt('plstm_tiny_learned_p.json', 'outputs', 'h_seq', 1 + 1e-3, 0.1), 'h');
  assert.deepEqual(failedChecks(runFixture(h, be)), ['h_seq', 'h_seq (1-step calls)']);
  const k = parseFixture(corrupt('plstm_batch3_T40.json', 'outputs', 'k', 1 + 1e-3, 5), 'k');
  assert.deepEqual(failedChecks(runFixture(k, be)), ['k']);
  const p = parseFixture(corrupt('plstm_batch3_T40.json', 'grads', 'p_param', 1 + 1e-3, 0.05), 'p');
  assert.deepEqual(failedChecks(runFixture(p, be)), ['grad p_param']);
});

test('a backend with a wrong gradient or NaN fails', () => {
  const fx = loadFixture(join(FIXTURES, 'plstm_tiny_learned_p.json'));
  const ref = createJsBackend('float64');
  const wrongSign: SequenceBackend = {
    ...ref,
    backward(cfg, w, x, fwd, opts) {
      const g = ref.backward(cfg, w, x, fwd, opts);
      g.dTheta = g.dTheta!.map((v) => -v);
      return g;
    },
  };
  assert.deepEqual(failedChecks(runFixture(fx, wrongSign)), ['grad p_param']);
  const nan: SequenceBackend = {
    ...ref,
    forward(cfg, w, x, B, T, opts) {
      const out = ref.forward(cfg, w, x, B, T, opts);
      out.hSeq[3] = NaN;
      return out;
    },
  };
  const run = runFixture(fx, nan);
  assert.equal(run.pass, false);
  assert.ok(failedChecks(run).includes('h_seq'));
  const throws: SequenceBackend = { ...ref, forward() { throw new Error('boom'); } };
  const thrown = runFixture(fx, throws);
  assert.equal(thrown.pass, false);
  assert.match(thrown.error!, /boom/);
});

test('foreign and broken files are rejected with one clear DataError', () => {
  assert.throws(() => parseFixture('{"hello": 1}', 'a.json'), (e: unknown) =>
    e instanceof DataError && /a\.json: not a pLSTM fixture/.test(e.message));
  assert.throws(() => parseFixture('not json', 'b.json'), (e: unknown) => e instanceof DataError && /not a JSON file/.test(e.message));
  const doc = JSON.parse(readFileSync(join(FIXTURES, 'plstm_tiny_learned_p.json'), 'utf8'));
  doc.params.weight_hh.shape = [12, 5];
  assert.throws(() => parseFixture(JSON.stringify(doc), 'c.json'), (e: unknown) =>
    e instanceof DataError && /params\.weight_hh has shape \[12, 5\], expected \[12, 4\]/.test(e.message));
  delete doc.grads;
  assert.throws(() => parseFixture(JSON.stringify(doc), 'd.json'), /grads is missing/);
  assert.throws(() => loadFixture(join(FIXTURES, 'no-such-file.json')), /no such file/);
});

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'conformance', ...args], {
    cwd: ROOT, encoding: 'utf8',
  });
}

test('CLI: --json over every fixture exits 0 with one JSON object', () => {
  const res = cli([...files.map((f) => join('test', 'fixtures', f)), '--json']);
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.pass, true);
  assert.equal(out.runs.length, files.length * openAllBackends().length);
  assert.ok(out.runs.every((r: { checks: unknown[] }) => r.checks.length > 0));
});

test('CLI: with no files it checks the bundled fixtures, from any working directory', () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'plstm-conformance-cwd-'));
  try {
    const res = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), 'conformance', '--backend', 'js', '--json'], {
      cwd: elsewhere, encoding: 'utf8',
    });
    assert.equal(res.status, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.pass, true);
    assert.equal(out.runs.length, files.length * 2, 'every bundled fixture on js float64 and float32');
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('CLI: a corrupted fixture exits 1, a missing or foreign file exits 2 with one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plstm-conformance-'));
  try {
    const bad = join(dir, 'corrupted.json');
    writeFileSync(bad, corrupt('lstm_vanilla.json', 'grads', 'x', 1 + 1e-6, 1e-2));
    const res = cli([bad, '--backend', 'js']);
    assert.equal(res.status, 1, res.stderr);
    assert.match(res.stdout, /FAIL/);
    assert.match(res.stdout.trim().split('\n').at(-1)!, /conformance FAIL: 1\/2 runs passed/);

    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, '{"format": "something-else"}');
    for (const file of [foreign, join(dir, 'missing.json')]) {
      const r = cli([file]);
      assert.equal(r.status, 2);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^plstm: fixture /);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
