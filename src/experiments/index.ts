// Experiments: the task registry, training options and the training loop behind `plstm train`.
export * from './options.js';
export * from './task.js';
export * from './registry.js';
export * from './run-dir.js';
export * from './trainer.js';
export { CORE_OPTIONS } from './core-options.js';
export type { OptionSpec, OptionType } from './option-spec.js';
export * from './memory-estimate.js';
