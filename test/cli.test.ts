// `plstm train` / `plstm eval` as a user runs them: learning on the copy task, the --json
// line, files in --out, errors as one line with exit code 2, Ctrl-C and --resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeIdx } from '../src/data/idx.js';
import { writeTinyMnist } from './tiny-task-data.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

function plstm(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'plstm-cli-'));
}

/** The last stdout line, parsed. */
function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
}

function withoutTime<T extends Record<string, unknown>>(r: T): T {
  const c = { ...r };
  delete c.seconds;
  return c;
}

function metricLines(dir: string) {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => withoutTime(JSON.parse(l)));
}

const SMALL_COPY = ['train', '--task', 'copy', '--delay', '1', '--train-samples', '200', '--test-samples', '50',
  '--batch', '8', '--hidden', '8', '--backend', 'js'];

test('train copy: learns above chance; --json final line; config, metrics and checkpoints in --out; eval agrees', () => {
  const dir = tmp();
  try {
    const out = join(dir, 'run');
    const r = plstm(['train', '--task', 'copy', '--delay', '1', '--train-samples', '1024', '--test-samples', '200',
      '--batch', '32', '--hidden', '32', '--lr', '0.01', '--epochs', '8', '--backend', 'js', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    // --json: stdout is the one JSON line; the epoch lines went to stderr
    assert.equal(r.stdout.trim().split('\n').length, 1, `stdout:\n${r.stdout}`);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('epoch ')).length, 8);
    const fin = lastJson(r.stdout);
    assert.equal(fin.task, 'copy');
    assert.equal(fin.chance_acc, 0.125);
    // 2000 copied symbols: chance is 12.5% +- 0.7%
    assert.ok((fin.test_acc as number) > 0.2, `copy accuracy ${fin.test_acc} is not above chance 0.125`);
    for (const f of ['config.json', 'metrics.jsonl', 'best.safetensors', 'last.safetensors', 'final.json']) assert.ok(existsSync(join(out, f)), f);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(cfg.options.delay, 1);
    assert.equal(cfg.options.alpha, 0.9);
    const ev = plstm(['eval', '--checkpoint', join(out, 'last.safetensors'), '--json']);
    assert.equal(ev.code, 0, ev.stderr);
    assert.equal(ev.stdout.trim().split('\n').length, 1, `stdout:\n${ev.stdout}`);
    const e = lastJson(ev.stdout);
    assert.ok(Math.abs((e.test_acc as number) - (fin.test_acc as number)) < 1e-12);
    assert.ok(Math.abs((e.test_loss as number) - (fin.test_loss as number)) < 1e-6);
    // an impossible test set: one line, exit 2
    const huge = plstm(['eval', '--checkpoint', join(out, 'last.safetensors'), '--test-samples', '1e12']);
    assert.equal(huge.code, 2, huge.stderr);
    assert.match(huge.stderr, /^plstm: the generated data would need one buffer of about .*; lower --train-samples, --test-samples, --delay\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: one line naming the problem, exit code 2, no stack trace', () => {
  const dir = tmp();
  try {
    const mnist = join(dir, 'mnist');
    mkdirSync(mnist);
    writeTinyMnist(mnist, 20, 10);
    const bad = encodeIdx([20, 4, 4], new Uint8Array(320));
    bad[3] = 0x04; // magic 0x00000804
    writeFileSync(join(mnist, 'train-images-idx3-ubyte'), bad);
    rmSync(join(mnist, 'train-images-idx3-ubyte.gz'));
    writeFileSync(join(dir, 'empty.txt'), '');
    const existing = join(dir, 'existing');
    mkdirSync(existing);
    writeFileSync(join(existing, 'metrics.jsonl'), '{}\n');
    const out = join(dir, 'o');
    const cases: [string[], RegExp][] = [
      [['train', '--task', 'copy', '--out', out, '--no-such-flag'], /unknown option '--no-such-flag'/],
      [['train', '--task', 'smnist', '--data', mnist, '--out', out], /train-images-idx3-ubyte: bad IDX magic number 0x00000804/],
      [['train', '--task', 'charlm', '--data', join(dir, 'empty.txt'), '--out', out], /empty\.txt is empty/],
      [['train', '--task', 'psmnist', '--data', join(dir, 'nope'), '--out', out], /data folder not found: .*nope/],
      [['train', '--task', 'charlm', '--data', join(dir, 'missing.txt'), '--out', out], /data file not found: .*missing\.txt/],
      [['train', '--task', 'copy', '--fixed-p', '2', '--out', out], /--fixed-p must be in \(0, 1\]/],
      // the model's own bounds, named by the flag
      [['train', '--task', 'copy', '--cell', 'lstm', '--chrono', '1.5', '--out', out], /^plstm: --chrono \(Tmax\) must be a number > 2, got 1.5$/],
      [['train', '--task', 'copy', '--chrono', '1.5', '--out', out], /^plstm: --chrono \(Tmax\) must be a number > 2, got 1.5$/],
      [['train', '--task', 'copy', '--eps', '1', '--out', out], /^plstm: --eps must be a number in \(0, 1\), got 1$/],
      // impossible sizes: refused before any data is made
      [['train', '--task', 'copy', '--delay', '1000000000', '--out', out], /would need one buffer of about .* GiB, more than the 4\.00 GiB one buffer can hold; lower .*--delay/],
      [['train', '--task', 'copy', '--train-samples', '1e12', '--out', out], /the generated data would need one buffer of about .*; lower --train-samples/],
      [['train', '--task', 'copy', '--hidden', '10000000', '--out', out], /the weights would need one buffer of about .*; lower --hidden, --layers$/],
      [['train', '--task', 'copy', '--batch', '1000000000', '--train-samples', '1000000000', '--out', out], /would need one buffer of about/],
      [['train', '--task', 'sentiment', '--data', join(dir, 'nope'), '--max-len', '100000000', '--batch', '64', '--out', out], /the activations of one batch would need one buffer of about .*; lower --batch, --eval-batch, --max-len, --hidden$/],
      [['train', '--task', 'copy', '--hidden', 'many', '--out', out], /--hidden must be a number, got "many"/],
      [['train', '--task', 'copy', '--train-samples', '10', '--out', out], /--batch 128 is larger than the 10 training sequences/],
      [['train', '--task', 'sorting', '--out', out], /unknown task "sorting"/],
      [['train', '--task', 'copy'], /--out is required/],
      [['train', '--task', 'copy', '--delay', '1', '--train-samples', '8', '--batch', '8', '--out', existing], /already holds results; use --force/],
      [['train', '--resume', '--out', join(dir, 'empty-run')], /--resume: no run to continue/],
      [['eval', '--checkpoint', join(dir, 'empty.txt')], /empty\.txt/],
    ];
    for (const [args, re] of cases) {
      const r = plstm(args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')}: more than one line:\n${r.stderr}`);
      assert.match(lines[0], re, args.join(' '));
      assert.doesNotMatch(r.stderr, /\s+at .*:\d+:\d+/, 'stack trace');
    }
    assert.ok(!existsSync(out), 'a failed run must not create --out');
    assert.equal(readFileSync(join(existing, 'metrics.jsonl'), 'utf8'), '{}\n', 'existing results untouched');
    // with --force the old results are replaced
    const f = plstm([...SMALL_COPY, '--epochs', '1', '--out', existing, '--force']);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(metricLines(existing).length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--resume after a finished epoch continues exactly: 2 epochs = 1 epoch + resume 1', () => {
  const dir = tmp();
  try {
    const a = join(dir, 'a'), b = join(dir, 'b');
    const straight = plstm([...SMALL_COPY, '--epochs', '2', '--out', a, '--json']);
    assert.equal(straight.code, 0, straight.stderr);
    assert.equal(plstm([...SMALL_COPY, '--epochs', '1', '--out', b]).code, 0);
    const resumed = plstm(['train', '--resume', '--epochs', '2', '--out', b, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(withoutTime(lastJson(resumed.stdout)), withoutTime(lastJson(straight.stdout)));
    assert.deepEqual(metricLines(b), metricLines(a));
    // what a resumed run may not change
    const r = plstm(['train', '--resume', '--lr', '0.5', '--out', b]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--lr cannot change in a resumed run/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C saves a checkpoint and stops; --resume then ends exactly where an uninterrupted run does', async () => {
  const dir = tmp();
  try {
    // long enough (30 epochs) that the signal lands mid-run
    const args = [...SMALL_COPY, '--epochs', '30', '--log-every', '5'];
    const a = join(dir, 'a'), b = join(dir, 'b');
    const straight = plstm([...args, '--out', a, '--json']);
    assert.equal(straight.code, 0, straight.stderr);

    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args, '--out', b], { cwd: ROOT });
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && /^epoch 1\/30/m.test(stdout)) { sent = true; child.kill('SIGINT'); }
    });
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    assert.ok(sent, 'the run ended before its first epoch line');
    assert.equal(code, 130, `exit code after Ctrl-C; stdout:\n${stdout}`);
    assert.match(stdout, /interrupted at epoch \d+, step \d+: checkpoint saved/);
    assert.ok(metricLines(b).length < metricLines(a).length, 'stopped early');
    assert.ok(existsSync(join(b, 'last.safetensors')));
    const resumed = plstm(['train', '--resume', '--out', b, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(withoutTime(lastJson(resumed.stdout)), withoutTime(lastJson(straight.stdout)));
    assert.deepEqual(metricLines(b), metricLines(a));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo --quick: trains both models, prints them side by side, writes summary.json without overwriting', () => {
  const dir = tmp();
  try {
    const out = join(dir, 'demo');
    const r = plstm(['demo', '--quick', '--backend', 'js', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    // --json: the summary alone on stdout, the table on stderr
    assert.equal(r.stdout.trim().split('\n').length, 1, `stdout:\n${r.stdout}`);
    assert.match(r.stderr, /per-symbol accuracy\s+\S+%\s+\S+%/);
    assert.match(r.stderr, /learned p \(median, range\)\s+0\.\d+ \(/);
    const s = lastJson(r.stdout) as { plstm: Record<string, unknown>; lstm: Record<string, unknown> };
    assert.equal(s.plstm.cell, 'plstm');
    assert.equal(s.lstm.cell, 'lstm');
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')), s);
    for (const m of ['plstm', 'lstm']) assert.ok(existsSync(join(out, m, 'metrics.jsonl')));
    // a second demo goes to a new folder; without --json the table and each epoch line are on stdout
    const again = plstm(['demo', '--quick', '--backend', 'js', '--out', out]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /per-symbol accuracy\s+\S+%\s+\S+%/);
    assert.match(again.stdout, /^ {2}pLSTM {2}epoch 1\/2 /m);
    assert.ok(existsSync(join(`${out}-2`, 'summary.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('demo verdict: states what the run measured, not what the demo was tuned for', async () => {
  const { verdict } = await import('../src/cli/demo.js');
  const run = (acc: number, seq: number, steps: number, stopped = 'time-limit') =>
    ({ test_acc: acc, test_seq_acc: seq, global_step: steps, stopped });
  assert.match(verdict(run(0.99, 0.9, 4000), run(0.13, 0, 3900), 100), /pLSTM bridged the delay of 100 steps and the LSTM did not/);
  assert.match(verdict(run(0.99, 0.9, 4000), run(0.5, 0, 3900), 100), /pLSTM learned the task and the LSTM only partly/);
  assert.match(verdict(run(0.99, 0.95, 4000), run(0.98, 0.9, 4000), 100), /both models learned/);
  assert.match(verdict(run(0.4, 0, 4000), run(0.2, 0, 4000), 100), /neither model learned/);
  assert.match(verdict(run(0.3, 0, 4000), run(0.95, 0.7, 4000), 100), /LSTM did better than the pLSTM/);
  // a slower LSTM is named as such, with both step counts
  assert.match(verdict(run(0.99, 0.9, 4000), run(0.13, 0, 1000), 100), /LSTM ran fewer steps, 1000 against 4000/);
  assert.doesNotMatch(verdict(run(0.99, 0.9, 4000), run(0.13, 0, 3900), 100), /fewer steps/);
  assert.match(verdict(run(1, 1, 2500, 'solved'), run(0.13, 0, 5000), 100), /^The pLSTM solved the task .* after 2500 steps/);
});

test('--version and -V print the package version', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = plstm([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('--json: stdout holds only JSON for conformance and bench too', () => {
  const fixture = join(ROOT, 'test', 'fixtures', readdirSync(join(ROOT, 'test', 'fixtures')).find((f) => f.endsWith('.json'))!);
  const runs = [
    plstm(['conformance', fixture, '--backend', 'js', '--json']),
    plstm(['bench', '--cell', 'plstm', '--batch', '2', '--steps', '5', '--hidden', '8', '--threads', '1', '--reps', '1', '--warmup', '0', '--baselines', 'none', '--json']),
  ];
  for (const r of runs) {
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.length >= 1);
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), `not JSON on stdout: ${l}`);
  }
});
