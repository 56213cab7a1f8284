// TF.js for the benchmark baselines: @tensorflow/tfjs on the wasm backend (its .wasm files
// from the package's dist folder) or another backend. Without the devDependencies it prints
// one JSON line with "skipped" and exits 0, so `npm run bench` reports the baseline as missing.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The tf namespace, ready on `backend` ('wasm' by default). */
export async function loadTfjs(backend = 'wasm') {
  let tf;
  try {
    tf = await import('@tensorflow/tfjs');
    if (backend === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // The .wasm binaries sit next to the package's main file (its dist folder).
      wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep);
    }
  } catch (err) {
    console.log(JSON.stringify({ source: 'tfjs', skipped: `TF.js packages not installed (${err.code ?? err.message})` }));
    process.exit(0);
  }
  // TF.js prints a hint about tfjs-node on import; stdout stays for JSON lines only.
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}
