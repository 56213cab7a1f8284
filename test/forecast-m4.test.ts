// The M4 protocol on a tiny wide CSV: the reader (quoted ids and values, padding, bad cells),
// the validation split, sMAPE, MASE and OWA against hand-computed values, and the forecast file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  readM4Wide, writeM4Forecasts, m4ValidationSplit, m4Smape, m4MaseScale, scoreM4, owa, naive2Forecast,
  type M4Entry,
} from '../src/forecast/index.js';
import { DataError, ShapeError } from '../src/errors.js';

// As the competition's files: quoted header and cells, shorter series padded with empty fields.
const WIDE = [
  '"V1","V2","V3","V4","V5","V6","V7","V8"',
  '"H1","1","2","3","4","5","6","7"',
  '"H2","10","20","12","18","14","",""',
  '',
].join('\n');

const close = (a: number, b: number, what: string, rtol = 1e-12): void =>
  assert.ok(Math.abs(a - b) <= rtol * Math.abs(b), `${what}: ${a} vs ${b}`);

test('readM4Wide: quoted ids and values, padding dropped', () => {
  const series = readM4Wide(WIDE);
  assert.deepEqual(series.map((s) => s.id), ['H1', 'H2']);
  assert.deepEqual([...series[0].values], [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual([...series[1].values], [10, 20, 12, 18, 14]);
  // unquoted cells and CRLF read the same
  const plain = readM4Wide('V1,V2,V3,V4\r\nH9,1.5,2,\r\n');
  assert.deepEqual(plain.map((s) => [s.id, [...s.values]]), [['H9', [1.5, 2]]]);
});

test('readM4Wide: one-line errors naming row and column', () => {
  const oneLine = (pattern: RegExp) => (e: Error) => e instanceof DataError && pattern.test(e.message) && !e.message.includes('\n');
  const badCell = WIDE.replace('"12"', '"1x"');
  assert.throws(() => readM4Wide(badCell), oneLine(/row 3 \("H2"\), column V4: "1x" is not a number/));
  const gap = WIDE.replace('"14","",""', '"","","9"');
  assert.throws(() => readM4Wide(gap), oneLine(/row 3 \("H2"\), column V8: "9" comes after an empty field/));
  assert.throws(() => readM4Wide('"H1","1","2"\n'), oneLine(/first row should be the header/));
  assert.throws(() => readM4Wide('"V1","V2"\n"H1",""\n'), oneLine(/row 2 \("H1"\), column V2: the series has no values/));
});

test('m4ValidationSplit: the last h values held out', () => {
  const { train, actual } = m4ValidationSplit(Float64Array.from([1, 2, 3, 4, 5]), 2);
  assert.deepEqual([...train], [1, 2, 3]);
  assert.deepEqual([...actual], [4, 5]);
  assert.throws(() => m4ValidationSplit(Float64Array.from([1, 2]), 2), DataError);
});

// h = 2, m = 2. H1: train 1..5, actual (6, 7); H2: train (10, 20, 12), actual (18, 14).
// Naive (= Naive2 here: too short to be seasonal): H1 (5, 5), H2 (12, 12).
//   sMAPE: 200*1/11 = 18.1818, 200*2/12 = 33.3333, 200*6/30 = 40, 200*2/26 = 15.3846; mean 26.724942
//   MASE scales (whole train, lag 2): H1 |3-1|, |4-2|, |5-3| -> 2; H2 |12-10| -> 2.
//   MASE: 1/2, 2/2, 6/2, 2/2 -> mean (0.5 + 1 + 3 + 1) / 4 = 1.375
// Seasonal naive (m = 2): H1 (4, 5), H2 (20, 12); errors 2, 2, 2, 2.
//   sMAPE: 200*2/10 = 40, 200*2/12 = 33.3333, 200*2/38 = 10.5263, 200*2/26 = 15.3846; mean 24.811066
//   MASE: 1, 1, 1, 1 -> 1
// OWA of seasonal naive against Naive2: (24.811066 / 26.724942 + 1 / 1.375) / 2 = (0.928386 + 0.727273) / 2 = 0.827829
test('scoreM4 and owa on the tiny CSV against hand-computed sMAPE, MASE and OWA', () => {
  const split = readM4Wide(WIDE).map((s) => m4ValidationSplit(s.values, 2));
  const entries = (method: (train: Float64Array) => Float64Array): M4Entry[] =>
    split.map(({ train, actual }) => ({ train, actual, forecast: method(train) }));
  const naive2 = scoreM4(entries((train) => naive2Forecast(train, 2, [2])), 2);
  close(naive2.sMAPE, (200 / 11 + 400 / 12 + 1200 / 30 + 400 / 26) / 4, 'Naive2 sMAPE');
  close(naive2.MASE, 1.375, 'Naive2 MASE');
  const snaive = scoreM4(entries((train) => train.slice(train.length - 2)), 2);
  close(snaive.sMAPE, (40 + 400 / 12 + 400 / 38 + 400 / 26) / 4, 'seasonal naive sMAPE');
  close(snaive.MASE, 1, 'seasonal naive MASE');
  close(owa(snaive, naive2), 0.8278294455561654, 'OWA');
  close(owa(naive2, naive2), 1, 'OWA of Naive2 itself');
});

test('m4Smape and m4MaseScale: single series, the 0/0 step, a short train', () => {
  close(m4Smape([6, 7], [5, 5]), (200 / 11 + 400 / 12) / 2, 'sMAPE');
  assert.equal(m4Smape([0, 2], [0, 2]), 0);
  close(m4MaseScale([1, 5, 2, 4, 3], 1), (4 + 3 + 2 + 1) / 4, 'scale, m = 1');
  assert.throws(() => m4MaseScale([1, 2], 2), DataError);
  assert.throws(() => m4Smape([1, 2], [1]), ShapeError);
});

test('writeM4Forecasts: header id,F1..Fh and one row per series', () => {
  const text = writeM4Forecasts([{ id: 'H1', forecast: [1.5, 2] }, { id: 'H2', forecast: Float64Array.from([3, 0.1]) }]);
  assert.equal(text, 'id,F1,F2\nH1,1.5,2\nH2,3,0.1\n');
  assert.throws(() => writeM4Forecasts([{ id: 'H1', forecast: [1] }, { id: 'H2', forecast: [1, 2] }]), ShapeError);
});
