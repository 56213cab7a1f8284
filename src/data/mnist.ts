// MNIST as pixel sequences: sequential MNIST (784 steps, row by row) and permuted sequential
// MNIST (one fixed random permutation of the 784 positions, the same for every image).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdx } from './idx.js';
import { Rng, permutation } from '../cells/rng.js';

export const MNIST_CLASSES = 10;

export interface MnistSplit {
  N: number;
  P: number; // pixels per image (784 for MNIST) = T steps
  images: Uint8Array; // [N, P] 0..255
  labels: Uint8Array; // [N] 0..9
}

/** File stems of the two splits, as published (and the names some mirrors use). */
const STEMS = {
  train: { images: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'], labels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'] },
  test: { images: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'], labels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'] },
};

function findFile(dir: string, stems: string[]): string {
  for (const s of stems) {
    for (const f of [s + '.gz', s]) if (existsSync(join(dir, f))) return join(dir, f);
  }
  throw new DataError(`no ${stems[0]}(.gz) in ${dir}; --data must be a folder with the four MNIST IDX files`);
}

/** Loads one split from a folder holding the MNIST IDX files (gzipped or raw). */
export function loadMnistSplit(dir: string, split: 'train' | 'test'): MnistSplit {
  if (!existsSync(dir)) throw new DataError(`data folder not found: ${dir}`);
  const imgFile = findFile(dir, STEMS[split].images);
  const lblFile = findFile(dir, STEMS[split].labels);
  const img = readIdx(imgFile, IDX_IMAGES_MAGIC);
  const lbl = readIdx(lblFile, IDX_LABELS_MAGIC);
  const N = img.dims[0];
  if (lbl.dims[0] !== N) {
    throw new DataError(`${imgFile} has ${N} images but ${lblFile} has ${lbl.dims[0]} labels`);
  }
  for (let i = 0; i < N; i++) {
    if (lbl.data[i] >= MNIST_CLASSES) throw new DataError(`${lblFile}: label ${lbl.data[i]} at index ${i} is not a digit 0-9`);
  }
  return { N, P: img.dims[1] * img.dims[2], images: img.data, labels: lbl.data };
}

/** The fixed pixel permutation of psMNIST, drawn from the seed. */
export function pixelPermutation(P: number, seed: number): Int32Array {
  return permutation(P, new Rng(seed));
}

/**
 * Fills a batch of pixel sequences for the given image indices.
 * x: [B, P, 1] pixels scaled to [0, 1], read in `perm` order when given; y: [B] labels.
 */
export function mnistBatch(split: MnistSplit, idx: ArrayLike<number>, perm: Int32Array | null):
  { x: Float32Array; y: Int32Array } {
  const B = idx.length;
  const P = split.P;
  const x = new Float32Array(B * P); // [B, P, 1]
  const y = new Int32Array(B); // [B]
  for (let b = 0; b < B; b++) {
    const src = idx[b] * P;
    for (let t = 0; t < P; t++) x[b * P + t] = split.images[src + (perm ? perm[t] : t)] / 255;
    y[b] = split.labels[idx[b]];
  }
  return { x, y };
}
