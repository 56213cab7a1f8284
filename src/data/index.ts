// Task data: synthetic generators (copy, adding) and parsers on bytes or text (MNIST IDX,
// character text, review sentiment, CSV tables), so they work in any engine. Readers of files are in
// powerlaw-lstm/node (src/node/datasets.ts). Parsers throw DataError naming the source on
// bad input.
export { permutation } from '../cells/rng.js';
export * from './gzip.js';
export * from './copy-task.js';
export * from './adding-task.js';
export * from './idx.js';
export * from './mnist.js';
export * from './char-text.js';
export * from './sentiment.js';
export { parseCsv, columnIndex, type CsvOptions, type CsvTable } from './csv.js';
