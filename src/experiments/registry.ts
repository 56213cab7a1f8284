// The task registry: task name -> the factory that prepares its data and model config.
import type { TaskName } from './options.js';
import type { TaskFactory } from './task.js';
import { prepareCopy } from './tasks/copy.js';
import { prepareAdding } from './tasks/adding.js';
import { prepareMnist } from './tasks/mnist.js';
import { prepareCharlm } from './tasks/charlm.js';
import { prepareSentiment } from './tasks/sentiment.js';

export const TASKS: Record<TaskName, TaskFactory> = {
  copy: prepareCopy,
  adding: prepareAdding,
  smnist: prepareMnist,
  psmnist: prepareMnist,
  charlm: prepareCharlm,
  sentiment: prepareSentiment,
};
