// Every example in README.md and docs/*.md runs, and every relative link there points to a
// file that exists.
//
// A fenced block in ```ts or ```js (also typescript, javascript) is an example: it is written
// to its own folder under test/.docs-examples/ (git-ignored), with the package's specifiers
// ('powerlaw-lstm', 'powerlaw-lstm/node', 'powerlaw-lstm/tfjs') pointed at the source entries,
// and run with `node --import tsx` in that folder under a time limit. (The source entries rather
// than dist/ through the package's self-reference, so that a stale build cannot hide a broken
// example; the public API is the same.) One strict tsc program type-checks all ts examples
// first, since a misspelt option is silently ignored at run time. An example that prints a
// deprecation warning fails: the guides show the current spellings. The info string after the
// language takes two words:
//   ```ts continues   the block goes on from the block before it in the same file: it runs
//                     after that block's code (and whatever that one continued), as one module
//   ```ts no-run: why the block is not run; the test names how many it left out and why
// Output samples and shell commands go in ```text and ```sh blocks; a fence with no language
// fails the test, so that no example hides from it.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'test', '.docs-examples');
/** Seconds one example may run (on a 2-core machine; the examples are kept tiny). */
const LIMIT_S = 30;

const RUN_LANGS = new Set(['ts', 'typescript', 'js', 'javascript']);
const ENTRIES: Record<string, string> = {
  'powerlaw-lstm': 'src/index.ts',
  'powerlaw-lstm/node': 'src/node/index.ts',
  'powerlaw-lstm/tfjs': 'src/tfjs/index.ts',
  'powerlaw-lstm/onnx': 'src/onnx/index.ts',
  'powerlaw-lstm/backend': 'src/backend/index.ts',
};

interface Block {
  file: string; // relative to ROOT, '/' separated
  line: number; // of the opening fence, 1-based
  lang: string;
  info: string; // what follows the language
  code: string;
}

function docFiles(): string[] {
  const docs = existsSync(join(ROOT, 'docs'))
    ? readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)
    : [];
  return ['README.md', ...docs];
}

/** The fenced blocks of a markdown text, in order; throws on a fence that is never closed. */
function fencedBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})([^`]*)$/.exec(lines[i]); // as CommonMark: no backtick in the info string
    if (!open) continue;
    const [lang = '', ...rest] = open[2].trim().split(/\s+/);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^${open[1]}\\s*$`).test(lines[j])) body.push(lines[j++]);
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a fence that is never closed`);
    out.push({ file, line: i + 1, lang: lang.toLowerCase(), info: rest.join(' '), code: body.join('\n') });
    i = j;
  }
  return out;
}

/** The module an example runs as, in `dir`: its chain of continued blocks, specifiers pointed at src. */
function moduleSource(chain: Block[], dir: string): string {
  const code = chain.map((b) => `// ${b.file}:${b.line}\n${b.code}`).join('\n');
  return code.replace(/(['"])(powerlaw-lstm(?:\/node|\/tfjs)?)\1/g, (whole, q: string, spec: string) => {
    const entry = ENTRIES[spec];
    if (!entry) return whole;
    return q + posix.normalize(relative(dir, join(ROOT, entry)).split('\\').join('/')) + q;
  });
}

function runExample(dir: string, file: string): Promise<{ code: number | null; signal: string | null; output: string; seconds: number }> {
  return new Promise((done) => {
    const start = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_S * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, output, seconds: (performance.now() - start) / 1000 });
    });
  });
}

const blocks = docFiles().flatMap((f) => fencedBlocks(f, readFileSync(join(ROOT, f), 'utf8')));
const examples = blocks.filter((b) => RUN_LANGS.has(b.lang));
const noRun = examples.filter((b) => /^no-run\b/.test(b.info));
const toRun = examples.filter((b) => !noRun.includes(b));

/** The blocks an example runs: those it continues (in file order) and itself. */
function chainOf(b: Block): Block[] {
  const chain = [b];
  let cur = b;
  while (/^continues\b/.test(cur.info)) {
    const before = examples.filter((e) => e.file === cur.file && e.line < cur.line).at(-1);
    assert.ok(before, `${cur.file}:${cur.line} continues, but no example comes before it`);
    assert.ok(!noRun.includes(before), `${cur.file}:${cur.line} continues ${before.file}:${before.line}, which is no-run`);
    chain.unshift(before);
    cur = before;
  }
  return chain;
}

describe('docs: examples', () => {
  test('every fence names a language; every example says run, continues or no-run with a reason', () => {
    const bare = blocks.filter((b) => b.lang === '').map((b) => `${b.file}:${b.line}`);
    assert.deepEqual(bare, [], 'fences without a language (use ts, js, sh, text, ...)');
    for (const b of examples) {
      assert.ok(b.info === '' || /^continues$/.test(b.info) || /^no-run: \S/.test(b.info),
        `${b.file}:${b.line}: info "${b.info}" is none of: (nothing), continues, no-run: <why>`);
    }
    assert.ok(toRun.length >= 10, `only ${toRun.length} examples found to run`);
  });

  test(`${noRun.length} example(s) marked no-run are not run: ${noRun.map((b) => `${b.file}:${b.line} (${b.info.slice(8)})`).join('; ') || 'none'}`, () => {
    // Nothing to run: the name says what was left out. A no-run block may not be continued.
    for (const b of noRun) assert.match(b.info, /^no-run: \S/);
  });

  // Every example is written before any runs, so that one tsc program type-checks them all.
  rmSync(WORK, { recursive: true, force: true });
  const written = toRun.map((b) => {
    const dir = join(WORK, `${b.file.replace(/[/.]/g, '-')}-L${b.line}`);
    const name = b.lang.startsWith('j') ? 'example.mjs' : 'example.ts';
    mkdirSync(dir, { recursive: true });
    const chain = chainOf(b);
    writeFileSync(join(dir, name), moduleSource(chain, dir));
    // generated line (1-based) -> where it is in the docs: each block is one comment line, then its lines
    const where: string[] = [''];
    for (const c of chain) {
      where.push(`${c.file}:${c.line}`);
      c.code.split('\n').forEach((_, k) => where.push(`${c.file}:${c.line + 1 + k}`));
    }
    return { block: b, dir, name, where };
  });
  let failed = false;

  test('every ts example, and every program in examples/, type-checks (tsc, strict, against the source entries)', { timeout: 120_000 }, () => {
    const paths = Object.fromEntries(Object.entries(ENTRIES).map(([spec, entry]) => [spec, [relative(WORK, join(ROOT, entry)).split('\\').join('/')]]));
    writeFileSync(join(WORK, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
        allowImportingTsExtensions: true, lib: ['ES2022', 'DOM'], types: ['node'], skipLibCheck: true, paths,
      },
      include: ['*/example.ts', relative(WORK, join(ROOT, 'examples')).split('\\').join('/') + '/*.ts'],
    }, null, 2));
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', WORK, '--pretty', 'false'],
      { cwd: WORK, encoding: 'utf8' });
    // only the examples' own errors: the source is type-checked by `npm run typecheck`
    const errors = (r.stdout + r.stderr).split('\n').flatMap((line) => {
      const m = /^(.+)\((\d+),\d+\): (error .*)$/.exec(line.trim());
      if (!m) return [];
      const file = relative(ROOT, resolve(WORK, m[1])).split('\\').join('/');
      if (file.startsWith('src/')) return [];
      const w = written.find((e) => relative(ROOT, join(e.dir, e.name)).split('\\').join('/') === file);
      return [`${w ? w.where[Number(m[2])] : `${file}:${m[2]}`}: ${m[3]}`];
    });
    if (errors.length) failed = true;
    assert.deepEqual(errors, [], 'type errors in the examples');
  });

  for (const w of written) {
    const b = w.block;
    test(`${b.file}:${b.line} runs`, async () => {
      const r = await runExample(w.dir, w.name);
      const tail = r.output.split('\n').slice(-25).join('\n');
      if (r.signal !== null || r.code !== 0) failed = true;
      assert.ok(r.signal === null, `${b.file}:${b.line} ran past ${LIMIT_S} s and was stopped\n${tail}`);
      assert.equal(r.code, 0, `${b.file}:${b.line} failed (exit ${r.code}, ${r.seconds.toFixed(1)} s):\n${tail}`);
      // the guides show the current spellings: a deprecated one that still works fails here
      const deprecated = r.output.split('\n').filter((l) => /deprecat/i.test(l));
      if (deprecated.length) failed = true;
      assert.deepEqual(deprecated, [], `${b.file}:${b.line} uses a deprecated spelling`);
    });
  }

  // the folder stays for a look when something failed
  after(() => { if (!failed) rmSync(WORK, { recursive: true, force: true }); });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^```[^`]*$/.test(line)) fenced = !fenced;
    const h = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!h) continue;
    const s = slug(h[1]);
    const n = seen.get(s) ?? 0;
    out.add(n === 0 ? s : `${s}-${n}`);
    seen.set(s, n + 1);
  }
  return out;
}

/** The link targets of a markdown text outside code blocks and code spans. */
function linkTargets(text: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^```[^`]*$/.test(line)) { fenced = !fenced; return; }
    if (fenced) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1], line: i + 1 });
  });
  return out;
}

describe('docs: links', () => {
  test('README.md is a page a user reads in five minutes: under 200 lines', () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length;
    assert.ok(lines < 200, `README.md has ${lines} lines; move details to a page under docs/`);
  });

  test('every relative link in README.md and docs/*.md points to a file (and heading) that exists', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of docFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const { target, line } of linkTargets(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, ...
        checked++;
        const [path, anchor] = target.split('#');
        const abs = path === '' ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), decodeURIComponent(path));
        const rel = relative(ROOT, abs).split('\\').join('/');
        if (!existsSync(abs)) {
          broken.push(`${file}:${line}: ${target} (no file ${rel})`);
          continue;
        }
        if (anchor && abs.endsWith('.md') && !anchorsOf(readFileSync(abs, 'utf8')).has(anchor)) {
          broken.push(`${file}:${line}: ${target} (no heading #${anchor} in ${rel})`);
        }
      }
    }
    assert.ok(checked >= 10, `only ${checked} relative links found`);
    assert.deepEqual(broken, [], 'broken links');
  });

  test('the link check finds a missing file and a missing heading', () => {
    const targets = linkTargets('see [a](docs/nope.md) and `[not](a-link.md)`, ![img](x.png "t")\n```\n[no](in-code.md)\n```\n');
    assert.deepEqual(targets.map((t) => t.target), ['docs/nope.md', 'x.png']);
    assert.ok(anchorsOf('# The `plstm` command\n## Use it, as a library\n').has('the-plstm-command'));
    assert.ok(anchorsOf('## Use it, as a library\n').has('use-it-as-a-library'));
  });
});
