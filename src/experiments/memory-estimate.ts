// A check before a run starts: sizes that cannot fit (a delay of a billion steps, 10^12
// training sequences, a million hidden units) end in one ConfigError naming the flags to
// lower, instead of an allocation failure deep inside data generation or training.
//
// The estimate is a rough lower bound from the sizes alone (the data a task generates, the
// weights with their gradients and optimiser state, the activations of one batch); files a
// task reads are not counted. It only has to tell possible from impossible.
import { ConfigError } from '../errors.js';
import { flagOf } from './option-spec.js';
import { gatesOf } from '../cells/registry.js';
import { TASK_DEFINITIONS, type TrainOptions } from './registry.js';

/**
 * The largest single buffer a run may need: the wasm kernels' memory ends at 4 GiB, and a
 * batch or data array beyond that is out of reach of a CPU run in any case.
 */
export const MAX_BUFFER_BYTES = 4 * 2 ** 30;

/** Float32 copies a weight has during training: weights, gradient, two optimiser moments, the backend's copy. */
const WEIGHT_COPIES = 5;
/** Float32 numbers per unit, step and batch row that a layer keeps for backward (tape and scratch). */
const ACTIVATION_FLOATS = 8;

interface Part {
  what: string;
  bytes: number;
  largestBytes: number;
  from: string[];
}

function gib(bytes: number): string {
  const g = bytes / 2 ** 30;
  return g >= 1e4 ? `${g.toExponential(1)} GiB` : `${g.toPrecision(3)} GiB`;
}

/** The parts of a run's memory, by the sizes in its options. */
export function estimateRunMemory(o: TrainOptions): Part[] {
  const sizes = TASK_DEFINITIONS[o.task].sizes?.(o) ?? { steps: null, inputWidth: null };
  const H = o.hidden, gates = gatesOf(o.cell);
  let weights = 0;
  for (let l = 0; l < o.layers; l++) {
    const I = l === 0 ? sizes.inputWidth ?? H : H;
    weights += gates * H * (I + H + 1) + H;
  }
  const weightBytes = weights * 4 * WEIGHT_COPIES;
  const evalRows = Math.min(o.evalBatch, o.testSamples ?? o.evalBatch);
  const rows = Math.max(o.batch, evalRows);
  const steps = sizes.steps ?? 1;
  const layerTape = rows * steps * ACTIVATION_FLOATS * H * 4;
  const parts: Part[] = [
    { what: 'the weights', bytes: weightBytes, largestBytes: gates * H * H * 4, from: ['hidden', 'layers'] },
    {
      what: 'the activations of one batch', bytes: layerTape * o.layers, largestBytes: layerTape,
      from: ['batch', ...(evalRows > o.batch ? ['evalBatch'] : []), ...(sizes.stepsFrom ? [sizes.stepsFrom] : []), 'hidden'],
    },
  ];
  if (sizes.data) parts.push({ what: 'the generated data', bytes: sizes.data.bytes, largestBytes: sizes.data.largestBytes, from: sizes.data.from });
  return parts;
}

/**
 * Throws ConfigError when the run cannot fit: more memory in all than `availableBytes`, or a
 * single buffer beyond MAX_BUFFER_BYTES.
 */
export function checkRunFits(o: TrainOptions, availableBytes: number): void {
  const parts = estimateRunMemory(o);
  const flags = (p: Part) => p.from.map(flagOf).join(', ');
  const big = parts.filter((p) => p.largestBytes > MAX_BUFFER_BYTES)
    .reduce<Part | null>((a, b) => (a === null || b.largestBytes > a.largestBytes ? b : a), null);
  if (big) {
    throw new ConfigError(`${big.what} would need one buffer of about ${gib(big.largestBytes)}, more than the ` +
      `${gib(MAX_BUFFER_BYTES)} one buffer can hold; lower ${flags(big)}`);
  }
  const total = parts.reduce((s, p) => s + p.bytes, 0);
  if (total > availableBytes) {
    const largest = parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    throw new ConfigError(`the run would need about ${gib(total)} of memory (most of it ${largest.what}), more than ` +
      `the ${gib(availableBytes)} here; lower ${flags(largest)}`);
  }
}
