// The options of a training run: the core table (core-options.ts) plus the table of its task
// (src/experiments/tasks/*.ts), the task's defaults over the core ones, and `resolveOptions`,
// which fills in defaults and checks every value with its table entry. The CLI passes only
// what the user set; its flags and help come from the same tables (src/cli/train-options.ts).
import { ConfigError } from '../errors.js';
import { learningRateAt as scheduledRate, type LearningRateSchedule } from '../model/index.js';
import { CORE_OPTIONS } from './core-options.js';
import { flagOf, typeProblem, type OptionSpec } from './option-spec.js';
import { TASK_DEFINITIONS, TASK_NAMES, isTaskName, type TaskName, type TrainOptions } from './registry.js';

export { flagOf } from './option-spec.js';
export { layerSpecs } from './layer-specs.js';
export type { CoreOptions } from './core-options.js';

/** Every option of a task: the core table, then the task's own, with the task's defaults. */
export function optionTable(task: TaskName): OptionSpec[] {
  const def = TASK_DEFINITIONS[task];
  const core = CORE_OPTIONS.map((s) => (s.key in def.defaults
    ? { ...s, default: (def.defaults as Record<string, unknown>)[s.key] } : s));
  return [...core, ...def.options];
}

/** The defaults of one task. */
export function defaultsFor(task: TaskName): TrainOptions {
  const o: Record<string, unknown> = { task };
  for (const s of optionTable(task)) o[s.key] = s.default;
  return o as unknown as TrainOptions;
}

/** The tasks that declare an option key (none for core options). */
function tasksWith(key: string): TaskName[] {
  return TASK_NAMES.filter((t) => TASK_DEFINITIONS[t].options.some((s) => s.key === key));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Merges what the user set over the task's defaults and checks every value and the
 * combination; throws ConfigError with one line naming the first problem.
 */
export function resolveOptions(task: string, given: Partial<TrainOptions>): TrainOptions {
  if (!isTaskName(task)) throw new ConfigError(`unknown task "${task}": use one of ${TASK_NAMES.join(', ')}`);
  const table = optionTable(task);
  const own = new Set(table.map((s) => s.key));
  // `set`: what differs from the defaults (a saved config repeats every default)
  const set: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(given)) {
    if (v === undefined || k === 'task') continue;
    if (own.has(k)) {
      if (!same(v, table.find((s) => s.key === k)!.default)) set[k] = v;
      continue;
    }
    const others = tasksWith(k);
    if (others.length === 0) throw new ConfigError(`unknown option ${flagOf(k)}`);
    // another task's option at that task's default (a config saved by an older version) is no setting
    if (others.some((t) => same(v, TASK_DEFINITIONS[t].options.find((s) => s.key === k)!.default))) continue;
    throw new ConfigError(`${flagOf(k)} does not apply to task ${task} (only to ${others.join(', ')})`);
  }
  const o: Record<string, unknown> = { task };
  for (const s of table) o[s.key] = s.key in set ? set[s.key] : s.default;
  for (const s of table) {
    const v = o[s.key];
    if (v === null) {
      if (s.required !== undefined) throw new ConfigError(`task ${task} needs ${flagOf(s.key)} (${s.required})`);
      if (s.default === null) continue;
    }
    const problem = typeProblem(s.type, v) ?? s.check?.(v) ?? null;
    if (problem !== null) throw new ConfigError(`${flagOf(s.key)} ${problem}, got ${Array.isArray(v) ? v.join(',') : String(v)}`);
  }
  for (const s of table) {
    if (!(s.key in set) || !s.appliesWhen) continue;
    const why = s.appliesWhen(o);
    if (why !== null) throw new ConfigError(`${flagOf(s.key)} ${why}`);
  }
  const resolved = o as unknown as TrainOptions;
  TASK_DEFINITIONS[task].check?.(resolved);
  return resolved;
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
