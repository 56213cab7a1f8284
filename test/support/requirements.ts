// Tests that need software from outside npm (Debian's Chromium, PyTorch and onnx) skip with
// one line that says what to install when it is missing, so that `npm ci && npm test` passes
// on a fresh machine. Under CI (.ci/run sets PLSTM_REQUIRE_ALL=1) nothing skips: a missing
// requirement runs the test anyway and fails it.

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

/** Whether the requirement is installed (checked once per test file). */
export function hasRequirement(name: Requirement): boolean {
  if (!known.has(name)) known.set(name, REQUIREMENTS[name].present());
  return known.get(name)!;
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
