// Errors of the model layer that src/errors.ts does not have yet.

import { PlstmError } from '../errors.js';

/**
 * A training step produced a non-finite loss or gradient (the learning rate is usually too
 * high, or clipping is off). The step is refused before it touches the weights.
 */
export class TrainingDivergedError extends PlstmError {}
