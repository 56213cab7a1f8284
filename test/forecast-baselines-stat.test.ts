// The statistical baselines against hand-computed values: the M4 seasonality test, Naive2's
// classical multiplicative decomposition, and augurs' ETS and MSTL + ETS (constant series,
// a daily + weekly pattern, bad histories).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acf, isSeasonal, classicalDecomposition, naive2Forecast, etsForecast, mstlEtsForecast, loadAugurs,
} from '../src/forecast/index.js';
import { ConfigError, DataError } from '../src/errors.js';
import { allclose } from './support/close.js';

/** The tolerance of these checks unless a test names another. */
const TIGHT = { rtol: 1e-12, atol: 0 };

/** A seeded uniform generator on [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws (Box-Muller) from a seeded generator. */
function normals(n: number, seed: number): Float64Array {
  const u = uniform(seed);
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u()));
}

const mae = (y: ArrayLike<number>, f: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - f[i]);
  return s / y.length;
};

// x = (1, 2, 6) four times: mean 3, deviations d = (-2, -1, 3, ...), sum d^2 = 4 * 14 = 56.
//   lag 1: 11 products, per cycle (-1)(-2) + 3(-1) + (-2)(3) = 2 - 3 - 6 = -7, so 3(-7) + 2 - 3 = -22  -> -22/56
//   lag 2: 10 products, per cycle 3(-2) + (-2)(-1) + (-1)(3) = -6 + 2 - 3 = -7, so 3(-7) - 6 = -27   -> -27/56
//   lag 3:  9 products d_t^2 = 3 * 14 = 42                                                       -> 42/56 = 0.75
// limit (m = 3, n = 12) = 1.645 / sqrt(12) * sqrt(1 + 2 (22^2 + 27^2) / 56^2) = 0.474871 * 1.331765 = 0.632416 < 0.75.
// The first 9 values: sum d^2 = 42, acf = -15/42, -20/42, 28/42 = 0.6667, and the limit
// 1.645 / 3 * sqrt(1 + 2 (15^2 + 20^2) / 42^2) = 0.716749 > 0.6667: not seasonal.
const CYCLES = Float64Array.from([1, 2, 6, 1, 2, 6, 1, 2, 6, 1, 2, 6]);

test('acf: a tiny series against hand-computed values', () => {
  allclose([acf(CYCLES, 1), acf(CYCLES, 2), acf(CYCLES, 3)], [-22 / 56, -27 / 56, 42 / 56], TIGHT, 'acf');
  allclose([acf(CYCLES.subarray(0, 9), 1), acf(CYCLES.subarray(0, 9), 3)], [-15 / 42, 28 / 42], TIGHT, 'acf of 9');
  // (1, 3, 2, 4): mean 2.5, d = (-1.5, 0.5, -0.5, 1.5), sum d^2 = 5; lag 1: -0.75 - 0.25 - 0.75 = -1.75 -> -0.35
  allclose([acf([1, 3, 2, 4], 1)], [-0.35], TIGHT, 'acf of 4');
});

test('isSeasonal: the limit decides (hand-computed), n < 3m and m <= 1 are never seasonal', () => {
  assert.equal(isSeasonal(CYCLES, 3), true); // 0.75 > 0.632416
  assert.equal(isSeasonal(CYCLES.subarray(0, 9), 3), false); // 0.6667 < 0.716749
  assert.equal(isSeasonal(CYCLES.subarray(0, 8), 3), false); // n = 8 < 3m = 9
  assert.equal(isSeasonal(CYCLES, 1), false);
});

test('isSeasonal: a sine of period 4 is seasonal, seeded white noise is not, nor a constant', () => {
  const sine = Float64Array.from({ length: 40 }, (_, t) => Math.sin(2 * Math.PI * t / 4 + 0.3));
  assert.equal(isSeasonal(sine, 4), true);
  for (const seed of [1, 2, 3]) assert.equal(isSeasonal(normals(200, seed), 4), false, `noise, seed ${seed}`);
  assert.equal(isSeasonal(new Float64Array(40).fill(7), 4), false);
});

test('isSeasonal: like R, a series shorter than 10^(m/10) never reaches lag m', () => {
  const daily = (n: number) => Float64Array.from({ length: n }, (_, t) => 10 + Math.sin(2 * Math.PI * t / 24));
  assert.equal(isSeasonal(daily(250), 24), false); // floor(10 log10 250) = 23 < 24
  assert.equal(isSeasonal(daily(252), 24), true); // floor(10 log10 252) = 24
});

// x_t = (10 + floor(t / 4)) * (1, 3, 2, 2)[t mod 4], 16 values. The 2 x 4 moving average,
// e.g. t = 2: (0.5 * 10 + 30 + 20 + 20 + 0.5 * 11) / 4 = 80.5 / 4 = 20.125; t = 3: (15 + 20 + 20 + 11 + 16.5) / 4 = 20.625.
// Ratios per position (t = 2..13): position 0: 11/21.25, 12/23.25, 13/25.25 = 44/85, 16/31, 52/101 -> mean 0.516209192;
// position 1: 33/21.75, 36/23.75, 39/25.75 -> 1.515864653; position 2: 20/20.125, 22/22.125, 24/24.125 -> 0.994319252;
// position 3: 20/20.625, 22/22.625, 24/24.625 -> 0.972230650. Their mean 0.999655937; figure = each / that mean.
// Forecast: level = x_15 / figure[3] = 26 / 0.972565274 = 26.733424; step k: level * figure[(16 + k) mod 4].
const GROWING = Float64Array.from({ length: 16 }, (_, t) => (10 + Math.floor(t / 4)) * [1, 3, 2, 2][t % 4]);
const FIGURE = [0.5163868618239332, 1.5163863861073628, 0.9946614782081701, 0.972565273860534];

test('classicalDecomposition: trend and seasonal figure of a small multiplicative series (period 4)', () => {
  const { trend, figure } = classicalDecomposition(GROWING, 4);
  const expectedTrend = [NaN, NaN, 20.125, 20.625, 21.25, 21.75, 22.125, 22.625, 23.25, 23.75, 24.125, 24.625, 25.25, 25.75, NaN, NaN];
  assert.deepEqual([...trend].map(Number.isNaN), expectedTrend.map(Number.isNaN), 'the ends are NaN');
  allclose(trend.subarray(2, 14), expectedTrend.slice(2, 14), { rtol: 1e-14, atol: 0 }, 'trend');
  allclose(figure, FIGURE, { rtol: 1e-12, atol: 0 }, 'figure');
  // odd m: the plain 3-term mean
  const odd = classicalDecomposition([3, 6, 9, 3, 6, 9, 3], 3);
  allclose(odd.trend.subarray(1, 6), [6, 6, 6, 6, 6], TIGHT, 'odd trend');
  allclose(odd.figure, [0.5, 1, 1.5], TIGHT, 'odd figure');
});

test('naive2Forecast: the seasonal path (hand-computed) and the non-seasonal path (naive)', () => {
  assert.equal(isSeasonal(GROWING, 4), true); // acf_4 = 0.7108 > limit 0.4955
  const f = naive2Forecast(GROWING, 6, [4]);
  allclose(f, [13.804789013418509, 40.53820046678443, 26.590707203392213, 26, 13.804789013418509, 40.53820046678443], { rtol: 1e-12, atol: 0 }, 'Naive2');
  const flat = Float64Array.from([5, 7, 6, 8, 7, 9, 8, 10, 9, 11, 10, 12]); // a trend, no season of 4
  assert.equal(isSeasonal(flat, 4), false);
  assert.deepEqual([...naive2Forecast(flat, 3, [4])], [12, 12, 12]);
  assert.deepEqual([...naive2Forecast(flat, 2, [])], [12, 12]); // no season at all
});

test('naive2Forecast: one-line errors for an empty history and a non-positive value on the seasonal path', () => {
  assert.throws(() => naive2Forecast(new Float64Array(0), 3, [4]), (e: Error) => e instanceof DataError && /Naive2.*0 values/.test(e.message));
  const withZero = GROWING.slice();
  withZero[4] = 0; // a low point of the cycle: still seasonal
  assert.equal(isSeasonal(withZero, 4), true);
  assert.throws(() => naive2Forecast(withZero, 3, [4]), (e: Error) => e instanceof DataError && /position 4 is not positive/.test(e.message) && !e.message.includes('\n'));
  assert.throws(() => naive2Forecast(Float64Array.from([1, NaN, 2]), 3, [4]), (e: Error) => e instanceof DataError && /position 1 is not finite/.test(e.message));
});

test('ETS before loadAugurs(): a ConfigError that says what to call', () => {
  assert.throws(() => etsForecast(new Float64Array(20).fill(1), 3, [4]), (e: Error) => e instanceof ConfigError && /await loadAugurs\(\)/.test(e.message));
});

test('ETS and MSTL + ETS: a constant series forecasts that constant', async () => {
  await loadAugurs();
  const constant = new Float64Array(400).fill(5);
  allclose(etsForecast(constant, 48, [24]), new Float64Array(48).fill(5), { rtol: 1e-6, atol: 0 }, 'ETS');
  // augurs' STL works in float32: its residue on a constant is ~1e-6 relative (measured 1.4e-6)
  allclose(mstlEtsForecast(constant, 48, [24, 168]), new Float64Array(48).fill(5), { rtol: 1e-5, atol: 0 }, 'MSTL + ETS');
});

test('MSTL + ETS forecasts a daily + weekly pattern better than naive and than ETS alone', async () => {
  await loadAugurs();
  const n = 28 * 24, h = 48;
  const noise = normals(n + h, 11);
  const x = Float64Array.from({ length: n + h }, (_, t) =>
    100 + 20 * Math.sin(2 * Math.PI * t / 24) + 10 * Math.sin(2 * Math.PI * t / 168) + noise[t]);
  const history = x.subarray(0, n), actual = x.subarray(n);
  const mstl = mae(actual, mstlEtsForecast(history, h, [24, 168]));
  const naive = mae(actual, new Float64Array(h).fill(history[n - 1]));
  const ets = mae(actual, etsForecast(history, h, [24, 168]));
  assert.ok(mstl < 0.25 * naive, `MSTL + ETS MAE ${mstl.toFixed(3)} vs naive ${naive.toFixed(3)}`);
  assert.ok(mstl < 0.25 * ets, `MSTL + ETS MAE ${mstl.toFixed(3)} vs ETS ${ets.toFixed(3)}`);
});

test('ETS and MSTL + ETS: one-line errors for short histories and bad seasons', async () => {
  await loadAugurs();
  const oneLine = (cls: typeof DataError | typeof ConfigError, pattern: RegExp) =>
    (e: Error) => e instanceof cls && pattern.test(e.message) && !e.message.includes('\n');
  assert.throws(() => etsForecast(Float64Array.from([1, 2, 3, 4, 5]), 3, []), oneLine(DataError, /ETS: the history has 5 values, it needs at least 7/));
  const shortWeek = Float64Array.from({ length: 300 }, (_, t) => 10 + Math.sin(t));
  assert.throws(() => mstlEtsForecast(shortWeek, 3, [24, 168]), oneLine(DataError, /MSTL \+ ETS: the history has 300 values, it needs at least 336 \(two cycles of period 168\)/));
  assert.throws(() => mstlEtsForecast(shortWeek, 3, [1]), oneLine(ConfigError, /no period > 1/));
  assert.throws(() => mstlEtsForecast(shortWeek, 3, [24.5]), oneLine(ConfigError, /24.5 is not a whole number/));
  assert.equal(mstlEtsForecast(shortWeek, 3, [24]).length, 3); // two days are enough for period 24
});
