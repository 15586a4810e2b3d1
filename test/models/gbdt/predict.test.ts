import { describe, expect, it } from 'vitest';
import { GradientBoostedTrees } from '../../../src/models/gbdt/gbdt.ts';
import { addForestPrediction, packForest } from '../../../src/models/gbdt/predict.ts';
import { addTreePrediction, leafOf } from '../../../src/models/gbdt/tree.ts';
import { createRng } from '../../../src/random.ts';

describe('packed forest prediction', () => {
  const rng = createRng(11);
  const n = 3000;
  const columns = [
    Float64Array.from({ length: n }, () => (rng.next() < 0.15 ? Number.NaN : rng.normal())),
    Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : Math.floor(rng.next() * 12))),
    Float64Array.from({ length: n }, () => rng.normal()),
  ];
  const y = Uint8Array.from({ length: n }, (_, i) => {
    const a = Number.isNaN(columns[0]![i]!) ? 1.5 : columns[0]![i]!;
    const c = Number.isNaN(columns[1]![i]!) ? 0 : [1, -1, 0.5][columns[1]![i]! % 3]!;
    return rng.next() < 1 / (1 + Math.exp(-(a + c + 0.5 * columns[2]![i]!))) ? 1 : 0;
  });
  const design = { columns, n, p: 3, names: ['a', 'c', 'b'], kinds: ['numeric', 'categorical', 'numeric'] as Array<'numeric' | 'categorical'>, groups: ['a', 'c', 'b'], unseen: {} };
  const model = new GradientBoostedTrees({ trees: 40, maxDepth: 5, maxLeaves: 20, minSamplesLeaf: 5, earlyStopping: false, seed: 3 }).fit(design, y);

  it('gives exactly the node-by-node walk (missing both ways, categories, ±∞, a partial last block)', () => {
    const trees = model.trees;
    expect(trees.some((t) => t.categoryOffset.some((o) => o >= 0))).toBe(true);
    expect(trees.some((t) => t.feature.some((f, i) => f >= 0 && t.missingLeft[i] === 1))).toBe(true);
    expect(trees.some((t) => t.feature.some((f, i) => f >= 0 && t.missingLeft[i] === 0))).toBe(true);
    const probe = columns.map((c) => Float64Array.from(c));
    probe[0]![0] = Number.POSITIVE_INFINITY;
    probe[0]![1] = Number.NEGATIVE_INFINITY;
    probe[1]![2] = 300; // a code past the pooled bin
    const m = 2777; // not a multiple of the block size
    const expected = new Float64Array(m);
    for (const tree of trees) addTreePrediction(tree, probe, m, expected);
    const got = new Float64Array(m);
    addForestPrediction(packForest(trees, 3), probe, m, got);
    expect(Array.from(got)).toEqual(Array.from(expected));
    // and leafOf, the readable walk, agrees on a few rows
    for (const i of [0, 1, 2, 10, 2776]) expect(got[i]).toBeCloseTo(trees.reduce((s, t) => s + t.value[leafOf(t, probe, i)]!, 0), 12);
  });

  it('is what decisionFunction uses, also after a JSON round trip', () => {
    const raw = model.decisionFunction(design);
    const again = GradientBoostedTrees.fromJSON(JSON.parse(JSON.stringify(model.toJSON()))).decisionFunction(design);
    expect(Array.from(again)).toEqual(Array.from(raw));
    const reference = new Float64Array(n).fill(model.fitted.baseScore);
    for (const tree of model.trees) addTreePrediction(tree, columns, n, reference);
    expect(Array.from(raw)).toEqual(Array.from(reference));
  });
});
