// `plstm bench`: the harness on tiny configurations (no timing assertions), its FLOP and
// memory accounting, bad flags; and the repository's `npm run bench` (bench/): the baselines
// beside ours, the ratio/target logic and the headline against the fastest PyTorch baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainBatchFlops, recurrentGemmFlops, parameterCount } from '../src/bench/flops.js';
import { activationBytes, activationLayout, tapeBytes } from '../src/bench/memory.js';
import { median } from '../src/bench/timing.js';
import type { OursResult } from '../src/bench/ours.js';
import { compare } from '../bench/compare.js';
import type { BaselineResult } from '../bench/baselines.js';
import { benchOptionsFromFlags, refuseComparisons } from '../src/cli/bench.js';
import { baselinesOf } from '../bench/harness.js';
import { UsageError } from '../src/cli/usage-error.js';
import { skipUnless } from './support/requirements.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function plstm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args],
    { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `npm run bench -- args`, without npm's own output. */
function npmBench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args],
    { cwd: root, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * FLOPs of one forward step of one row, term by term as BENCHMARKS.md and src/bench/flops.ts
 * document them (G gates, E gate-math FLOPs per unit: 20 pLSTM, 12 LSTM): input projection,
 * recurrent GEMM, bias, gate math, head, softmax + NLL. Written out here so that the harness's
 * figures are checked against the documented count, not against the code that printed them.
 */
function documentedForward(G: number, E: number, H: number, I: number, O: number): number {
  return 2 * G * H * I + 2 * G * H * H + G * H + E * H + (2 * H * O + O) + 4 * O;
}
/** The same for backward: recurrent, input projection, gate math, head, softmax + NLL. */
function documentedBackward(G: number, E: number, H: number, I: number, O: number): number {
  return 4 * G * H * H + 4 * G * H * I + 2 * E * H + (4 * H * O + O) + 2 * O;
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  const lines = stdout.split('\n').filter((l) => l.trim() !== '');
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

function assertFinitePositive(v: unknown, what: string): void {
  assert.equal(typeof v, 'number', `${what} is a number`);
  assert.ok(Number.isFinite(v as number) && (v as number) > 0, `${what} = ${String(v)} is finite and > 0`);
}

test('bench --json trains a tiny config: one line per cell and thread count, finite fields', () => {
  const r = plstm(['bench', '--steps', '5', '--hidden', '8', '--batch', '2', '--reps', '2', '--baselines', 'none', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  assert.equal(lines.length, 4, 'plstm and lstm at threads 1 and 2');
  const seen = new Set<string>();
  for (const l of lines) {
    assert.equal(l.source, 'plstm');
    assert.equal(l.mode, 'train');
    assert.deepEqual([l.B, l.T, l.H, l.I, l.O], [2, 5, 8, 10, 10]);
    seen.add(`${String(l.cell)}/${String(l.threads)}`);
    assert.equal(l.reps, 2);
    assert.equal((l.times_s as number[]).length, 2);
    for (const k of ['median_s', 'min_s', 'gflop', 'gflops', 'activation_bytes', 'activation_heap_bytes', 'max_rss_bytes', 'loss', 'grad_norm']) {
      assertFinitePositive(l[k], k);
    }
    assert.equal(l.finite, true);
    assert.ok((l.min_s as number) <= (l.median_s as number));
    assert.equal(typeof l.backend, 'string');
    // the printed count is the documented one at the shape asked for: B*T rows of forward and
    // backward, then 12 FLOPs per parameter (clipping + RMSprop)
    const [G, E] = l.cell === 'plstm' ? [3, 20] : [4, 12];
    const params = G * 8 * (10 + 8 + 1) + (l.cell === 'plstm' ? 8 : 0) + 10 * (8 + 1);
    const flops = 2 * 5 * (documentedForward(G, E, 8, 10, 10) + documentedBackward(G, E, 8, 10, 10)) + 12 * params;
    assert.ok(Math.abs((l.gflop as number) * 1e9 - flops) < 1e-6, `${String(l.cell)}: ${String(l.gflop)} GFLOP, documented ${flops} FLOP`);
    // the rate is per median batch, and the median is the middle of the timed batches
    const times = l.times_s as number[];
    assert.equal(l.median_s, (times[0] + times[1]) / 2);
    assert.ok(Math.abs((l.gflops as number) - (l.gflop as number) / (l.median_s as number)) < 1e-9 * (l.gflops as number));
    // the activations hold at least what backward reads per unit and step, in float32:
    // pLSTM r, o, g, f, a, c, h (7), LSTM i, f, g, o, c, h (6)
    assert.ok((l.activation_bytes as number) >= 4 * 2 * 5 * 8 * (l.cell === 'plstm' ? 7 : 6), `${String(l.activation_bytes)} bytes`);
    // a fresh model with ~uniform outputs over 10 classes starts near ln(10)
    assert.ok(Math.abs((l.loss as number) - Math.log(10)) < 0.5, `initial loss ${String(l.loss)} near ln 10`);
  }
  assert.deepEqual([...seen].sort(), ['lstm/1', 'lstm/2', 'plstm/1', 'plstm/2']);
});

test('bench --mode infer-step --json times streaming steps with B = 1 by default', () => {
  const r = plstm(['bench', '--mode', 'infer-step', '--cell', 'plstm', '--threads', '1', '--steps', '4',
    '--hidden', '8', '--reps', '3', '--baselines', 'none', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  assert.equal(lines.length, 1);
  const l = lines[0];
  assert.equal(l.mode, 'infer-step');
  assert.equal(l.B, 1);
  assert.equal((l.times_s as number[]).length, 3);
  assertFinitePositive(l.median_s, 'median_s');
  // a streaming step counts the forward terms only, for B = 1 row
  assert.ok(Math.abs((l.gflop as number) * 1e9 - documentedForward(3, 20, 8, 10, 10)) < 1e-6, `${String(l.gflop)} GFLOP`);
});

test('bench prints a readable table without --json', () => {
  const r = plstm(['bench', '--cell', 'lstm', '--threads', '1', '--steps', '3', '--hidden', '4', '--batch', '2',
    '--reps', '1', '--baselines', 'none']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ours lstm/);
  assert.match(r.stdout, /GFLOP\/s/);
});

test('bad bench flags: one line naming the flag (exit 2 from the command)', () => {
  // checked where the flags become options, or refused (no process each)
  const oneLine = (re: RegExp) => (e: Error) => e instanceof UsageError && re.test(e.message) && !e.message.includes('\n');
  const inProcess: [Record<string, unknown>, RegExp][] = [
    [{ mode: 'fast' }, /--mode/],
    [{ batch: '0' }, /--batch/],
    [{ hidden: '8,x' }, /--hidden/],
    [{ cell: 'gru' }, /--cell/],
    [{ backend: 'gpu' }, /--backend/],
    [{ grid: true, steps: '10' }, /--grid/],
  ];
  for (const [flags, re] of inProcess) assert.throws(() => benchOptionsFromFlags(flags), oneLine(re), JSON.stringify(flags));
  // the comparisons are not in the package: the error says where they are
  assert.throws(() => refuseComparisons({ baselines: 'keras' }), oneLine(/--baselines/));
  assert.throws(() => refuseComparisons({ baselines: 'torch,tfjs' }), oneLine(/--baselines torch,tfjs: .*not part of the package; from a clone of the repository run npm run bench --/));
  assert.throws(() => refuseComparisons({ mode: 'tfjs-layer' }), oneLine(/--mode tfjs-layer: .*from a clone of the repository run npm run bench --/));
  refuseComparisons({ baselines: 'none' });
  refuseComparisons({ mode: 'forecast' });
  // and through the command: commander's own errors, and a refusal, with the same flags to pass on
  const cases: [string[], RegExp][] = [
    [['--no-such-flag'], /no-such-flag/],
    [['--baselines', 'torch'], /--baselines torch: .*not part of the package; from a clone of the repository run npm run bench -- --baselines torch --json$/],
  ];
  for (const [args, re] of cases) {
    const r = plstm(['bench', ...args, '--json']);
    assert.equal(r.status, 2, `${args.join(' ')}: exit 2 (stderr: ${r.stderr})`);
    assert.equal(r.stdout, '');
    const errLines = r.stderr.trim().split('\n');
    assert.equal(errLines.length, 1, `one line: ${r.stderr}`);
    assert.match(errLines[0], re);
  }
});

test('FLOP count: the recurrent GEMMs dominate and match 6*G*H^2*B*T', () => {
  const copy = { B: 128, T: 219, H: 128, I: 10, O: 10 };
  const p = { cell: 'plstm' as const, ...copy };
  const l = { cell: 'lstm' as const, ...copy };
  assert.equal(recurrentGemmFlops(p), 6 * 3 * 128 * 128 * 128 * 219);
  assert.equal(recurrentGemmFlops(l), 6 * 4 * 128 * 128 * 128 * 219);
  for (const s of [p, l]) {
    const total = trainBatchFlops(s);
    assert.ok(total > recurrentGemmFlops(s) && total < 1.3 * recurrentGemmFlops(s), `${s.cell}: ${total}`);
  }
  // parameters: G*H*(I+H+1) + theta + head
  assert.equal(parameterCount(p), 3 * 128 * (10 + 128 + 1) + 128 + 10 * 129);
  assert.equal(parameterCount(l), 4 * 128 * (10 + 128 + 1) + 10 * 129);
  // linear in B and T (up to the per-batch optimizer term)
  const opt = 12 * parameterCount(p);
  assert.equal(trainBatchFlops({ ...p, T: 438 }) - opt, 2 * (trainBatchFlops(p) - opt));
  assert.equal(trainBatchFlops({ ...p, B: 256 }) - opt, 2 * (trainBatchFlops(p) - opt));
});

test('activation memory layout is O(B*T*H)', () => {
  const s = { cell: 'plstm' as const, B: 3, T: 7, H: 8, I: 10, O: 10 };
  // pLSTM tape per row: act [T, 3Hp] + f [T, Hp] + h, c, a [T+1, Hp] + one-hot positions [T]; Hp = 8
  assert.equal(tapeBytes(s), 4 * 3 * (7 * 24 + 7 * 8 + 3 * 8 * 8 + 7));
  assert.equal(tapeBytes({ ...s, cell: 'lstm' }), 4 * 3 * (7 * 32 + 2 * 8 * 8 + 7));
  const big = { ...s, B: 4, T: 1000, H: 64 };
  const base = activationBytes(big);
  assert.equal(activationBytes({ ...big, B: 8 }), 2 * base);
  const perT = activationBytes({ ...big, T: 2000 }) / base;
  assert.ok(perT > 1.99 && perT < 2.01, `doubling T: x${perT}`);
  const perH = activationBytes({ ...big, H: 128 }) / base;
  assert.ok(perH > 1.7 && perH < 2, `doubling H: x${perH}`);
  const l = activationLayout(big);
  assert.equal(l.total, l.tape + l.backwardScratch + l.modelBuffers + l.jsArrays);
});

test('on wasm, the measured heap peak matches the layout and doubles with T and with B', (t) => {
  const r = plstm(['bench', '--cell', 'plstm,lstm', '--threads', '1', '--batch', '32,16', '--steps', '200,100',
    '--hidden', '64', '--reps', '1', '--warmup', '0', '--baselines', 'none', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  assert.equal(lines.length, 8);
  if (lines.some((l) => l.measured_activation_bytes === undefined)) {
    t.skip(`backend ${String(lines[0].backend)} does not report its memory`);
    return;
  }
  const measured = new Map<string, number>();
  for (const l of lines) {
    const m = l.measured_activation_bytes as number;
    const ratio = m / (l.activation_heap_bytes as number);
    // The layout counts the bytes the activations need, so it is a lower bound; the heap
    // also holds the optimizer state, per-call weight copies and its scratch arena's
    // rounding (2-8% at these shapes). 15% more means the layout has lost track of a buffer.
    assert.ok(ratio >= 1 && ratio < 1.15, `${String(l.cell)} B=${String(l.B)} T=${String(l.T)}: measured/layout = ${ratio}`);
    measured.set(`${String(l.cell)}/${String(l.B)}/${String(l.T)}`, m);
  }
  for (const cell of ['plstm', 'lstm']) {
    const inT = measured.get(`${cell}/16/200`)! / measured.get(`${cell}/16/100`)!;
    const inB = measured.get(`${cell}/32/100`)! / measured.get(`${cell}/16/100`)!;
    assert.ok(inT > 1.9 && inT < 2.1, `${cell}: doubling T multiplies the heap peak by ${inT}`);
    assert.ok(inB > 1.9 && inB < 2.1, `${cell}: doubling B multiplies the heap peak by ${inB}`);
  }
});

test('median', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), RangeError);
});

function ours(cell: 'plstm' | 'lstm', threads: number, median_s: number, mode: 'train' | 'infer-step' = 'train',
  B = 128, T = 219, H = 128): OursResult {
  return {
    source: 'plstm', cell, mode, backend: 'x', B, T, H, I: 10, O: 10, threads, reps: 1, warmup: 0,
    median_s, min_s: median_s, times_s: [median_s], gflop: 1, gflops: 1 / median_s, max_rss_bytes: 1, load1: 0,
  };
}
function base(source: 'torch' | 'tfjs', impl: string, threads: number, median_s: number,
  mode: 'train' | 'infer-step' = 'train', B = 128, T = 219, H = 128): BaselineResult {
  return { source, impl, mode, B, T, H, I: 10, O: 10, threads, reps: 1, median_s, min_s: median_s, times_s: [median_s] };
}

test('ratios use the best thread count of each side and check the targets', () => {
  const lines = compare(
    [ours('plstm', 1, 0.12), ours('plstm', 2, 0.08), ours('lstm', 1, 0.2), ours('lstm', 2, 0.1)],
    [base('torch', 'plstm-cell', 1, 0.2), base('torch', 'plstm-cell', 2, 0.3),
      base('torch', 'lstm-nn', 1, 0.15), base('tfjs', 'lstm-layer', 1, 6.4)]);
  assert.equal(lines.length, 1);
  const l = lines[0];
  assert.deepEqual(l.best.plstm, { median_s: 0.08, threads: 2 });
  assert.deepEqual(l.best['torch:plstm-cell'], { median_s: 0.2, threads: 1 });
  assert.ok(Math.abs(l.ratios['plstm/torch:plstm-cell'] - 0.4) < 1e-12);
  assert.ok(Math.abs(l.ratios['lstm/torch:lstm-nn'] - 0.1 / 0.15) < 1e-12);
  assert.ok(Math.abs(l.ratios['tfjs:lstm-layer/plstm'] - 80) < 1e-9);
  assert.deepEqual(l.targets.map((t) => t.pass), [true, true]);
  // slower than half of PyTorch: the first target fails
  const slow = compare([ours('plstm', 1, 0.15)], [base('torch', 'plstm-cell', 1, 0.2), base('tfjs', 'lstm-layer', 1, 3)]);
  assert.deepEqual(slow[0].targets.map((t) => t.pass), [false, false]);
});

test('streaming target applies at B = 1, H = 128 only; no baselines, no ratios line', () => {
  const s = compare([ours('plstm', 1, 4e-6, 'infer-step', 1, 219, 128)],
    [base('torch', 'plstm-cell', 1, 9e-5, 'infer-step', 1, 219, 128)]);
  assert.equal(s[0].targets.length, 1);
  assert.ok(s[0].targets[0].pass);
  const other = compare([ours('plstm', 1, 4e-6, 'infer-step', 1, 219, 64)],
    [base('torch', 'plstm-cell', 1, 9e-5, 'infer-step', 1, 219, 64)]);
  assert.equal(other[0].targets.length, 0);
  assert.equal(compare([ours('plstm', 1, 1)], []).length, 0);
  // baselines at another shape are never compared
  assert.equal(compare([ours('plstm', 1, 1)], [base('torch', 'plstm-cell', 1, 1, 'train', 64)]).length, 0);
});

test('the headline is our pLSTM against the fastest PyTorch implementation at that shape, whichever it is', () => {
  // the TorchScript-compiled loop beats the per-step cell; torch.nn.LSTM is slower still
  const [a] = compare([ours('plstm', 1, 0.3), ours('plstm', 2, 0.2)],
    [base('torch', 'plstm-cell', 1, 0.5), base('torch', 'plstm-script', 1, 0.45), base('torch', 'plstm-script', 2, 0.4),
      base('torch', 'lstm-nn', 2, 0.6), base('tfjs', 'lstm-layer', 1, 0.1)]);
  assert.equal(a.headline?.baseline, 'torch:plstm-script', 'TF.js is no PyTorch baseline, however fast');
  assert.ok(Math.abs(a.headline!.ratio - 0.2 / 0.4) < 1e-12, 'best thread count of each side');
  assert.ok(Math.abs(a.ratios['plstm/torch:plstm-script'] - 0.5) < 1e-12);
  // torch.nn.LSTM fastest: the headline is against it
  const [b] = compare([ours('plstm', 1, 0.3)], [base('torch', 'plstm-cell', 1, 0.5), base('torch', 'lstm-nn', 1, 0.15)]);
  assert.equal(b.headline?.baseline, 'torch:lstm-nn');
  assert.ok(Math.abs(b.headline!.ratio - 2) < 1e-12);
  // no PyTorch line, or no pLSTM of ours: no headline
  assert.equal(compare([ours('plstm', 1, 0.3)], [base('tfjs', 'lstm-layer', 1, 3)])[0].headline, undefined);
  assert.equal(compare([ours('lstm', 1, 0.3)], [base('torch', 'lstm-nn', 1, 0.2)])[0].headline, undefined);
});

test('src/ reaches outside itself only for what the package ships: installed, nothing is silently missing', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
  // "dist", "test/fixtures/*.json", ...: the folders and files the tarball holds
  const shipped = ['package.json', ...pkg.files.filter((f) => !f.startsWith('!')).map((f) => f.replace(/\/?\*.*$/, ''))];
  const outside: string[] = [];
  for (const f of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(root, 'src', f), 'utf8');
    for (const m of text.matchAll(/(?:from |import\(|new URL\()\s*['"`]((?:\.\.\/)+[^'"`$]*)/g)) {
      const target = relative(root, resolve(root, 'src', dirname(f), m[1]));
      if (target.startsWith('src') || target.startsWith('dist')) continue;
      if (!shipped.some((s) => target === s || target.startsWith(`${s}/`))) outside.push(`src/${f} -> ${target}`);
    }
  }
  assert.deepEqual(outside, []);
});

test('npm run bench -- --baselines tfjs: TF.js beside ours in the same run, its ratio from the printed medians', { timeout: 300_000 }, () => {
  const r = npmBench(['--cell', 'plstm', '--threads', '1', '--steps', '5', '--hidden', '8', '--batch', '2', '--reps', '1',
    '--warmup', '0', '--baselines', 'tfjs', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  const mine = lines.find((l) => l.source === 'plstm')!;
  const tf = lines.find((l) => l.source === 'tfjs');
  assert.ok(tf, `a TF.js line: ${r.stdout}`);
  assert.deepEqual([tf.impl, tf.B, tf.T, tf.H], ['lstm-layer', 2, 5, 8]);
  assertFinitePositive(tf.median_s, 'TF.js median_s');
  const ratios = lines.find((l) => l.source === 'ratios') as { ratios: Record<string, number>; headline?: unknown } | undefined;
  assert.ok(ratios, 'a ratios line');
  assert.ok(Math.abs(ratios.ratios['tfjs:lstm-layer/plstm'] - (tf.median_s as number) / (mine.median_s as number)) < 1e-9);
  assert.equal(ratios.headline, undefined, 'no PyTorch, no headline');
});

test('npm run bench -- --baselines torch: the per-step cell, the TorchScript loop and torch.nn.LSTM; the headline names the fastest',
  { timeout: 300_000, skip: skipUnless('torch') }, () => {
    const r = npmBench(['--cell', 'plstm', '--threads', '1', '--steps', '6', '--hidden', '8', '--batch', '3', '--reps', '1',
      '--warmup', '0', '--baselines', 'torch', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const lines = jsonLines(r.stdout);
    const torch = lines.filter((l) => l.source === 'torch');
    assert.deepEqual(torch.map((l) => l.impl).sort(), ['lstm-nn', 'plstm-cell', 'plstm-script'], r.stdout);
    for (const l of torch) assert.deepEqual([l.mode, l.B, l.T, l.H, l.threads], ['train', 3, 6, 8, 1]);
    // the scripted loop runs the same cell on the same seeded weights and batch: the same loss
    const loss = (impl: string) => torch.find((l) => l.impl === impl)!.loss as number;
    assert.ok(Math.abs(loss('plstm-cell') - loss('plstm-script')) < 1e-6, `${loss('plstm-cell')} vs ${loss('plstm-script')}`);
    const fastest = torch.reduce((f, l) => ((l.median_s as number) < (f.median_s as number) ? l : f));
    const ratios = lines.find((l) => l.source === 'ratios') as { headline: { baseline: string; ratio: number } };
    const mine = lines.find((l) => l.source === 'plstm')!;
    assert.equal(ratios.headline.baseline, `torch:${String(fastest.impl)}`);
    assert.ok(Math.abs(ratios.headline.ratio - (mine.median_s as number) / (fastest.median_s as number)) < 1e-9);
  });

test('npm run bench: which baselines, by mode and flag', () => {
  assert.deepEqual(baselinesOf(undefined, 'train', false), ['torch', 'tfjs']);
  assert.deepEqual(baselinesOf(undefined, 'infer-step', false), ['torch'], 'TF.js has no streaming step');
  assert.deepEqual(baselinesOf(undefined, 'train', true), [], '--grid times ours only');
  assert.deepEqual(baselinesOf('none', 'train', false), []);
  assert.deepEqual(baselinesOf('tfjs, torch,tfjs', 'train', false), ['tfjs', 'torch']);
  assert.throws(() => baselinesOf('keras', 'train', false), /--baselines/);
  assert.throws(() => baselinesOf('torch', 'train', true), /--grid times our model only/);
});
