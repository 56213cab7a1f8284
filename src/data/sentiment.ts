// Review sentiment data in JSON Lines (gzipped or not), one review per line:
//   {"label": 0 | 1, "text": "..."}            (other fields are ignored)
// as in the IMDB movie-review set of Maas et al. (2011). Words are tokenised, the top-N
// training words form the vocabulary, and each review becomes exactly `maxLen` token ids:
// longer reviews keep their last maxLen words, shorter ones are padded on the left, so the
// last step, where the class is read, is always a real word.
import { ConfigError, DataError } from '../errors.js';

export const PAD_ID = 0;
export const UNK_ID = 1;

export interface Review {
  label: number; // 0 negative, 1 positive
  tokens: string[];
}

/** Lower-case words (letters, digits, apostrophes); HTML line breaks count as spaces. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().replace(/<br\s*\/?>/g, ' ').match(/[a-z0-9]+(?:'[a-z0-9]+)*/g) ?? [];
}

/**
 * Parses review JSON Lines text. Every line must carry a 0/1 label and a text; `file` names
 * the source in error messages.
 */
export function parseReviews(text: string, file: string): Review[] {
  const lines = text.split('\n');
  const out: Review[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new DataError(`${file}, line ${i + 1}: not valid JSON`);
    }
    const { label, text } = (obj ?? {}) as { label?: unknown; text?: unknown };
    if ((label !== 0 && label !== 1) || typeof text !== 'string') {
      throw new DataError(`${file}, line ${i + 1}: each line needs "label" 0 or 1 and a "text" string`);
    }
    out.push({ label, tokens: tokenize(text) });
  }
  if (out.length === 0) throw new DataError(`${file} holds no reviews`);
  return out;
}

export interface WordVocab {
  words: string[]; // id -> word; ids 0 and 1 are <pad> and <unk>
  index: Map<string, number>;
}

/** The `size` most frequent words (ties broken alphabetically) plus <pad> and <unk>. */
export function buildWordVocab(reviews: Review[], size: number): WordVocab {
  if (!Number.isInteger(size) || size < 1) throw new ConfigError(`vocabulary size must be >= 1, got ${size}`);
  const counts = new Map<string, number>();
  for (const r of reviews) for (const w of r.tokens) counts.set(w, (counts.get(w) ?? 0) + 1);
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, size)
    .map(([w]) => w);
  const words = ['<pad>', '<unk>', ...top];
  return { words, index: new Map(words.map((w, i) => [w, i])) };
}

export interface EncodedReviews {
  N: number;
  T: number; // maxLen
  x: Int32Array; // [N, T] token ids, left-padded with PAD_ID
  y: Int32Array; // [N] labels
}

/** Encodes reviews to fixed-length id rows (keep the last maxLen words, pad on the left). */
export function encodeReviews(reviews: Review[], vocab: WordVocab, maxLen: number): EncodedReviews {
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new ConfigError(`maximum review length must be >= 1, got ${maxLen}`);
  const N = reviews.length;
  const x = new Int32Array(N * maxLen).fill(PAD_ID); // [N, T]
  const y = new Int32Array(N); // [N]
  for (let n = 0; n < N; n++) {
    const toks = reviews[n].tokens;
    const keep = Math.min(toks.length, maxLen);
    const from = toks.length - keep;
    const pad = maxLen - keep;
    for (let k = 0; k < keep; k++) x[n * maxLen + pad + k] = vocab.index.get(toks[from + k]) ?? UNK_ID;
    y[n] = reviews[n].label;
  }
  return { N, T: maxLen, x, y };
}
