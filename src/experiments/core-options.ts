// The options every task shares: the model, the optimiser and the runtime. Bounds of cell
// settings are the cells' own checks (src/cells/bounds.ts); a task may change a default here
// (TaskDefinition.defaults) and declares its data options itself (src/experiments/tasks/*.ts).
import {
  checkChrono, checkEps, checkFinite, checkFixedP, checkPositiveInt, checkThetaRange, type SettingCheck,
} from '../cells/bounds.js';
import { DEFAULT_EPS } from '../cells/init.js';
import type { OptionSpec, OptionValues } from './option-spec.js';

/** The core options, resolved. */
export interface CoreOptions {
  // --- model
  /** Recurrent cell of every layer. */
  cell: 'plstm' | 'lstm';
  /** H: hidden units per layer. */
  hidden: number;
  /** Number of stacked recurrent layers. */
  layers: number;
  /** pLSTM eps, in (0, 1). */
  eps: number;
  /** pLSTM: how learned p starts: 'uniform' (p ~ U(0,1)) or 'range' (theta ~ U(lo, hi)). */
  pInit: 'uniform' | 'range';
  /** pLSTM: [lo, hi] of theta for pInit 'range'. */
  pRange: [number, number];
  /** pLSTM: a fixed p in (0, 1] for every unit (not trained), or null for learned p. */
  fixedP: number | null;
  /** LSTM: constant added to the forget-gate bias at init. */
  forgetBias: number;
  /** LSTM: chrono init with this Tmax > 2 (Tallec & Ollivier 2018), or null for off. */
  chrono: number | null;
  // --- optimisation
  optimizer: 'rmsprop' | 'adam' | 'sgd';
  /** Learning rate, > 0. */
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
  /** 'auto': wasm when it loads, else js. */
  backend: 'auto' | 'wasm' | 'js';
  /** Worker threads of the wasm backend; null = the backend's choice. */
  threads: number | null;
  /** Batch size of evaluation. */
  evalBatch: number;
  /** Write a metrics line every this many training steps; 0 = only per epoch. */
  logEvery: number;
}

const positive: SettingCheck = (v) => (v as number) > 0 ? null : 'must be > 0';
const nonNegativeInt: SettingCheck = (v) => (v as number) >= 0 ? null : 'must be an integer >= 0';
const inOpenUnit: SettingCheck = (v) => (v as number) > 0 && (v as number) < 1 ? null : 'must be in (0, 1)';

const onlyFor = (cell: 'plstm' | 'lstm') => (o: OptionValues) => o.cell === cell ? null
  : `is ${cell === 'plstm' ? 'a pLSTM' : 'an LSTM'} setting; this run uses --cell ${String(o.cell)}`;

const learnedP = (o: OptionValues) => onlyFor('plstm')(o)
  ?? (o.fixedP !== null ? 'cannot be combined with --fixed-p (a fixed p is not learned)' : null);

/** The core option table, in the order of the help text. */
export const CORE_OPTIONS: readonly OptionSpec[] = [
  // --- model
  { key: 'cell', arg: 'cell', type: { choices: ['plstm', 'lstm'] }, default: 'plstm', help: 'recurrent cell: plstm or lstm' },
  { key: 'hidden', arg: 'H', type: 'int', default: 128, help: 'hidden units per layer', check: checkPositiveInt },
  { key: 'layers', arg: 'n', type: 'int', default: 1, help: 'stacked recurrent layers', check: checkPositiveInt },
  { key: 'eps', arg: 'x', type: 'number', default: DEFAULT_EPS, help: 'pLSTM eps, in (0, 1)', check: checkEps, appliesWhen: onlyFor('plstm') },
  {
    key: 'pInit', arg: 'mode', type: { choices: ['uniform', 'range'] }, default: 'uniform',
    help: 'pLSTM learned-p init: uniform (p ~ U(0,1)) or range (theta ~ U(lo,hi))', appliesWhen: learnedP,
  },
  {
    key: 'pRange', arg: 'lo,hi', type: 'pair', default: [-4, 4], help: 'pLSTM theta range for --p-init range',
    check: (v) => checkThetaRange((v as number[])[0], (v as number[])[1]),
    appliesWhen: (o) => learnedP(o) ?? (o.pInit !== 'range' ? 'needs --p-init range' : null),
  },
  {
    key: 'fixedP', arg: 'p', type: 'number', default: null, help: 'pLSTM: fix p at this value in (0, 1] (not trained)',
    check: checkFixedP, appliesWhen: onlyFor('plstm'),
  },
  {
    key: 'forgetBias', arg: 'b', type: 'number', default: 0, help: 'LSTM: added to the forget-gate bias at init (PyTorch adds none)',
    check: checkFinite, appliesWhen: onlyFor('lstm'),
  },
  {
    key: 'chrono', arg: 'Tmax', type: 'number', default: null, help: 'LSTM: chrono initialisation with this Tmax > 2 (Tallec & Ollivier 2018)',
    check: checkChrono, appliesWhen: onlyFor('lstm'),
  },
  // --- optimisation
  { key: 'optimizer', arg: 'name', type: { choices: ['rmsprop', 'adam', 'sgd'] }, default: 'rmsprop', help: 'rmsprop | adam | sgd' },
  { key: 'lr', arg: 'x', type: 'number', default: 1e-3, help: 'learning rate', check: positive },
  {
    key: 'lrSchedule', arg: 'name', type: { choices: ['constant', 'step', 'cosine'] }, default: 'constant',
    help: 'constant, step (times --lr-decay every --lr-step epochs) or cosine (to 0 over --epochs)',
  },
  {
    key: 'lrDecay', arg: 'f', type: 'number', default: 0.5, help: 'step schedule: factor per decay, in (0, 1]',
    check: (v) => (v as number) > 0 && (v as number) <= 1 ? null : 'must be in (0, 1]',
    appliesWhen: (o) => o.lrSchedule === 'step' ? null : 'needs --lr-schedule step',
  },
  {
    key: 'lrStep', arg: 'n', type: 'int', default: 10, help: 'step schedule: epochs between decays', check: checkPositiveInt,
    appliesWhen: (o) => o.lrSchedule === 'step' ? null : 'needs --lr-schedule step',
  },
  {
    key: 'alpha', arg: 'x', type: 'number', default: 0.9, help: 'RMSprop smoothing constant', check: inOpenUnit,
    appliesWhen: (o) => o.optimizer === 'rmsprop' ? null : 'is an RMSprop setting; use --optimizer rmsprop',
  },
  {
    key: 'momentum', arg: 'x', type: 'number', default: 0, help: 'RMSprop/SGD momentum',
    check: (v) => (v as number) >= 0 && (v as number) < 1 ? null : 'must be in [0, 1)',
    appliesWhen: (o) => o.optimizer === 'adam' ? 'does not apply to adam' : null,
  },
  { key: 'batch', arg: 'B', type: 'int', default: 128, help: 'training batch size', check: checkPositiveInt },
  { key: 'clip', arg: 'x', type: 'number', default: 1, help: 'gradient-norm clipping, 0 = off', check: (v) => (v as number) >= 0 ? null : 'must be >= 0 (0 = off)' },
  { key: 'epochs', arg: 'n', type: 'int', default: 100, help: 'maximum epochs', check: checkPositiveInt },
  { key: 'patience', arg: 'n', type: 'int', default: 0, help: 'early stopping: stop after n epochs without improvement (0 = off)', check: nonNegativeInt },
  {
    key: 'timeLimit', arg: 's', type: 'number', default: null, check: positive,
    help: 'stop (saving a checkpoint) after this many seconds of training in total; --resume can extend it',
  },
  { key: 'logEvery', arg: 'n', type: 'int', default: 0, help: 'write a metrics line every n training steps (0 = per epoch only)', check: nonNegativeInt },
  // --- runtime (also flags of plstm eval)
  {
    key: 'seed', arg: 'n', type: 'int', default: 1, help: 'seed of initialisation, data and data order', eval: true,
    check: (v) => Number.isSafeInteger(v) && (v as number) >= 0 ? null : 'must be an integer >= 0',
  },
  { key: 'evalBatch', arg: 'n', type: 'int', default: 500, help: 'batch size of evaluation', check: checkPositiveInt, eval: true },
  {
    key: 'backend', arg: 'name', type: { choices: ['auto', 'wasm', 'js'] }, default: 'auto', eval: true,
    help: 'wasm (fused kernels), js (reference) or auto (wasm when it loads)',
  },
  { key: 'threads', arg: 'n', type: 'int', default: null, help: 'worker threads of the wasm backend (none: its own choice)', check: checkPositiveInt, eval: true },
];
