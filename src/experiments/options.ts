// Every training option, its meaning and its default, in one place. Defaults differ per task
// (the copy task defaults are the setup of Chien et al. 2021); the CLI passes only what the
// user set and `resolveOptions` fills in the rest and checks the combination.
import { ConfigError } from '../errors.js';
import { learningRateAt as scheduledRate, type LearningRateSchedule } from '../model/index.js';

export const TASK_NAMES = ['copy', 'adding', 'smnist', 'psmnist', 'charlm', 'sentiment'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export interface TrainOptions {
  task: TaskName;
  // --- model
  /** Recurrent cell of every layer. */
  cell: 'plstm' | 'lstm';
  /** H: hidden units per layer. */
  hidden: number;
  /** Number of stacked recurrent layers. */
  layers: number;
  /** pLSTM eps. */
  eps: number;
  /** pLSTM: how learned p starts: 'uniform' (p ~ U(0,1)) or 'range' (theta ~ U(lo, hi)). */
  pInit: 'uniform' | 'range';
  /** pLSTM: [lo, hi] of theta for pInit 'range'. */
  pRange: [number, number];
  /** pLSTM: a fixed p in (0, 1] for every unit (not trained), or null for learned p. */
  fixedP: number | null;
  /** LSTM: constant added to the forget-gate bias at init. */
  forgetBias: number;
  /** LSTM: chrono init with this Tmax (Tallec & Ollivier 2018), or null for off. */
  chrono: number | null;
  /** Embedding size (sentiment). */
  embed: number;
  // --- optimisation
  optimizer: 'rmsprop' | 'adam' | 'sgd';
  lr: number;
  /** Learning-rate schedule: 'constant'; 'step' (times lrDecay every lrStep epochs); 'cosine' (to 0 over --epochs). */
  lrSchedule: 'constant' | 'step' | 'cosine';
  /** 'step' schedule: factor applied every lrStep epochs. */
  lrDecay: number;
  /** 'step' schedule: epochs between decays. */
  lrStep: number;
  /** RMSprop smoothing constant (PyTorch's alpha). */
  alpha: number;
  /** Momentum of RMSprop and SGD. */
  momentum: number;
  /** Training batch size B. */
  batch: number;
  /** Gradient-norm clipping threshold; 0 = off. */
  clip: number;
  /** Maximum number of epochs. */
  epochs: number;
  /** Stop after this many epochs without improvement of the primary metric; 0 = off. */
  patience: number;
  /** Seed of initialisation, data generation and data order. */
  seed: number;
  /** Stop (with a checkpoint) once the run has trained this many seconds in total; null = no limit. */
  timeLimit: number | null;
  // --- runtime
  backend: 'auto' | 'wasm' | 'js';
  /** Worker threads of the wasm backend; null = the backend's choice. */
  threads: number | null;
  // --- data
  /** Copy: delay T (sequence length T + 19). Adding: sequence length T. */
  delay: number;
  /** Training samples (sequences / reviews / images); null = the whole training set. */
  trainSamples: number | null;
  /** Test samples; null = the whole test set. */
  testSamples: number | null;
  /** Data location: MNIST folder, text file, or review folder. */
  data: string | null;
  /** charlm: TBPTT chunk length. */
  bptt: number;
  /** charlm: fraction of the text (its end) held out for evaluation. */
  heldOut: number;
  /** sentiment: vocabulary size (most frequent training words). */
  vocab: number;
  /** sentiment: words per review (longer ones keep their last words, shorter ones are left-padded). */
  maxLen: number;
  /** Batch size of evaluation. */
  evalBatch: number;
  /** Write a metrics line every this many training steps; 0 = only per epoch. */
  logEvery: number;
}

/** Defaults shared by every task. */
const COMMON: Omit<TrainOptions, 'task'> = {
  cell: 'plstm',
  hidden: 128,
  layers: 1,
  eps: 1e-3,
  pInit: 'uniform',
  pRange: [-4, 4],
  fixedP: null,
  forgetBias: 0,
  chrono: null,
  embed: 64,
  optimizer: 'rmsprop',
  lr: 1e-3,
  lrSchedule: 'constant',
  lrDecay: 0.5,
  lrStep: 10,
  alpha: 0.9,
  momentum: 0,
  batch: 128,
  clip: 1,
  epochs: 100,
  patience: 0,
  seed: 1,
  timeLimit: null,
  backend: 'auto',
  threads: null,
  delay: 200,
  trainSamples: null,
  testSamples: null,
  data: null,
  bptt: 100,
  heldOut: 0.05,
  vocab: 10000,
  maxLen: 400,
  evalBatch: 500,
  logEvery: 0,
};

/** Per-task defaults on top of COMMON. */
export const TASK_DEFAULTS: Record<TaskName, Partial<TrainOptions>> = {
  // Chien et al. 2021: 128 units, RMSprop lr 1e-3 alpha 0.9, batch 128, clip 1.0,
  // 10,000 training and 1,000 test sequences, T = 200.
  copy: { trainSamples: 10000, testSamples: 1000, delay: 200 },
  adding: { optimizer: 'adam', trainSamples: 10000, testSamples: 1000, delay: 200, epochs: 50 },
  smnist: { batch: 100, epochs: 20 },
  psmnist: { batch: 100, epochs: 20 },
  charlm: { hidden: 256, optimizer: 'adam', lr: 2e-3, batch: 32, clip: 5, epochs: 10, bptt: 100 },
  sentiment: { optimizer: 'adam', batch: 64, epochs: 5, maxLen: 400, vocab: 10000, embed: 64 },
};

/** Options that only some tasks read; setting one for another task is a mistake. */
const TASK_ONLY: Partial<Record<keyof TrainOptions, TaskName[]>> = {
  delay: ['copy', 'adding'],
  data: ['smnist', 'psmnist', 'charlm', 'sentiment'],
  bptt: ['charlm'],
  heldOut: ['charlm'],
  vocab: ['sentiment'],
  maxLen: ['sentiment'],
  embed: ['sentiment'],
  trainSamples: ['copy', 'adding', 'smnist', 'psmnist', 'sentiment'],
  testSamples: ['copy', 'adding', 'smnist', 'psmnist', 'sentiment'],
};

/** Options that only one cell reads. */
const PLSTM_ONLY: (keyof TrainOptions)[] = ['eps', 'pInit', 'pRange', 'fixedP'];
const LSTM_ONLY: (keyof TrainOptions)[] = ['forgetBias', 'chrono'];

/** CLI spelling of an option, for messages. */
export function flagOf(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

export function isTaskName(s: string): s is TaskName {
  return (TASK_NAMES as readonly string[]).includes(s);
}

/** The defaults of one task (COMMON + its own). */
export function defaultsFor(task: TaskName): TrainOptions {
  return { ...COMMON, ...TASK_DEFAULTS[task], task } as TrainOptions;
}

function need(ok: boolean, msg: string): void {
  if (!ok) throw new ConfigError(msg);
}

const posInt = (v: number) => Number.isInteger(v) && v > 0;

/**
 * Merges what the user set over the task's defaults and checks every value and the
 * combination; throws ConfigError with one line naming the first problem.
 */
export function resolveOptions(task: string, given: Partial<TrainOptions>): TrainOptions {
  if (!isTaskName(task)) throw new ConfigError(`unknown task "${task}": use one of ${TASK_NAMES.join(', ')}`);
  // `set`: what differs from the task's defaults (a saved config repeats every default)
  const defaults = defaultsFor(task);
  const set = Object.fromEntries(Object.entries(given).filter(([k, v]) =>
    v !== undefined && k !== 'task' && JSON.stringify(v) !== JSON.stringify(defaults[k as keyof TrainOptions]))) as Partial<TrainOptions>;
  for (const k of Object.keys(set)) {
    const only = TASK_ONLY[k as keyof TrainOptions];
    if (only && !only.includes(task)) throw new ConfigError(`${flagOf(k)} does not apply to task ${task} (only to ${only.join(', ')})`);
  }
  const o: TrainOptions = { ...defaults, ...set, task };
  const cellOnly = o.cell === 'plstm' ? LSTM_ONLY : PLSTM_ONLY;
  for (const k of cellOnly) {
    if (set[k] !== undefined) throw new ConfigError(`${flagOf(k)} is ${o.cell === 'plstm' ? 'an LSTM' : 'a pLSTM'} setting; this run uses --cell ${o.cell}`);
  }
  need(o.cell === 'plstm' || o.cell === 'lstm', `--cell must be plstm or lstm, got ${o.cell}`);
  need(posInt(o.hidden), `--hidden must be a positive integer, got ${o.hidden}`);
  need(posInt(o.layers), `--layers must be a positive integer, got ${o.layers}`);
  need(o.eps > 0 && o.eps < 1, `--eps must be in (0, 1), got ${o.eps}`);
  need(o.pInit === 'uniform' || o.pInit === 'range', `--p-init must be uniform or range, got ${o.pInit}`);
  need(Number.isFinite(o.pRange[0]) && Number.isFinite(o.pRange[1]) && o.pRange[0] <= o.pRange[1],
    `--p-range must be two numbers lo,hi with lo <= hi, got ${o.pRange.join(',')}`);
  if (set.pRange !== undefined && o.pInit !== 'range') throw new ConfigError('--p-range needs --p-init range');
  need(o.fixedP === null || (o.fixedP > 0 && o.fixedP <= 1), `--fixed-p must be in (0, 1], got ${o.fixedP}`);
  if (o.fixedP !== null && (set.pInit !== undefined || set.pRange !== undefined)) {
    throw new ConfigError('--fixed-p cannot be combined with --p-init/--p-range (a fixed p is not learned)');
  }
  need(Number.isFinite(o.forgetBias), `--forget-bias must be a number, got ${o.forgetBias}`);
  need(o.chrono === null || o.chrono > 1, `--chrono (Tmax) must be > 1, got ${o.chrono}`);
  need(posInt(o.embed), `--embed must be a positive integer, got ${o.embed}`);
  need(['rmsprop', 'adam', 'sgd'].includes(o.optimizer), `--optimizer must be rmsprop, adam or sgd, got ${o.optimizer}`);
  need(o.lr > 0 && Number.isFinite(o.lr), `--lr must be > 0, got ${o.lr}`);
  need(['constant', 'step', 'cosine'].includes(o.lrSchedule), `--lr-schedule must be constant, step or cosine, got ${o.lrSchedule}`);
  need(o.lrDecay > 0 && o.lrDecay <= 1, `--lr-decay must be in (0, 1], got ${o.lrDecay}`);
  need(Number.isInteger(o.lrStep) && o.lrStep > 0, `--lr-step must be a positive integer (epochs), got ${o.lrStep}`);
  if ((set.lrDecay !== undefined || set.lrStep !== undefined) && o.lrSchedule !== 'step') throw new ConfigError('--lr-decay and --lr-step need --lr-schedule step');
  need(o.alpha > 0 && o.alpha < 1, `--alpha must be in (0, 1), got ${o.alpha}`);
  if (set.alpha !== undefined && o.optimizer !== 'rmsprop') throw new ConfigError('--alpha is an RMSprop setting; use --optimizer rmsprop');
  need(o.momentum >= 0 && o.momentum < 1, `--momentum must be in [0, 1), got ${o.momentum}`);
  if (set.momentum !== undefined && o.optimizer === 'adam') throw new ConfigError('--momentum does not apply to adam');
  need(posInt(o.batch), `--batch must be a positive integer, got ${o.batch}`);
  need(o.clip >= 0 && Number.isFinite(o.clip), `--clip must be >= 0 (0 = off), got ${o.clip}`);
  need(posInt(o.epochs), `--epochs must be a positive integer, got ${o.epochs}`);
  need(Number.isInteger(o.patience) && o.patience >= 0, `--patience must be an integer >= 0, got ${o.patience}`);
  need(Number.isSafeInteger(o.seed) && o.seed >= 0, `--seed must be an integer >= 0, got ${o.seed}`);
  need(o.timeLimit === null || (o.timeLimit > 0 && Number.isFinite(o.timeLimit)), `--time-limit must be a number of seconds > 0, got ${o.timeLimit}`);
  need(['auto', 'wasm', 'js'].includes(o.backend), `--backend must be wasm or js, got ${o.backend}`);
  need(o.threads === null || posInt(o.threads), `--threads must be a positive integer, got ${o.threads}`);
  need(posInt(o.evalBatch), `--eval-batch must be a positive integer, got ${o.evalBatch}`);
  need(Number.isInteger(o.logEvery) && o.logEvery >= 0, `--log-every must be an integer >= 0, got ${o.logEvery}`);
  if (task === 'copy') need(posInt(o.delay), `--delay (T) must be a positive integer for the copy task, got ${o.delay}`);
  if (task === 'adding') need(Number.isInteger(o.delay) && o.delay >= 2, `--delay (T) must be an integer >= 2 for the adding problem, got ${o.delay}`);
  need(o.trainSamples === null || posInt(o.trainSamples), `--train-samples must be a positive integer, got ${o.trainSamples}`);
  need(o.testSamples === null || posInt(o.testSamples), `--test-samples must be a positive integer, got ${o.testSamples}`);
  if ((task === 'copy' || task === 'adding') && o.trainSamples !== null && o.batch > o.trainSamples) {
    throw new ConfigError(`--batch ${o.batch} is larger than the ${o.trainSamples} training sequences; lower --batch or raise --train-samples`);
  }
  if (['smnist', 'psmnist', 'charlm', 'sentiment'].includes(task) && !o.data) {
    const what = task === 'charlm' ? 'a text file' : task === 'sentiment' ? 'a folder with train.jsonl(.gz) and test.jsonl(.gz)' : 'a folder with the MNIST IDX files';
    throw new ConfigError(`task ${task} needs --data (${what})`);
  }
  need(posInt(o.bptt), `--bptt must be a positive integer, got ${o.bptt}`);
  need(o.heldOut > 0 && o.heldOut < 1, `--held-out must be in (0, 1), got ${o.heldOut}`);
  need(posInt(o.vocab), `--vocab must be a positive integer, got ${o.vocab}`);
  need(posInt(o.maxLen), `--max-len must be a positive integer, got ${o.maxLen}`);
  return o;
}

/** The layer specs of a run (every layer the same cell and size). */
export function layerSpecs(o: TrainOptions): import('../model/index.js').LayerSpec[] {
  const out: import('../model/index.js').LayerSpec[] = [];
  for (let l = 0; l < o.layers; l++) {
    if (o.cell === 'plstm') {
      out.push({
        cell: 'plstm', hidden: o.hidden, eps: o.eps,
        pInit: o.fixedP !== null ? { mode: 'fixed', p: o.fixedP }
          : o.pInit === 'range' ? { mode: 'range', lo: o.pRange[0], hi: o.pRange[1] } : { mode: 'uniform' },
      });
    } else {
      out.push({ cell: 'lstm', hidden: o.hidden, forgetBias: o.forgetBias, chrono: o.chrono });
    }
  }
  return out;
}

/** The learning-rate schedule of a run, for fit(). */
export function learningRateScheduleOf(o: TrainOptions): LearningRateSchedule {
  switch (o.lrSchedule) {
    case 'constant': return { kind: 'constant', lr: o.lr };
    case 'step': return { kind: 'step', lr: o.lr, decay: o.lrDecay, every: o.lrStep };
    case 'cosine': return { kind: 'cosine', lr: o.lr, epochs: o.epochs };
  }
}

/**
 * The learning rate of training step `step` of `epoch` (both 0-based): a pure function of the
 * position, so a resumed run uses the same rates.
 */
export function learningRateAt(o: TrainOptions, epoch: number, step: number, batchesPerEpoch: number): number {
  return scheduledRate(learningRateScheduleOf(o), epoch, step, batchesPerEpoch);
}
