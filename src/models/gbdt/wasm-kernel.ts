/**
 * The tree learner's two inner loops in WebAssembly: building a node's histogram and splitting its rows.
 * Histograms use 128-bit SIMD: a bin's (Σ gradient, Σ hessian) pair is one `f64x2.add`, and no bounds
 * checks run per row: a fraction of the JavaScript loop's time per update (BENCHMARKS.md, "Design measurements"), with bit-identical sums: each bin still adds its rows in row order, the two lanes of a SIMD add
 * are IEEE double adds. The partition is the JavaScript one's branch-free loop, same rows, same order.
 *
 * The module's source is src/wasm/histogram.wat. Everything it reads or writes sits in one WebAssembly
 * memory, laid out once for the fit:
 *   bins (n × p codes, column-major) | grad | hess (n doubles each) | the tree's row index and its scratch |
 *   staging rows | the node's gathered gradients | the histogram being built (p × 256 pairs) | a split's
 *   direction table | job control and features.
 * The learner writes gradients into `grad` / `hess` and grows its trees in `workspace` (views of that
 * memory), so a node's rows are passed as an address, not copied. The memory is shared (the module imports
 * a shared memory, also on one thread): with two threads a worker (histogram-worker.js) builds groups of a
 * large node's features with the same module.
 */
import { Worker } from 'node:worker_threads';
import { partitionRows, type RowWorkspace, type TreeKernel } from './grow.ts';
import { claimGroups } from './histogram-groups.js';
import { workerOptions } from '../../worker-options.ts';
import { Layout, PAGE_BYTES, wasmModule } from '../../wasm/modules.ts';
import { STRIDE } from './histogram.ts';

/** Nodes with fewer rows are built on the main thread alone: the hand-off would cost more than it saves. */
export const PARALLEL_MIN_ROWS = 20_000;

export interface Kernel {
  gather: (rows: number, m: number, grad: number, hess: number, gh: number) => void;
  accumulate4: (rows: number, m: number, gh: number, b0: number, b1: number, b2: number, b3: number, o0: number, o1: number, o2: number, o3: number) => void;
  accumulate1: (rows: number, m: number, gh: number, b: number, o: number) => void;
  partition: (segment: number, m: number, codes: number, goesLeft: number, scratch: number) => number;
}

/** wasm32 memories address at most 4 GiB; past this the learner keeps the JavaScript loop. */
const MAX_BYTES = 4 * 1024 ** 3 - PAGE_BYTES;

/** Where everything sits in the kernel's memory (see the header). */
function kernelLayout(n: number, p: number, rowCapacity: number) {
  const layout = new Layout();
  const take = (bytes: number) => layout.take(bytes);
  const at = {
    bins: take(n * p), grad: take(8 * n), hess: take(8 * n), index: take(4 * rowCapacity), scratch: take(4 * rowCapacity), staging: take(4 * rowCapacity),
    gh: take(16 * rowCapacity), hist: take(8 * p * STRIDE), goesLeft: take(256), control: take(4 * (8 + p)),
  };
  return { layout, at };
}

/** The WebAssembly kernel: histograms on one thread or two, partitions on this one. */
export class WasmKernel implements TreeKernel {
  readonly bins: Uint8Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly workspace: RowWorkspace;
  private readonly kernel: Kernel;
  private readonly memory: WebAssembly.Memory;
  private readonly at: ReturnType<typeof kernelLayout>['at'];
  private readonly histView: Float64Array;
  private readonly goesLeft: Uint8Array;
  private readonly control: Int32Array;
  private readonly worker: Worker | null = null;
  /** The last job posted (1 to 32767, then around again); the worker wakes when control[0] changes. */
  private job = 0;

  /**
   * The kernel for a fit, or null where this runtime has no WebAssembly, the data would not fit in a
   * 4 GiB memory or the memory cannot be reserved (the caller then uses the JavaScript loops: same sums).
   */
  static create(bins: Uint8Array, n: number, p: number, rowCapacity: number, threads: number): WasmKernel | null {
    // A module that does not load is a bug in its source or the build, not a reason to run the JavaScript loops quietly: it throws.
    const module = wasmModule('histogram');
    if (!module) return null;
    const { layout, at } = kernelLayout(n, p, rowCapacity);
    if (layout.bytes > MAX_BYTES) return null;
    try {
      return new WasmKernel(module, bins, n, p, rowCapacity, threads, layout.pages, at);
    } catch (err) {
      // A memory this size could not be reserved (RangeError): the JavaScript loops need no extra copy.
      if (err instanceof RangeError) return null;
      throw err;
    }
  }

  private constructor(module: WebAssembly.Module, bins: Uint8Array, private readonly n: number, p: number, rowCapacity: number, threads: number, pages: number, at: ReturnType<typeof kernelLayout>['at']) {
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    this.kernel = new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as unknown as Kernel;
    this.at = at;
    const buffer = this.memory.buffer;
    this.bins = new Uint8Array(buffer, this.at.bins, n * p);
    this.bins.set(bins);
    this.grad = new Float64Array(buffer, this.at.grad, n);
    this.hess = new Float64Array(buffer, this.at.hess, n);
    this.workspace = { index: new Int32Array(buffer, this.at.index, rowCapacity), scratch: new Int32Array(buffer, this.at.scratch, rowCapacity) };
    this.goesLeft = new Uint8Array(buffer, this.at.goesLeft, 256);
    this.histView = new Float64Array(buffer, this.at.hist, p * STRIDE);
    this.control = new Int32Array(buffer, this.at.control, 8 + p);
    if (threads > 1) {
      this.worker = new Worker(new URL('./histogram-worker.js', import.meta.url), {
        ...workerOptions(),
        workerData: { module, memory: this.memory, at: this.at, n, stride: STRIDE },
      });
      this.worker.unref();
    }
  }

  /** The two-thread split applies to nodes from PARALLEL_MIN_ROWS rows. */
  build(rows: Int32Array, features: Int32Array, out: Float64Array): void {
    const m = rows.length;
    let rowsAt = rows.byteOffset;
    if (rows.buffer !== this.memory.buffer) {
      new Int32Array(this.memory.buffer, this.at.staging, m).set(rows);
      rowsAt = this.at.staging;
    }
    for (const f of features) this.histView.fill(0, f * STRIDE, (f + 1) * STRIDE);
    this.kernel.gather(rowsAt, m, this.at.grad, this.at.hess, this.at.gh);
    // The job's words, then groups of four features claimed until none is left (histogram-groups.js): by
    // this thread alone, or for a large node with the worker, which is woken by the new job id.
    const control = this.control;
    this.job = (this.job % 0x7fff) + 1;
    control[1] = rowsAt;
    control[2] = m;
    control[3] = features.length;
    control.set(features, 8);
    control[5] = 0;
    Atomics.store(control, 4, this.job << 16);
    const withWorker = this.worker !== null && m >= PARALLEL_MIN_ROWS && features.length > 4;
    if (withWorker) {
      Atomics.store(control, 0, this.job);
      Atomics.notify(control, 0);
    }
    claimGroups(this.kernel, control, this.at, this.n, STRIDE, this.job);
    const groups = Math.ceil(features.length / 4);
    for (let done = Atomics.load(control, 5); done < groups; done = Atomics.load(control, 5)) Atomics.wait(control, 5, done);
    for (const f of features) out.set(this.histView.subarray(f * STRIDE, (f + 1) * STRIDE), f * STRIDE);
  }

  /** As the JavaScript partition (grow.ts); segments outside the workspace are split there. */
  partition(segment: Int32Array, feature: number, goesLeft: Uint8Array): number {
    if (segment.buffer !== this.memory.buffer) return partitionRows(this.bins, this.n, segment, feature, goesLeft, new Int32Array(segment.length));
    this.goesLeft.set(goesLeft);
    const left = this.kernel.partition(segment.byteOffset, segment.length, this.at.bins + feature * this.n, this.at.goesLeft, this.at.scratch);
    segment.set(this.workspace.scratch.subarray(0, segment.length - left), left);
    return left;
  }

  close(): void {
    if (!this.worker) return;
    Atomics.store(this.control, 0, -1);
    Atomics.notify(this.control, 0);
    void this.worker.terminate();
  }
}
