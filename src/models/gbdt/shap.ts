/**
 * Exact TreeSHAP, the path-dependent algorithm (Lundberg, Erion & Lee 2018, Algorithm 2): per row, each
 * feature's contribution to the raw score such that base value + Σ contributions = raw score exactly.
 * The base value is the cover-weighted mean output of each tree plus the model's base score.
 */
import type { Tree } from './tree.ts';

/**
 * The path of unique features from the root, kept in typed arrays: each recursion level works on its own
 * slice (a copy of its parent's, one element longer), as the reference implementation lays it out.
 */
interface Path {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

function extendPath(p: Path, at: number, depth: number, zero: number, one: number, feature: number): void {
  p.feature[at + depth] = feature;
  p.zero[at + depth] = zero;
  p.one[at + depth] = one;
  p.weight[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.weight[at + i + 1]! += (one * p.weight[at + i]! * (i + 1)) / (depth + 1);
    p.weight[at + i] = (zero * p.weight[at + i]! * (depth - i)) / (depth + 1);
  }
}

function unwindPath(p: Path, at: number, depth: number, index: number): void {
  const one = p.one[at + index]!;
  const zero = p.zero[at + index]!;
  let next = p.weight[at + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = p.weight[at + i]!;
      p.weight[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = t - (p.weight[at + i]! * zero * (depth - i)) / (depth + 1);
    } else {
      p.weight[at + i] = (p.weight[at + i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    p.feature[at + i] = p.feature[at + i + 1]!;
    p.zero[at + i] = p.zero[at + i + 1]!;
    p.one[at + i] = p.one[at + i + 1]!;
  }
}

/** Σ of the path weights with element `index` unwound, without changing the path. */
function unwoundSum(p: Path, at: number, depth: number, index: number): number {
  const one = p.one[at + index]!;
  const zero = p.zero[at + index]!;
  let next = p.weight[at + depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = (next * (depth + 1)) / ((i + 1) * one);
      total += t;
      next = p.weight[at + i]! - (t * zero * (depth - i)) / (depth + 1);
    } else {
      total += p.weight[at + i]! / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

/** The child a row goes to at an internal node, from raw feature values. */
function hotChild(tree: Tree, node: number, columns: readonly Float64Array[], i: number): number {
  const f = tree.feature[node]!;
  const v = columns[f]![i]!;
  let goLeft: boolean;
  if (Number.isNaN(v)) goLeft = tree.missingLeft[node] === 1;
  else {
    const offset = tree.categoryOffset[node]!;
    goLeft = offset >= 0 ? tree.categoryBits[offset + 1 + Math.min(v, 254)] === 1 : v <= tree.threshold[node]!;
  }
  return goLeft ? tree.left[node]! : tree.right[node]!;
}

function treeDepth(tree: Tree, node = 0): number {
  return tree.feature[node]! < 0 ? 0 : 1 + Math.max(treeDepth(tree, tree.left[node]!), treeDepth(tree, tree.right[node]!));
}

const pathCache = new WeakMap<Tree, Path>();

function pathFor(tree: Tree): Path {
  let p = pathCache.get(tree);
  if (!p) {
    const d = treeDepth(tree) + 2;
    const size = ((d + 1) * (d + 2)) / 2 + d + 1;
    p = { feature: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), weight: new Float64Array(size) };
    pathCache.set(tree, p);
  }
  return p;
}

/** Adds one tree's SHAP values for row i into phi (length p). */
export function treeShap(tree: Tree, columns: readonly Float64Array[], i: number, phi: Float64Array): void {
  const p = pathFor(tree);
  const recurse = (node: number, parentAt: number, depth: number, zero: number, one: number, feature: number): void => {
    // This level's path: a copy of the parent's, extended by the split that led here.
    const at = parentAt + depth + 1;
    for (let k = 0; k < depth + 1; k++) {
      p.feature[at + k] = p.feature[parentAt + k]!;
      p.zero[at + k] = p.zero[parentAt + k]!;
      p.one[at + k] = p.one[parentAt + k]!;
      p.weight[at + k] = p.weight[parentAt + k]!;
    }
    extendPath(p, at, depth, zero, one, feature);
    const f = tree.feature[node]!;
    if (f < 0) {
      for (let k = 1; k <= depth; k++) {
        const w = unwoundSum(p, at, depth, k);
        phi[p.feature[at + k]!]! += w * (p.one[at + k]! - p.zero[at + k]!) * tree.value[node]!;
      }
      return;
    }
    const hot = hotChild(tree, node, columns, i);
    const cold = hot === tree.left[node] ? tree.right[node]! : tree.left[node]!;
    let incomingZero = 1;
    let incomingOne = 1;
    let d = depth;
    let k = 0;
    while (k <= d && p.feature[at + k] !== f) k++;
    if (k <= d) {
      incomingZero = p.zero[at + k]!;
      incomingOne = p.one[at + k]!;
      unwindPath(p, at, d, k);
      d -= 1;
    }
    const cover = tree.cover[node]!;
    recurse(hot, at, d + 1, (tree.cover[hot]! / cover) * incomingZero, incomingOne, f);
    recurse(cold, at, d + 1, (tree.cover[cold]! / cover) * incomingZero, 0, f);
  };
  p.feature[0] = -1;
  recurse(0, 0, 0, 1, 1, -1);
}

/** Cover-weighted mean output of a tree: its expected value over the training rows. */
export function expectedValue(tree: Tree): number {
  let sum = 0;
  let total = 0;
  for (let node = 0; node < tree.feature.length; node++) {
    if (tree.feature[node]! >= 0) continue;
    sum += tree.cover[node]! * tree.value[node]!;
    total += tree.cover[node]!;
  }
  return total > 0 ? sum / total : 0;
}

/**
 * SHAP values of every row (row-major n × p) and the base value: base + Σ_f values[i·p + f] = raw score.
 *
 * @example
 * const { values, base } = shapValues(model.trees, model.fitted.baseScore, design);
 */
export function shapValues(trees: readonly Tree[], baseScore: number, design: { columns: readonly Float64Array[]; n: number; p: number }): { values: Float64Array; base: number } {
  const values = new Float64Array(design.n * design.p);
  const phi = new Float64Array(design.p);
  for (let i = 0; i < design.n; i++) {
    phi.fill(0);
    for (const tree of trees) treeShap(tree, design.columns, i, phi);
    values.set(phi, i * design.p);
  }
  return { values, base: baseScore + trees.reduce((s, t) => s + expectedValue(t), 0) };
}

/**
 * SHAP values summed per original column (a date's age, month and weekday are one column), row-major
 * n × columns: the per-lead reasons of a tree model.
 *
 * @example
 * const { columns, values } = shapByColumn(model.trees, model.fitted.baseScore, design);
 */
export function shapByColumn(trees: readonly Tree[], baseScore: number, design: { columns: readonly Float64Array[]; n: number; p: number; groups: readonly string[] }): { columns: string[]; values: Float64Array; base: number } {
  const { values, base } = shapValues(trees, baseScore, design);
  const columns = [...new Set(design.groups)];
  const index = design.groups.map((g) => columns.indexOf(g));
  const out = new Float64Array(design.n * columns.length);
  for (let i = 0; i < design.n; i++) {
    for (let f = 0; f < design.p; f++) out[i * columns.length + index[f]!]! += values[i * design.p + f]!;
  }
  return { columns, values: out, base };
}
