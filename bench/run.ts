// `npm run bench -- [flags]`: `plstm bench` with the baselines, from a clone of the repository
// (bench/ is not published). Takes the same flags as `plstm bench`; times our model through
// what the package ships (src/bench), then PyTorch (torch/bench_torch.py: the pLSTM cell per
// step, its TorchScript-compiled time loop, torch.nn.LSTM) and TF.js (tfjs/) in the same run,
// and prints the ratios, headed by our pLSTM against the fastest PyTorch implementation.
// Modes forecast and tfjs-layer add the TF.js forecaster network and the TF.js layers.
import '../src/cli/engine-flags.js'; // first: engine settings before any kernel is compiled
import { Command, CommanderError } from 'commander';
import { PlstmError } from '../src/errors.js';
import { runForecastBench } from '../src/bench/forecast.js';
import { runBench, type BenchLine } from '../src/bench/run.js';
import {
  addBenchFlags, benchOptionsFromFlags, formatForecastLine, intList, oneInt, type RawBenchFlags,
} from '../src/cli/bench.js';
import { UsageError } from '../src/cli/usage-error.js';
import { runForecastTfjs } from './forecast-tfjs.js';
import { formatComparison } from './format.js';
import { baselinesOf, runBaselines, type BaselineReportLine } from './harness.js';
import { runTfjsLayerBench } from './tfjs-layer.js';

/** TF.js batches timed for the forecast comparison (an epoch takes minutes there). */
const FORECAST_TFJS_BATCHES = 3;

async function bench(flags: RawBenchFlags): Promise<void> {
  const json = flags.json ?? false;
  const progress = (msg: string): void => { if (!json) process.stderr.write(`${msg}\n`); };
  const print = (l: Record<string, unknown>): void => {
    process.stdout.write(json ? `${JSON.stringify(l)}\n` : `${formatForecastLine(l)}\n`);
  };
  if (flags.mode === 'forecast') {
    const ours = await runForecastBench({}, print, progress);
    if (baselinesOf(flags.baselines, 'forecast', false).includes('tfjs')) runForecastTfjs(ours, FORECAST_TFJS_BATCHES, print, progress);
    return;
  }
  if (flags.mode === 'tfjs-layer') {
    runTfjsLayerBench({
      batch: intList('batch', flags.batch)?.[0], steps: intList('steps', flags.steps)?.[0],
      hidden: intList('hidden', flags.hidden, 65536)?.[0], reps: oneInt('reps', flags.reps, 1),
    }, print, progress);
    return;
  }
  const opts = benchOptionsFromFlags(flags);
  const baselines = baselinesOf(flags.baselines, opts.mode, opts.grid);
  const emit = (l: BenchLine | BaselineReportLine): void => { if (json) process.stdout.write(`${JSON.stringify(l)}\n`); };
  const ours = await runBench(opts, emit, progress);
  const theirs = await runBaselines(ours.ours, opts, baselines, emit, progress);
  if (!json) process.stdout.write(`${formatComparison(ours.lines, theirs)}\n`);
}

const program = addBenchFlags(new Command()
  .name('npm run bench --')
  .description('Time our model and the PyTorch and TF.js baselines in one run (flags as plstm bench).')
  .exitOverride()
  .configureOutput({ outputError: () => {} }))
  .action(bench);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError && err.exitCode === 0) process.exit(0); // --help
  if (err instanceof CommanderError || err instanceof PlstmError || err instanceof UsageError) {
    process.stderr.write(`npm run bench: ${err.message.replace(/^error: /, '')}\n`);
    process.exit(2);
  }
  throw err; // a bug: keep the stack trace
}
