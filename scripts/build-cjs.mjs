// Builds the CommonJS flavour of the package beside tsc's ES modules: every source file the
// public entries (src/index.ts, src/node/index.ts, src/tfjs/index.ts, src/onnx/index.ts,
// src/backend/index.ts) reach is transpiled on its own to dist/cjs/ (same layout, so
// `require('powerlaw-lstm')` and the subpaths `/node`, `/tfjs`, `/onnx` and `/backend` share
// one copy of each module), with a package.json that marks the folder CommonJS and tsc's
// declarations copied beside, so TypeScript reads them as CommonJS types.
// Run by `npm run build` after tsc.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['src/index.ts', 'src/node/index.ts', 'src/tfjs/index.ts', 'src/onnx/index.ts', 'src/backend/index.ts'];
const out = join(root, 'dist/cjs');

// Which files the entries reach: a bundle that is never written, read from its metafile.
const probe = await build({
  absWorkingDir: root, entryPoints: entries, bundle: true, write: false, metafile: true,
  platform: 'node', format: 'esm', outdir: 'probe', logLevel: 'silent',
  external: ['@tensorflow/*'], // TF.js is a peer dependency: the user's copy, never ours
});
const sources = Object.keys(probe.metafile.inputs).filter((f) => f.startsWith('src/'));

rmSync(out, { recursive: true, force: true });
await build({
  absWorkingDir: root, entryPoints: sources, bundle: false, outdir: out, outbase: 'src',
  platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
});
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');

// Declarations: those of every module above, and of the type-only modules they name (an
// interface file emits no code, so the bundle above never reaches it), followed through
// their imports.
const pending = sources.map((src) => relative('src', src).replace(/\.ts$/, '.d.ts'));
const copied = new Set();
while (pending.length > 0) {
  const dts = pending.pop();
  if (copied.has(dts)) continue;
  copied.add(dts);
  const from = join(root, 'dist', dts);
  if (!existsSync(from)) throw new Error(`build-cjs: tsc wrote no ${from}; run tsc first`);
  mkdirSync(dirname(join(out, dts)), { recursive: true });
  copyFileSync(from, join(out, dts));
  for (const m of readFileSync(from, 'utf8').matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)\.js['"]/g)) {
    pending.push(join(dirname(dts), `${m[1]}.d.ts`));
  }
}
console.log(`build-cjs: ${sources.length} modules -> dist/cjs`);
