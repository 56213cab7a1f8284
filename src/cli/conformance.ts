// `plstm conformance [FILE...]`: checks every backend against reference fixture files (by
// default the ones this package ships in test/fixtures).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { listBackends } from '../kernels/registry.js';
import { runFixture, formatRuns, runsToJson, type ConformanceRun, type Fixture } from '../conformance/index.js';
import { loadFixture } from '../node/fixtures.js';
import { UsageError } from './usage-error.js';

const HELP = `
Checks the forward outputs (h_seq, final h, c and for the pLSTM k and a; per-step c, a, k, f
when the file has them) and every gradient (x, weight_ih, weight_hh, bias, p_param, h0, c0, k0,
a0) of each fixture file against every backend, and prints per file and backend the worst
absolute and relative error of each. Fixtures use the "plstm-fixture/1" format; the pLSTM state
is given there as the reset time k and converted to our age a = t - k.

Tolerances (an element passes within either bound):
  float64 backends: |err| <= 1e-9 or |err| <= 1e-9 * |ref|
  float32 backends: |err| <= 1e-5 or |err| <= 1e-4 * |ref|
  k, which grows like t, only relatively to the size of the state it encodes:
    |err| <= rtol * max(|k|, |a|, 1), with a = t - k the age

Exit codes: 0 all pass, 1 some value is outside its tolerance, 2 bad usage or a missing,
unreadable or foreign file.`;

/** The fixtures this package ships (test/fixtures), from src/cli and dist/cli alike. */
const BUNDLED_FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));

function bundledFixtureFiles(): string[] {
  let names: string[];
  try {
    names = readdirSync(BUNDLED_FIXTURES).filter((f) => f.endsWith('.json')).sort();
  } catch {
    names = [];
  }
  if (names.length === 0) throw new UsageError(`no fixture files given and none bundled in ${BUNDLED_FIXTURES}; name the files to check`);
  return names.map((f) => BUNDLED_FIXTURES + f);
}

interface Options {
  json?: boolean;
  backend: string;
}

export function registerConformance(program: Command): void {
  program
    .command('conformance')
    .description('check every backend against reference fixture files (forward values and all gradients)')
    .argument('[files...]', 'fixture files (JSON, format "plstm-fixture/1"); default: the ones this package ships')
    .option('--json', 'print one JSON object instead of tables')
    .option('--backend <name>', 'backend to check: js, wasm or all', 'all')
    .addHelpText('after', HELP)
    .action((files: string[], opts: Options) => {
      if (!['js', 'wasm', 'all'].includes(opts.backend)) {
        throw new UsageError(`--backend must be js, wasm or all, got "${opts.backend}"`);
      }
      const backends = listBackends().filter((b) => opts.backend === 'all' || b.name === opts.backend);
      if (backends.length === 0) {
        const names = [...new Set(listBackends().map((b) => b.name))].join(', ');
        throw new UsageError(`backend "${opts.backend}" is not available here (available: ${names})`);
      }
      // Read every file first so a bad one stops the command before any work (exit 2).
      const fixtures: Fixture[] = (files.length > 0 ? files : bundledFixtureFiles()).map((f) => loadFixture(f));
      const runs: ConformanceRun[] = [];
      try {
        for (const fx of fixtures) for (const be of backends) runs.push(runFixture(fx, be));
      } finally {
        for (const be of backends) be.dispose?.();
      }
      if (opts.json) process.stdout.write(JSON.stringify(runsToJson(runs)) + '\n');
      else process.stdout.write(formatRuns(runs) + '\n');
      if (!runs.every((r) => r.pass)) process.exitCode = 1;
    });
}
