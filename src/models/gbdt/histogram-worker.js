// A histogram worker for the tree learner (plain JavaScript, so it runs without the TypeScript loader).
// It runs the WebAssembly kernel of wasm-kernel.ts on the same shared memory as the main thread and
// builds the groups of a node's features that it claims first (histogram-groups.js).
import { parentPort, workerData } from 'node:worker_threads';
import { claimGroups } from './histogram-groups.js';

const { module, memory, at, n, stride } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports;
const control = new Int32Array(memory.buffer, at.control);

let seen = 0;
for (;;) {
  let job;
  while ((job = Atomics.load(control, 0)) === seen) Atomics.wait(control, 0, seen);
  if (job < 0) break;
  seen = job;
  claimGroups(kernel, control, at, n, stride, job);
}
parentPort?.postMessage('closed');
