// Task data: synthetic generators (copy, adding) and loaders (MNIST IDX, character text,
// review sentiment). Every loader accepts gzipped or raw files and throws DataError naming
// the file on bad input.
// the package's one seeded generator, here too so data code needs only this namespace
export { Rng, deriveSeed, permutation } from '../cells/rng.js';
export * from './read-bytes.js';
export * from './copy-task.js';
export * from './adding-task.js';
export * from './idx.js';
export * from './mnist.js';
export * from './char-text.js';
export * from './sentiment.js';
