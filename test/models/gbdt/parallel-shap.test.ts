import { describe, expect, it } from 'vitest';
import type { TreeDesign } from '../../../src/features/tree-features.ts';
import { GradientBoostedTrees } from '../../../src/models/gbdt/gbdt.ts';
import { shapValuesParallel } from '../../../src/models/gbdt/parallel-shap.ts';
import { shapByColumn, shapValues } from '../../../src/models/gbdt/shap.ts';
import { createRng } from '../../../src/random.ts';

describe('TreeSHAP on two threads', () => {
  it('gives exactly the one-thread values, across slices and a partial last slice, and they add up to the raw score', () => {
    const rng = createRng(5);
    const n = 8192 + 4096 + 100; // two hand-offs, the second with a 100-row slice for the worker
    const columns = [
      Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : rng.normal())),
      Float64Array.from({ length: n }, () => rng.int(12)),
      Float64Array.from({ length: n }, () => rng.normal()),
    ];
    const y = Uint8Array.from({ length: n }, (_, i) => (rng.next() < 1 / (1 + Math.exp(-(columns[2]![i]! + (columns[1]![i]! % 3 === 0 ? 1 : -1)))) ? 1 : 0));
    const design: TreeDesign = { columns, n, p: 3, names: ['a', 'b', 'c'], kinds: ['numeric', 'categorical', 'numeric'], groups: ['a', 'b', 'c'], unseen: {} };
    const model = new GradientBoostedTrees({ trees: 8, maxDepth: 4, earlyStopping: false }).fit(design, y);
    const one = shapValues(model.trees, model.fitted.baseScore, design);
    const two = shapValuesParallel(model.trees, model.fitted.baseScore, design, { threads: 2, minWork: 0 });
    expect(two.base).toBe(one.base);
    expect(Array.from(two.values)).toEqual(Array.from(one.values));
    const raw = model.decisionFunction(design);
    for (let i = 0; i < n; i += 97) expect(two.base + two.values[3 * i]! + two.values[3 * i + 1]! + two.values[3 * i + 2]!).toBeCloseTo(raw[i]!, 9);
    // a second call reuses the worker; grouping per column takes the same values
    const grouped = shapByColumn(model.trees, model.fitted.baseScore, design, (t, b, d) => shapValuesParallel(t, b, d, { threads: 2, minWork: 0 }));
    expect(Array.from(grouped.values)).toEqual(Array.from(one.values));
  });
});
