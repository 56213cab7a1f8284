// MNIST as pixel sequences: sequential MNIST (784 steps, row by row) and permuted sequential
// MNIST (one fixed random permutation of the 784 positions, the same for every image).
import { DataError } from '../errors.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from './idx.js';
import { Rng, permutation } from '../cells/rng.js';

export const MNIST_CLASSES = 10;

export interface MnistSplit {
  N: number;
  P: number; // pixels per image (784 for MNIST) = T steps
  images: Uint8Array; // [N, P] 0..255
  labels: Uint8Array; // [N] 0..9
}

/** File stems of the two splits, as published (and the names some mirrors use). */
export const MNIST_FILE_STEMS = {
  train: { images: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'], labels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'] },
  test: { images: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'], labels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'] },
};

/**
 * One split from the bytes of its IDX image and label files (raw, not gzipped); the names
 * only appear in error messages.
 */
export function parseMnistSplit(images: { bytes: Uint8Array; name: string }, labels: { bytes: Uint8Array; name: string }): MnistSplit {
  const img = parseIdx(images.bytes, images.name, IDX_IMAGES_MAGIC);
  const lbl = parseIdx(labels.bytes, labels.name, IDX_LABELS_MAGIC);
  const N = img.dims[0];
  if (lbl.dims[0] !== N) {
    throw new DataError(`${images.name} has ${N} images but ${labels.name} has ${lbl.dims[0]} labels`);
  }
  for (let i = 0; i < N; i++) {
    if (lbl.data[i] >= MNIST_CLASSES) throw new DataError(`${labels.name}: label ${lbl.data[i]} at index ${i} is not a digit 0-9`);
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
