// The task registry: task name -> its definition (own options, defaults, preparation).
import type { TaskName, TrainOptions } from './options.js';
import type { TaskDefinition, TaskFactory } from './task.js';
import { copyTask } from './tasks/copy.js';
import { addingTask } from './tasks/adding.js';
import { smnistTask, psmnistTask } from './tasks/mnist.js';
import { charlmTask } from './tasks/charlm.js';
import { sentimentTask } from './tasks/sentiment.js';

export const TASK_DEFINITIONS: Record<TaskName, TaskDefinition<never>> = {
  copy: copyTask as TaskDefinition<never>,
  adding: addingTask as TaskDefinition<never>,
  smnist: smnistTask as TaskDefinition<never>,
  psmnist: psmnistTask as TaskDefinition<never>,
  charlm: charlmTask as TaskDefinition<never>,
  sentiment: sentimentTask as TaskDefinition<never>,
};

/** Task name -> the factory that prepares its data and model config from resolved options. */
export const TASKS = Object.fromEntries(Object.entries(TASK_DEFINITIONS).map(([name, def]) =>
  [name, (o: TrainOptions) => def.prepare(o as never)])) as Record<TaskName, TaskFactory>;
