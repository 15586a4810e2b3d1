// A histogram worker for the tree learner (plain JavaScript, so it runs without the TypeScript loader).
// It shares the bin codes, the node's gathered gradients and rows, and an output histogram with the main
// thread, and builds the histograms of the features it is given while the main thread builds the others.
// Protocol on control[0]: 0 idle, 1 job posted, 2 job done, 9 exit.
import { parentPort, workerData } from 'node:worker_threads';

const { bins, gh, rows, out, control, features, n } = workerData;
const STRIDE = 256 * 2;

for (;;) {
  while (Atomics.load(control, 0) !== 1 && Atomics.load(control, 0) !== 9) Atomics.wait(control, 0, Atomics.load(control, 0));
  if (Atomics.load(control, 0) === 9) break;
  const m = control[1];
  const count = control[2];
  for (let k = 0; k < count; k++) out.fill(0, features[k] * STRIDE, (features[k] + 1) * STRIDE);
  // As accumulateFeatures in histogram.ts: four features a pass over the rows, then the rest one by one.
  let k = 0;
  for (; k + 3 < count; k += 4) {
    const f0 = features[k], f1 = features[k + 1], f2 = features[k + 2], f3 = features[k + 3];
    const b0 = f0 * n, b1 = f1 * n, b2 = f2 * n, b3 = f3 * n;
    const o0 = f0 * STRIDE, o1 = f1 * STRIDE, o2 = f2 * STRIDE, o3 = f3 * STRIDE;
    for (let q = 0; q < m; q++) {
      const r = rows[q];
      const g = gh[2 * q];
      const h = gh[2 * q + 1];
      let at = o0 + bins[b0 + r] * 2;
      out[at] += g; out[at + 1] += h;
      at = o1 + bins[b1 + r] * 2;
      out[at] += g; out[at + 1] += h;
      at = o2 + bins[b2 + r] * 2;
      out[at] += g; out[at + 1] += h;
      at = o3 + bins[b3 + r] * 2;
      out[at] += g; out[at + 1] += h;
    }
  }
  for (; k < count; k++) {
    const f = features[k];
    const base = f * n;
    const o = f * STRIDE;
    for (let q = 0; q < m; q++) {
      const at = o + bins[base + rows[q]] * 2;
      out[at] += gh[2 * q];
      out[at + 1] += gh[2 * q + 1];
    }
  }
  Atomics.store(control, 0, 2);
  Atomics.notify(control, 0);
}
parentPort?.postMessage('closed');
