// The task registry: task name -> its definition (own options, defaults, preparation). This
// object is the one list of tasks: the task names, their type and the options of a run all
// come from its keys.
import type { CoreOptions } from './core-options.js';
import type { PreparedTask, TaskDefinition } from './task.js';
import { copyTask, type CopyOptions } from './tasks/copy.js';
import { addingTask, type AddingOptions } from './tasks/adding.js';
import { smnistTask, psmnistTask, type MnistOptions } from './tasks/mnist.js';
import { charlmTask, type CharlmOptions } from './tasks/charlm.js';
import { sentimentTask, type SentimentOptions } from './tasks/sentiment.js';

const DEFINITIONS = {
  copy: copyTask,
  adding: addingTask,
  smnist: smnistTask,
  psmnist: psmnistTask,
  charlm: charlmTask,
  sentiment: sentimentTask,
};

export type TaskName = keyof typeof DEFINITIONS;
export const TASK_NAMES = Object.keys(DEFINITIONS) as readonly TaskName[];

export function isTaskName(s: string): s is TaskName {
  return Object.hasOwn(DEFINITIONS, s);
}

/** The options of every task, each optional: a run holds only those of its own task. */
export type TaskOptions = Partial<CopyOptions & AddingOptions & MnistOptions & CharlmOptions & SentimentOptions>;

/**
 * A resolved run: the core options and its task's own (a resolved run holds only the
 * options of its own task; the others are absent).
 */
export type TrainOptions = { task: TaskName } & CoreOptions & TaskOptions;

/** Every task's definition, read through the options of any run. */
export const TASK_DEFINITIONS: Readonly<Record<TaskName, TaskDefinition<TaskOptions>>> = DEFINITIONS;

/** Builds a task from resolved options (loads or generates its data). */
export type TaskFactory = (opts: TrainOptions) => PreparedTask;

/** Task name -> the factory that prepares its data and model config from resolved options. */
export const TASKS = Object.fromEntries(TASK_NAMES.map((name) =>
  [name, (o: TrainOptions) => TASK_DEFINITIONS[name].prepare(o)])) as Record<TaskName, TaskFactory>;
