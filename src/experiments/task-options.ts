// Option entries that several tasks declare the same way (each with its own default): how
// many samples, and where the data are. A task lists them in its own option table.
import { checkPositiveInt } from '../cells/bounds.js';
import { ConfigError } from '../errors.js';
import type { OptionSpec } from './option-spec.js';

/** Training samples; null = the whole training set. */
export function trainSamplesOption(defaultCount: number | null): OptionSpec {
  return {
    key: 'trainSamples', arg: 'n', type: 'int', default: defaultCount, check: checkPositiveInt, eval: true,
    help: 'training samples (sequences, images or reviews; none: the whole training set)',
  };
}

/** Test samples; null = the whole test set. */
export function testSamplesOption(defaultCount: number | null): OptionSpec {
  return {
    key: 'testSamples', arg: 'n', type: 'int', default: defaultCount, check: checkPositiveInt, eval: true,
    help: 'test samples (none: the whole test set)',
  };
}

/** Where a dataset task reads its data; `what` says what to give, e.g. "a text file". */
export function dataOption(what: string): OptionSpec {
  return { key: 'data', arg: 'path', type: 'string', default: null, required: what, eval: true, help: what };
}

/** A synthetic task's batch must fit in its training set (else an epoch has no full batch). */
export function checkBatchFitsTrainingSet(o: { batch: number; trainSamples?: number | null }): void {
  if (o.trainSamples !== null && o.trainSamples !== undefined && o.batch > o.trainSamples) {
    throw new ConfigError(`--batch ${o.batch} is larger than the ${o.trainSamples} training sequences; lower --batch or raise --train-samples`);
  }
}
