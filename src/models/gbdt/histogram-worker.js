// A histogram worker for the tree learner (plain JavaScript, so it runs without the TypeScript loader).
// It shares the bin codes, the node's gathered gradients and rows, and an output histogram with the main
// thread, and builds the histograms of the features it is given while the main thread builds the others.
// Protocol on control[0]: 0 idle, 1 job posted, 2 job done, 9 exit.
import { parentPort, workerData } from 'node:worker_threads';

const { bins, gh, rows, out, control, features, n } = workerData;
const STRIDE = 256 * 3;

for (;;) {
  while (Atomics.load(control, 0) !== 1 && Atomics.load(control, 0) !== 9) Atomics.wait(control, 0, Atomics.load(control, 0));
  if (Atomics.load(control, 0) === 9) break;
  const m = control[1];
  const count = control[2];
  for (let k = 0; k < count; k++) {
    const f = features[k];
    const base = f * n;
    const o = f * STRIDE;
    out.fill(0, o, o + STRIDE);
    for (let q = 0; q < m; q++) {
      const at = o + bins[base + rows[q]] * 3;
      out[at] += gh[2 * q];
      out[at + 1] += gh[2 * q + 1];
      out[at + 2]++;
    }
  }
  Atomics.store(control, 0, 2);
  Atomics.notify(control, 0);
}
parentPort?.postMessage('closed');
