/**
 * The scoring form of a forest. The saved trees (tree.ts) are walked node by node with a branch at every
 * split, and about half of those branches are mispredicted (BENCHMARKS.md, "Design measurements"). Here the forest is recompiled once, for a walk with no branches at all:
 *
 * - Every feature value becomes a one-byte code. Numeric: 1 + how many of the model's own thresholds on
 *   that feature lie below the value, so "v ≤ threshold k" is exactly "code ≤ k + 1". Categorical: the
 *   training bin, 1 + min(level, 254). Missing: 0. A block of rows' codes fits in the L1 cache.
 * - Every split becomes a 256-bit set of the codes that go right (missing direction, threshold and
 *   category lists folded in), so a step is `i = 2i + 1 + bit(set[i], code[feature[i]])`.
 * - Every tree is padded to a perfect binary tree of its own depth (a leaf above the bottom becomes splits
 *   with an empty set, down to copies of the leaf), so every row takes the same number of steps.
 * - Rows are walked in blocks, tree by tree, several rows side by side so the CPU overlaps their loads:
 *   eight at a time in WebAssembly (wasm-forest.ts), four in the JavaScript walk kept for where that
 *   cannot run.
 * - Where every tree has at most 64 leaves and the trees test few features for their depth, the walk is
 *   replaced by leaf masks (`LeafMasks`, wasm-masks.ts): one independent table lookup per feature a tree
 *   tests instead of one dependent step per level (BENCHMARKS.md, "Design measurements"), once the forest has scored MASKS_AFTER_ROWS rows.
 *
 * Leaf values are added in tree order, as the saved trees do, so the sums are identical to the last bit.
 * Trees deeper than MAX_DEPTH (2^depth nodes each) or a feature with more than 254 distinct thresholds are
 * not compiled (`compileForest` returns null) and the saved trees are walked instead.
 */
import type { Tree } from './tree.ts';
import { WasmForest } from './wasm-forest.ts';
import { WasmMasks } from './wasm-masks.ts';

export const MAX_DEPTH = 10;
const BLOCK = 512;
/** Int32 words per split: 256 bits, one per code. */
const WORDS = 8;

export interface Forest {
  /** Model features the trees split on, in code order. */
  used: Int32Array;
  /** Per used feature: sorted thresholds padded with +∞ to 2^k − 1 entries (null for categorical). */
  thresholds: Array<Float64Array | null>;
  /** Per used feature: the first step of its branch-free search (2^(k−1)), 0 for categorical. */
  firstStep: Int32Array;
  depth: Int32Array;
  /** Where each tree's splits start in `feature` (and, times WORDS, in `rightCodes`). */
  nodeOffset: Int32Array;
  leafOffset: Int32Array;
  /** Per split: the used-feature slot it tests. */
  feature: Int32Array;
  /** Per split: WORDS words, bit c set when code c goes right. */
  rightCodes: Int32Array;
  leaves: Float64Array;
  /** The trees compiled, for their leaf masks (built when first needed: `leafMasks`). */
  trees: readonly Tree[];
  /** Per used feature: how many distinct thresholds it is split at (numeric; 0 for categorical). */
  thresholdCount: Int32Array;
}

/**
 * The forest as leaf masks (QuickScorer, Lucchese et al. 2015): a tree's leaves are numbered left to right,
 * a split that sends a row right rules out the leaves of its left subtree, and the leaf a row reaches is the
 * leftmost leaf no split ruled out. Per tree and per feature it tests, a table gives for every code the
 * leaves that feature's splits leave in, so a row's leaf is the lowest set bit of one AND per feature:
 * no walk from node to node, and the lookups of a row do not wait on each other.
 */
export interface LeafMasks {
  /** 32 when every tree has at most 32 leaves, else 64 (masks of two Int32 words, low word first). */
  bits: 32 | 64;
  /** Tree t tests the used-feature slots pairSlot[pairStart[t] .. pairStart[t + 1]). */
  pairStart: Int32Array;
  pairSlot: Int32Array;
  /** Per pair: where its table starts in `tables`, in masks; it has one mask per code 0 .. codeCount[slot] − 1. */
  tableStart: Int32Array;
  tables: Int32Array;
  /** Per used slot: how many codes its values can take (numeric: thresholds + 2; categorical: 256). */
  codeCount: Int32Array;
  /** Tree t's leaves, left to right, are leafValues[leafStart[t] .. leafStart[t + 1]). */
  leafStart: Int32Array;
  leafValues: Float64Array;
}

function treeDepth(tree: Tree, node = 0): number {
  return tree.feature[node]! < 0 ? 0 : 1 + Math.max(treeDepth(tree, tree.left[node]!), treeDepth(tree, tree.right[node]!));
}

/**
 * @example
 * const forest = compileForest(trees, design.kinds);
 * if (forest) predictForest(forest, design.columns, design.n, raw);
 */
export function compileForest(trees: readonly Tree[], kinds: ReadonlyArray<'numeric' | 'categorical'>): Forest | null {
  const depths = trees.map((t) => treeDepth(t));
  if (depths.some((d) => d > MAX_DEPTH)) return null;
  // The thresholds each numeric feature is split at, anywhere in the forest.
  const byFeature = new Map<number, Set<number>>();
  for (const tree of trees) {
    for (let node = 0; node < tree.feature.length; node++) {
      const f = tree.feature[node]!;
      if (f < 0) continue;
      if (!byFeature.has(f)) byFeature.set(f, new Set());
      if (tree.categoryOffset[node]! < 0) byFeature.get(f)!.add(tree.threshold[node]!);
    }
  }
  const used = Int32Array.from([...byFeature.keys()].sort((a, b) => a - b));
  const slot = new Map(Array.from(used, (f, k) => [f, k]));
  const thresholds: Array<Float64Array | null> = [];
  const rank: Array<Map<number, number>> = [];
  const firstStep = new Int32Array(used.length);
  for (const [k, f] of used.entries()) {
    if (kinds[f] === 'categorical') {
      thresholds.push(null);
      rank.push(new Map());
      continue;
    }
    const sorted = Float64Array.from(byFeature.get(f)!).sort();
    if (sorted.length > 254) return null;
    let size = 1;
    while (size - 1 < sorted.length) size *= 2;
    const padded = new Float64Array(size - 1).fill(Number.POSITIVE_INFINITY);
    padded.set(sorted);
    thresholds.push(padded);
    firstStep[k] = size / 2;
    rank.push(new Map(Array.from(sorted, (t, j) => [t, j])));
  }

  const depth = Int32Array.from(depths);
  const nodeOffset = new Int32Array(trees.length);
  const leafOffset = new Int32Array(trees.length);
  let splitCount = 0;
  let leafCount = 0;
  depths.forEach((d, t) => {
    nodeOffset[t] = splitCount;
    leafOffset[t] = leafCount;
    splitCount += 2 ** d - 1;
    leafCount += 2 ** d;
  });
  const feature = new Int32Array(splitCount);
  const rightCodes = new Int32Array(splitCount * WORDS);
  const leaves = new Float64Array(leafCount);

  trees.forEach((tree, t) => {
    const d = depths[t]!;
    const fill = (node: number, at: number, level: number) => {
      if (level === d) {
        leaves[leafOffset[t]! + at - (2 ** d - 1)] = tree.value[node]!;
        return;
      }
      const index = nodeOffset[t]! + at;
      const f = tree.feature[node]!;
      if (f < 0) {
        // Padding: no code goes right, and both sides are the same leaf.
        fill(node, 2 * at + 1, level + 1);
        fill(node, 2 * at + 2, level + 1);
        return;
      }
      feature[index] = slot.get(f)!;
      rightCodes.set(rightSet(tree, node, rank[slot.get(f)!]!), index * WORDS);
      fill(tree.left[node]!, 2 * at + 1, level + 1);
      fill(tree.right[node]!, 2 * at + 2, level + 1);
    };
    fill(0, 0, 0);
  });
  const thresholdCount = Int32Array.from(used, (f) => byFeature.get(f)!.size);
  return { used, thresholds, firstStep, depth, nodeOffset, leafOffset, feature, rightCodes, leaves, trees, thresholdCount };
}

/**
 * The codes that go right at a split, as 256 bits (WORDS words): missing (0) by its default, numeric codes
 * past its threshold's rank, categorical codes by its bitmap.
 */
export function rightSet(tree: Tree, node: number, rank: ReadonlyMap<number, number>): Int32Array {
  const set = new Int32Array(WORDS);
  const offset = tree.categoryOffset[node]!;
  if (offset >= 0) {
    for (let code = 1; code < 256; code++) if (tree.categoryBits[offset + code] !== 1) set[code >> 5]! |= 1 << (code & 31);
  } else {
    const first = rank.get(tree.threshold[node]!)! + 2; // left ⇔ code ≤ rank + 1
    for (let w = 0; w < WORDS; w++) {
      const from = first - 32 * w;
      set[w] = from <= 0 ? -1 : from >= 32 ? 0 : -1 << from;
    }
  }
  set[0] = tree.missingLeft[node] ? set[0]! & ~1 : set[0]! | 1;
  return set;
}

/**
 * The forest's leaf masks, or null where a tree has more than 64 leaves or the trees test many features for
 * their depth. Masks take one lookup per feature a tree tests, the walk one dependent step per level, so
 * masks win where trees test few features for their depth and break even near 17 features a tree of depth 6
 * (BENCHMARKS.md, "Design measurements").
 */
export function leafMasks(forest: Forest): LeafMasks | null {
  const { trees, used, thresholds } = forest;
  const tested = trees.reduce((sum, tree) => sum + new Set(Array.from(tree.feature).filter((f) => f >= 0)).size, 0);
  const levels = forest.depth.reduce((sum, d) => sum + d, 0);
  if (tested > 2 * levels) return null;
  const slot = new Map(Array.from(used, (f, k) => [f, k]));
  const rank = thresholds.map((cuts, k) => new Map(Array.from(cuts?.subarray(0, forest.thresholdCount[k]) ?? [], (t, j) => [t, j])));
  const codeCount = Int32Array.from(thresholds, (cuts, k) => (cuts === null ? 256 : forest.thresholdCount[k]! + 2));
  const leafCounts = trees.map((t) => t.feature.reduce((n, f) => n + (f < 0 ? 1 : 0), 0));
  const most = Math.max(0, ...leafCounts);
  if (most > 64) return null;
  const bits = most > 32 ? 64 : 32;
  const words = bits / 32;
  const pairStart = new Int32Array(trees.length + 1);
  const leafStart = new Int32Array(trees.length + 1);
  leafCounts.forEach((count, t) => (leafStart[t + 1] = leafStart[t]! + count));
  const leafValues = new Float64Array(leafStart[trees.length]!);
  // Per tree: its splits grouped by the slot they test, each with the mask of the leaves it leaves in when a row goes right.
  const pairs: Array<{ slot: number; splits: Array<{ node: number; mask: Int32Array }> }> = [];
  trees.forEach((tree, t) => {
    pairStart[t] = pairs.length;
    const bySlot = new Map<number, Array<{ node: number; mask: Int32Array }>>();
    let leaf = 0;
    // Leaves numbered left to right; a split sending a row right rules out the leaves of its left subtree.
    const number = (node: number): void => {
      if (tree.feature[node]! < 0) {
        leafValues[leafStart[t]! + leaf++] = tree.value[node]!;
        return;
      }
      const first = leaf;
      number(tree.left[node]!);
      const mask = new Int32Array(2).fill(-1);
      for (let l = first; l < leaf; l++) mask[l >> 5]! &= ~(1 << (l & 31));
      const k = slot.get(tree.feature[node]!)!;
      if (!bySlot.has(k)) bySlot.set(k, []);
      bySlot.get(k)!.push({ node, mask });
      number(tree.right[node]!);
    };
    number(0);
    for (const k of [...bySlot.keys()].sort((a, b) => a - b)) pairs.push({ slot: k, splits: bySlot.get(k)! });
  });
  pairStart[trees.length] = pairs.length;
  const tableStart = new Int32Array(pairs.length);
  let size = 0;
  pairs.forEach((pair, p) => {
    tableStart[p] = size;
    size += codeCount[pair.slot]!;
  });
  const tables = new Int32Array(size * words);
  let t = 0;
  for (let p = 0; p < pairs.length; p++) {
    while (pairStart[t + 1]! <= p) t++;
    const { slot: k, splits } = pairs[p]!;
    const rights = splits.map(({ node }) => rightSet(trees[t]!, node, rank[k]!));
    const ruledOut = splits.map(({ mask }) => mask);
    for (let code = 0, at = tableStart[p]! * words; code < codeCount[k]!; code++, at += words) {
      let low = -1;
      let high = -1;
      for (let s = 0; s < rights.length; s++) {
        if (((rights[s]![code >> 5]! >>> code) & 1) === 0) continue;
        low &= ruledOut[s]![0]!;
        high &= ruledOut[s]![1]!;
      }
      tables[at] = low;
      if (words === 2) tables[at + 1] = high;
    }
  }
  return { bits, pairStart, pairSlot: Int32Array.from(pairs, (pair) => pair.slot), tableStart, tables, codeCount, leafStart, leafValues };
}

/**
 * Writes the codes of `count` values of used feature `slot` (`values[from ..]`) to `out[at]`, `out[at +
 * stride]`, …: the one-byte codes the compiled forest splits on.
 */
export function codeValues(forest: Forest, slot: number, values: ArrayLike<number>, from: number, count: number, out: Uint8Array, at = 0, stride = 1): void {
  const cuts = forest.thresholds[slot];
  if (cuts === null || cuts === undefined) {
    for (let r = 0; r < count; r++) {
      const v = values[from + r]!;
      out[at + r * stride] = v >= 0 ? 1 + (v < 254 ? v : 254) : 0; // NaN (and negatives): missing
    }
    return;
  }
  const first = forest.firstStep[slot]!;
  for (let r = 0; r < count; r++) {
    const v = values[from + r]!;
    // How many thresholds lie below v: a search over the padded cuts whose steps are added as
    // `step & −(cut < v)` (a conditional expression here compiles to a branch, mispredicted half the time).
    let below = 0;
    for (let step = first; step > 0; step >>= 1) below += step & -((cuts[below + step - 1]! < v) as unknown as number);
    out[at + r * stride] = v === v ? below + 1 : 0;
  }
}

type BlockWalk = WasmMasks | WasmForest;
/** Per forest: its WebAssembly forms once built (null: cannot be built), and how many rows it has scored. */
const walkers = new WeakMap<Forest, { masks?: WasmMasks | null; walk?: WasmForest | null; rows: number }>();
/**
 * Leaf masks cost a build per model and save time per row: they are built once a forest has scored this many
 * rows (the sample's 300 trees: a build of ~60 ms in a scoring run, 2.3 µs a row for the walk against 0.7 µs
 * for the masks, so they pay from ~40,000 rows; BENCHMARKS.md, session 12).
 */
export const MASKS_AFTER_ROWS = 40_000;

/** Which WebAssembly forms of a forest have been built so far (for tests: which path scored its rows). */
export function builtWalks(forest: Forest): { masks: boolean; walk: boolean } {
  const built = walkers.get(forest);
  return { masks: Boolean(built?.masks), walk: Boolean(built?.walk) };
}

/**
 * Adds the forest's output to `raw` for rows 0..n−1 of the (column-major) features: block by block, the
 * rows coded here and scored by the WebAssembly walk (wasm-forest.ts) or, once the forest has scored
 * MASKS_AFTER_ROWS rows, by its leaf masks in WebAssembly (wasm-masks.ts) where it has them; in JavaScript
 * where neither can run or `{ wasm: false }` asks. `{ masks: true }` asks for the masks at once,
 * `{ masks: false }` for the walk. All give the same sums, to the bit.
 */
export function predictForest(forest: Forest, columns: readonly Float64Array[], n: number, raw: Float64Array, options: { wasm?: boolean; masks?: boolean; rowsAhead?: number } = {}): void {
  const width = forest.used.length;
  predictCoded(forest, n, raw, (start, count, codes) => {
    for (let k = 0; k < width; k++) codeValues(forest, k, columns[forest.used[k]!]!, start, count, codes, k, width);
  }, options);
}

/**
 * As `predictForest`, for rows whose codes `code(start, count, codes)` writes, block by block: row r's
 * code for used feature k at codes[(r − start) · width + k] (`codeValues` makes them). `rowsAhead`: the rows
 * the caller expects to score after these, counted with those scored towards MASKS_AFTER_ROWS (a long file
 * builds the masks on its first chunk instead of walking its first 40,000 rows).
 */
export function predictCoded(forest: Forest, n: number, raw: Float64Array, code: (start: number, count: number, codes: Uint8Array) => void,
  options: { wasm?: boolean; masks?: boolean; rowsAhead?: number } = {}): void {
  let wasm: BlockWalk | null = null;
  if (options.wasm !== false) {
    if (!walkers.has(forest)) walkers.set(forest, { rows: 0 });
    const built = walkers.get(forest)!;
    built.rows += n;
    if (options.masks ?? built.rows + (options.rowsAhead ?? 0) > MASKS_AFTER_ROWS) {
      if (built.masks === undefined) {
        const masks = leafMasks(forest);
        built.masks = masks && WasmMasks.create(forest, masks, BLOCK);
      }
      wasm = built.masks;
    }
    if (!wasm && options.masks !== true) {
      if (built.walk === undefined) built.walk = WasmForest.create(forest, BLOCK);
      wasm = built.walk;
    }
  }
  const codes = wasm ? wasm.codes : new Uint8Array(BLOCK * forest.used.length);
  for (let start = 0; start < n; start += BLOCK) {
    const count = Math.min(BLOCK, n - start);
    code(start, count, codes);
    if (wasm) {
      wasm.raw.set(raw.subarray(start, start + count));
      wasm.walk(count);
      raw.set(wasm.raw.subarray(0, count), start);
    } else {
      walkBlock(forest, codes, count, raw, start);
    }
  }
}

/** The JavaScript walk of one block of coded rows, adding to raw[start ..]. */
function walkBlock(forest: Forest, codes: Uint8Array, count: number, raw: Float64Array, start: number): void {
  const { depth, nodeOffset, leafOffset, feature, rightCodes, leaves } = forest;
  const width = forest.used.length;
  const trees = depth.length;
  for (let t = 0; t < trees; t++) {
    const d = depth[t]!;
    const base = nodeOffset[t]!;
    const leafBase = leafOffset[t]! - ((1 << d) - 1);
    let r = 0;
    // Four rows at a time: their walks are independent, so their loads overlap.
    for (; r + 4 <= count; r += 4) {
      const row0 = r * width;
      const row1 = row0 + width;
      const row2 = row1 + width;
      const row3 = row2 + width;
      let i0 = 0;
      let i1 = 0;
      let i2 = 0;
      let i3 = 0;
      for (let level = 0; level < d; level++) {
        const c0 = codes[row0 + feature[base + i0]!]!;
        const c1 = codes[row1 + feature[base + i1]!]!;
        const c2 = codes[row2 + feature[base + i2]!]!;
        const c3 = codes[row3 + feature[base + i3]!]!;
        i0 = 2 * i0 + 1 + ((rightCodes[((base + i0) << 3) + (c0 >> 5)]! >>> c0) & 1);
        i1 = 2 * i1 + 1 + ((rightCodes[((base + i1) << 3) + (c1 >> 5)]! >>> c1) & 1);
        i2 = 2 * i2 + 1 + ((rightCodes[((base + i2) << 3) + (c2 >> 5)]! >>> c2) & 1);
        i3 = 2 * i3 + 1 + ((rightCodes[((base + i3) << 3) + (c3 >> 5)]! >>> c3) & 1);
      }
      raw[start + r]! += leaves[leafBase + i0]!;
      raw[start + r + 1]! += leaves[leafBase + i1]!;
      raw[start + r + 2]! += leaves[leafBase + i2]!;
      raw[start + r + 3]! += leaves[leafBase + i3]!;
    }
    for (; r < count; r++) {
      const row = r * width;
      let i = 0;
      for (let level = 0; level < d; level++) {
        const c = codes[row + feature[base + i]!]!;
        i = 2 * i + 1 + ((rightCodes[((base + i) << 3) + (c >> 5)]! >>> c) & 1);
      }
      raw[start + r]! += leaves[leafBase + i]!;
    }
  }
}
