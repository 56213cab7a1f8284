// A small static server for the built playground (playground/dist). With isolation on (the
// default) it sends the two headers that make the page cross-origin isolated, which is what
// lets the wasm kernels share memory with worker threads:
//   Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp.
// Any static host that sends these headers serves the playground the same way.
//
// As a script: node playground/serve.mjs [--port N] [--no-isolation] [--root DIR]
// (npm run playground builds first). Listens on 127.0.0.1 only.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Where the build writes the app. */
export const DEFAULT_ROOT = join(HERE, 'dist');
/** The first port tried by `npm run playground`. */
export const DEFAULT_PORT = 5173;

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves `root` on 127.0.0.1:`port` (0: any free port). isolate: send COOP/COEP (and CORP)
 * headers. Resolves when listening, with the address and a close function.
 */
export async function startPlaygroundServer({ root = DEFAULT_ROOT, port = 0, isolate = true } = {}) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const headers = { 'cache-control': 'no-store' };
    if (isolate) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
      headers['cross-origin-resource-policy'] = 'same-origin';
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, headers).end('bad path');
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    // nothing outside the root, however the path is spelled
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403, headers).end('forbidden');
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('not found');
    }
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { server.off('error', reject); resolveListen(); });
  });
  const address = `http://127.0.0.1:${server.address().port}/`;
  return { server, address, close: () => new Promise((r) => server.close(() => r())) };
}

/** Tries port, port + 1, ... (up to 20) until one is free. */
async function startOnFreePort(opts) {
  for (let port = opts.port; port < opts.port + 20; port++) {
    try {
      return await startPlaygroundServer({ ...opts, port });
    } catch (e) {
      if (e?.code !== 'EADDRINUSE') throw e;
    }
  }
  throw new Error(`ports ${opts.port} to ${opts.port + 19} are all in use: pass --port N`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag) => { const i = args.indexOf(flag); return i >= 0 ? args[i + 1] : undefined; };
  const isolate = !args.includes('--no-isolation');
  const root = resolve(value('--root') ?? DEFAULT_ROOT);
  const port = Number(value('--port') ?? DEFAULT_PORT);
  try {
    await stat(join(root, 'index.html'));
  } catch {
    console.error(`playground: ${join(root, 'index.html')} is missing: build it first (node scripts/build-playground.mjs)`);
    process.exit(2);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`playground: --port must be an integer from 0 to 65535, got ${value('--port')}`);
    process.exit(2);
  }
  try {
    const { address } = await startOnFreePort({ root, port, isolate });
    console.log(`playground: ${address}`);
    console.log(isolate ? 'cross-origin isolated (COOP/COEP headers): the kernels use worker threads'
      : 'not cross-origin isolated (--no-isolation): the kernels run on one thread');
    console.log('Ctrl-C stops the server.');
  } catch (e) {
    console.error(`playground: ${e instanceof Error ? e.message : e}`);
    process.exit(2);
  }
}
