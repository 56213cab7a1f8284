// The skip path of tests that need software from outside npm (support/requirements.ts), shown
// without uninstalling anything: a small browser test file run in a child process with
// PLSTM_PRETEND_MISSING=chromium skips with the install line; under CI's PLSTM_REQUIRE_ALL=1 the
// same test runs instead, and fails for want of Chromium. And every test file that opens a
// page is one that `npm run test:browser` runs, and every test file that needs PyTorch one that
// `npm run test:python` runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** One short browser test; a missing Chromium fails it at its first page, after a second of bundling. */
const PROBE = 'test/tfjs-webgl.test.ts';
const INSTALL_LINE = '# needs chromium (apt-get install chromium), then npm run test:browser';

/** Runs PROBE in a child process with `env` added (and CI's settings of this run removed). */
function runProbe(env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  const clean = { ...process.env };
  delete clean.PLSTM_REQUIRE_ALL;
  delete clean.PLSTM_PRETEND_MISSING;
  delete clean.NODE_TEST_CONTEXT; // set by the runner running this file; the child is a runner of its own
  return new Promise((done, fail) => {
    execFile(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', PROBE],
      { cwd: ROOT, encoding: 'utf8', env: { ...clean, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') fail(err);
        else done({ status: err ? (err.code as number) : 0, out: stdout + stderr });
      });
  });
}

// the three child runs go side by side (each mostly waits on its own start-up)
const skipped = runProbe({ PLSTM_PRETEND_MISSING: 'chromium,torch' });
const required = runProbe({ PLSTM_PRETEND_MISSING: 'chromium,torch', PLSTM_REQUIRE_ALL: '1' });
const misspelt = runProbe({ PLSTM_PRETEND_MISSING: 'chromeium' });

/** The runner's summary count `name` (tests, pass, fail, skipped). */
function count(out: string, name: string): number {
  const m = new RegExp(`^ℹ ${name} (\\d+)$`, 'm').exec(out);
  assert.ok(m, `no "${name}" count in:\n${out}`);
  return Number(m[1]);
}

test('without Chromium a browser test is reported skipped, with what to install and how to run it', async () => {
  const r = await skipped;
  assert.equal(r.status, 0, r.out);
  assert.ok(r.out.includes(INSTALL_LINE), r.out);
  assert.deepEqual([count(r.out, 'skipped'), count(r.out, 'pass'), count(r.out, 'fail')], [1, 0, 0], r.out);
});

test('under PLSTM_REQUIRE_ALL=1 the same test is not skipped: it runs, and fails without Chromium', async () => {
  const r = await required;
  assert.notEqual(r.status, 0, r.out);
  assert.ok(!r.out.includes(INSTALL_LINE), r.out);
  assert.match(r.out, /chromium is missing \(apt-get install chromium\)/);
  assert.deepEqual([count(r.out, 'skipped'), count(r.out, 'fail')], [0, 1], r.out);
});

test('a misspelt PLSTM_PRETEND_MISSING is an error, not a silent no-op', async () => {
  const r = await misspelt;
  assert.notEqual(r.status, 0, r.out);
  assert.match(r.out, /PLSTM_PRETEND_MISSING names "chromeium"; known: chromium, torch/);
});

test('npm run test:browser runs exactly the test files that open a page', () => {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['test:browser'];
  const listed = script.split(/\s+/).filter((w) => w.endsWith('.test.ts')).sort();
  const usePage = readdirSync(join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts'))
    .filter((f) => /^import .* from '\.\/support\/browser\.js';$/m.test(readFileSync(join(ROOT, 'test', f), 'utf8')))
    .map((f) => `test/${f}`).sort();
  assert.ok(usePage.length > 0);
  assert.deepEqual(listed, usePage);
});

test('npm run test:python runs exactly the test files with a test that needs PyTorch', () => {
  const script: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['test:python'];
  const listed = script.split(/\s+/).filter((w) => w.endsWith('.test.ts')).sort();
  const useTorch = readdirSync(join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts'))
    .filter((f) => /skipUnless\('torch'\)/.test(readFileSync(join(ROOT, 'test', f), 'utf8')) && f !== 'requirements.test.ts')
    .map((f) => `test/${f}`).sort();
  assert.ok(useTorch.length > 0);
  assert.deepEqual(listed, useTorch);
});
