// powerlaw-lstm/node: everything of the root entry, plus what needs files (Node only):
// model files, dataset readers and conformance fixtures. The root entry stays free of Node
// built-ins so that it bundles for browsers.
export * from '../index.js';

/** Model files: `saveModel` (atomic) and `loadModel`, safetensors on disk. */
export { saveModel, loadModel } from './save-load.js';
/** Dataset readers on files (gzipped or raw); the parsers on bytes are in `data`. */
export { readIdx, loadMnistSplit, loadCharCorpus, loadReviews } from './datasets.js';
export { readMaybeGzip, readMaybeGzipText } from './read-file.js';
/** A conformance fixture file ("plstm-fixture/1"), parsed. */
export { loadFixture } from './fixtures.js';
