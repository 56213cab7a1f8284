// Character-level text for language modelling: vocabulary, train/held-out split and the
// chunked batches of truncated backpropagation through time (TBPTT).
//
// TBPTT layout (as in Zaremba et al. 2014 and char-rnn): the token stream is cut into B
// contiguous streams, one per batch row; chunk k of every row continues chunk k-1 of the
// same row, so the recurrent state is carried from one chunk to the next.
import { ConfigError, DataError } from '../errors.js';

export interface CharVocab {
  chars: string[]; // id -> character (code point)
  index: Map<string, number>; // character -> id
}

/** Vocabulary of every distinct code point in the text, sorted so ids are stable. */
export function buildCharVocab(text: string): CharVocab {
  const chars = [...new Set(Array.from(text))].sort();
  return { chars, index: new Map(chars.map((c, i) => [c, i])) };
}

/** Text -> ids; characters outside the vocabulary are an error (the vocabulary covers the file). */
export function encodeChars(text: string, vocab: CharVocab): Int32Array {
  const cps = Array.from(text);
  const ids = new Int32Array(cps.length);
  for (let i = 0; i < cps.length; i++) {
    const id = vocab.index.get(cps[i]);
    if (id === undefined) throw new DataError(`character ${JSON.stringify(cps[i])} is not in the vocabulary`);
    ids[i] = id;
  }
  return ids;
}

export interface CharCorpus {
  vocab: CharVocab;
  train: Int32Array; // token ids of the training part
  heldOut: Int32Array; // token ids of the held-out part (the end of the file)
}

/**
 * Splits a text into a corpus: the last `heldOutFraction` of the characters are held out,
 * the rest trains (char-rnn's contiguous split). `file` names the source in error messages.
 */
export function splitCharCorpus(text: string, heldOutFraction: number, file: string): CharCorpus {
  if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
    throw new ConfigError(`held-out fraction must be in (0, 1), got ${heldOutFraction}`);
  }
  if (text.length === 0) throw new DataError(`${file} is empty; charlm needs a text file with some characters in it`);
  const vocab = buildCharVocab(text);
  const ids = encodeChars(text, vocab);
  const nHeld = Math.floor(ids.length * heldOutFraction);
  if (nHeld < 2 || ids.length - nHeld < 2) {
    throw new DataError(`${file} has only ${ids.length} characters: too short to split into training and held-out text`);
  }
  return { vocab, train: ids.subarray(0, ids.length - nHeld), heldOut: ids.subarray(ids.length - nHeld) };
}

/** The chunk plan of a token stream for B rows and chunks of K steps. */
export interface TbpttPlan {
  B: number;
  S: number; // input steps per row; row b reads tokens [b*S, b*S + S] (S inputs + 1 target)
  K: number;
  chunks: number; // ceil(S / K): the last chunk may be shorter
}

export function tbpttPlan(n: number, B: number, K: number): TbpttPlan {
  const S = Math.floor((n - 1) / B);
  if (S < 1) throw new ConfigError(`${n} characters cannot fill ${B} parallel streams; use a smaller batch size or more text`);
  return { B, S, K, chunks: Math.ceil(S / K) };
}

/** Chunk `k` of the plan: x and y are [B, Tk] token ids, y the next character of x. */
export function tbpttChunk(ids: Int32Array, plan: TbpttPlan, k: number): { x: Int32Array; y: Int32Array; T: number } {
  const { B, S, K } = plan;
  const start = k * K;
  const T = Math.min(K, S - start);
  const x = new Int32Array(B * T); // [B, T]
  const y = new Int32Array(B * T); // [B, T]
  for (let b = 0; b < B; b++) {
    const off = b * S + start;
    for (let t = 0; t < T; t++) {
      x[b * T + t] = ids[off + t];
      y[b * T + t] = ids[off + t + 1];
    }
  }
  return { x, y, T };
}
