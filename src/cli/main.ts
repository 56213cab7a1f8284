#!/usr/bin/env node
// The `plstm` command. Each subcommand lives in its own file and registers itself here.
import './engine-flags.js'; // first: engine settings before any kernel is compiled
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { PlstmError } from '../errors.js';
import { registerConformance } from './conformance.js';
import { registerBench } from './bench.js';
import { registerTrain } from './train.js';
import { registerEval } from './eval.js';
import { registerDemo } from './demo.js';
import { registerForecast } from './forecast.js';
import { registerAnalyze } from './analyze.js';
import { registerReport } from './report.js';
import { registerExport } from './export.js';
import { UsageError } from './usage-error.js';

/** The package's version: package.json sits two folders up from src/cli and dist/cli alike. */
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command();
program
  .name('plstm')
  .version(version, '-V, --version', 'print the package version')
  .description('The power-law forget gate LSTM (pLSTM): conformance, benchmarks and experiments.')
  .exitOverride()
  .showHelpAfterError(false)
  .configureOutput({ outputError: () => {} });

registerConformance(program);
registerBench(program);
registerTrain(program);
registerEval(program);
registerDemo(program);
registerForecast(program);
registerAnalyze(program);
registerReport(program);
registerExport(program);

/** Bad input ends in one line on stderr and exit code 2, never a stack trace. */
function fail(message: string): never {
  process.stderr.write(`plstm: ${message}\n`);
  process.exit(2);
}

// A reader that goes away (`plstm ... | head`) is not an error of ours: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) process.exit(0); // --help, --version
    fail(err.message.replace(/^error: /, ''));
  }
  if (err instanceof PlstmError || err instanceof UsageError) fail(err.message);
  throw err; // a bug: keep the stack trace
}
