// The TreeSHAP worker (parallel-shap.ts): a plain JavaScript entry that registers the TypeScript loader and
// then runs shap.ts itself, so the algorithm exists once. It shares an input buffer (its slice of rows,
// column-major), an output buffer (their SHAP values, row-major) and a control word with the main thread.
// Protocol on control[0]: 0 idle, 1 job posted (control[1] rows), 2 job done, 9 exit.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
const { shapValues } = await import('./shap.ts');
const { trees, input, output, control, p, capacity } = workerData;

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
