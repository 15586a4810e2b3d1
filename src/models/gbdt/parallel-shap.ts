/**
 * TreeSHAP on two threads: the rows are cut into slices, and a worker (shap-worker.js, which runs shap.ts
 * itself) explains half of each slice while the main thread explains the other half (from the main
 * thread only: in the streaming scorer's workers both cores are already busy). Each row's values
 * are computed by one thread with the same code in the same tree order, so the result is identical to the
 * one-thread `shapValues`. The call stays synchronous (the main thread waits on a shared control word, as
 * the histogram workers do), so scoring keeps its shape. A worker costs a few hundred milliseconds to
 * start, so small jobs stay on one thread, and the main thread hands the worker rows only once it has said
 * it is ready: until then it explains every slice itself. Waiting on a worker still starting would
 * deadlock where Node cannot start an ES-module worker while the main thread is blocked (an `--input-type=module -e`
 * script, a process with module hooks), so the main thread never waits on one that has not started.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, Worker } from 'node:worker_threads';
import { expectedValue } from './shap.ts';
import { shapValues } from './shap-values.ts';
import type { Tree } from './tree.ts';
import { workerOptions } from '../../worker-options.ts';

/** Jobs below this many row × tree walks stay on one thread (a few tenths of a second of work). */
export const PARALLEL_SHAP_MIN_WORK = 300_000;
/** At most this many rows per hand-off to the worker; the main thread takes as many (or one more). */
const SLICE = 4096;

class ShapWorker {
  private readonly worker: Worker;
  readonly input: Float64Array;
  readonly output: Float64Array;
  readonly control: Int32Array;

  constructor(trees: readonly Tree[], readonly p: number) {
    this.input = new Float64Array(new SharedArrayBuffer(8 * SLICE * Math.max(1, p)));
    this.output = new Float64Array(new SharedArrayBuffer(8 * SLICE * Math.max(1, p)));
    // [0] state (0 idle, 1 job posted, 2 done, 9 exit), [1] rows posted, [2] 1 once the worker runs.
    this.control = new Int32Array(new SharedArrayBuffer(12));
    this.worker = new Worker(new URL('./shap-worker.js', import.meta.url), {
      ...workerOptions(),
      workerData: { trees, input: this.input, output: this.output, control: this.control, p, capacity: SLICE },
    });
    this.worker.unref();
  }

  /** The worker has loaded its code and waits for jobs. */
  ready(): boolean {
    return Atomics.load(this.control, 2) === 1;
  }

  post(columns: readonly Float64Array[], start: number, count: number): void {
    columns.forEach((column, f) => this.input.set(column.subarray(start, start + count), f * SLICE));
    this.control[1] = count;
    Atomics.store(this.control, 0, 1);
    Atomics.notify(this.control, 0);
  }

  wait(): void {
    while (Atomics.load(this.control, 0) !== 2) Atomics.wait(this.control, 0, 1);
    Atomics.store(this.control, 0, 0);
  }

  close(): void {
    Atomics.store(this.control, 0, 9);
    Atomics.notify(this.control, 0);
    void this.worker.terminate();
  }
}

/** One worker per forest and width, kept for the next chunk of the same scoring run. */
const workers = new WeakMap<readonly Tree[], ShapWorker>();
let started = 0;
let rowsOnWorkers = 0;

/** How many TreeSHAP workers this process has started (`--threads 1` must start none: tested). */
export function shapWorkersStarted(): number {
  return started;
}

/** How many rows TreeSHAP workers of this process have explained (none while chunk workers score: tested). */
export function shapWorkerRows(): number {
  return rowsOnWorkers;
}

function workerFor(trees: readonly Tree[], p: number): ShapWorker {
  let w = workers.get(trees);
  if (!w || w.p !== p) {
    w?.close();
    w = new ShapWorker(trees, p);
    started += 1;
    workers.set(trees, w);
  }
  return w;
}

export interface ParallelShapOptions {
  /** Threads to use (1 or 2); default 2 where the machine has two cores. From a worker thread always 1. */
  threads?: number;
  /** Row × tree walks below which one thread is used. */
  minWork?: number;
}

/**
 * The `shapByColumn` computation for scoring on `threads` threads (undefined: the default).
 *
 * @example
 * const { values } = shapByColumn(model.trees, model.fitted.baseScore, design, shapOnThreads(options.threads));
 */
export function shapOnThreads(threads: number | undefined): (trees: readonly Tree[], baseScore: number, design: { columns: readonly Float64Array[]; n: number; p: number }) => { values: Float64Array; base: number } {
  return (trees, baseScore, design) => shapValuesParallel(trees, baseScore, design, threads !== undefined ? { threads } : {});
}

/**
 * `shapValues` on two threads for large jobs (identical values), on one otherwise.
 *
 * @example
 * const { values, base } = shapValuesParallel(model.trees, model.fitted.baseScore, design);
 */
export function shapValuesParallel(trees: readonly Tree[], baseScore: number, design: { columns: readonly Float64Array[]; n: number; p: number },
  options: ParallelShapOptions = {}): { values: Float64Array; base: number; workerRows: number } {
  // From a worker (the streaming scorer's), the other core is already busy: one thread.
  const threads = isMainThread ? (options.threads ?? Math.min(2, availableParallelism())) : 1;
  if (threads < 2 || design.n * trees.length < (options.minWork ?? PARALLEL_SHAP_MIN_WORK) || design.n < 2) return { ...shapValues(trees, baseScore, design), workerRows: 0 };
  const { n, p } = design;
  const worker = workerFor(trees, p);
  const values = new Float64Array(n * p);
  let workerRows = 0;
  for (let start = 0; start < n; start += 2 * SLICE) {
    const count = Math.min(2 * SLICE, n - start);
    // An even split (a chunk smaller than two slices is shared too) once the worker is ready; until then all ours.
    const theirs = worker.ready() ? count >> 1 : 0;
    const ours = count - theirs;
    if (theirs > 0) worker.post(design.columns, start + ours, theirs);
    workerRows += theirs;
    rowsOnWorkers += theirs;
    const mine = shapValues(trees, 0, { columns: design.columns.map((c) => c.subarray(start, start + ours)), n: ours, p });
    values.set(mine.values, start * p);
    if (theirs > 0) {
      worker.wait();
      values.set(worker.output.subarray(0, theirs * p), (start + ours) * p);
    }
  }
  return { values, base: baseScore + trees.reduce((s, t) => s + expectedValue(t), 0), workerRows };
}
