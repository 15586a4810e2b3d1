/**
 * Exact TreeSHAP, the path-dependent algorithm (Lundberg, Erion & Lee 2018, Algorithm 2): per row, each
 * feature's contribution to the raw score such that base value + Σ contributions = raw score exactly.
 * The base value is the cover-weighted mean output of each tree plus the model's base score.
 */
import type { Tree } from './tree.ts';

interface PathElement {
  feature: number;
  zero: number;
  one: number;
  weight: number;
}

function extend(path: PathElement[], zero: number, one: number, feature: number): PathElement[] {
  const l = path.length;
  const m = path.map((e) => ({ ...e }));
  m.push({ feature, zero, one, weight: l === 0 ? 1 : 0 });
  for (let i = l - 1; i >= 0; i--) {
    m[i + 1]!.weight += (one * m[i]!.weight * (i + 1)) / (l + 1);
    m[i]!.weight = (zero * m[i]!.weight * (l - i)) / (l + 1);
  }
  return m;
}

function unwind(path: PathElement[], i: number): PathElement[] {
  const l = path.length - 1;
  const m = path.map((e) => ({ ...e }));
  let next = m[l]!.weight;
  const { one, zero } = m[i]!;
  for (let j = l - 1; j >= 0; j--) {
    if (one !== 0) {
      const t = m[j]!.weight;
      m[j]!.weight = (next * (l + 1)) / ((j + 1) * one);
      next = t - (m[j]!.weight * zero * (l - j)) / (l + 1);
    } else {
      m[j]!.weight = (m[j]!.weight * (l + 1)) / (zero * (l - j));
    }
  }
  for (let j = i; j < l; j++) {
    m[j]!.feature = m[j + 1]!.feature;
    m[j]!.zero = m[j + 1]!.zero;
    m[j]!.one = m[j + 1]!.one;
  }
  m.pop();
  return m;
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

/** Adds one tree's SHAP values for row i into phi (length p). */
export function treeShap(tree: Tree, columns: readonly Float64Array[], i: number, phi: Float64Array): void {
  const recurse = (node: number, path: PathElement[], zero: number, one: number, feature: number) => {
    const m = extend(path, zero, one, feature);
    const f = tree.feature[node]!;
    if (f < 0) {
      for (let k = 1; k < m.length; k++) {
        const w = unwind(m, k).reduce((s, e) => s + e.weight, 0);
        phi[m[k]!.feature]! += w * (m[k]!.one - m[k]!.zero) * tree.value[node]!;
      }
      return;
    }
    const hot = hotChild(tree, node, columns, i);
    const cold = hot === tree.left[node] ? tree.right[node]! : tree.left[node]!;
    let iz = 1;
    let io = 1;
    let reduced = m;
    const k = m.findIndex((e, idx) => idx > 0 && e.feature === f);
    if (k > 0) {
      iz = m[k]!.zero;
      io = m[k]!.one;
      reduced = unwind(m, k);
    }
    const cover = tree.cover[node]!;
    recurse(hot, reduced, (iz * tree.cover[hot]!) / cover, io, f);
    recurse(cold, reduced, (iz * tree.cover[cold]!) / cover, 0, f);
  };
  recurse(0, [], 1, 1, -1);
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
