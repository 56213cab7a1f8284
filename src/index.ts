// powerlaw-lstm: the public entry. Each section re-exports one layer of the package.

// --- errors
export * from './errors.js';

// --- cells (the reference math: the oracle)
export * from './cells/types.js';
