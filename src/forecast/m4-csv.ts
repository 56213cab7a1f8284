// The M4 competition's files: the wide train/test CSV (a quoted header row "V1","V2",...; then
// one row per series, its id then its values, padded with empty fields to the longest series)
// and the forecast file (id,F1,...,Fh). Browser-safe (text in, text out; parsing by papaparse).

import Papa from 'papaparse';
import { DataError, ShapeError } from '../errors.js';

/** One series of an M4 file. */
export interface M4Series {
  id: string;
  /** Its values in time order, [n]. */
  values: Float64Array;
}

/**
 * Reads an M4 wide CSV. Throws a one-line DataError naming the row (1-based line, the header
 * is row 1) and column of a cell that is not a number, or of a value after the padding began.
 */
export function readM4Wide(text: string): M4Series[] {
  // no skipEmptyLines, so that row i of the result is line i + 1 (M4 files have no quoted newlines)
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { delimiter: ',' });
  const bad = parsed.errors.find((e) => e.type !== 'Delimiter');
  if (bad) throw new DataError(`M4 CSV, row ${(bad.row ?? 0) + 1}: ${bad.message}`);
  const rows = parsed.data;
  if (rows.length === 0 || rows[0][0]?.trim() !== 'V1') {
    throw new DataError(`M4 CSV: the first row should be the header "V1","V2",...; it starts with "${rows[0]?.[0] ?? ''}"`);
  }
  const header = rows[0].map((c) => c.trim());
  const series: M4Series[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r].map((c) => c.trim());
    if (cells.every((c) => c === '')) continue; // blank line
    const where = (j: number): string => `M4 CSV, row ${r + 1} ("${cells[0]}"), column ${header[j] ?? j + 1}`;
    if (cells.length > header.length) throw new DataError(`${where(header.length)}: the row has ${cells.length} fields, the header ${header.length}`);
    let n = 1;
    while (n < cells.length && cells[n] !== '') n++;
    const extra = cells.findIndex((c, j) => j > n && c !== '');
    if (extra > 0) throw new DataError(`${where(extra)}: "${cells[extra]}" comes after an empty field; a series' values must be contiguous`);
    if (n === 1) throw new DataError(`${where(1)}: the series has no values`);
    const values = new Float64Array(n - 1); // [n - 1]
    for (let j = 1; j < n; j++) {
      const v = Number(cells[j]);
      if (!Number.isFinite(v)) throw new DataError(`${where(j)}: "${cells[j]}" is not a number`);
      values[j - 1] = v;
    }
    series.push({ id: cells[0], values });
  }
  return series;
}

/** The forecast file: a header `id,F1,...,Fh`, then one row per series (every forecast has h steps). */
export function writeM4Forecasts(rows: readonly { id: string; forecast: ArrayLike<number> }[]): string {
  const h = rows[0]?.forecast.length ?? 0;
  const uneven = rows.find((r) => r.forecast.length !== h);
  if (uneven) throw new ShapeError(`M4 forecasts: series "${uneven.id}" has ${uneven.forecast.length} steps, the first ${h}`);
  const fields = ['id', ...Array.from({ length: h }, (_, k) => `F${k + 1}`)];
  const data = rows.map((r) => [r.id, ...Array.from(r.forecast, String)]);
  return Papa.unparse({ fields, data }, { newline: '\n' }) + '\n';
}
