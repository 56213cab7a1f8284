// Dataset readers on files (Node): each reads a file (gzipped or raw) and hands its bytes or
// text to the parser of the same name in src/data, which works anywhere.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { parseIdx, type IdxArray } from '../data/idx.js';
import { MNIST_FILE_STEMS, parseMnistSplit, type MnistSplit } from '../data/mnist.js';
import { splitCharCorpus, type CharCorpus } from '../data/char-text.js';
import { parseReviews, type Review } from '../data/sentiment.js';
import { readMaybeGzip, readMaybeGzipText } from './read-file.js';

/** Reads an IDX file, gzipped or raw. */
export function readIdx(file: string, expectMagic?: number): IdxArray {
  return parseIdx(readMaybeGzip(file), file, expectMagic);
}

function findFile(dir: string, stems: string[]): string {
  for (const s of stems) {
    for (const f of [s + '.gz', s]) if (existsSync(join(dir, f))) return join(dir, f);
  }
  throw new DataError(`no ${stems[0]}(.gz) in ${dir}; --data must be a folder with the four MNIST IDX files`);
}

/** Loads one split from a folder holding the MNIST IDX files (gzipped or raw). */
export function loadMnistSplit(dir: string, split: 'train' | 'test'): MnistSplit {
  if (!existsSync(dir)) throw new DataError(`data folder not found: ${dir}`);
  const imgFile = findFile(dir, MNIST_FILE_STEMS[split].images);
  const lblFile = findFile(dir, MNIST_FILE_STEMS[split].labels);
  return parseMnistSplit({ bytes: readMaybeGzip(imgFile), name: imgFile }, { bytes: readMaybeGzip(lblFile), name: lblFile });
}

/**
 * Loads a text file (gzipped or not) and splits it: the last `heldOutFraction` of the
 * characters are held out, the rest trains (char-rnn's contiguous split).
 */
export function loadCharCorpus(file: string, heldOutFraction: number): CharCorpus {
  return splitCharCorpus(readMaybeGzipText(file), heldOutFraction, file);
}

/** Reads a .jsonl or .jsonl.gz review file. Every line must carry a 0/1 label and a text. */
export function loadReviews(file: string): Review[] {
  return parseReviews(readMaybeGzipText(file), file);
}
