// The flags of `plstm train` (and the data flags `plstm eval` shares), parsed into the
// experiments' TrainOptions. Defaults live in src/experiments/options.ts, per task; a flag the
// user did not give stays undefined here so the task's default applies.
import { InvalidArgumentError, type Command } from 'commander';
import type { TrainOptions } from '../experiments/options.js';

function num(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${what} must be a number, got "${v}"`);
    return n;
  };
}

function int(what: string) {
  return (v: string): number => {
    const n = num(what)(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${what} must be an integer, got "${v}"`);
    return n;
  };
}

function oneOf<S extends string>(what: string, choices: readonly S[]) {
  return (v: string): S => {
    if (!(choices as readonly string[]).includes(v)) throw new InvalidArgumentError(`${what} must be one of ${choices.join(', ')}, got "${v}"`);
    return v as S;
  };
}

function pair(what: string) {
  return (v: string): [number, number] => {
    const parts = v.split(',').map((s) => Number(s));
    if (parts.length !== 2 || parts.some((x) => !Number.isFinite(x))) throw new InvalidArgumentError(`${what} must be two numbers lo,hi, got "${v}"`);
    return [parts[0], parts[1]];
  };
}

/** The data flags: which samples a task reads (train and eval). */
export function addDataOptions(cmd: Command): Command {
  return cmd
    .option('--data <path>', 'smnist/psmnist: folder with the MNIST IDX files (gz or raw); charlm: a text file; sentiment: folder with train.jsonl(.gz) and test.jsonl(.gz)')
    .option('--delay <T>', 'copy: delay T (sequence length T+19, default 200); adding: sequence length T (default 200)', int('--delay'))
    .option('--train-samples <n>', 'training samples (copy/adding default 10000; datasets: all)', int('--train-samples'))
    .option('--test-samples <n>', 'test samples (copy/adding default 1000; datasets: all)', int('--test-samples'))
    .option('--limit <n>', 'use at most n training and n test samples of a dataset (a seeded random subset)', int('--limit'))
    .option('--bptt <n>', 'charlm: TBPTT chunk length (default 100)', int('--bptt'))
    .option('--held-out <f>', 'charlm: fraction of the text held out at its end (default 0.05)', num('--held-out'))
    .option('--vocab <n>', 'sentiment: vocabulary size, most frequent training words (default 10000)', int('--vocab'))
    .option('--max-len <n>', 'sentiment: words per review; longer keep their last words, shorter are left-padded (default 400)', int('--max-len'))
    .option('--seed <n>', 'seed of initialisation, data and data order (default 1)', int('--seed'))
    .option('--eval-batch <n>', 'batch size of evaluation (default 500)', int('--eval-batch'))
    .option('--backend <name>', 'wasm (fused kernels) or js (reference); default: wasm when it loads', oneOf('--backend', ['wasm', 'js'] as const))
    .option('--threads <n>', 'worker threads of the wasm backend', int('--threads'));
}

/** The model and optimisation flags of `plstm train`. */
export function addTrainOptions(cmd: Command): Command {
  return addDataOptions(cmd
    .option('--task <name>', 'copy | adding | smnist | psmnist | charlm | sentiment')
    .option('--cell <cell>', 'plstm or lstm (default plstm)', oneOf('--cell', ['plstm', 'lstm'] as const))
    .option('--hidden <H>', 'hidden units per layer (default 128; charlm 256)', int('--hidden'))
    .option('--layers <n>', 'stacked recurrent layers (default 1)', int('--layers'))
    .option('--eps <x>', 'pLSTM eps (default 1e-3)', num('--eps'))
    .option('--p-init <mode>', 'pLSTM learned-p init: uniform (p ~ U(0,1), default) or range (theta ~ U(lo,hi))', oneOf('--p-init', ['uniform', 'range'] as const))
    .option('--p-range <lo,hi>', 'pLSTM theta range for --p-init range (default -4,4)', pair('--p-range'))
    .option('--fixed-p <p>', 'pLSTM: fix p at this value in (0, 1] (not trained)', num('--fixed-p'))
    .option('--forget-bias <b>', 'LSTM: added to the forget-gate bias at init (default 0, as PyTorch)', num('--forget-bias'))
    .option('--chrono <Tmax>', 'LSTM: chrono initialisation with this Tmax (Tallec & Ollivier 2018)', num('--chrono'))
    .option('--embed <n>', 'sentiment: embedding size (default 64)', int('--embed'))
    .option('--optimizer <name>', 'rmsprop | adam | sgd (default rmsprop; adding, charlm, sentiment: adam)', oneOf('--optimizer', ['rmsprop', 'adam', 'sgd'] as const))
    .option('--lr <x>', 'learning rate (default 1e-3; charlm 2e-3)', num('--lr'))
    .option('--lr-schedule <name>', 'constant (default), step (times --lr-decay every --lr-step epochs) or cosine (to 0 over --epochs)', oneOf('--lr-schedule', ['constant', 'step', 'cosine'] as const))
    .option('--lr-decay <f>', 'step schedule: factor per decay (default 0.5)', num('--lr-decay'))
    .option('--lr-step <n>', 'step schedule: epochs between decays (default 10)', int('--lr-step'))
    .option('--alpha <x>', 'RMSprop smoothing constant (default 0.9)', num('--alpha'))
    .option('--momentum <x>', 'RMSprop/SGD momentum (default 0)', num('--momentum'))
    .option('--batch <B>', 'training batch size (default 128; smnist 100; charlm 32; sentiment 64)', int('--batch'))
    .option('--clip <x>', 'gradient-norm clipping, 0 = off (default 1; charlm 5)', num('--clip'))
    .option('--epochs <n>', 'maximum epochs (default 100; adding 50; smnist 20; charlm 10; sentiment 5)', int('--epochs'))
    .option('--patience <n>', 'early stopping: stop after n epochs without improvement (default 0 = off)', int('--patience'))
    .option('--time-limit <s>', 'stop (saving a checkpoint) after this many seconds of training in total; --resume can extend it', num('--time-limit'))
    .option('--log-every <n>', 'write a metrics line every n training steps (default 0 = per epoch only)', int('--log-every'))
    .option('--out <dir>', 'output folder: config, metrics.jsonl, best and last checkpoints')
    .option('--force', 'overwrite the results in an existing --out')
    .option('--resume', 'continue the run in --out from its last checkpoint')
    .option('--json', 'end with one JSON line of the final metrics')
    .option('--quiet', 'no progress bar'));
}

/** Commander's parsed flags -> the TrainOptions the user set (others undefined). */
export function givenOptions(f: Record<string, unknown>): Partial<TrainOptions> {
  const g: Partial<TrainOptions> = {};
  const keys: (keyof TrainOptions)[] = ['cell', 'hidden', 'layers', 'eps', 'pInit', 'pRange', 'fixedP', 'forgetBias', 'chrono',
    'embed', 'optimizer', 'lr', 'lrSchedule', 'lrDecay', 'lrStep', 'alpha', 'momentum', 'batch', 'clip', 'epochs', 'patience', 'seed', 'timeLimit', 'backend', 'threads',
    'delay', 'trainSamples', 'testSamples', 'data', 'bptt', 'heldOut', 'vocab', 'maxLen', 'evalBatch', 'logEvery'];
  for (const k of keys) if (f[k] !== undefined) (g as Record<string, unknown>)[k] = f[k];
  if (f.limit !== undefined) {
    const n = f.limit as number;
    if (g.trainSamples === undefined) g.trainSamples = n;
    if (g.testSamples === undefined) g.testSamples = n;
  }
  return g;
}
