// The TF.js layers (powerlaw-lstm/tfjs) with TF.js's webgl backend in a browser: a page that
// bundles @tensorflow/tfjs and the layers (from the sources) runs PowerLawLSTM and FastLSTM
// forward and backward (tf.grads / tf.variableGrads) with the webgl backend, then with the cpu
// backend in the same page, and the two must agree within float32 tolerance.
//
// Headless Chromium here has no GPU; SwiftShader gives it WebGL in software. Where WebGL
// cannot be had at all the test skips and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { serveFiles, withPage } from './support/browser.js';
import { skipUnless } from './support/requirements.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** SwiftShader: WebGL 2 in software, for machines without a GPU. */
const WEBGL_FLAGS = ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The page: `runCase(backend)` builds both layers with seeded initialisers, runs them on a fixed
// input with a non-zero initial state and returns the outputs and every gradient as arrays.
const PAGE = `
import * as tf from '@tensorflow/tfjs';
import { preloadWasmKernels } from './src/index.ts';
import { PowerLawLSTM, FastLSTM } from './src/tfjs/index.ts';

const B = 2, T = 5, I = 3, H = 4;
const seq = (n, k) => Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + k)); // deterministic inputs

function grads(layer, x, init, R) {
  const loss = (xx, ...s) => {
    const out = layer.apply(xx, { initialState: s });
    return tf.sum(tf.mul(Array.isArray(out) ? out[0] : out, R));
  };
  const out = layer.apply(x, { initialState: init });
  const inputGrads = tf.grads(loss)([x, ...init]);
  const vars = layer.trainableWeights.map((v) => v.read());
  const { value, grads } = tf.variableGrads(() => loss(x, ...init), vars);
  return [out, value, ...inputGrads, ...vars.map((v) => grads[v.name])].map((t) => Array.from(t.dataSync()));
}

globalThis.runCase = async (backend) => {
  if (!(await tf.setBackend(backend))) throw new Error('TF.js could not start its ' + backend + ' backend');
  const init = (seed) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }),
    recurrentInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 2 }) });
  return tf.tidy(() => {
    const x = tf.tensor3d(seq(B * T * I, 0), [B, T, I]);
    const state = (k) => tf.tensor2d(seq(B * H, k).map((v) => 0.5 * v), [B, H]);
    const plstm = new PowerLawLSTM({ units: H, returnSequences: true, pInit: { mode: 'range', lo: -2, hi: 2 }, ...init(1) });
    plstm.build([B, T, I]);
    plstm.pParam.write(tf.tensor1d(seq(H, 5).map((v) => 2 * v)));
    const age = tf.abs(state(3)).mul(4);
    const fast = new FastLSTM({ units: H, goBackwards: true, ...init(7) });
    return {
      backend: tf.getBackend(),
      plstm: grads(plstm, x, [state(1), state(2), age], tf.tensor3d(seq(B * T * H, 9), [B, T, H])),
      fast: grads(fast, x, [state(4), state(6)], tf.tensor2d(seq(B * H, 8), [B, H])),
    };
  });
};

try {
  await preloadWasmKernels();
  globalThis.ready = { webgl: await tf.setBackend('webgl'), webglVersion: tf.env().getNumber('WEBGL_VERSION') };
} catch (e) {
  globalThis.ready = { webgl: false, error: String(e && e.stack || e) };
}
`;

/** Max |a - b| / (atol + rtol |b|) over all elements (<= 1 passes); float32 tolerance. */
function worst(a: number[], b: number[], atol = 1e-5, rtol = 1e-4): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return w;
}

test('TF.js webgl backend in headless Chromium: PowerLawLSTM and FastLSTM give the cpu backend\'s outputs and gradients', { timeout: 90_000, skip: skipUnless('chromium') }, async (t) => {
  const bundle = await build({
    stdin: { contents: PAGE, resolveDir: ROOT, loader: 'ts', sourcefile: 'webgl-page.ts' }, absWorkingDir: ROOT,
    bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent', outfile: 'page.js',
  });
  assert.deepEqual(bundle.errors, []);
  const files: Record<string, [string, string]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>tfjs webgl</title><script type="module" src="/page.js"></script>'],
    '/page.js': ['text/javascript', bundle.outputFiles[0].text],
  };
  const { origin, server } = await serveFiles(files);
  try {
    await withPage(WEBGL_FLAGS, async (page, problems) => {
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => (globalThis as { ready?: unknown }).ready !== undefined, null, { timeout: 60_000 });
      const ready = await page.evaluate(() => (globalThis as { ready?: unknown }).ready) as { webgl: boolean; webglVersion?: number; error?: string };
      if (ready.error !== undefined) assert.fail(`the page failed to start: ${ready.error}`);
      if (!ready.webgl) {
        t.skip(`WebGL is not available in headless Chromium here (TF.js could not start its webgl backend; ${problems.join('; ') || 'no message'}): the webgl backend was not tested`);
        return;
      }
      type Result = { backend: string; plstm: number[][]; fast: number[][] };
      const runCase = (backend: string): Promise<Result> =>
        page.evaluate((b) => (globalThis as unknown as { runCase(b: string): Promise<Result> }).runCase(b), backend);
      const onWebgl = await runCase('webgl');
      const onCpu = await runCase('cpu');
      assert.equal(onWebgl.backend, 'webgl');
      assert.equal(onCpu.backend, 'cpu');
      const names = {
        plstm: ['output', 'loss', 'dx', 'dh0', 'dc0', 'da0', 'd kernel', 'd recurrent_kernel', 'd bias', 'd p_param'],
        fast: ['output', 'loss', 'dx', 'dh0', 'dc0', 'd kernel', 'd recurrent_kernel', 'd bias'],
      };
      for (const layer of ['plstm', 'fast'] as const) {
        assert.equal(onWebgl[layer].length, names[layer].length);
        names[layer].forEach((name, i) => {
          const a = onWebgl[layer][i], b = onCpu[layer][i];
          assert.ok(b.some((v) => v !== 0), `${layer} ${name} is all zeros on cpu: the case tests nothing`);
          const w = worst(a, b);
          assert.ok(w <= 1, `${layer} ${name}: webgl differs from cpu, worst error ratio ${w.toFixed(2)} (> 1)`);
        });
      }
      // The layers ran on our wasm kernels (no fallback warning), and nothing else went wrong.
      // Chromium's software GL may log its own driver performance note ("GL Driver Message
      // (OpenGL, Performance, ...): GPU stall due to ReadPixels"), which reading results back
      // from WebGL causes and which says nothing about our code; only that exact kind is let through.
      const driverNote = /^warning: \[\.WebGL-[0-9a-fx]+\]GL Driver Message \(OpenGL, Performance, /;
      assert.deepEqual(problems.filter((p) => !driverNote.test(p)), []);
    });
  } finally {
    server.close();
  }
});
