/**
 * A compiled tree: parallel arrays (feature, threshold, left, right, value, missing-goes-left, cover) and,
 * for categorical splits, a 256-entry bitmap of the bins that go left. This compiled form is what is
 * predicted with and what is saved.
 */

export interface Tree {
  /** −1 for a leaf. */
  feature: Int32Array;
  /** Numeric split: values ≤ threshold go left. */
  threshold: Float64Array;
  /** Numeric split in bin space: bins 1..bin go left (bin 0, missing, follows missingLeft). */
  bin: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf value (already multiplied by the learning rate); 0 for internal nodes. */
  value: Float64Array;
  missingLeft: Uint8Array;
  /** Training rows that reached the node (for TreeSHAP). */
  cover: Float64Array;
  /** The split's loss reduction (0 for leaves), for gain importance. */
  gain: Float64Array;
  /** For categorical splits: offset into `categoryBits` (256 entries per node), else −1. */
  categoryOffset: Int32Array;
  categoryBits: Uint8Array;
}

export interface TreeJSON {
  feature: number[];
  threshold: number[];
  bin: number[];
  left: number[];
  right: number[];
  value: number[];
  missingLeft: number[];
  cover: number[];
  gain: number[];
  categoryOffset: number[];
  /** The left bins of each categorical node, listed (compact). */
  categories: number[][];
}

/** Category codes share bins this way (see binning.ts): code c is in bin 1 + min(c, 254). */
const categoryBin = (code: number) => 1 + Math.min(code, 254);

/** The leaf a row of raw feature values reaches. */
export function leafOf(tree: Tree, columns: readonly Float64Array[], i: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node]!;
    if (f < 0) return node;
    const v = columns[f]![i]!;
    let goLeft: boolean;
    if (Number.isNaN(v)) goLeft = tree.missingLeft[node] === 1;
    else {
      const offset = tree.categoryOffset[node]!;
      goLeft = offset >= 0 ? tree.categoryBits[offset + categoryBin(v)] === 1 : v <= tree.threshold[node]!;
    }
    node = goLeft ? tree.left[node]! : tree.right[node]!;
  }
}

/**
 * Adds the tree's output to `raw` for every row. The walk is inlined with the tree's arrays in locals
 * (this is the scoring hot loop; `leafOf` is the readable version of the same walk).
 */
export function addTreePrediction(tree: Tree, columns: readonly Float64Array[], n: number, raw: Float64Array): void {
  const { feature, threshold, left, right, value, missingLeft, categoryOffset, categoryBits } = tree;
  for (let i = 0; i < n; i++) {
    let node = 0;
    let f = feature[0]!;
    while (f >= 0) {
      const v = columns[f]![i]!;
      let goLeft: boolean;
      if (v !== v) goLeft = missingLeft[node] === 1; // NaN
      else {
        const offset = categoryOffset[node]!;
        goLeft = offset < 0 ? v <= threshold[node]! : categoryBits[offset + 1 + (v < 254 ? v : 254)] === 1;
      }
      node = goLeft ? left[node]! : right[node]!;
      f = feature[node]!;
    }
    raw[i]! += value[node]!;
  }
}

/** out[k] = the tree's value for row rows[k], walking it on the training bins. */
export function treeValuesBinned(tree: Tree, bins: Uint8Array, n: number, rows: Int32Array, out: Float64Array): void {
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    let node = 0;
    while (tree.feature[node]! >= 0) {
      const f = tree.feature[node]!;
      const b = bins[f * n + i]!;
      const offset = tree.categoryOffset[node]!;
      const goLeft = b === 0 ? tree.missingLeft[node] === 1 : offset >= 0 ? tree.categoryBits[offset + b] === 1 : b <= tree.bin[node]!;
      node = goLeft ? tree.left[node]! : tree.right[node]!;
    }
    out[k] = tree.value[node]!;
  }
}

export function treeToJSON(t: Tree): TreeJSON {
  // One list of left bins per 256-entry block of categoryBits, in block order (categoryOffset / 256).
  const categories: number[][] = [];
  for (let k = 0; k * 256 < t.categoryBits.length; k++) {
    const bins: number[] = [];
    for (let b = 0; b < 256; b++) if (t.categoryBits[k * 256 + b]) bins.push(b);
    categories.push(bins);
  }
  return {
    feature: Array.from(t.feature), threshold: Array.from(t.threshold), bin: Array.from(t.bin), left: Array.from(t.left), right: Array.from(t.right),
    value: Array.from(t.value), missingLeft: Array.from(t.missingLeft), cover: Array.from(t.cover), gain: Array.from(t.gain),
    categoryOffset: Array.from(t.categoryOffset, (o) => (o < 0 ? -1 : o / 256)), categories,
  };
}

export function treeFromJSON(j: TreeJSON): Tree {
  const categoryBits = new Uint8Array(j.categories.length * 256);
  j.categories.forEach((bins, k) => bins.forEach((b) => (categoryBits[k * 256 + b] = 1)));
  return {
    feature: Int32Array.from(j.feature), threshold: Float64Array.from(j.threshold), bin: Uint8Array.from(j.bin), left: Int32Array.from(j.left), right: Int32Array.from(j.right),
    value: Float64Array.from(j.value), missingLeft: Uint8Array.from(j.missingLeft), cover: Float64Array.from(j.cover), gain: Float64Array.from(j.gain),
    categoryOffset: Int32Array.from(j.categoryOffset, (k) => (k < 0 ? -1 : k * 256)), categoryBits,
  };
}
