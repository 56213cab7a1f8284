// Series from a CSV table: pick the time, target and optional id columns, parse numbers and
// dates, and hand the rows to the series checks. Browser-safe (text or bytes in).

import { DataError } from '../errors.js';
import { columnIndex, parseCsv, type CsvOptions } from '../data/csv.js';
import { seriesFromLong, type SeriesOptions, type TimeSeries } from './series.js';

/** Options of readSeriesCsv. */
export interface SeriesCsvOptions extends CsvOptions, Omit<SeriesOptions, 'timeColumn' | 'valueColumn'> {
  /** The time column (header name or 1-based number): numbers or dates. */
  time: string;
  /** The value column. */
  target: string;
  /** A column naming the series of each row (long format); default: one series. */
  id?: string;
  /** Past covariate columns (extra numeric columns, known up to each time) fed to the model as inputs. */
  covariates?: string[];
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'n/a']);

/** Reads one or many series (long format with id) from CSV text or bytes. */
export function readSeriesCsv(input: string | Uint8Array, opts: SeriesCsvOptions): TimeSeries[] {
  const table = parseCsv(input, opts);
  const ti = columnIndex(table, opts.time, 'time column');
  const vi = columnIndex(table, opts.target, 'target column');
  const ii = opts.id === undefined ? -1 : columnIndex(table, opts.id, 'id column');
  const ci = (opts.covariates ?? []).map((c) => columnIndex(table, c, 'covariate column'));
  const timeName = table.columns[ti], valueName = table.columns[vi];
  const covNames = ci.map((c) => table.columns[c]);
  const covs: number[][] = ci.map(() => []); // [P][rows]
  const firstTime = table.rows[0][ti];
  const timeKind: 'date' | 'number' = Number.isFinite(Number(firstTime)) && firstTime !== '' ? 'number' : 'date';
  const times: number[] = [], values: number[] = [];
  table.rows.forEach((r, k) => {
    const line = table.lines[k];
    const tc = r[ti];
    const t = timeKind === 'number' ? (tc === '' ? NaN : Number(tc)) : Date.parse(isoDay(tc));
    if (!Number.isFinite(t)) {
      throw new DataError(`row ${line}, column ${timeName}: "${tc}" is not a ${timeKind === 'number' ? 'number' : 'date'} (the first row's time is "${firstTime}"); fix or remove the row`);
    }
    times.push(t);
    values.push(numberCell(r[vi], line, valueName));
    ci.forEach((c, k) => covs[k].push(numberCell(r[c], line, covNames[k])));
  });
  return seriesFromLong({
    ids: ii < 0 ? null : table.rows.map((r) => r[ii]), times, values, timeKind, rows: table.lines,
    ...(ci.length > 0 ? { covariates: covs } : {}),
  }, { ...opts, timeColumn: timeName, valueColumn: valueName, covariateColumns: covNames });
}

/** A numeric cell: a number, NaN when marked missing (the series checks decide), else a DataError. */
function numberCell(cell: string, line: number, column: string): number {
  if (MISSING.has(cell.toLowerCase())) return NaN;
  const v = Number(cell);
  if (!Number.isFinite(v)) throw new DataError(`row ${line}, column ${column}: "${cell}" is not a number; fix the cell, or leave it empty and use fill: 'interpolate'`);
  return v;
}

/** A bare date (2020-01-31) is read as UTC midnight, as Date.parse does; other forms as given. */
function isoDay(s: string): string {
  return /^\d{4}-\d{2}$/.test(s) ? `${s}-01` : s;
}
