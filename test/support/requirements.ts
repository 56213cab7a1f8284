// Tests that need software from outside npm (Debian's Chromium, PyTorch and onnx) skip with
// one line that says what to install when it is missing, so that `npm ci && npm test` passes
// on a fresh machine. Under CI (.ci/run sets PLSTM_REQUIRE_ALL=1) nothing skips: a missing
// requirement runs the test anyway and fails it.
//
// PLSTM_PRETEND_MISSING=chromium,torch treats the named software as missing even where it is
// installed; it is for testing the skip path itself (test/requirements.test.ts).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Software a test may need, with how to get it and how to run those tests alone. */
const REQUIREMENTS = {
  chromium: {
    present: () => existsSync('/usr/bin/chromium'),
    install: 'apt-get install chromium',
    run: 'npm run test:browser',
  },
  torch: {
    present: () => spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
    install: 'apt-get install python3-torch',
    run: 'npm run test:python',
  },
  onnx: {
    present: () => spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0,
    install: 'apt-get install python3-onnx',
    run: 'npm run test:onnx',
  },
} as const;

export type Requirement = keyof typeof REQUIREMENTS;

const known = new Map<Requirement, boolean>();

/** The requirements PLSTM_PRETEND_MISSING names (comma-separated); an unknown name is an error, not a silent no-op. */
function pretendMissing(): Set<Requirement> {
  const names = (process.env.PLSTM_PRETEND_MISSING ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!(n in REQUIREMENTS)) throw new Error(`PLSTM_PRETEND_MISSING names "${n}"; known: ${Object.keys(REQUIREMENTS).join(', ')}`);
  }
  return new Set(names as Requirement[]);
}

/** Whether the requirement is installed (checked once per test file); false when PLSTM_PRETEND_MISSING names it. */
export function hasRequirement(name: Requirement): boolean {
  if (!known.has(name)) known.set(name, !pretendMissing().has(name) && REQUIREMENTS[name].present());
  return known.get(name)!;
}

/** The one line that says what is missing and how to install it (for a test that runs without it under CI). */
export function missingMessage(name: Requirement): string {
  return `${name} is missing (${REQUIREMENTS[name].install})`;
}

/**
 * The `skip` option of a test that needs `name`: false when it is installed or CI requires
 * everything, else the one line the runner prints in place of the test.
 */
export function skipUnless(name: Requirement): false | string {
  if (hasRequirement(name) || process.env.PLSTM_REQUIRE_ALL === '1') return false;
  const r = REQUIREMENTS[name];
  return `needs ${name} (${r.install}), then ${r.run}`;
}
