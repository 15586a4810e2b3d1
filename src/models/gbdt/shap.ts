/**
 * Exact TreeSHAP, the path-dependent algorithm (Lundberg, Erion & Lee 2018, Algorithm 2): per row, each
 * feature's contribution to the raw score such that base value + Σ contributions = raw score exactly.
 * The base value is the cover-weighted mean output of each tree plus the model's base score. This file is
 * the algorithm in JavaScript, the reference the tabulated form (shap-tables.ts) is compared with, and the
 * path arithmetic those tables are built with; shap-values.ts runs the tables over a model's rows.
 */
import type { Tree } from './tree.ts';

/**
 * The path of unique features from the root, kept in typed arrays: each recursion level works on its own
 * slice (a copy of its parent's, one element longer), as the reference implementation lays it out.
 */
export interface Path {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

/**
 * The loops below divide by (depth + 1), (i + 1) and (depth − i) at every step; those are small integers,
 * so their reciprocals come from a table and the loops only multiply (BENCHMARKS.md, "Design measurements"). RECIPROCAL[k] = 1 / k for k < 130; `recip` covers deeper paths.
 */
const RECIPROCAL = Float64Array.from({ length: 130 }, (_, k) => (k === 0 ? Number.POSITIVE_INFINITY : 1 / k));
const recip = (k: number) => (k < 130 ? RECIPROCAL[k]! : 1 / k);

export function extendPath(p: Path, at: number, depth: number, zero: number, one: number, feature: number): void {
  const w = p.weight;
  p.feature[at + depth] = feature;
  p.zero[at + depth] = zero;
  p.one[at + depth] = one;
  w[at + depth] = depth === 0 ? 1 : 0;
  const inv = recip(depth + 1);
  const oneInv = one * inv;
  const zeroInv = zero * inv;
  for (let i = depth - 1; i >= 0; i--) {
    const wi = w[at + i]!;
    w[at + i + 1]! += oneInv * wi * (i + 1);
    w[at + i] = zeroInv * wi * (depth - i);
  }
}

function unwindPath(p: Path, at: number, depth: number, index: number): void {
  const w = p.weight;
  const one = p.one[at + index]!;
  const zero = p.zero[at + index]!;
  let next = w[at + depth]!;
  if (one !== 0) {
    const a = (depth + 1) / one;
    const b = zero * recip(depth + 1);
    for (let i = depth - 1; i >= 0; i--) {
      const t = w[at + i]!;
      const wi = next * a * recip(i + 1);
      w[at + i] = wi;
      next = t - wi * b * (depth - i);
    }
  } else {
    const a = (depth + 1) / zero;
    for (let i = depth - 1; i >= 0; i--) w[at + i] = w[at + i]! * a * recip(depth - i);
  }
  for (let i = index; i < depth; i++) {
    p.feature[at + i] = p.feature[at + i + 1]!;
    p.zero[at + i] = p.zero[at + i + 1]!;
    p.one[at + i] = p.one[at + i + 1]!;
  }
}

/** Σ of the path weights with element `index` unwound, without changing the path. */
export function unwoundSum(p: Path, at: number, depth: number, index: number): number {
  const w = p.weight;
  const one = p.one[at + index]!;
  const zero = p.zero[at + index]!;
  let total = 0;
  if (one !== 0) {
    let next = w[at + depth]!;
    const a = (depth + 1) / one;
    const b = zero * recip(depth + 1);
    for (let i = depth - 1; i >= 0; i--) {
      const t = next * a * recip(i + 1);
      total += t;
      next = w[at + i]! - t * b * (depth - i);
    }
  } else {
    const a = (depth + 1) / zero;
    for (let i = depth - 1; i >= 0; i--) total += w[at + i]! * a * recip(depth - i);
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
