// CSV reading: separators sniffed, quoted fields, header or none, columns by name or number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, columnIndex } from '../src/data/csv.js';
import { readSeriesCsv } from '../src/forecast/index.js';
import { DataError } from '../src/errors.js';

test('",", ";" and tab are sniffed; quoted fields keep their separators and quotes', () => {
  for (const sep of [',', ';', '\t']) {
    const t = parseCsv(['time', 'name', 'v'].join(sep) + '\n' + ['1', '"a, b; c"', '2.5'].join(sep) + '\n' + ['2', '"say ""hi"""', '3'].join(sep) + '\n');
    assert.equal(t.header, true);
    assert.deepEqual(t.columns, ['time', 'name', 'v']);
    assert.deepEqual(t.rows, [['1', 'a, b; c', '2.5'], ['2', 'say "hi"', '3']]);
  }
});

test('no header: columns are 1-based numbers, and a sunspot-like row parses', () => {
  const t = parseCsv('1749;01;1749.042;  96.7; -1.0;   -1;1\n1749;02;1749.123; 104.3; -1.0;   -1;1\n');
  assert.equal(t.header, false);
  assert.equal(columnIndex(t, '4'), 3);
  assert.deepEqual(t.rows[1][3], '104.3');
  assert.throws(() => columnIndex(t, '8'), (e: Error) => e instanceof DataError && /no header: use 1-based numbers/.test(e.message));
  const s = readSeriesCsv('1749;01;1749.042;  96.7\n1749;02;1749.123; 104.3\n1749;03;1749.204; 116.7\n', { time: '3', target: '4' });
  assert.deepEqual([...s[0].values], [96.7, 104.3, 116.7]);
});

test('long format with an id column gives one series per id; dates become UTC days', () => {
  const s = readSeriesCsv('id,ds,y\nx,2020-01-01,1\ny,2020-01-01,5\nx,2020-01-02,2\ny,2020-01-02,6\n', { id: 'id', time: 'ds', target: 'y' });
  assert.deepEqual(s.map((x) => [x.id, [...x.values], x.freq.unit]), [['x', [1, 2], 'day'], ['y', [5, 6], 'day']]);
  assert.equal(s[0].times[0], Date.UTC(2020, 0, 1));
});

test('ragged rows and header-only files are DataErrors', () => {
  assert.throws(() => parseCsv('a,b\n1,2\n3\n'), /row 3: 1 fields, the header has 2/);
  assert.throws(() => parseCsv('a,b\n'), /header but no data rows/);
});
