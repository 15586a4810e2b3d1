import { afterAll, describe, expect, it } from 'vitest';
import { buildHistogram, newHistogram } from '../../../src/models/gbdt/histogram.ts';
import { PARALLEL_MIN_ROWS, WasmHistograms } from '../../../src/models/gbdt/wasm-histogram.ts';
import { createRng } from '../../../src/random.ts';

describe('the WebAssembly histogram kernel', () => {
  const rng = createRng(31);
  const n = PARALLEL_MIN_ROWS + 5_000;
  const p = 11; // two passes of four features and three single ones per half
  const bins = Uint8Array.from({ length: n * p }, (_, i) => (i % 97 === 0 ? 0 : 1 + rng.int(i < 3 * n ? 5 : 255)));
  const kernels = [1, 2].map((threads) => WasmHistograms.create(bins, n, p, n, threads)!);
  afterAll(() => kernels.forEach((k) => k.close()));

  it('is available here (Node 20 has WebAssembly SIMD)', () => {
    expect(kernels.every((k) => k !== null)).toBe(true);
  });

  for (const [threads, at] of [[1, 0], [2, 1]] as const) {
    it(`gives the JavaScript loop's sums bit for bit (${threads} thread${threads > 1 ? 's' : ''}; rows in its workspace or not; some features)`, () => {
      const kernel = kernels[at]!;
      for (let i = 0; i < n; i++) {
        kernel.grad[i] = rng.normal();
        kernel.hess[i] = rng.next() * 0.25;
      }
      const all = Int32Array.from({ length: n }, (_, i) => i);
      const sparse = all.filter(() => rng.next() < 0.3);
      kernel.workspace.index.set(all);
      const inWorkspace = kernel.workspace.index.subarray(0, n);
      for (const [rows, features] of [[inWorkspace, Int32Array.from({ length: p }, (_, f) => f)], [sparse, Int32Array.of(0, 2, 3, 5, 6, 7, 8, 10)], [sparse.subarray(0, 50), Int32Array.of(4)]] as const) {
        const expected = newHistogram(p);
        buildHistogram(bins, n, rows, kernel.grad, kernel.hess, features, expected);
        const got = newHistogram(p);
        kernel.build(rows, features, got);
        expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
      }
    });
  }
});
