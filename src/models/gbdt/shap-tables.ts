/**
 * TreeSHAP from tables, for many rows ("Fast TreeSHAP v2", Yang 2021, with subtrees merged). Along a leaf's
 * path, what varies from row to row is only which of its unique features the row agrees with (a 0/1 per
 * feature), so each leaf's contributions are tabulated once per tree for all 2^m agreement patterns (m ≤ 12
 * unique features). A row would then cost, per leaf, one pattern and m additions; with 31 leaves a tree
 * that is about 90 additions a row.
 *
 * Here a whole subtree shares one table: its leaves' contributions depend only on the row's agreement with
 * the unique features of the path down to the subtree (m_P bits) and on the row's direction at each split
 * inside it (one bit each). Every subtree whose key has at most MERGE_BITS bits is tabulated for all its
 * keys, its leaves' contributions summed per feature (leaves left to right), so a row costs one key and one
 * addition per feature the subtree tests: about five tables and thirty additions for such a tree
 * (BENCHMARKS.md, session 11). Larger subtrees are split at their root, down to single leaves, whose tables
 * are the plain per-leaf ones.
 *
 * A row's values are the same bits however its rows are blocked (tested); they equal the recursive
 * algorithm's (shap.ts) to rounding, since a subtree's leaves are summed before they are added (tested).
 */
import { extendPath, type Path, treeShap, unwoundSum } from './shap.ts';
import type { Tree } from './tree.ts';

/** A subtree's key bits above which it is split into its children's tables (2^10 keys × its features). */
const MERGE_BITS = 10;
/** A leaf's unique path features above which the tree is explained by the recursive algorithm. */
const FAST_MAX_UNIQUE = 12;
/** At most 2^20 table entries (8 MiB) per tree; beyond, the recursive algorithm. */
const FAST_MAX_ENTRIES = 1 << 20;

/**
 * A tree's tables, concatenated into typed arrays (the hot loop reads no objects). Directions are numbered
 * by the internal nodes' preorder position (a subtree's internal nodes are consecutive in preorder). Table
 * t's key: bits 0..mP−1 start at one and each of its `above` nodes clears bit `aboveSlot` where the row's
 * direction at position `abovePos` (1 = left) differs from `aboveLeft`; bits mP + j are the row's
 * directions at positions innerShift + j, j < innerCount. The key's entry is `width` values, added to
 * `features`.
 */
export interface FastTree {
  /** The internal nodes in preorder: position k's direction is node internal[k]'s. */
  internal: Int32Array;
  /** Per table. */
  aboveStart: Int32Array;
  aboveCount: Int32Array;
  mP: Int32Array;
  innerShift: Int32Array;
  innerCount: Int32Array;
  width: Int32Array;
  featureStart: Int32Array;
  tableStart: Int32Array;
  /** Per above node of each table. */
  abovePos: Int32Array;
  aboveLeft: Int32Array;
  aboveSlot: Int32Array;
  /** The tables' features, and their 2^(mP + innerCount) × width entries. */
  features: Int32Array;
  tables: Float64Array;
}

/** One leaf's path: its unique features in order of first appearance, each path node's slot among them, and each feature's zero fraction. */
interface LeafPath {
  leaf: number;
  features: number[];
  slot: number[];
  zero: number[];
}

/** A table's shape and its leaves, before its entries are worked out. */
interface Table {
  above: number[];
  aboveLeft: number[];
  aboveSlot: number[];
  mP: number;
  /** The subtree's root (its internal nodes follow it in preorder); null for a leaf. */
  root: number | null;
  innerCount: number;
  features: number[];
  /** Per leaf, left to right: its path, where its features sit among the table's, and its checks (key bit, direction, the slot a mismatch clears). */
  leaves: Array<{ path: LeafPath; toFeature: Int32Array; checkBit: Int32Array; checkLeft: Int32Array; keepSlots: Int32Array }>;
  /** 2^(mP + innerCount) keys × features.length entries. */
  size: number;
}

/** The unique features of a path in order of first appearance, and each node's slot among them. */
function uniqueFeatures(tree: Tree, pathNodes: readonly number[]): { features: number[]; slot: number[] } {
  const features: number[] = [];
  const slot = pathNodes.map((n) => {
    const f = tree.feature[n]!;
    let j = features.indexOf(f);
    if (j < 0) {
      j = features.length;
      features.push(f);
    }
    return j;
  });
  return { features, slot };
}

/** A leaf's path; null past FAST_MAX_UNIQUE features. */
function leafPath(tree: Tree, leaf: number, pathNodes: readonly number[], pathLeft: readonly number[]): LeafPath | null {
  const { features, slot } = uniqueFeatures(tree, pathNodes);
  const m = features.length;
  if (m > FAST_MAX_UNIQUE) return null;
  const zero = new Array<number>(m).fill(1);
  pathNodes.forEach((n, k) => {
    const child = pathLeft[k] ? tree.left[n]! : tree.right[n]!;
    zero[slot[k]!]! *= tree.cover[child]! / tree.cover[n]!;
  });
  return { leaf, features, slot, zero };
}

/**
 * A leaf's contributions for every pattern of agreement with its path, into out[0 .. 2^m × m): value ×
 * (one − zero) × unwound weight sum. `path` is room for a path of FAST_MAX_UNIQUE + 1 elements.
 */
function leafTable(tree: Tree, { leaf, features, zero }: LeafPath, out: Float64Array, path: Path): void {
  const m = features.length;
  for (let pattern = 0; pattern < 1 << m; pattern++) {
    extendPath(path, 0, 0, 1, 1, -1);
    for (let k = 0; k < m; k++) extendPath(path, 0, k + 1, zero[k]!, (pattern >> k) & 1, features[k]!);
    for (let k = 0; k < m; k++) {
      const w = unwoundSum(path, 0, m, k + 1);
      out[pattern * m + k] = w * (((pattern >> k) & 1) - zero[k]!) * tree.value[leaf]!;
    }
  }
}

/** The internal nodes of the subtree at `node`, in preorder. */
function innerNodes(tree: Tree, node: number, out: number[] = []): number[] {
  if (tree.feature[node]! < 0) return out;
  out.push(node);
  innerNodes(tree, tree.left[node]!, out);
  innerNodes(tree, tree.right[node]!, out);
  return out;
}

/**
 * The shape of one table for the subtree at `node`: key bits 0..m_P−1 are the row's agreement with the
 * path's unique features, bit m_P + k its direction (1 = left) at the subtree's k-th internal node in
 * preorder; its features are the path's, then its leaves' in the order met. Null where a leaf's path has
 * too many unique features.
 */
function subtreeShape(tree: Tree, node: number, pathNodes: readonly number[], pathLeft: readonly number[]): Table | null {
  const above = uniqueFeatures(tree, pathNodes);
  const mP = above.features.length;
  const inner = innerNodes(tree, node);
  const features = [...above.features];
  const leaves: Table['leaves'] = [];
  let ok = true;
  const walk = (n: number, nodes: number[], left: number[]): void => {
    if (!ok) return;
    if (tree.feature[n]! < 0) {
      const path = leafPath(tree, n, nodes, left);
      if (!path) {
        ok = false;
        return;
      }
      // The path above is a prefix of this leaf's path, so its first m_P slots are the path's features.
      const toFeature = Int32Array.from(path.features, (f) => {
        if (!features.includes(f)) features.push(f);
        return features.indexOf(f);
      });
      const inside = nodes.slice(pathNodes.length);
      leaves.push({
        path, toFeature,
        checkBit: Int32Array.from(inside, (q) => mP + inner.indexOf(q)),
        checkLeft: Int32Array.from(inside, (_, k) => left[pathNodes.length + k]!),
        keepSlots: Int32Array.from(inside, (_, k) => ~(1 << path.slot[pathNodes.length + k]!)),
      });
      return;
    }
    walk(tree.left[n]!, [...nodes, n], [...left, 1]);
    walk(tree.right[n]!, [...nodes, n], [...left, 0]);
  };
  walk(node, [...pathNodes], [...pathLeft]);
  if (!ok) return null;
  return {
    above: [...pathNodes], aboveLeft: [...pathLeft], aboveSlot: above.slot, mP, root: inner.length > 0 ? node : null, innerCount: inner.length, features, leaves,
    size: (1 << (mP + inner.length)) * features.length,
  };
}

/** Room for one leaf's plain table (2^12 patterns × 12) and its path, reused leaf after leaf. */
const scratch = { table: new Float64Array(0), path: null as Path | null };

/**
 * Works out a table's entries into `out` (zeros, `table.size` long): for each key, each leaf's agreement
 * pattern follows from the key, and its plain table's entry is added to the subtree's features (leaves left
 * to right).
 */
function fillTable(tree: Tree, table: Table, out: Float64Array): void {
  if (scratch.table.length === 0) scratch.table = new Float64Array((1 << FAST_MAX_UNIQUE) * FAST_MAX_UNIQUE);
  const size = FAST_MAX_UNIQUE + 1;
  scratch.path ??= { feature: new Int32Array(size), zero: new Float64Array(size), one: new Float64Array(size), weight: new Float64Array(size) };
  const plain = scratch.table;
  const width = table.features.length;
  const keys = 1 << (table.mP + table.innerCount);
  const fullAbove = (1 << table.mP) - 1;
  for (const { path, toFeature, checkBit, checkLeft, keepSlots } of table.leaves) {
    const m = path.features.length;
    leafTable(tree, path, plain, scratch.path);
    const newSlots = ((1 << m) - 1) & ~fullAbove;
    for (let key = 0, at = 0; key < keys; key++, at += width) {
      let pattern = (key & fullAbove) | newSlots;
      for (let c = 0; c < checkBit.length; c++) if (((key >> checkBit[c]!) & 1) !== checkLeft[c]) pattern &= keepSlots[c]!;
      const from = pattern * m;
      for (let j = 0; j < m; j++) out[at + toFeature[j]!]! += plain[from + j]!;
    }
  }
}

/** The tree's tables laid out: every array but the entries (`tables` left empty). */
function layOut(tables: readonly Table[], internal: readonly number[]): FastTree {
  const starts = (lengths: readonly number[]): Int32Array => {
    const start = new Int32Array(lengths.length);
    lengths.reduce((at, n, k) => ((start[k] = at), at + n), 0);
    return start;
  };
  const position = new Map(internal.map((node, k) => [node, k]));
  return {
    internal: Int32Array.from(internal),
    aboveStart: starts(tables.map((t) => t.above.length)), aboveCount: Int32Array.from(tables, (t) => t.above.length), mP: Int32Array.from(tables, (t) => t.mP),
    innerShift: Int32Array.from(tables, (t) => (t.root === null ? 0 : position.get(t.root)!)), innerCount: Int32Array.from(tables, (t) => t.innerCount),
    width: Int32Array.from(tables, (t) => t.features.length), featureStart: starts(tables.map((t) => t.features.length)), tableStart: starts(tables.map((t) => t.size)),
    abovePos: Int32Array.from(tables.flatMap((t) => t.above.map((n) => position.get(n)!))), aboveLeft: Int32Array.from(tables.flatMap((t) => t.aboveLeft)),
    aboveSlot: Int32Array.from(tables.flatMap((t) => t.aboveSlot)),
    features: Int32Array.from(tables.flatMap((t) => t.features)), tables: new Float64Array(0),
  };
}

const fastCache = new WeakMap<Tree, FastTree | null>();

/** A tree's tables laid out, their `entries` worked out by `fill` (see `pendingFastTree`). */
export interface PendingFastTree {
  fast: FastTree;
  entries: number;
  fill(into: Float64Array): FastTree;
}

/**
 * A tree's tables laid out, their entries not yet worked out: `fast` has every array but `tables`, and
 * `fill(into)` works the `entries` out into `into` (zeros) — where the caller wants them, such as
 * WebAssembly's memory, with no copy — and returns the tree's tables, kept for `fastTree`. A tree whose
 * tables were made before fills `into` with a copy of them. Null: the tree has no tables (see `fastTree`).
 */
export function pendingFastTree(tree: Tree): PendingFastTree | null {
  const made = fastCache.get(tree);
  if (made !== undefined) {
    return made && { fast: made, entries: made.tables.length, fill: (into) => (into.set(made.tables), made) };
  }
  const tables: Table[] = [];
  let entries = 0;
  let ok = true;
  const walk = (node: number, pathNodes: number[], pathLeft: number[]): void => {
    if (!ok) return;
    const leaf = tree.feature[node]! < 0;
    const bits = uniqueFeatures(tree, pathNodes).features.length + innerNodes(tree, node).length;
    if (leaf || bits <= MERGE_BITS) {
      const table = subtreeShape(tree, node, pathNodes, pathLeft);
      entries += table ? table.size : 0;
      if (!table || entries > FAST_MAX_ENTRIES) ok = false;
      else tables.push(table);
      return;
    }
    walk(tree.left[node]!, [...pathNodes, node], [...pathLeft, 1]);
    walk(tree.right[node]!, [...pathNodes, node], [...pathLeft, 0]);
  };
  walk(0, [], []);
  if (!ok) {
    fastCache.set(tree, null);
    return null;
  }
  const fast = layOut(tables, innerNodes(tree, 0));
  return {
    fast, entries,
    fill: (into) => {
      tables.forEach((t, k) => fillTable(tree, t, into.subarray(fast.tableStart[k]!, fast.tableStart[k]! + t.size)));
      fast.tables = into;
      fastCache.set(tree, fast);
      return fast;
    },
  };
}

/** The tree's tables (null: a leaf with more than 12 unique path features, or more than 2^20 entries). */
export function fastTree(tree: Tree): FastTree | null {
  const made = fastCache.get(tree);
  if (made !== undefined) return made;
  const pending = pendingFastTree(tree);
  return pending && pending.fill(new Float64Array(pending.entries));
}

/**
 * gl[k · count + r] = 1 when row start + r goes left at the internal node in preorder position k (as tree.ts
 * walks it), for every internal node, a node's rows at a time so each feature's values are read in order. Numeric splits take
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
    const at = k * count;
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
let blockKeys = new Int32Array(0);

/**
 * Adds one tree's SHAP values for rows [start, end) into phi (row-major, p a row), from its tables (trees
 * without tables: the recursive `treeShap`, row by row). Every internal node's direction is computed for
 * all the block's rows at once (reading a feature's values in order), then each table serves all the rows
 * while it sits in the cache. A block of one row gives the same bits as any block holding it.
 */
export function treeShapBlock(tree: Tree, columns: readonly Float64Array[], start: number, end: number, phi: Float64Array, p: number): void {
  const fast = fastTree(tree);
  if (!fast) {
    for (let i = start; i < end; i++) treeShap(tree, columns, i, phi.subarray(i * p, (i + 1) * p));
    return;
  }
  const count = end - start;
  if (blockDirections.length < count * tree.feature.length) blockDirections = new Uint8Array(count * tree.feature.length);
  if (blockKeys.length < count) blockKeys = new Int32Array(count);
  const gl = blockDirections;
  const keys = blockKeys;
  directions(tree, fast, columns, start, count, gl);
  const { aboveStart, aboveCount, mP, innerShift, innerCount, width, featureStart, tableStart, abovePos, aboveLeft, aboveSlot, features, tables } = fast;
  for (let t = 0; t < width.length; t++) {
    const w = width[t]!;
    const table = tableStart[t]!;
    const first = featureStart[t]!;
    // Each row's key, node by node over all rows (sequential reads of the directions): agreement with the
    // path above, then the directions inside.
    keys.fill((1 << mP[t]!) - 1, 0, count);
    for (let k = aboveStart[t]!; k < aboveStart[t]! + aboveCount[t]!; k++) {
      const at = abovePos[k]! * count;
      const left = aboveLeft[k]!;
      const slot = aboveSlot[k]!;
      for (let r = 0; r < count; r++) keys[r]! &= ~((gl[at + r]! ^ left) << slot);
    }
    for (let j = 0; j < innerCount[t]!; j++) {
      const at = (innerShift[t]! + j) * count;
      const bit = mP[t]! + j;
      for (let r = 0; r < count; r++) keys[r]! |= gl[at + r]! << bit;
    }
    for (let r = 0; r < count; r++) {
      const entry = table + keys[r]! * w;
      const row = (start + r) * p;
      for (let k = 0; k < w; k++) phi[row + features[first + k]!]! += tables[entry + k]!;
    }
  }
}
