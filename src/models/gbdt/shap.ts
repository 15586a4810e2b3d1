/**
 * Exact TreeSHAP, the path-dependent algorithm (Lundberg, Erion & Lee 2018, Algorithm 2): per row, each
 * feature's contribution to the raw score such that base value + Σ contributions = raw score exactly.
 * The base value is the cover-weighted mean output of each tree plus the model's base score. This file is
 * the algorithm in JavaScript — the reference the WebAssembly leaf loop (src/wasm/tree-shap.wat) is
 * compared with; shap-values.ts runs it over a model's rows.
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

/**
 * The loops below divide by (depth + 1), (i + 1) and (depth − i) at every step; those are small integers,
 * so their reciprocals come from a table and the loops only multiply (BENCHMARKS.md, "Design measurements"). RECIPROCAL[k] = 1 / k for k < 130; `recip` covers deeper paths.
 */
const RECIPROCAL = Float64Array.from({ length: 130 }, (_, k) => (k === 0 ? Number.POSITIVE_INFINITY : 1 / k));
const recip = (k: number) => (k < 130 ? RECIPROCAL[k]! : 1 / k);

function extendPath(p: Path, at: number, depth: number, zero: number, one: number, feature: number): void {
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
function unwoundSum(p: Path, at: number, depth: number, index: number): number {
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

/**
 * The same values, faster for many rows ("Fast TreeSHAP v2", Yang 2021): along a leaf's path, what varies
 * from row to row is only which of its unique features the row agrees with (a 0/1 per feature), so each
 * leaf's contributions are tabulated once per tree for all 2^m agreement patterns (m ≤ 12 unique
 * features, at most 2^20 entries a tree). A row then costs one test per internal node, one pattern per
 * leaf and m table reads per leaf, about a third of the recursive algorithm's time (BENCHMARKS.md, "Design measurements"). The values equal the recursive algorithm's to
 * rounding (tested).
 */
interface LeafTable {
  m: number;
  features: Int32Array;
  /** Path nodes, the direction the path takes there (1 = left) and the unique-feature slot they belong to. */
  nodes: Int32Array;
  left: Uint8Array;
  slot: Int32Array;
  /** 2^m × m contributions: value × (one − zero) × unwound weight sum. */
  table: Float64Array;
  /** −1, or for two sibling leaves in one table: their parent, whose direction is the index's last bit. */
  free: number;
}

/** The leaf tables of one tree, concatenated into typed arrays (the hot loop reads no objects). */
export interface FastTree {
  internal: Int32Array;
  /** Per leaf: where its path starts in pathNode/pathLeft/pathSlot, and its length. */
  pathStart: Int32Array;
  pathLength: Int32Array;
  pathNode: Int32Array;
  pathLeft: Uint8Array;
  pathSlot: Int32Array;
  /** Per leaf: its unique features' count and where they start in `features`. */
  unique: Int32Array;
  featureStart: Int32Array;
  features: Int32Array;
  /** Per leaf: where its 2^m × m table starts in `tables`. */
  tableStart: Int32Array;
  /** Per table: 1 for a sibling pair (the parent's direction is a last index bit), else 0; the parent. */
  pair: Int32Array;
  freeNode: Int32Array;
  tables: Float64Array;
}

const FAST_MAX_UNIQUE = 12;
/** At most 2^20 table entries (8 MiB) per tree; deeper, bushier trees use the recursive algorithm. */
const FAST_MAX_ENTRIES = 1 << 20;
const fastCache = new WeakMap<Tree, FastTree | null>();

function flatten(leaves: readonly LeafTable[], internal: readonly number[]): FastTree {
  const concat = <T extends Int32Array | Uint8Array | Float64Array>(parts: T[], make: (n: number) => T): { all: T; start: Int32Array } => {
    const start = new Int32Array(parts.length);
    let n = 0;
    parts.forEach((part, k) => {
      start[k] = n;
      n += part.length;
    });
    const all = make(n);
    parts.forEach((part, k) => all.set(part as never, start[k]!));
    return { all, start };
  };
  const nodes = concat(leaves.map((l) => l.nodes), (n) => new Int32Array(n));
  const features = concat(leaves.map((l) => l.features), (n) => new Int32Array(n));
  const tables = concat(leaves.map((l) => l.table), (n) => new Float64Array(n));
  return {
    internal: Int32Array.from(internal),
    pathStart: nodes.start, pathLength: Int32Array.from(leaves, (l) => l.nodes.length), pathNode: nodes.all,
    pathLeft: concat(leaves.map((l) => l.left), (n) => new Uint8Array(n)).all, pathSlot: concat(leaves.map((l) => l.slot), (n) => new Int32Array(n)).all,
    unique: Int32Array.from(leaves, (l) => l.m), featureStart: features.start, features: features.all,
    tableStart: tables.start, tables: tables.all,
    pair: Int32Array.from(leaves, (l) => (l.free >= 0 ? 1 : 0)), freeNode: Int32Array.from(leaves, (l) => Math.max(0, l.free)),
  };
}

export function fastTree(tree: Tree): FastTree | null {
  if (fastCache.has(tree)) return fastCache.get(tree)!;
  const leaves: LeafTable[] = [];
  const internal: number[] = [];
  let ok = true;
  let tableEntries = 0;
  const leafTable = (node: number, pathNodes: number[], pathLeft: number[]): LeafTable | null => {
    const features: number[] = [];
    const zero: number[] = [];
    const slot: number[] = [];
    pathNodes.forEach((n, k) => {
      const f = tree.feature[n]!;
      const child = pathLeft[k] ? tree.left[n]! : tree.right[n]!;
      const frac = tree.cover[child]! / tree.cover[n]!;
      let j = features.indexOf(f);
      if (j < 0) {
        j = features.length;
        features.push(f);
        zero.push(1);
      }
      zero[j]! *= frac;
      slot.push(j);
    });
    const m = features.length;
    tableEntries += (1 << Math.min(m, 30)) * m;
    if (m > FAST_MAX_UNIQUE || tableEntries > FAST_MAX_ENTRIES) return null;
    const table = new Float64Array((1 << m) * m);
    const size = ((m + 2) * (m + 3)) / 2 + m + 2;
    const path: Path = { feature: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), weight: new Float64Array(size) };
    for (let pattern = 0; pattern < 1 << m; pattern++) {
      extendPath(path, 0, 0, 1, 1, -1);
      for (let k = 0; k < m; k++) extendPath(path, 0, k + 1, zero[k]!, (pattern >> k) & 1, features[k]!);
      for (let k = 0; k < m; k++) {
        const w = unwoundSum(path, 0, m, k + 1);
        table[pattern * m + k] = w * (((pattern >> k) & 1) - zero[k]!) * tree.value[node]!;
      }
    }
    return { m, features: Int32Array.from(features), nodes: Int32Array.from(pathNodes), left: Uint8Array.from(pathLeft), slot: Int32Array.from(slot), table, free: -1 };
  };
  const walk = (node: number, pathNodes: number[], pathLeft: number[]): void => {
    if (!ok) return;
    if (tree.feature[node]! < 0) {
      const leaf = leafTable(node, pathNodes, pathLeft);
      if (leaf) leaves.push(leaf);
      else ok = false;
      return;
    }
    internal.push(node);
    const left = tree.left[node]!;
    const right = tree.right[node]!;
    if (tree.feature[left]! < 0 && tree.feature[right]! < 0) {
      // Two sibling leaves share their path but the last split: one table for both, indexed by the
      // pattern above the split and the row's direction there (half the lookups per row).
      const l = leafTable(left, [...pathNodes, node], [...pathLeft, 1]);
      const r = leafTable(right, [...pathNodes, node], [...pathLeft, 0]);
      if (!l || !r) {
        ok = false;
        return;
      }
      const { m } = l;
      const at = l.slot[l.slot.length - 1]!; // the split's feature slot (the same in both: same path order)
      const table = new Float64Array((2 << m) * m);
      for (let base = 0; base < 1 << m; base++) {
        for (let d = 0; d <= 1; d++) {
          const lp = base & ~((1 - d) << at); // the left leaf agrees at the split when the row goes left
          const rp = base & ~(d << at);
          for (let k = 0; k < m; k++) table[((base << 1) | d) * m + k] = l.table[lp * m + k]! + r.table[rp * m + k]!;
        }
      }
      leaves.push({ m, features: l.features, nodes: Int32Array.from(pathNodes), left: Uint8Array.from(pathLeft), slot: l.slot.subarray(0, -1), table, free: node });
      return;
    }
    walk(left, [...pathNodes, node], [...pathLeft, 1]);
    walk(right, [...pathNodes, node], [...pathLeft, 0]);
  };
  walk(0, [], []);
  const fast = ok ? flatten(leaves, internal) : null;
  fastCache.set(tree, fast);
  return fast;
}



/**
 * gl[node · count + r] = 1 when row start + r goes left at the node (as tree.ts walks it), for every
 * internal node, a node's rows at a time so each feature's values are read in order. Numeric splits take
 * no branch on the outcome (a comparison's boolean as 0/1): NaN fails `v <= threshold` and takes the
 * missing direction.
 */
export function directions(tree: Tree, fast: FastTree, columns: readonly Float64Array[], start: number, count: number, gl: Uint8Array): void {
  const { feature, threshold, missingLeft, categoryOffset, categoryBits } = tree;
  const internal = fast.internal;
  for (let k = 0; k < internal.length; k++) {
    const node = internal[k]!;
    const column = columns[feature[node]!]!;
    const offset = categoryOffset[node]!;
    const at = node * count;
    const missing = missingLeft[node]!;
    if (offset < 0) {
      const t = threshold[node]!;
      for (let r = 0; r < count; r++) {
        const v = column[start + r]!;
        gl[at + r] = ((v <= t) as unknown as number) | (((v !== v) as unknown as number) & missing);
      }
    } else {
      for (let r = 0; r < count; r++) {
        const v = column[start + r]!;
        gl[at + r] = v !== v ? missing : categoryBits[offset + 1 + (v < 254 ? v : 254)]!;
      }
    }
  }
}

let blockDirections = new Uint8Array(0);
let blockPatterns = new Int32Array(0);

/**
 * Adds one tree's SHAP values for rows [start, end) into phi (row-major, p a row), from the tabulated
 * patterns (trees too deep for tables: the recursive `treeShap`, row by row). Every internal node's
 * direction is computed for all the block's rows at once (reading a feature's values in order), then each
 * leaf's table serves all the rows while it sits in the L1 cache — row by row, a row touched every table of
 * the tree (196 KB for 64 leaves) and missed the cache at most of them. A block of one row gives the same
 * bits as any block holding it.
 */
export function treeShapBlock(tree: Tree, columns: readonly Float64Array[], start: number, end: number, phi: Float64Array, p: number): void {
  const fast = fastTree(tree);
  if (!fast) {
    for (let i = start; i < end; i++) treeShap(tree, columns, i, phi.subarray(i * p, (i + 1) * p));
    return;
  }
  const count = end - start;
  if (blockDirections.length < count * tree.feature.length) blockDirections = new Uint8Array(count * tree.feature.length);
  if (blockPatterns.length < count) blockPatterns = new Int32Array(count);
  const gl = blockDirections;
  const patterns = blockPatterns;
  directions(tree, fast, columns, start, count, gl);
  const { pathStart, pathLength, pathNode, pathLeft, pathSlot, unique, featureStart, features, tableStart, tables, pair, freeNode } = fast;
  for (let l = 0; l < unique.length; l++) {
    const m = unique[l]!;
    const full = (1 << m) - 1;
    const from = pathStart[l]!;
    const to = from + pathLength[l]!;
    const twin = pair[l]!;
    const free = freeNode[l]! * count;
    const table = tableStart[l]!;
    const first = featureStart[l]!;
    // Each row's pattern, path node by path node over all rows (sequential reads of the directions).
    patterns.fill(full, 0, count);
    for (let k = from; k < to; k++) {
      const at = pathNode[k]! * count;
      const left = pathLeft[k]!;
      const slot = pathSlot[k]!;
      for (let r = 0; r < count; r++) patterns[r]! &= ~((gl[at + r]! ^ left) << slot);
    }
    for (let r = 0; r < count; r++) {
      const entry = table + ((patterns[r]! << twin) | (gl[free + r]! & twin)) * m;
      const row = (start + r) * p;
      for (let k = 0; k < m; k++) phi[row + features[first + k]!]! += tables[entry + k]!;
    }
  }
}
