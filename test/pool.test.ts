// The worker pool on its own: jobs reach the workers through shared memory, a trap in a
// worker fails the run (and the pool keeps working), extra jobs run on the caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compiledKernels, createKernelMemory, instantiateKernels } from '../src/kernels/wasm/runtime/module.js';
import { WorkerPool, type KernelJob } from '../src/kernels/wasm/runtime/pool.js';

const R = 37, C = 52; // transposes of [R, C] blocks, one per job

function setup(workers: number) {
  const compiled = compiledKernels('simd');
  const memory = createKernelMemory(true);
  memory.grow(16);
  const kx = instantiateKernels(compiled.module, memory);
  const pool = new WorkerPool(compiled.module, memory, workers);
  const base = kx.heapBase();
  const src = (j: number) => base + j * 2 * R * C * 4, dst = (j: number) => src(j) + R * C * 4;
  const job = (j: number): KernelJob => ({ fn: 'transpose', args: [R, C, src(j), dst(j)] });
  const fill = (jobs: number) => {
    for (let j = 0; j < jobs; j++) {
      const s = new Float32Array(memory.buffer, src(j), R * C), d = new Float32Array(memory.buffer, dst(j), R * C);
      for (let i = 0; i < R * C; i++) s[i] = j * 10_000 + i;
      d.fill(-1);
    }
  };
  const check = (jobs: number) => {
    for (let j = 0; j < jobs; j++) {
      const d = new Float32Array(memory.buffer, dst(j), R * C);
      for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) {
        if (d[c * R + r] !== j * 10_000 + r * C + c) assert.fail(`job ${j}: element (${c}, ${r}) is ${d[c * R + r]}`);
      }
    }
  };
  return { kx, pool, job, fill, check, memory };
}

test('jobs 1.. run on the workers, every result lands, repeated runs too', () => {
  const { kx, pool, job, fill, check } = setup(2);
  try {
    assert.equal(pool.threads, 3);
    for (let round = 0; round < 50; round++) {
      fill(3);
      pool.run([job(0), job(1), job(2)], kx);
      check(3);
    }
    assert.equal(pool.remoteJobs, 100, 'two jobs a run went to the workers');
  } finally {
    pool.dispose();
  }
});

test('more jobs than workers: the rest run on the calling thread', () => {
  const { kx, pool, job, fill, check } = setup(1);
  try {
    fill(5);
    pool.run([0, 1, 2, 3, 4].map(job), kx);
    check(5);
    assert.equal(pool.remoteJobs, 1);
  } finally {
    pool.dispose();
  }
});

test('a trap in a worker fails the run with an error; the next run works', () => {
  const { kx, pool, job, fill, check, memory } = setup(1);
  try {
    const beyond = memory.buffer.byteLength + 4096; // out of bounds: the kernel traps
    fill(2);
    assert.throws(() => pool.run([job(0), { fn: 'transpose', args: [R, C, beyond, beyond] }], kx),
      /a wasm kernel failed in a worker thread/);
    fill(2);
    pool.run([job(0), job(1)], kx);
    check(2);
    assert.equal(pool.remoteJobs, 2);
  } finally {
    pool.dispose();
  }
});

test('after dispose every job runs on the calling thread', () => {
  const { kx, pool, job, fill, check } = setup(1);
  fill(2);
  pool.run([job(0), job(1)], kx);
  pool.dispose();
  pool.dispose();
  fill(2);
  pool.run([job(0), job(1)], kx);
  check(2);
  assert.equal(pool.remoteJobs, 1);
});
