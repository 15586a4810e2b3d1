/**
 * Histogram building on two threads: a worker (histogram-worker.js) builds half the features of a node
 * over shared buffers while the main thread builds the other half, then the main thread copies the
 * worker's part in. Only nodes with many rows are split this way; small ones stay on one thread, where the
 * hand-off would cost more than it saves. Each feature is summed by one thread in row order, so results are
 * identical to the one-thread build.
 */
import { Worker } from 'node:worker_threads';
import { accumulateFeatures, gatherGradients, STRIDE } from './histogram.ts';

/** Nodes with fewer rows are built on the main thread alone. */
export const PARALLEL_MIN_ROWS = 20_000;

export class HistogramWorkers {
  private readonly worker: Worker;
  private readonly gh: Float64Array;
  private readonly rows: Int32Array;
  private readonly out: Float64Array;
  private readonly control: Int32Array;
  private readonly features: Int32Array;

  constructor(private readonly bins: Uint8Array, private readonly n: number, p: number) {
    const sharedBins = new Uint8Array(new SharedArrayBuffer(bins.length));
    sharedBins.set(bins);
    this.gh = new Float64Array(new SharedArrayBuffer(16 * n));
    this.rows = new Int32Array(new SharedArrayBuffer(4 * n));
    this.out = new Float64Array(new SharedArrayBuffer(8 * p * STRIDE));
    this.control = new Int32Array(new SharedArrayBuffer(16));
    this.features = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, p)));
    this.worker = new Worker(new URL('./histogram-worker.js', import.meta.url), {
      workerData: { bins: sharedBins, gh: this.gh, rows: this.rows, out: this.out, control: this.control, features: this.features, n },
    });
    this.worker.unref();
  }

  /** Same result as `buildHistogram(bins, n, rows, grad, hess, features, out)` on a fresh (zeroed) `out`. */
  build(rows: Int32Array, grad: Float64Array, hess: Float64Array, features: Int32Array, out: Float64Array): void {
    const m = rows.length;
    gatherGradients(rows, grad, hess, this.gh);
    this.rows.set(rows);
    const half = features.length >> 1;
    const theirs = features.subarray(half);
    this.features.set(theirs);
    this.control[1] = m;
    this.control[2] = theirs.length;
    Atomics.store(this.control, 0, 1);
    Atomics.notify(this.control, 0);
    // Our half, while the worker does theirs.
    accumulateFeatures(this.bins, this.n, rows, m, this.gh, features, 0, half, out);
    while (Atomics.load(this.control, 0) !== 2) Atomics.wait(this.control, 0, 1);
    Atomics.store(this.control, 0, 0);
    for (const f of theirs) {
      const o = f * STRIDE;
      out.set(this.out.subarray(o, o + STRIDE), o);
    }
  }

  close(): void {
    Atomics.store(this.control, 0, 9);
    Atomics.notify(this.control, 0);
    void this.worker.terminate();
  }
}
