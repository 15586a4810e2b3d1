import { describe, expect, it } from 'vitest';
import { binColumns, binOf, fitBinner } from '../../../src/models/gbdt/binning.ts';
import { GradientBoostedTrees } from '../../../src/models/gbdt/gbdt.ts';
import { growTree } from '../../../src/models/gbdt/grow.ts';
import { buildHistogram, countBins, newHistogram, STRIDE, subtractHistogram } from '../../../src/models/gbdt/histogram.ts';
import { expectedValue } from '../../../src/models/gbdt/shap.ts';
import { shapByColumn, shapValues } from '../../../src/models/gbdt/shap-values.ts';
import { bestSplit, type NodeStats, type SplitParams } from '../../../src/models/gbdt/split.ts';
import { rocAuc } from '../../../src/evaluation/metrics.ts';
import type { TreeDesign } from '../../../src/features/tree-features.ts';
import { createRng } from '../../../src/random.ts';

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const SPLIT: SplitParams = { lambda: 1, minChildWeight: 1e-3, minSamplesLeaf: 1, catSmooth: 10, minDataPerCategory: 1, maxCatThreshold: 32 };

/** What bestSplit knows of a node holding `rows` (all rows by default). */
function nodeStats(bins: Uint8Array, n: number, grad: Float64Array, hess: Float64Array, rows = all(n)): NodeStats {
  let G = 0, H = 0, hmax = 0;
  for (const r of rows) {
    G += grad[r]!;
    H += hess[r]!;
    hmax = Math.max(hmax, hess[r]!);
  }
  return { G, H, C: rows.length, hmax, tolerance: 1e-8 * (H + 1), countBins: (f) => countBins(bins, n, rows, f) };
}

function design(columns: Float64Array[], kinds: Array<'numeric' | 'categorical'>): TreeDesign {
  return { columns, n: columns[0]!.length, p: columns.length, names: columns.map((_, f) => `f${f}`), kinds, groups: columns.map((_, f) => `f${f}`), unseen: {} };
}

describe('binning', () => {
  it('handles a constant column, an all-missing column, one distinct value and more values than bins', () => {
    const n = 2000;
    const rng = createRng(1);
    const columns = [
      new Float64Array(n).fill(7),
      new Float64Array(n).fill(Number.NaN),
      Float64Array.from({ length: n }, (_, i) => (i % 2 ? 3 : Number.NaN)),
      Float64Array.from({ length: n }, () => rng.normal()),
      Float64Array.from({ length: n }, (_, i) => i % 5),
    ];
    const b = fitBinner(columns, ['numeric', 'numeric', 'numeric', 'numeric', 'numeric'], all(n), 255);
    expect(b.bins.slice(0, 3)).toEqual([2, 1, 2]); // missing bin + one value bin; only missing; missing + one value
    expect(b.bins[3]).toBeLessThanOrEqual(256);
    expect(b.bins[3]).toBeGreaterThan(200);
    expect(b.bins[4]).toBe(6);
    const codes = binColumns(b, columns, n);
    expect(codes[2 * n]).toBe(0); // NaN → missing bin
    expect(codes[2 * n + 1]).toBe(1);
    // bins are monotone in the value
    const sorted = [...all(n)].sort((i, j) => columns[3]![i]! - columns[3]![j]!);
    for (let k = 1; k < n; k++) expect(codes[3 * n + sorted[k]!]!).toBeGreaterThanOrEqual(codes[3 * n + sorted[k - 1]!]!);
    expect(binOf(b, 4, 2)).toBe(3);
  });

  it('gives categorical codes their own bins, pooling codes past 253', () => {
    const codes = Float64Array.from({ length: 600 }, (_, i) => i % 300);
    const b = fitBinner([codes], ['categorical'], all(600));
    expect(binOf(b, 0, 0)).toBe(1);
    expect(binOf(b, 0, 253)).toBe(254);
    expect(binOf(b, 0, 299)).toBe(255);
    expect(binOf(b, 0, Number.NaN)).toBe(0);
  });
});

describe('histograms and splits', () => {
  const rng = createRng(2);
  const n = 300;
  const x = Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : Math.floor(rng.next() * 12)));
  const c = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 5));
  const y = Uint8Array.from({ length: n }, (_, i) => (rng.next() < (Number.isNaN(x[i]!) ? 0.7 : x[i]! > 6 ? 0.6 : 0.2) + (c[i] === 3 ? 0.2 : 0) ? 1 : 0));
  const grad = Float64Array.from(y, (v) => 0.3 - v);
  const hess = new Float64Array(n).fill(0.21);
  const binner = fitBinner([x, c], ['numeric', 'categorical'], all(n));
  const bins = binColumns(binner, [x, c], n);
  const features = Int32Array.of(0, 1);

  it('subtraction gives the same child histogram as a direct build', () => {
    const parent = newHistogram(2);
    buildHistogram(bins, n, all(n), grad, hess, features, parent);
    const leftRows = all(n).filter((r) => r % 3 === 0);
    const rightRows = all(n).filter((r) => r % 3 !== 0);
    const left = newHistogram(2);
    buildHistogram(bins, n, leftRows, grad, hess, features, left);
    const direct = newHistogram(2);
    buildHistogram(bins, n, rightRows, grad, hess, features, direct);
    const subtracted = newHistogram(2);
    subtractHistogram(parent, left, features, subtracted);
    for (let k = 0; k < 2 * STRIDE; k++) expect(subtracted[k]).toBeCloseTo(direct[k]!, 10);
  });

  it('finds the numeric split a brute-force search finds, with the better missing direction', () => {
    const hist = newHistogram(2);
    buildHistogram(bins, n, all(n), grad, hess, features, hist);
    const G = grad.reduce((s, v) => s + v, 0);
    const H = hess.reduce((s, v) => s + v, 0);
    const split = bestSplit(hist, Int32Array.of(0), binner.bins, binner.kinds, nodeStats(bins, n, grad, hess), SPLIT)!;
    // brute force over thresholds on raw values and both missing directions
    const score = (g: number, h: number) => (g * g) / (h + 1);
    let best = 0;
    const values = [...new Set(Array.from(x).filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
    for (const t of values.slice(0, -1)) {
      for (const missingLeft of [false, true]) {
        let gl = 0, hl = 0;
        for (let i = 0; i < n; i++) {
          const left = Number.isNaN(x[i]!) ? missingLeft : x[i]! <= t;
          if (left) {
            gl += grad[i]!;
            hl += hess[i]!;
          }
        }
        if (hl === 0 || hl === H) continue;
        best = Math.max(best, 0.5 * (score(gl, hl) + score(G - gl, H - hl) - score(G, H)));
      }
    }
    expect(split.gain).toBeCloseTo(best, 10);
    expect(split.kind).toBe('numeric');
    // missing rows convert at 70%: they should join the high side (x > 6)
    if (split.kind === 'numeric') expect(split.missingLeft).toBe(false);
  });

  it('splits a categorical feature by grouping categories (category 3 apart)', () => {
    const only = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 6));
    const yy = Uint8Array.from(only, (v) => (rng.next() < (v === 3 ? 0.9 : 0.1) ? 1 : 0));
    const g = Float64Array.from(yy, (v) => 0.2 - v);
    const h = new Float64Array(n).fill(0.16);
    const b = fitBinner([only], ['categorical'], all(n));
    const codes = binColumns(b, [only], n);
    const hist = newHistogram(1);
    buildHistogram(codes, n, all(n), g, h, Int32Array.of(0), hist);
    const split = bestSplit(hist, Int32Array.of(0), b.bins, b.kinds, nodeStats(codes, n, g, h), SPLIT)!;
    expect(split.kind).toBe('categorical');
    if (split.kind === 'categorical') {
      const left = split.leftBins;
      const isolated = left.length === 1 ? left : [1, 2, 3, 4, 5, 6].filter((bin) => !left.includes(bin));
      expect(isolated).toEqual([binOf(b, 0, 3)]);
    }
  });

  it('grows no more leaves than allowed, and each leaf value is −G/(H+λ) × learning rate', () => {
    const grown = growTree(bins, n, binner, grad, hess, all(n), features, { ...SPLIT, minSamplesLeaf: 5, maxLeaves: 6, maxDepth: 0, learningRate: 0.1 });
    expect(grown.leaves.length).toBeLessThanOrEqual(6);
    expect(grown.leaves.reduce((s, l) => s + l.rows.length, 0)).toBe(n);
    for (const leaf of grown.leaves) {
      const G = leaf.rows.reduce((s, r) => s + grad[r]!, 0);
      const H = leaf.rows.reduce((s, r) => s + hess[r]!, 0);
      expect(leaf.value).toBeCloseTo((-G / (H + 1)) * 0.1, 12);
    }
  });
});

describe('GradientBoostedTrees', () => {
  const rng = createRng(9);
  const n = 3000;
  const a = Float64Array.from({ length: n }, () => rng.normal());
  const b = Float64Array.from({ length: n }, () => (rng.next() < 0.15 ? Number.NaN : rng.normal()));
  const cat = Float64Array.from({ length: n }, () => Math.floor(rng.next() * 8));
  // an interaction and a threshold: what trees are for
  const z = (i: number) => (a[i]! > 0 && cat[i]! < 3 ? 1.5 : -0.5) + (Number.isNaN(b[i]!) ? 1 : b[i]! > 1 ? 0.8 : 0) - 0.5;
  const y = Uint8Array.from({ length: n }, (_, i) => (rng.next() < 1 / (1 + Math.exp(-z(i))) ? 1 : 0));
  const d = design([a, b, cat], ['numeric', 'numeric', 'categorical']);

  it('learns interactions, stops early on its validation slice and keeps the best iteration', () => {
    const model = new GradientBoostedTrees({ trees: 400, learningRate: 0.1, patience: 20 }).fit(d, y);
    const losses = model.fitted.validationLoss;
    expect(model.fitted.bestIteration).toBeLessThan(400);
    expect(losses.length).toBe(Math.min(400, model.fitted.bestIteration + 20));
    expect(Math.min(...losses)).toBe(losses[model.fitted.bestIteration - 1]);
    expect(model.trees.length).toBe(model.fitted.bestIteration);
    const truth = Float64Array.from({ length: n }, (_, i) => z(i));
    expect(rocAuc(model.predictProba(d), y)).toBeGreaterThan(rocAuc(truth, y) - 0.05);
    expect(model.fitted.importance.splits.every((s) => s > 0)).toBe(true);
  });

  it('is deterministic for a seed and round-trips through JSON with identical predictions', () => {
    const p1 = new GradientBoostedTrees({ trees: 30, rowSubsample: 0.8, colSubsample: 0.7, seed: 5 }).fit(d, y);
    const p2 = new GradientBoostedTrees({ trees: 30, rowSubsample: 0.8, colSubsample: 0.7, seed: 5 }).fit(d, y);
    expect(JSON.stringify(p2.toJSON())).toBe(JSON.stringify(p1.toJSON()));
    const again = GradientBoostedTrees.fromJSON(JSON.parse(JSON.stringify(p1.toJSON())));
    expect(Array.from(again.predictProba(d))).toEqual(Array.from(p1.predictProba(d)));
  });

  it('explains every row exactly: base value + Σ SHAP = raw score (to 1e-9)', () => {
    const model = new GradientBoostedTrees({ trees: 40, maxLeaves: 12, earlyStopping: false }).fit(d, y);
    const sub = { ...d, n: 150, columns: d.columns.map((c) => c.subarray(0, 150)) };
    const { values, base } = shapValues(model.trees, model.fitted.baseScore, sub);
    const raw = model.decisionFunction(sub);
    for (let i = 0; i < sub.n; i++) {
      let s = base;
      for (let f = 0; f < sub.p; f++) s += values[i * sub.p + f]!;
      expect(Math.abs(s - raw[i]!)).toBeLessThan(1e-9);
    }
    expect(base).toBeCloseTo(model.fitted.baseScore + model.trees.reduce((s, t) => s + expectedValue(t), 0), 12);
    // Grouped per original column (here a and b form one group): the same total.
    const grouped = shapByColumn(model.trees, model.fitted.baseScore, { ...sub, groups: ['ab', 'ab', 'cat'] });
    expect(grouped.columns).toEqual(['ab', 'cat']);
    for (let i = 0; i < 20; i++) {
      expect(grouped.values[i * 2]!).toBeCloseTo(values[i * 3]! + values[i * 3 + 1]!, 12);
      expect(grouped.base + grouped.values[i * 2]! + grouped.values[i * 2 + 1]!).toBeCloseTo(raw[i]!, 9);
    }
  });

  it('sends missing values the learned way: rows with a missing b score like high b', () => {
    const model = new GradientBoostedTrees({ trees: 100, earlyStopping: false }).fit(d, y);
    const probe = design([Float64Array.of(-1, -1, -1), Float64Array.of(Number.NaN, 2, -2), Float64Array.of(5, 5, 5)], ['numeric', 'numeric', 'categorical']);
    const [missing, high, low] = model.predictProba(probe);
    expect(missing!).toBeGreaterThan(low!);
    expect(Math.abs(missing! - high!)).toBeLessThan(Math.abs(missing! - low!) + 0.05);
  });
});

describe('monotone constraints', () => {
  it('keep the score non-decreasing in a constrained feature, even against a noisy dip in the data', () => {
    const rng = createRng(13);
    const n = 4000;
    const x = Float64Array.from({ length: n }, () => rng.next() * 10);
    const other = Float64Array.from({ length: n }, () => rng.normal());
    // rises overall, with a dip between 4 and 6 that a free model follows
    const y = Uint8Array.from({ length: n }, (_, i) => (rng.next() < 1 / (1 + Math.exp(-(0.4 * x[i]! - 2 - (x[i]! > 4 && x[i]! < 6 ? 1.5 : 0) + 0.5 * other[i]!))) ? 1 : 0));
    const d = design([x, other], ['numeric', 'numeric']);
    const grid = Float64Array.from({ length: 101 }, (_, k) => k / 10);
    const curve = (model: GradientBoostedTrees, o: number) => model.decisionFunction(design([grid, new Float64Array(101).fill(o)], ['numeric', 'numeric']));
    const constrained = new GradientBoostedTrees({ trees: 150, learningRate: 0.1, earlyStopping: false, monotone: { f0: 1 } }).fit(d, y);
    for (const o of [-1, 0, 1.5]) {
      const c = curve(constrained, o);
      for (let k = 1; k < c.length; k++) expect(c[k]!).toBeGreaterThanOrEqual(c[k - 1]! - 1e-12);
    }
    const free = new GradientBoostedTrees({ trees: 150, learningRate: 0.1, earlyStopping: false }).fit(d, y);
    const f = curve(free, 0);
    expect(f.some((v, k) => k > 0 && v < f[k - 1]! - 1e-6)).toBe(true); // the unconstrained model dips
  });

  it('refuse a categorical or unknown feature', () => {
    const d = design([Float64Array.of(1, 2, 3), Float64Array.of(0, 1, 0)], ['numeric', 'categorical']);
    const y = Uint8Array.of(0, 1, 1);
    expect(() => new GradientBoostedTrees({ monotone: { f1: 1 } }).fit(d, y)).toThrow('which is categorical');
    expect(() => new GradientBoostedTrees({ monotone: { nope: 1 } }).fit(d, y)).toThrow('which is not a feature');
  });
});

describe('histograms on two threads', () => {
  it('give exactly the one-thread model (large nodes go to the worker)', () => {
    const rng = createRng(31);
    const n = 30_000;
    const x = Float64Array.from({ length: n }, () => rng.normal());
    const c = Float64Array.from({ length: n }, () => rng.int(20));
    const w = Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : rng.normal()));
    const y = Uint8Array.from({ length: n }, (_, i) => (rng.next() < 1 / (1 + Math.exp(-(x[i]! + (c[i]! % 4 === 0 ? 1 : -0.5)))) ? 1 : 0));
    const d = design([x, c, w], ['numeric', 'categorical', 'numeric']);
    const one = new GradientBoostedTrees({ trees: 8, earlyStopping: false, threads: 1 }).fit(d, y);
    const two = new GradientBoostedTrees({ trees: 8, earlyStopping: false, threads: 2 }).fit(d, y);
    expect(JSON.stringify(two.toJSON())).toBe(JSON.stringify(one.toJSON()));
    expect('threads' in one.toJSON().params).toBe(false);
  });
});

describe('TreeSHAP against brute-force Shapley values', () => {
  it('equals the Shapley values of the cover-weighted conditional expectation, by enumerating coalitions', async () => {
    const { treeShap } = await import('../../../src/models/gbdt/shap.ts');
    const rng = createRng(77);
    const n = 600;
    const cols = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng.normal()));
    cols[2] = Float64Array.from({ length: n }, () => rng.int(4));
    const y = Uint8Array.from({ length: n }, (_, i) => (rng.next() < 1 / (1 + Math.exp(-(cols[0]![i]! * cols[1]![i]! + (cols[2]![i] === 1 ? 1 : 0)))) ? 1 : 0));
    const d = design(cols, ['numeric', 'numeric', 'categorical']);
    const model = new GradientBoostedTrees({ trees: 3, maxLeaves: 10, learningRate: 0.5, minSamplesLeaf: 10, earlyStopping: false }).fit(d, y);
    const tree = model.trees[1]!;
    // v(S): follow the row where the split feature is in S, else average the children by cover.
    const value = (S: Set<number>, i: number, node = 0): number => {
      const f = tree.feature[node]!;
      if (f < 0) return tree.value[node]!;
      const l = tree.left[node]!;
      const r = tree.right[node]!;
      if (S.has(f)) return value(S, i, stepOf(node, i));
      return (tree.cover[l]! * value(S, i, l) + tree.cover[r]! * value(S, i, r)) / tree.cover[node]!;
    };
    // One step down from `node` for row i.
    const stepOf = (node: number, i: number): number => {
      const f = tree.feature[node]!;
      const v = cols[f]![i]!;
      const offset = tree.categoryOffset[node]!;
      const left = Number.isNaN(v) ? tree.missingLeft[node] === 1 : offset >= 0 ? tree.categoryBits[offset + 1 + Math.min(v, 254)] === 1 : v <= tree.threshold[node]!;
      return left ? tree.left[node]! : tree.right[node]!;
    };
    const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
    const M = 3;
    for (const i of [0, 5, 17, 123, 400]) {
      const phi = new Float64Array(M);
      treeShap(tree, cols, i, phi);
      for (let f = 0; f < M; f++) {
        let exact = 0;
        const others = [0, 1, 2].filter((g) => g !== f);
        for (let mask = 0; mask < 1 << others.length; mask++) {
          const S = new Set(others.filter((_, k) => mask & (1 << k)));
          const weight = (fact(S.size) * fact(M - S.size - 1)) / fact(M);
          exact += weight * (value(new Set([...S, f]), i) - value(S, i));
        }
        expect(phi[f]).toBeCloseTo(exact, 12);
      }
    }
  });
});

describe('TreeSHAP from tabulated leaf patterns', () => {
  it('equals the recursive algorithm on every tree, with repeated features, categories, missing values and deep paths', async () => {
    const { treeShap } = await import('../../../src/models/gbdt/shap.ts');
    const { fastTree, treeShapBlock } = await import('../../../src/models/gbdt/shap-tables.ts');
    const { WasmShap } = await import('../../../src/models/gbdt/wasm-shap.ts');
    const rng = createRng(91);
    const n = 3000;
    const p = 16;
    const cols = Array.from({ length: p }, (_, j) => Float64Array.from({ length: n }, () => (j === 3 ? rng.int(9) : rng.next() < 0.1 ? Number.NaN : rng.normal())));
    const y = Uint8Array.from({ length: n }, (_, i) => (rng.next() < 1 / (1 + Math.exp(-(cols[0]![i]! || 0) * 2 - ((cols[3]![i]! % 3) - 1) + (cols[5]![i]! || 0) * (cols[6]![i]! || 0))) ? 1 : 0));
    const d = design(cols, Array.from({ length: p }, (_, j) => (j === 3 ? 'categorical' : 'numeric')));
    const shallow = new GradientBoostedTrees({ trees: 20, maxLeaves: 31, maxDepth: 6, earlyStopping: false }).fit(d, y);
    // Deep, narrow trees: paths longer than the 12 unique features the tables take, so the fallback runs too.
    const deep = new GradientBoostedTrees({ trees: 5, maxLeaves: 400, maxDepth: 0, minSamplesLeaf: 1, minChildWeight: 0, lambda: 0, earlyStopping: false }).fit(d, y);
    const depthOf = (t: (typeof deep.trees)[number], node = 0): number => (t.feature[node]! < 0 ? 0 : 1 + Math.max(depthOf(t, t.left[node]!), depthOf(t, t.right[node]!)));
    expect(Math.max(...deep.trees.map((t) => depthOf(t)))).toBeGreaterThan(12);
    let repeated = false;
    for (const model of [shallow, deep]) {
      for (const tree of model.trees) {
        if (new Set(Array.from(tree.feature).filter((f) => f >= 0)).size < Array.from(tree.feature).filter((f) => f >= 0).length) repeated = true;
        for (const i of [0, 1, 7, 99, 1234, 2999]) {
          const a = new Float64Array(p);
          const b = new Float64Array(n * p);
          treeShap(tree, cols, i, a);
          treeShapBlock(tree, cols, i, i + 1, b, p); // a block of one row
          for (let f = 0; f < p; f++) expect(b[i * p + f]).toBeCloseTo(a[f]!, 12);
        }
      }
    }
    expect(repeated).toBe(true);
    // A block of many rows (directions for all rows first, then each leaf's table for all rows): the same
    // bits as blocks of one row.
    for (const model of [shallow, deep]) {
      const [start, end] = [37, 37 + 300];
      const rowByRow = new Float64Array(n * p);
      const blocked = new Float64Array(n * p);
      for (const tree of model.trees) {
        for (let i = start; i < end; i++) treeShapBlock(tree, cols, i, i + 1, rowByRow, p);
        treeShapBlock(tree, cols, start, end, blocked, p);
      }
      expect(Buffer.from(blocked.buffer).equals(Buffer.from(rowByRow.buffer))).toBe(true);
      expect(blocked.some((v) => v !== 0)).toBe(true);
    }
    // The tables in WebAssembly: the same bits as JavaScript. The deep forest does not compile to codes (the
    // reference explains it all); trees of more than 64 internal nodes take several key words a row.
    const wide = new GradientBoostedTrees({ trees: 6, maxLeaves: 90, maxDepth: 8, minSamplesLeaf: 2, minChildWeight: 0, earlyStopping: false }).fit(d, y);
    expect(wide.trees.some((t) => t.feature.filter((f) => f >= 0).length > 64 && fastTree(t) !== null)).toBe(true);
    expect(WasmShap.create(deep.trees, p, 256)).toBeNull();
    expect(WasmShap.create(wide.trees, p, 256)).not.toBeNull();
    const shap = shapValues;
    for (const model of [shallow, deep, wide]) {
      const wasm = shap(model.trees, model.fitted.baseScore, d);
      const js = shap(model.trees, model.fitted.baseScore, d, { wasm: false });
      expect(wasm.base).toBe(js.base);
      expect(Buffer.from(wasm.values.buffer).equals(Buffer.from(js.values.buffer))).toBe(true);
    }
  });
});
