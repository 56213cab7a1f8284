// The PyTorch twin's tests (python/tests, the standard library's unittest) as one test of the
// node suite, so that `npm test` runs them too. Skips with what to install where Debian's
// python3-torch is missing (CI installs it and requires it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { skipUnless } from './support/requirements.js';

test('python twin: python3 -m unittest discover -s python/tests', { skip: skipUnless('torch'), timeout: 600_000 }, () => {
  const r = spawnSync('/usr/bin/python3', ['-m', 'unittest', 'discover', '-s', 'python/tests'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
  });
  assert.equal(r.status, 0, `the Python tests failed (run: npm run test:python):\n${r.stdout}${r.stderr}`.slice(-20_000));
});
