// The TreeSHAP worker (parallel-shap.ts): a plain JavaScript entry that runs shap.ts itself (from the
// sources or the build: sibling-module.js), so the algorithm exists once. It shares an input buffer (its slice of rows,
// column-major), an output buffer (their SHAP values, row-major) and a control word with the main thread.
// Protocol on control[0]: 0 idle, 1 job posted (control[1] rows), 2 job done, 9 exit; control[2] = 1 once
// this worker runs (the main thread posts nothing before).
import { workerData } from 'node:worker_threads';
import { importSibling } from '../../sibling-module.js';

const { shapValues } = await importSibling(import.meta.url, 'shap-values');
const { trees, input, output, control, p, capacity } = workerData;
// The tables are built before this worker says it is ready (one row explained, its values dropped): built
// on its first job instead, they held the main thread waiting on that job for about half a second.
shapValues(trees, 0, { columns: Array.from({ length: p }, () => new Float64Array(1)), n: 1, p });
Atomics.store(control, 2, 1); // ready: the main thread hands over rows from now on

for (;;) {
  while (Atomics.load(control, 0) !== 1 && Atomics.load(control, 0) !== 9) Atomics.wait(control, 0, Atomics.load(control, 0));
  if (Atomics.load(control, 0) === 9) break;
  const n = control[1];
  const columns = Array.from({ length: p }, (_, f) => input.subarray(f * capacity, f * capacity + n));
  const { values } = shapValues(trees, 0, { columns, n, p });
  output.set(values);
  Atomics.store(control, 0, 2);
  Atomics.notify(control, 0);
}
