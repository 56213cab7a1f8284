// CSV tables from text or bytes (browser-safe; parsing by papaparse): a header or none, ',' ';'
// or tab (sniffed), quoted fields. Columns are named by their header, or "1", "2", ... without
// one; either name or 1-based number selects a column.

import Papa from 'papaparse';
import { DataError } from '../errors.js';

/** Options of parseCsv. */
export interface CsvOptions {
  /** Whether the first row names the columns; 'auto' (default) sniffs it (a header row has a non-numeric cell above a numeric one). */
  header?: boolean | 'auto';
  /** Field separator; default sniffed among ',', ';' and tab. */
  delimiter?: ',' | ';' | '\t';
  /** Name of the source, for messages. Default 'the CSV'. */
  source?: string;
}

/** A parsed table: cells as text (trimmed). */
export interface CsvTable {
  columns: string[];
  /** Data rows, each with columns.length cells. */
  rows: string[][];
  /** 1-based line of each data row in the source (for messages). */
  lines: number[];
  /** Whether the first row was a header. */
  header: boolean;
}

const isNumber = (s: string): boolean => s !== '' && Number.isFinite(Number(s));

/** Parses CSV text or UTF-8 bytes into a table. Throws DataError on an empty or ragged file. */
export function parseCsv(input: string | Uint8Array, opts: CsvOptions = {}): CsvTable {
  const source = opts.source ?? 'the CSV';
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), {
    delimiter: opts.delimiter ?? '',
    delimitersToGuess: [',', ';', '\t'],
    skipEmptyLines: 'greedy',
  });
  const raw = parsed.data.map((r) => r.map((c) => c.trim()));
  if (raw.length === 0) throw new DataError(`${source} is empty: give a file with a time and a value column`);
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoteError !== undefined) throw new DataError(`${source}, row ${(quoteError.row ?? 0) + 1}: ${quoteError.message.toLowerCase()}; close the quoted field`);
  // papaparse keeps no line numbers once empty lines are skipped: count them ourselves
  const lineNumbers = dataLineNumbers(text, raw.length);
  const header = opts.header === undefined || opts.header === 'auto' ? sniffHeader(raw) : opts.header;
  const width = raw[0].length;
  const columns = header ? raw[0].map((c, i) => (c === '' ? String(i + 1) : c)) : raw[0].map((_, i) => String(i + 1));
  const rows = header ? raw.slice(1) : raw;
  const lines = header ? lineNumbers.slice(1) : lineNumbers;
  if (rows.length === 0) throw new DataError(`${source} has a header but no data rows`);
  rows.forEach((r, i) => {
    if (r.length !== width) {
      throw new DataError(`${source}, row ${lines[i]}: ${r.length} fields, the ${header ? 'header' : 'first row'} has ${width}; fix the row's separators or quotes`);
    }
  });
  return { columns, rows, lines, header };
}

/** A header row has a text cell (neither a number nor a date) above a number or a date. */
function sniffHeader(raw: string[][]): boolean {
  const kind = (c: string) => (isNumber(c) ? 'number' : !Number.isNaN(Date.parse(c)) ? 'date' : 'text');
  if (raw.length < 2) return raw[0].some((c) => kind(c) === 'text');
  return raw[0].some((c, i) => kind(c) === 'text' && kind(raw[1][i] ?? '') !== 'text');
}

/** 1-based lines of the first n non-blank lines (a quoted field's line breaks are rare in series files and counted as in the source). */
function dataLineNumbers(text: string, n: number): number[] {
  const out: number[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length && out.length < n; i++) if (lines[i].trim() !== '') out.push(i + 1);
  while (out.length < n) out.push(out.length + 1);
  return out;
}

/** The index of a column named by header name or 1-based number; DataError listing the columns otherwise. */
export function columnIndex(table: CsvTable, name: string, flag = 'column'): number {
  const byName = table.columns.indexOf(name);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(name)) {
    const k = Number(name);
    if (k >= 1 && k <= table.columns.length) return k - 1;
  }
  const shown = table.columns.slice(0, 12).map((c) => JSON.stringify(c)).join(', ');
  throw new DataError(`unknown ${flag} "${name}": the columns are ${shown}${table.columns.length > 12 ? ', ...' : ''}${table.header ? '' : ' (no header: use 1-based numbers)'}`);
}
