// Compiles a workbench AssemblyScript file (numbered kernel versions) in memory and
// instantiates it on the given (shared) memory, with the flags of the library's build.
import asc from 'assemblyscript/asc';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The exports of bench/workbench/<file>, built with SIMD (and relaxed SIMD when asked). */
export async function compileVersions(file: string, memory: WebAssembly.Memory, relaxed = false)
  : Promise<Record<string, (...a: number[]) => void>> {
  let wasm: Uint8Array | null = null;
  let log = '';
  const { error } = await asc.main([
    file, '-O3', '--runtime', 'stub', '--noAssert', '--use', 'abort=',
    '--importMemory', '--sharedMemory', '--maximumMemory', '65536', '--enable', 'simd', '--enable', 'threads',
    ...(relaxed ? ['--enable', 'relaxed-simd'] : []), '--outFile', 'v.wasm',
  ], {
    readFile: (name: string, baseDir: string) => { try { return readFileSync(resolve(here, baseDir ?? '.', name), 'utf8'); } catch { return null; } },
    writeFile: (name: string, contents: Uint8Array) => { if (name.endsWith('.wasm')) wasm = contents; },
    listFiles: () => [],
    stdout: { write: (s: string) => { log += s; return true; } },
    stderr: { write: (s: string) => { log += s; return true; } },
    baseDir: here,
  } as never);
  if (error || !wasm) throw new Error(`workbench build failed: ${log}`);
  return new WebAssembly.Instance(new WebAssembly.Module(wasm), { env: { memory } }).exports as Record<string, (...a: number[]) => void>;
}
