import { afterAll, describe, expect, it } from 'vitest';
import { buildHistogram, newHistogram } from '../../../src/models/gbdt/histogram.ts';
import { partitionRows } from '../../../src/models/gbdt/grow.ts';
import { PARALLEL_MIN_ROWS, WasmKernel } from '../../../src/models/gbdt/wasm-kernel.ts';
import { createRng } from '../../../src/random.ts';

describe('the WebAssembly tree kernel', () => {
  const rng = createRng(31);
  const n = PARALLEL_MIN_ROWS + 5_000;
  const p = 11; // two passes of four features and three single ones per half
  const bins = Uint8Array.from({ length: n * p }, (_, i) => (i % 97 === 0 ? 0 : 1 + rng.int(i < 3 * n ? 5 : 255)));
  const kernels = [1, 2].map((threads) => WasmKernel.create(bins, n, p, n, threads)!);
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

  it('splits rows as the JavaScript partition does (in place, both sides in order), in its workspace or not', () => {
    const kernel = kernels[0]!;
    for (const feature of [0, 4, 10]) {
      const goesLeft = Uint8Array.from({ length: 256 }, () => (rng.next() < 0.4 ? 1 : 0));
      const rows = Int32Array.from({ length: n }, (_, i) => i).filter(() => rng.next() < 0.6);
      const expected = rows.slice();
      const left = partitionRows(bins, n, expected, feature, goesLeft, new Int32Array(rows.length));
      const inWorkspace = kernel.workspace.index.subarray(100, 100 + rows.length);
      inWorkspace.set(rows);
      expect(kernel.partition(inWorkspace, feature, goesLeft)).toBe(left);
      expect(Array.from(inWorkspace)).toEqual(Array.from(expected));
      const outside = rows.slice();
      expect(kernel.partition(outside, feature, goesLeft)).toBe(left);
      expect(Array.from(outside)).toEqual(Array.from(expected));
      // the reference itself: left rows are those whose code goes left, in order
      expect(Array.from(expected.subarray(0, left))).toEqual(Array.from(rows).filter((r) => goesLeft[bins[feature * n + r]!] === 1));
    }
  });
});
