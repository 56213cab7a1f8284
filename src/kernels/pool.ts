// A small pool of worker threads that run kernel calls on the SAME shared WebAssembly
// memory as the calling thread. A job is one kernel export plus its arguments; `run`
// gives job 0 to the calling thread and one job to each worker, then joins synchronously
// (Atomics.wait on a shared counter). Workers are unref()'d: an idle pool never keeps a
// Node process alive. The worker code is an inline string, so it works the same from the
// TS sources and from dist/, in Node (worker_threads) and in browsers (Web Workers).
import type { KernelExports } from './wasm-module.js';

/** One kernel call: the export's name and its (numeric) arguments. */
export interface KernelJob {
  fn: keyof KernelExports;
  args: number[];
}

// Control words (Int32Array over a SharedArrayBuffer).
const DONE = 0; // jobs finished in the current run
const FAILED = 1; // set when a worker's kernel call threw
const READY = 2; // workers that have instantiated the module

// getBuiltinModule works whether Node evaluates this as CommonJS or as an ES module.
const NODE_WORKER = `
const { parentPort, workerData } = typeof require === 'function'
  ? require('node:worker_threads') : process.getBuiltinModule('node:worker_threads');
const { module, memory, ctrl } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(ctrl);
parentPort.on('message', (job) => {
  try { ex[job.fn](...job.args); } catch (e) { Atomics.store(c, ${FAILED}, 1); }
  Atomics.add(c, ${DONE}, 1); Atomics.notify(c, ${DONE});
});
Atomics.add(c, ${READY}, 1); Atomics.notify(c, ${READY});
`;

const WEB_WORKER = `
let ex = null, c = null;
self.onmessage = (e) => {
  const d = e.data;
  if (d.init) {
    ex = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
    c = new Int32Array(d.ctrl);
    Atomics.add(c, ${READY}, 1); Atomics.notify(c, ${READY});
    return;
  }
  try { ex[d.fn](...d.args); } catch (err) { Atomics.store(c, ${FAILED}, 1); }
  Atomics.add(c, ${DONE}, 1); Atomics.notify(c, ${DONE});
};
`;

interface AnyWorker {
  postMessage(msg: unknown): void;
  terminate(): unknown;
}

type NodeWorkerThreads = typeof import('node:worker_threads');

function nodeWorkerThreads(): NodeWorkerThreads | null {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== 'function') return null;
  return proc.getBuiltinModule('node:worker_threads') as NodeWorkerThreads;
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
export function canBlock(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; document?: unknown };
  if (g.process?.versions?.node) return true;
  return typeof g.document === 'undefined';
}

/** The number of cores this process may use. */
export function availableCores(): number {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const os = proc?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  if (os) return Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, nav?.hardwareConcurrency ?? 1);
}

export class WorkerPool {
  private readonly workers: AnyWorker[] = [];
  private readonly ctrl: Int32Array;
  private readonly blocking: boolean;
  private disposed = false;
  private started = false;
  private waitedForReady = false;

  /**
   * A pool of `count` workers on `module` + `memory` (shared), started on first use (so a
   * backend that never runs a big batch never starts a thread). Starting never fails the
   * caller: where workers are unavailable the pool simply has none, and every job runs on
   * the calling thread.
   */
  constructor(private readonly module: WebAssembly.Module, private readonly memory: WebAssembly.Memory,
    private readonly count: number) {
    this.ctrl = new Int32Array(new SharedArrayBuffer(16));
    this.blocking = canBlock();
  }

  private start(): void {
    this.started = true;
    const { module, memory, count } = this;
    if (count <= 0 || !this.blocking || this.disposed) return;
    const wt = nodeWorkerThreads();
    for (let i = 0; i < count; i++) {
      try {
        if (wt) {
          // execArgv []: the worker needs no loaders or flags of the parent (e.g. --import tsx)
          const w = new wt.Worker(NODE_WORKER, {
            eval: true, execArgv: [], workerData: { module, memory, ctrl: this.ctrl.buffer },
          });
          // a worker that dies only loses its share: jobs then run on the calling thread
          w.on('error', () => this.drop(w));
          w.on('exit', () => this.drop(w));
          w.unref();
          this.workers.push(w);
        } else if (typeof Worker !== 'undefined' && typeof Blob !== 'undefined') {
          const url = URL.createObjectURL(new Blob([WEB_WORKER], { type: 'text/javascript' }));
          const w = new Worker(url);
          w.postMessage({ init: true, module, memory, ctrl: this.ctrl.buffer });
          this.workers.push(w);
        }
      } catch {
        break;
      }
    }
  }

  private broken = false;

  private drop(w: AnyWorker): void {
    if (this.disposed) return;
    // the pool stops using workers altogether: shares are indexed by worker position
    this.broken = true;
    void w;
  }

  /** Workers that have started and can take jobs now. */
  private readyWorkers(): number {
    if (!this.started) this.start();
    if (this.broken) return 0;
    if (!this.waitedForReady && this.workers.length > 0 && nodeWorkerThreads()) {
      // First use in Node: workers start in parallel with the caller; wait for them
      // (bounded) so the first call already runs on every core.
      this.waitedForReady = true;
      const deadline = Date.now() + 10_000;
      let ready = Atomics.load(this.ctrl, READY);
      while (ready < this.workers.length && Date.now() < deadline) {
        Atomics.wait(this.ctrl, READY, ready, 100);
        ready = Atomics.load(this.ctrl, READY);
      }
    }
    return Math.min(Atomics.load(this.ctrl, READY), this.workers.length);
  }

  /** Number of threads a run can use now (the caller plus ready workers). */
  get threads(): number {
    return 1 + this.readyWorkers();
  }

  /**
   * Runs the jobs, job 0 on the calling thread and the rest on workers (any jobs beyond the
   * ready workers also on the calling thread), and returns when all are done.
   */
  run(jobs: KernelJob[], local: KernelExports): void {
    if (jobs.length === 0) return;
    const call0 = (job: KernelJob) => (local[job.fn] as (...a: number[]) => void)(...job.args);
    if (jobs.length === 1) { call0(jobs[0]); return; } // no thread hop, no worker start
    const remote = this.disposed ? 0 : Math.min(jobs.length - 1, this.readyWorkers());
    const ctrl = this.ctrl;
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, FAILED, 0);
    for (let i = 0; i < remote; i++) this.workers[i].postMessage(jobs[1 + i]);
    const call = (job: KernelJob) => (local[job.fn] as (...a: number[]) => void)(...job.args);
    let error: unknown = null;
    try {
      call(jobs[0]);
      for (let i = 1 + remote; i < jobs.length; i++) call(jobs[i]);
    } catch (e) {
      error = e;
    }
    // join: wait until every posted job has finished (even if ours failed: they share memory)
    let done = Atomics.load(ctrl, DONE);
    while (done < remote) {
      Atomics.wait(ctrl, DONE, done);
      done = Atomics.load(ctrl, DONE);
    }
    if (error) throw error;
    if (Atomics.load(ctrl, FAILED)) throw new Error('a wasm kernel failed in a worker thread');
  }

  /** Stops the workers. Safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}
