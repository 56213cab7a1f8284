// Headless Chromium for the tests that need a page: Debian's chromium driven by
// playwright-core (Playwright's own browser download does not work everywhere), a local
// server for bundled pages, and a page that records every console problem. Tests that open a
// page take `{ skip: skipUnless('chromium') }` (requirements.ts) and are listed in the
// test:browser script of package.json.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { hasRequirement, missingMessage } from './requirements.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a plain headless page (no GPU, no network beyond localhost). */
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Serves fixed files (path -> [content type, body]) on 127.0.0.1 at a free port; no COOP/COEP headers. */
export async function serveFiles(files: Record<string, [string, string]>): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/**
 * Opens one page in headless Chromium with `flags`, runs `use` on it, and closes the browser.
 * problems collects console errors and warnings, uncaught page errors and (with
 * failedRequests) failed requests, for the caller to assert empty.
 */
export async function withPage<R>(flags: string[], use: (page: Page, problems: string[]) => Promise<R>,
  opts: { failedRequests?: boolean } = {}): Promise<R> {
  assert.ok(hasRequirement('chromium'), missingMessage('chromium'));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: flags, headless: true });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    if (opts.failedRequests) page.on('requestfailed', (q) => problems.push(`request failed: ${q.url().slice(0, 80)}`));
    return await use(page, problems);
  } finally {
    await browser.close();
  }
}
