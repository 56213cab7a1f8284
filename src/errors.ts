// Typed errors: every failure a user can cause names the problem and what to do.

/** Base class of every error this package throws on purpose. */
export class PlstmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor or batch does not have the shape the model or cell needs. */
export class ShapeError extends PlstmError {}

/** A setting is outside what it can be (H <= 0, eps <= 0, fixed p outside (0, 1], ...). */
export class ConfigError extends PlstmError {}

/** Inputs or targets contain NaN or Infinity, or other bad values. */
export class InputValueError extends PlstmError {}

/** A model or checkpoint file is truncated, corrupt or of another format. */
export class ModelFileError extends PlstmError {}

/** A data file is missing, corrupt or of the wrong kind. */
export class DataError extends PlstmError {}

/**
 * A training step produced a non-finite loss or gradient (the learning rate is usually too
 * high, or clipping is off). The step is refused before it touches the weights.
 */
export class TrainingDivergedError extends PlstmError {}
