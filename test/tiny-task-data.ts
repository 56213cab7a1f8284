// Tiny synthetic data sets written into a temp folder, in the formats the real data come in
// (MNIST IDX, plain text, review JSON Lines), each easy enough to learn in seconds.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng } from '../src/cells/rng.js';
import { encodeIdx } from '../src/data/idx.js';

/**
 * A "MNIST" of 4x4 images: class c in 0..2 lights pixel row c (value ~200), the rest is faint
 * noise. Writes the four IDX files (images gzipped, labels raw) into dir.
 */
export function writeTinyMnist(dir: string, nTrain: number, nTest: number, seed = 1): void {
  const rng = new Rng(seed);
  const make = (n: number) => {
    const img = new Uint8Array(n * 16);
    const lbl = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const c = rng.int(3);
      lbl[i] = c;
      for (let p = 0; p < 16; p++) img[i * 16 + p] = Math.floor(rng.uniform() * 40);
      for (let k = 0; k < 4; k++) img[i * 16 + c * 4 + k] = 180 + rng.int(60);
    }
    return { img, lbl };
  };
  const tr = make(nTrain), te = make(nTest);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([nTrain, 4, 4], tr.img)));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([nTrain], tr.lbl));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx([nTest, 4, 4], te.img));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([nTest], te.lbl)));
}

/** A text with a short repeating structure and a little randomness: easy to predict. */
export function writeTinyText(file: string, n: number, seed = 1): void {
  const rng = new Rng(seed);
  const words = ['the cat', 'a dog', 'the bird'];
  let s = '';
  while (s.length < n) s += words[rng.int(words.length)] + ' sat. ';
  writeFileSync(file, s.slice(0, n));
}

/**
 * Reviews of filler words where one keyword decides the label: "great" (1) or "awful" (0),
 * somewhere in the review. Writes train.jsonl.gz and test.jsonl into dir.
 */
export function writeTinyReviews(dir: string, nTrain: number, nTest: number, len = 8, seed = 1): void {
  const rng = new Rng(seed);
  const filler = ['movie', 'plot', 'actor', 'scene', 'the', 'a', 'film', 'story', 'was', 'and'];
  const make = (n: number) => {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const label = rng.int(2);
      const w = Array.from({ length: len }, () => filler[rng.int(filler.length)]);
      w[rng.int(len)] = label === 1 ? 'great' : 'awful';
      lines.push(JSON.stringify({ id: i, label, text: w.join(' ') }));
    }
    return lines.join('\n') + '\n';
  };
  writeFileSync(join(dir, 'train.jsonl.gz'), gzipSync(Buffer.from(make(nTrain))));
  writeFileSync(join(dir, 'test.jsonl'), make(nTest));
}
