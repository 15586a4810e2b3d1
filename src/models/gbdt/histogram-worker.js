// A histogram worker for the tree learner (plain JavaScript, so it runs without the TypeScript loader).
// It runs the WebAssembly kernel of wasm-histogram.ts on the same shared memory as the main thread and
// builds the histograms of the features it is given while the main thread builds the others.
// Control words (Int32 at `at.control`): [0] 0 idle, 1 job posted, 2 job done, 9 exit; [1] address of the
// node's rows; [2] their count; [3] how many features; from [8] the features.
import { parentPort, workerData } from 'node:worker_threads';

const { module, memory, at, n, stride } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;
const control = new Int32Array(memory.buffer, at.control);
const bin = (f) => at.bins + f * n;
const hist = (f) => at.hist + f * stride * 8;

for (;;) {
  while (Atomics.load(control, 0) !== 1 && Atomics.load(control, 0) !== 9) Atomics.wait(control, 0, Atomics.load(control, 0));
  if (Atomics.load(control, 0) === 9) break;
  const rowsAt = control[1];
  const m = control[2];
  const count = control[3];
  // As accumulateRange in wasm-histogram.ts: four features a pass over the rows, then one at a time.
  let k = 0;
  for (; k + 3 < count; k += 4) {
    const f0 = control[8 + k], f1 = control[9 + k], f2 = control[10 + k], f3 = control[11 + k];
    kernel.accumulate4(rowsAt, m, at.gh, bin(f0), bin(f1), bin(f2), bin(f3), hist(f0), hist(f1), hist(f2), hist(f3));
  }
  for (; k < count; k++) kernel.accumulate1(rowsAt, m, at.gh, bin(control[8 + k]), hist(control[8 + k]));
  Atomics.store(control, 0, 2);
  Atomics.notify(control, 0);
}
parentPort?.postMessage('closed');
