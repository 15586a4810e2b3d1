import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TreeDesign } from '../../../src/features/tree-features.ts';
import { GradientBoostedTrees } from '../../../src/models/gbdt/gbdt.ts';
import { builtWalks, compileForest, leafMasks, MASKS_AFTER_ROWS, MAX_DEPTH, predictForest } from '../../../src/models/gbdt/predict.ts';
import { WasmMasks } from '../../../src/models/gbdt/wasm-masks.ts';
import { addTreePrediction, leafOf, type Tree } from '../../../src/models/gbdt/tree.ts';
import { createRng } from '../../../src/random.ts';

function design(columns: Float64Array[], kinds: Array<'numeric' | 'categorical'>): TreeDesign {
  return { columns, n: columns[0]!.length, p: columns.length, names: columns.map((_, f) => `f${f}`), kinds, groups: columns.map((_, f) => `f${f}`), unseen: {} };
}

/** Numeric features with missing values and ties, one categorical with 300 levels (codes past 253 pooled). */
function data(seed: number, n: number) {
  const rng = createRng(seed);
  const columns = [
    Float64Array.from({ length: n }, () => (rng.next() < 0.15 ? Number.NaN : rng.normal())),
    Float64Array.from({ length: n }, () => Math.floor(rng.next() * 6)),
    Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : rng.int(300))),
    Float64Array.from({ length: n }, () => rng.int(4)),
  ];
  const y = Uint8Array.from({ length: n }, (_, i) => {
    const a = columns[0]![i]!;
    const z = (Number.isNaN(a) ? 1 : a) + 0.4 * columns[1]![i]! + (columns[2]![i]! % 7 === 0 ? 1.5 : 0) - 1.5 + (columns[3]![i] === 2 ? 0.8 : 0);
    return rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  });
  return { d: design(columns, ['numeric', 'numeric', 'categorical', 'categorical']), y };
}

/** The saved trees walked node by node: the reference the compiled forest must equal to the last bit. */
function reference(trees: readonly Tree[], d: TreeDesign, base: number): Float64Array {
  const raw = new Float64Array(d.n).fill(base);
  for (const tree of trees) addTreePrediction(tree, d.columns, d.n, raw);
  return raw;
}

describe('compiled forest (branch-free scoring)', () => {
  const { d, y } = data(3, 3000);
  const model = new GradientBoostedTrees({ trees: 40, maxDepth: 5, maxLeaves: 24, minSamplesLeaf: 5, minDataPerCategory: 3, earlyStopping: false }).fit(d, y);

  it('scores exactly as the saved trees on training rows', () => {
    expect(model.trees.some((t) => t.categoryOffset.some((o) => o >= 0))).toBe(true); // categorical splits are covered
    const forest = compileForest(model.trees, d.kinds)!;
    expect(forest).not.toBeNull();
    const raw = new Float64Array(d.n).fill(model.fitted.baseScore);
    predictForest(forest, d.columns, d.n, raw);
    expect(Array.from(raw)).toEqual(Array.from(reference(model.trees, d, model.fitted.baseScore)));
    expect(Array.from(model.decisionFunction(d))).toEqual(Array.from(raw));
    // leaf masks (at most 24 leaves: 32-bit masks) give the same bits as the walk
    const masks = leafMasks(forest)!;
    expect(masks.bits).toBe(32);
    expect(WasmMasks.create(forest, masks, 64)).not.toBeNull();
    const masked = new Float64Array(d.n).fill(model.fitted.baseScore);
    predictForest(forest, d.columns, d.n, masked, { masks: true });
    expect(Array.from(masked)).toEqual(Array.from(raw));
    // the JavaScript walk (where WebAssembly cannot run) gives the same bits, on a block that is not a multiple of 8 rows too
    for (const n of [d.n, 13]) {
      const js = new Float64Array(n).fill(model.fitted.baseScore);
      predictForest(forest, d.columns, n, js, { wasm: false });
      expect(Array.from(js)).toEqual(Array.from(raw.subarray(0, n)));
    }
  });

  it('scores exactly as the saved trees on any values: thresholds themselves, ±∞, missing, unseen and pooled codes', () => {
    const cuts = [...new Set(model.trees.flatMap((t) => Array.from(t.threshold).filter((_, k) => t.feature[k]! >= 0 && t.categoryOffset[k]! < 0)))];
    const numeric = fc.oneof(fc.constantFrom(...cuts, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0), fc.double({ min: -5, max: 8, noNaN: true }));
    const level = fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constant(Number.NaN));
    const row = fc.tuple(numeric, numeric, level, fc.integer({ min: 0, max: 5 }));
    const forest = compileForest(model.trees, d.kinds)!;
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), (rows) => {
        const probe = design([0, 1, 2, 3].map((f) => Float64Array.from(rows, (r) => r[f]!)), d.kinds);
        const expected = reference(model.trees, probe, model.fitted.baseScore);
        expect(Array.from(model.decisionFunction(probe))).toEqual(Array.from(expected));
        const masked = new Float64Array(probe.n).fill(model.fitted.baseScore);
        predictForest(forest, probe.columns, probe.n, masked, { masks: true });
        expect(Array.from(masked)).toEqual(Array.from(expected));
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('scores trees of 33 to 64 leaves by 64-bit leaf masks, exactly as the saved trees', () => {
    const wide = new GradientBoostedTrees({ trees: 12, maxDepth: 9, maxLeaves: 60, minSamplesLeaf: 3, minDataPerCategory: 3, earlyStopping: false }).fit(d, y);
    expect(Math.max(...wide.trees.map((t) => t.feature.filter((f) => f < 0).length))).toBeGreaterThan(32);
    const forest = compileForest(wide.trees, d.kinds)!;
    expect(leafMasks(forest)?.bits).toBe(64);
    const { d: probe } = data(8, 1500);
    const expected = reference(wide.trees, probe, wide.fitted.baseScore);
    for (const masks of [true, false]) {
      const raw = new Float64Array(probe.n).fill(wide.fitted.baseScore);
      predictForest(forest, probe.columns, probe.n, raw, { masks });
      expect(Array.from(raw)).toEqual(Array.from(expected));
    }
  });

  it('switches to leaf masks once a forest has scored MASKS_AFTER_ROWS rows, with the same sums', () => {
    const forest = compileForest(model.trees, d.kinds)!;
    const expected = reference(model.trees, d, 0);
    for (let scored = 0; scored <= MASKS_AFTER_ROWS + d.n; scored += d.n) {
      const raw = new Float64Array(d.n);
      predictForest(forest, d.columns, d.n, raw);
      expect(raw).toEqual(expected);
    }
  });

  it('builds the leaf masks at once for rows expected ahead, the walk for a few rows, with the same sums', () => {
    const expected = reference(model.trees, d, 0);
    const long = compileForest(model.trees, d.kinds)!;
    const raw = new Float64Array(d.n);
    predictForest(long, d.columns, d.n, raw, { rowsAhead: MASKS_AFTER_ROWS });
    expect(raw).toEqual(expected);
    expect(builtWalks(long)).toEqual({ masks: true, walk: false });
    const short = compileForest(model.trees, d.kinds)!;
    predictForest(short, d.columns, d.n, raw.fill(0), { rowsAhead: 10 });
    expect(raw).toEqual(expected);
    expect(builtWalks(short)).toEqual({ masks: false, walk: true });
  });

  it('pads shallow trees: a single-leaf tree and unequal depths score their leaves', () => {
    const leaf = { ...model.trees[0]!, feature: Int32Array.of(-1), value: Float64Array.of(0.25), left: Int32Array.of(-1), right: Int32Array.of(-1),
      threshold: Float64Array.of(0), missingLeft: Uint8Array.of(0), categoryOffset: Int32Array.of(-1), cover: Float64Array.of(1), gain: Float64Array.of(0), bin: Uint8Array.of(0) };
    const trees = [leaf, ...model.trees.slice(0, 5)];
    const forest = compileForest(trees, d.kinds)!;
    expect(forest.depth[0]).toBe(0);
    const raw = new Float64Array(d.n);
    predictForest(forest, d.columns, d.n, raw);
    const expected = reference(trees, d, 0);
    expect(Array.from(raw)).toEqual(Array.from(expected));
    for (const options of [{ wasm: false }, { masks: true }]) {
      const other = new Float64Array(d.n);
      predictForest(forest, d.columns, d.n, other, options);
      expect(Array.from(other)).toEqual(Array.from(expected));
    }
    // and the leaf a row reaches is the leaf the readable walk finds
    expect(raw[0]).toBe(model.trees.slice(0, 5).reduce((s, t) => s + t.value[leafOf(t, d.columns, 0)]!, 0.25));
  });

  it('leaves trees deeper than it compiles to the node-by-node walk, with the same scores', () => {
    const chain = 500;
    const x = Float64Array.from({ length: chain }, (_, i) => i);
    const yy = Uint8Array.from({ length: chain }, (_, i) => ((i * 7919) % 13 < 5 ? 1 : 0));
    const deep = new GradientBoostedTrees({ trees: 3, maxDepth: 0, maxLeaves: 64, minSamplesLeaf: 1, minChildWeight: 0, lambda: 0, earlyStopping: false }).fit(design([x], ['numeric']), yy);
    const depthOf = (t: Tree, node = 0): number => (t.feature[node]! < 0 ? 0 : 1 + Math.max(depthOf(t, t.left[node]!), depthOf(t, t.right[node]!)));
    expect(Math.max(...deep.trees.map((t) => depthOf(t)))).toBeGreaterThan(MAX_DEPTH);
    expect(compileForest(deep.trees, ['numeric'])).toBeNull();
    const probe = design([x], ['numeric']);
    expect(Array.from(deep.decisionFunction(probe))).toEqual(Array.from(reference(deep.trees, probe, deep.fitted.baseScore)));
  });
});
