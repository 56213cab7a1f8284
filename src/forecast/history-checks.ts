// The checks every statistical baseline makes on its history before fitting, with one-line
// errors that name the method and what to change.

import { DataError } from '../errors.js';

/**
 * Throws a DataError unless history has at least `minLength` values, all finite.
 * `method` names the baseline in the message; `why` says where the minimum comes from.
 */
export function checkHistory(history: ArrayLike<number>, method: string, minLength: number, why = ''): void {
  if (history.length < minLength) {
    throw new DataError(`${method}: the history has ${history.length} values, it needs at least ${minLength}${why ? ` (${why})` : ''}; use a longer history or another baseline`);
  }
  for (let t = 0; t < history.length; t++) {
    if (!Number.isFinite(history[t])) {
      throw new DataError(`${method}: value ${history[t]} at position ${t} is not finite; fill or drop missing values first`);
    }
  }
}

/** Throws a DataError unless every value of history is > 0. */
export function checkPositive(history: ArrayLike<number>, method: string, why: string): void {
  for (let t = 0; t < history.length; t++) {
    if (!(history[t] > 0)) {
      throw new DataError(`${method}: value ${history[t]} at position ${t} is not positive, and ${why}; use a baseline without that need`);
    }
  }
}
