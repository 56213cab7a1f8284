// Exponential smoothing baselines on augurs (call `await loadAugurs()` first):
//   ETS:        AutoETS model selection (AICc over error/trend/damping; augurs 0.10 has no
//               seasonal ETS models, so this baseline is season-less);
//   MSTL + ETS: MSTL splits off one seasonal component per period (STL, iterated), AutoETS
//               forecasts the deseasonalised rest, and each seasonal component is carried on
//               by repeating its last cycle.
// augurs' STL computes in float32, so MSTL forecasts carry relative errors near 1e-6.

import { ConfigError, DataError } from '../errors.js';
import { augurs } from './augurs.js';
import type { BaselineForecast } from './baselines.js';
import { checkHistory } from './history-checks.js';

/** The fewest values augurs' AutoETS fits (it reports "not enough data" below). */
export const ETS_MIN_LENGTH = 7;

/** AutoETS (season-less: `seasons` is not used) fitted on the history, forecasting h steps. */
export const etsForecast: BaselineForecast = (history, h) => {
  checkHistory(history, 'ETS', ETS_MIN_LENGTH, "augurs' AutoETS fits nothing shorter");
  return fitAndForecast('ETS', new (augurs().ets.AutoETS)(1, 'ZZN'), history, h);
};

/**
 * MSTL with an AutoETS trend model (augurs), with every period of `seasons` (integers > 1,
 * e.g. [24, 168]). The history needs two full cycles of the longest period.
 */
export const mstlEtsForecast: BaselineForecast = (history, h, seasons) => {
  const periods = seasons.filter((m) => m > 1);
  if (periods.length === 0) throw new ConfigError(`MSTL + ETS: seasons [${seasons.join(', ')}] has no period > 1; give at least one (e.g. 24) or use ETS`);
  const bad = periods.find((m) => !Number.isInteger(m));
  if (bad !== undefined) throw new ConfigError(`MSTL + ETS: period ${bad} is not a whole number of steps`);
  const longest = Math.max(...periods);
  checkHistory(history, 'MSTL + ETS', Math.max(2 * longest, ETS_MIN_LENGTH), `two cycles of period ${longest}`);
  return fitAndForecast('MSTL + ETS', augurs().mstl.MSTL.ets(Uint32Array.from(periods)), history, h);
};

/** What both augurs models offer: fit, a point forecast, and freeing their WebAssembly memory. */
interface AugursModel {
  fit(y: Float64Array): void;
  predict(h: number): { point: ArrayLike<number> };
  free(): void;
}

/** Fits `model` on the history and forecasts h steps; augurs' errors become one DataError line; the model is freed either way. */
function fitAndForecast(method: string, model: AugursModel, history: Float64Array, h: number): Float64Array {
  try {
    model.fit(history);
    return Float64Array.from(model.predict(h).point);
  } catch (e) {
    throw fitError(method, history.length, e);
  } finally {
    model.free();
  }
}

/** augurs' own error (a string or an Error), as one DataError line. */
function fitError(method: string, n: number, e: unknown): DataError {
  const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  return new DataError(`${method}: augurs could not fit the history of ${n} values: ${why}`);
}
