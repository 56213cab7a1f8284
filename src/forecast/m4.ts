// The M4 competition's protocol: the validation split (the last h values of each train series
// held out), sMAPE and MASE exactly as the competition computed them, and OWA against Naive2.
// Browser-safe.
//   sMAPE = mean over series and steps of 200 |y - f| / (|y| + |f|)        (percent)
//   MASE  = mean over series and steps of |y - f| / s, s = mean_{t >= m} |x_t - x_{t-m}|
//           over the WHOLE train series x of that series
//   OWA   = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2

import { DataError, ShapeError } from '../errors.js';

/** sMAPE (percent) and MASE of a set of forecasts. */
export interface M4Score {
  sMAPE: number;
  MASE: number;
}

/** One series to score: its train part [n], the actual values after it [h] and the forecast [h]. */
export interface M4Entry {
  train: Float64Array;
  actual: Float64Array;
  forecast: Float64Array;
}

/** Naive2 on the M4 hourly test part, as the competition published it (the denominators of its hourly OWA). */
export const M4_HOURLY_NAIVE2: Readonly<M4Score> = { sMAPE: 18.383, MASE: 2.395 };

/** Mean over steps of 200 |y - f| / (|y| + |f|) (a step with y = f = 0 counts 0). */
export function m4Smape(y: ArrayLike<number>, f: ArrayLike<number>): number {
  sameLength(y, f);
  let sum = 0;
  for (let k = 0; k < y.length; k++) {
    const den = Math.abs(y[k]) + Math.abs(f[k]);
    if (den > 0) sum += 200 * Math.abs(y[k] - f[k]) / den;
  }
  return sum / y.length;
}

/** The MASE scale: mean |x_t - x_{t-m}| over the whole train series (t = m .. n-1). */
export function m4MaseScale(train: ArrayLike<number>, m: number): number {
  if (train.length <= m) throw new DataError(`MASE: the train series has ${train.length} values, its scale needs more than m = ${m}`);
  let sum = 0;
  for (let t = m; t < train.length; t++) sum += Math.abs(train[t] - train[t - m]);
  return sum / (train.length - m);
}

/** sMAPE and MASE (seasonal period m) over all series and all steps, as the M4 competition scored. */
export function scoreM4(entries: readonly M4Entry[], m: number): M4Score {
  let smape = 0, mase = 0, points = 0;
  for (const { train, actual, forecast } of entries) {
    sameLength(actual, forecast);
    const scale = m4MaseScale(train, m);
    smape += m4Smape(actual, forecast) * actual.length;
    for (let k = 0; k < actual.length; k++) mase += Math.abs(actual[k] - forecast[k]) / scale;
    points += actual.length;
  }
  return { sMAPE: smape / points, MASE: mase / points };
}

/** OWA: (sMAPE / Naive2's sMAPE + MASE / Naive2's MASE) / 2; 1 is Naive2's own. */
export function owa(score: M4Score, naive2Score: M4Score): number {
  return (score.sMAPE / naive2Score.sMAPE + score.MASE / naive2Score.MASE) / 2;
}

/** The M4 validation split of one train series [n]: train = values[0 .. n-h), actual = the last h. */
export function m4ValidationSplit(values: Float64Array, h: number): { train: Float64Array; actual: Float64Array } {
  if (values.length <= h) throw new DataError(`M4 validation split: the series has ${values.length} values, it needs more than h = ${h}`);
  return { train: values.subarray(0, values.length - h), actual: values.subarray(values.length - h) };
}

function sameLength(y: ArrayLike<number>, f: ArrayLike<number>): void {
  if (y.length !== f.length) throw new ShapeError(`a forecast of ${f.length} steps is scored against ${y.length} actual values`);
}
