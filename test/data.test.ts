import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  makeCopyTask, copyAccuracy, copySequenceLength, COPY_BLANK, COPY_MARKER,
  makeAddingTask, ADDING_BASELINE_MSE, parseIdx, encodeIdx, mnistBatch,
  pixelPermutation, tbpttPlan, tbpttChunk, tokenize, buildWordVocab,
  encodeReviews, PAD_ID, UNK_ID,
} from '../src/data/index.js';
import { Rng, deriveSeed } from '../src/cells/rng.js';
import * as root from '../src/index.js';
import { readIdx, loadMnistSplit, loadCharCorpus, loadReviews } from '../src/node/datasets.js';
import { DataError, ConfigError } from '../src/errors.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'plstm-data-'));
}

test('rng: one generator for data and initialisation; same seed same stream, derived seeds differ', () => {
  assert.equal(root.Rng, Rng, 'the root exports the one generator');
  assert.equal((root.data as Record<string, unknown>).Rng, undefined, 'no second Rng in the data namespace');
  const a = new Rng(5), b = new Rng(5);
  for (let i = 0; i < 10; i++) assert.equal(a.uniform(), b.uniform());
  assert.notEqual(deriveSeed(1, 0), deriveSeed(1, 1));
  assert.notEqual(deriveSeed(1, 0), deriveSeed(2, 0));
  assert.equal(deriveSeed(3, 4, 5), deriveSeed(3, 4, 5));
  const r = new Rng(9);
  const counts = new Array(8).fill(0);
  for (let i = 0; i < 8000; i++) counts[r.int(8)]++;
  for (const c of counts) assert.ok(c > 850 && c < 1150, `int(8) is far from uniform: ${counts}`);
});

test('copy task: exact layout of input and target', () => {
  const T = 5;
  const d = makeCopyTask(50, T, new Rng(1));
  const L = copySequenceLength(T);
  assert.equal(L, T + 19);
  assert.equal(d.L, L);
  for (let n = 0; n < d.N; n++) {
    const x = Array.from(d.x.subarray(n * L, (n + 1) * L));
    const y = Array.from(d.y.subarray(n * L, (n + 1) * L));
    const sym = x.slice(0, 10);
    for (const s of sym) assert.ok(s >= 0 && s <= 7);
    assert.deepEqual(x.slice(10), [...new Array(T - 1).fill(COPY_BLANK), COPY_MARKER, ...new Array(9).fill(COPY_BLANK)]);
    assert.deepEqual(y, [...new Array(T + 9).fill(COPY_BLANK), ...sym]);
  }
  // the symbols are random, not constant
  assert.ok(new Set(Array.from(d.x.subarray(0, 10 * L)).filter((v) => v < 8)).size === 8);
  // reproducible from the seed
  assert.deepEqual(makeCopyTask(50, T, new Rng(1)).x, d.x);
  assert.throws(() => makeCopyTask(1, 0, new Rng(1)), ConfigError);
});

test('copy task: accuracy over the last 10 steps only', () => {
  const T = 3, L = copySequenceLength(T);
  const d = makeCopyTask(4, T, new Rng(2));
  const pred = d.y.slice();
  assert.deepEqual(copyAccuracy(pred, d.y, 4, L), { symbolAcc: 1, sequenceAcc: 1 });
  pred[0] = 99; // an early step: ignored
  assert.deepEqual(copyAccuracy(pred, d.y, 4, L), { symbolAcc: 1, sequenceAcc: 1 });
  pred[L - 1] = (d.y[L - 1] + 1) % 8; // a copied symbol of sequence 0 wrong
  assert.deepEqual(copyAccuracy(pred, d.y, 4, L), { symbolAcc: 39 / 40, sequenceAcc: 3 / 4 });
});

test('adding problem: two markers, one per half, target is their sum; baseline 1/6', () => {
  const T = 20, N = 2000;
  const d = makeAddingTask(N, T, new Rng(3));
  let sse = 0;
  for (let n = 0; n < N; n++) {
    const marked: number[] = [];
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const v = d.x[(n * T + t) * 2], m = d.x[(n * T + t) * 2 + 1];
      assert.ok(v >= 0 && v < 1);
      assert.ok(m === 0 || m === 1);
      if (m === 1) { marked.push(t); sum += v; }
    }
    assert.equal(marked.length, 2);
    assert.ok(marked[0] < T / 2 && marked[1] >= T / 2);
    assert.ok(Math.abs(d.y[n] - sum) < 1e-6);
    sse += (d.y[n] - 1) ** 2;
  }
  // always predicting 1 gives about 1/6
  assert.ok(Math.abs(sse / N - ADDING_BASELINE_MSE) < 0.015, `baseline mse ${sse / N}`);
});

test('idx: parses raw and gzipped files; rejects bad magic, wrong kind, wrong size', () => {
  const dir = tmp();
  try {
    const pix = new Uint8Array(2 * 2 * 3).map((_, i) => i * 10);
    const raw = encodeIdx([2, 2, 3], pix);
    writeFileSync(join(dir, 'a'), raw);
    writeFileSync(join(dir, 'a.gz'), gzipSync(raw));
    for (const f of ['a', 'a.gz']) {
      const r = readIdx(join(dir, f));
      assert.deepEqual(r.dims, [2, 2, 3]);
      assert.deepEqual(Array.from(r.data), Array.from(pix));
    }
    const bad = raw.slice();
    bad[2] = 0x09; // magic 0x00000903
    assert.throws(() => parseIdx(bad, 'bad-file'), (e: Error) => e instanceof DataError && /bad-file: bad IDX magic/.test(e.message));
    assert.throws(() => parseIdx(raw, 'img', 0x801), (e: Error) => e instanceof DataError && /expected a label file/.test(e.message));
    assert.throws(() => parseIdx(raw.subarray(0, raw.length - 1), 'short'), (e: Error) => e instanceof DataError && /short: .*truncated/.test(e.message));
    writeFileSync(join(dir, 'c.gz'), gzipSync(raw).subarray(0, 20));
    assert.throws(() => readIdx(join(dir, 'c.gz')), (e: Error) => e instanceof DataError && /c\.gz.*corrupt/.test(e.message));
    assert.throws(() => readIdx(join(dir, 'missing')), (e: Error) => e instanceof DataError && /not found: .*missing/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mnist: loads a tiny IDX folder, pixel sequences scaled to [0,1], fixed permutation', () => {
  const dir = tmp();
  try {
    const N = 3, P = 4;
    const pix = new Uint8Array(N * P).map((_, i) => (i * 20) % 256);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([N, 2, 2], pix)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([N], new Uint8Array([7, 0, 3])));
    const s = loadMnistSplit(dir, 'train');
    assert.equal(s.N, 3);
    assert.equal(s.P, 4);
    const b = mnistBatch(s, [2, 0], null);
    assert.deepEqual(Array.from(b.y), [3, 7]);
    assert.deepEqual(Array.from(b.x), [160, 180, 200, 220, 0, 20, 40, 60].map((v) => Math.fround(v / 255)));
    const perm = pixelPermutation(P, 11);
    assert.deepEqual(pixelPermutation(P, 11), perm);
    assert.deepEqual([...perm].sort(), [0, 1, 2, 3]);
    const bp = mnistBatch(s, [0], perm);
    for (let t = 0; t < P; t++) assert.equal(bp.x[t], Math.fround(pix[perm[t]] / 255));
    // missing test split, mismatched counts, bad labels
    assert.throws(() => loadMnistSplit(dir, 'test'), (e: Error) => e instanceof DataError && /t10k-images/.test(e.message));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([2], new Uint8Array([1, 2])));
    assert.throws(() => loadMnistSplit(dir, 'train'), (e: Error) => e instanceof DataError && /3 images but .* 2 labels/.test(e.message));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([3], new Uint8Array([1, 12, 2])));
    assert.throws(() => loadMnistSplit(dir, 'train'), (e: Error) => e instanceof DataError && /label 12/.test(e.message));
    assert.throws(() => loadMnistSplit(join(dir, 'nope'), 'train'), (e: Error) => e instanceof DataError && /data folder not found/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('char text: vocabulary, held-out split, TBPTT chunks continue each row', () => {
  const dir = tmp();
  try {
    const text = 'abcdefghijklmnopqrstuvwxyz'.repeat(4); // 104 chars
    writeFileSync(join(dir, 't.txt.gz'), gzipSync(Buffer.from(text)));
    const c = loadCharCorpus(join(dir, 't.txt.gz'), 0.25);
    assert.equal(c.vocab.chars.length, 26);
    assert.equal(c.train.length + c.heldOut.length, 104);
    assert.equal(c.heldOut.length, 26);
    const plan = tbpttPlan(c.train.length, 3, 7); // S = floor(77/3) = 25
    assert.equal(plan.S, 25);
    assert.equal(plan.chunks, 4);
    // concatenating the chunks of each row gives the row's stream, y shifted by one
    const rows: number[][] = [[], [], []], rowsY: number[][] = [[], [], []];
    for (let k = 0; k < plan.chunks; k++) {
      const ch = tbpttChunk(c.train, plan, k);
      assert.equal(ch.T, k < 3 ? 7 : 4);
      for (let b = 0; b < 3; b++) {
        rows[b].push(...ch.x.subarray(b * ch.T, (b + 1) * ch.T));
        rowsY[b].push(...ch.y.subarray(b * ch.T, (b + 1) * ch.T));
      }
    }
    for (let b = 0; b < 3; b++) {
      assert.deepEqual(rows[b], Array.from(c.train.subarray(b * 25, b * 25 + 25)));
      assert.deepEqual(rowsY[b], Array.from(c.train.subarray(b * 25 + 1, b * 25 + 26)));
    }
    writeFileSync(join(dir, 'empty.txt'), '');
    assert.throws(() => loadCharCorpus(join(dir, 'empty.txt'), 0.1), (e: Error) => e instanceof DataError && /empty\.txt is empty/.test(e.message));
    assert.throws(() => tbpttPlan(5, 10, 2), ConfigError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sentiment: tokenise, top-N vocabulary, left padding keeps the last words', () => {
  assert.deepEqual(tokenize("Great film!<br /><br />Don't MISS it, 10/10."), ['great', 'film', "don't", 'miss', 'it', '10', '10']);
  const dir = tmp();
  try {
    const lines = [
      { id: 1, label: 1, text: 'good good great' },
      { id: 2, label: 0, text: 'bad awful bad plot plot plot' },
    ].map((o) => JSON.stringify(o)).join('\n') + '\n';
    writeFileSync(join(dir, 'r.jsonl.gz'), gzipSync(Buffer.from(lines)));
    const rs = loadReviews(join(dir, 'r.jsonl.gz'));
    assert.equal(rs.length, 2);
    const v = buildWordVocab(rs, 3);
    assert.deepEqual(v.words, ['<pad>', '<unk>', 'plot', 'bad', 'good']);
    const e = encodeReviews(rs, v, 4);
    assert.deepEqual(Array.from(e.x), [PAD_ID, 4, 4, UNK_ID, /* last 4 of review 2 */ 3, 2, 2, 2]);
    assert.deepEqual(Array.from(e.y), [1, 0]);
    writeFileSync(join(dir, 'bad.jsonl'), '{"label": 1, "text": "ok"}\n{"label": 3, "text": "x"}\n');
    assert.throws(() => loadReviews(join(dir, 'bad.jsonl')), (err: Error) => err instanceof DataError && /bad\.jsonl, line 2/.test(err.message));
    writeFileSync(join(dir, 'bad2.jsonl'), '{"label": 1, "te');
    assert.throws(() => loadReviews(join(dir, 'bad2.jsonl')), (err: Error) => err instanceof DataError && /line 1: not valid JSON/.test(err.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
