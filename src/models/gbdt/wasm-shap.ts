/**
 * TreeSHAP from tables (shap-tables.ts `treeShapBlock`, its reference) in WebAssembly (source:
 * src/wasm/tree-shap.wat). A block's feature values become the compiled forest's one-byte codes
 * (predict.ts `codeValues`) once for all trees; per tree, each row's directions at its internal nodes become
 * one 64-bit word from one lookup per feature the tree tests, and each table's key comes from that word by a
 * shift and a mask. The same table entries are added in the same order as the reference, so the values are
 * bit-identical.
 *
 * Handled here: trees with tables and at most 64 internal nodes, in a forest that compiles to codes (at most
 * 254 thresholds per feature, depth ≤ predict.ts MAX_DEPTH). Any other tree is explained inside the same
 * block by the reference (`treeShapBlock`, or the recursive `treeShap` for a tree without tables); a forest
 * that does not compile is explained by the reference alone (`WasmShap.create` returns null).
 */
import { treeShap } from './shap.ts';
import { type FastTree, fastTree, treeShapBlock } from './shap-tables.ts';
import { codeValues, compileForest, type Forest, rightSet } from './predict.ts';
import type { Tree } from './tree.ts';
import { Layout, wasmModule } from '../../wasm/modules.ts';

/** A tree's FastTree arrays, in the order `explain` takes them after its direction tables. */
const TABLE_ARRAYS = ['aboveStart', 'aboveCount', 'mP', 'innerShift', 'innerCount', 'width', 'featureStart', 'tableStart', 'abovePos', 'aboveLeft', 'aboveSlot', 'features', 'tables'] as const;

/** Past this the tables stay in JavaScript (the reference needs no copy of them). */
const MAX_BYTES = 1024 ** 3;
/** Direction words are 64 bits. */
const MAX_INTERNAL = 64;

/** Per tree: its (tree, feature) pairs' code slots, where each pair's words start, and the words. */
interface DirectionTables {
  pairSlot: Int32Array;
  pairTable: Int32Array;
  words: BigInt64Array;
}

/** The direction words of a tree: per feature it tests and per code of that feature, bit k set where the code goes left at preorder position k. */
function directionTables(forest: Forest, tree: Tree, fast: FastTree): DirectionTables {
  const slotOf = new Map(Array.from(forest.used, (f, k) => [f, k]));
  const bySlot = new Map<number, number[]>();
  fast.internal.forEach((node, k) => {
    const slot = slotOf.get(tree.feature[node]!)!;
    if (!bySlot.has(slot)) bySlot.set(slot, []);
    bySlot.get(slot)!.push(k);
  });
  const slots = [...bySlot.keys()].sort((a, b) => a - b);
  const codeCount = (slot: number) => (forest.thresholds[slot] === null ? 256 : forest.thresholdCount[slot]! + 2);
  const pairTable = new Int32Array(slots.length);
  slots.reduce((at, slot, q) => ((pairTable[q] = at), at + codeCount(slot)), 0);
  const words = new BigInt64Array(slots.reduce((n, slot) => n + codeCount(slot), 0));
  slots.forEach((slot, q) => {
    const cuts = forest.thresholds[slot];
    const rank = new Map(Array.from(cuts?.subarray(0, forest.thresholdCount[slot]) ?? [], (t, j) => [t, j]));
    for (const k of bySlot.get(slot)!) {
      const right = rightSet(tree, fast.internal[k]!, rank);
      for (let code = 0; code < codeCount(slot); code++) {
        if (((right[code >> 5]! >>> (code & 31)) & 1) === 0) words[pairTable[q]! + code]! |= 1n << BigInt(k);
      }
    }
  });
  return { pairSlot: Int32Array.from(slots), pairTable, words };
}

/** A model's trees loaded for the WebAssembly loop, with room for one block of rows of p features. */
export class WasmShap {
  private readonly run: (count: number, tree: number) => void;
  private readonly handled: boolean[];
  private readonly codes: Uint8Array;
  private readonly phi: Float64Array;

  /** Null where WebAssembly cannot run, the forest does not compile to codes, or the tables would take more than 1 GiB. */
  static create(trees: readonly Tree[], p: number, blockRows: number): WasmShap | null {
    const wasm = wasmModule('tree-shap');
    if (!wasm) return null;
    // A feature is categorical where the trees split it by category lists.
    const kinds = Array.from({ length: p }, (_, f) => (trees.some((t) => t.feature.some((g, node) => g === f && t.categoryOffset[node]! >= 0)) ? 'categorical' as const : 'numeric' as const));
    const forest = compileForest(trees, kinds);
    if (!forest) return null;
    const fast = trees.map((t) => fastTree(t));
    const tableBytes = fast.reduce((s, f) => s + (f ? TABLE_ARRAYS.reduce((b, k) => b + f[k].byteLength + 64, 0) : 0), 0);
    if (tableBytes > MAX_BYTES) return null;
    return new WasmShap(wasm, trees, forest, fast, p, blockRows);
  }

  private constructor(wasm: WebAssembly.Module, readonly trees: readonly Tree[], private readonly forest: Forest, private readonly fast: Array<FastTree | null>,
    readonly p: number, readonly blockRows: number) {
    this.handled = fast.map((f) => f !== null && f.internal.length <= MAX_INTERNAL);
    const directions = trees.map((t, i) => (this.handled[i] ? directionTables(forest, t, fast[i]!) : null));
    const codeWidth = forest.used.length;
    const layout = new Layout();
    const take = (bytes: number) => layout.take(bytes);
    const region = { codes: take(blockRows * codeWidth), dirs: take(8 * blockRows), phi: take(8 * blockRows * p) };
    // The features as byte offsets in a row's values (one shift less per addition).
    const arrays = trees.map((_, i) => (this.handled[i] ? [directions[i]!.pairSlot, directions[i]!.pairTable, directions[i]!.words,
      ...TABLE_ARRAYS.map((k) => (k === 'features' ? fast[i]!.features.map((f) => 8 * f) : fast[i]![k]))] : null));
    const at = arrays.map((list) => list?.map((a) => take(a.byteLength)) ?? null);
    const memory = new WebAssembly.Memory({ initial: layout.pages });
    const explain = new WebAssembly.Instance(wasm, { env: { memory } }).exports.explain as (...args: number[]) => void;
    arrays.forEach((list, i) => list?.forEach((a, j) => new Uint8Array(memory.buffer, at[i]![j]!, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))));
    this.codes = new Uint8Array(memory.buffer, region.codes, blockRows * codeWidth);
    this.phi = new Float64Array(memory.buffer, region.phi, blockRows * p);
    this.run = (count, i) => {
      const a = at[i]!;
      const pairs = directions[i]!.pairSlot.length;
      const tables = fast[i]!.width.length;
      explain(count, p, codeWidth, region.codes, region.dirs, region.phi, pairs, a[0]!, a[1]!, a[2]!, tables, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!);
    };
  }

  /**
   * Every tree's SHAP values for rows [start, end) (at most blockRows), added into values (row-major, p a
   * row) in tree order: as `treeShapBlock` tree after tree, to the bit.
   */
  block(columns: readonly Float64Array[], start: number, end: number, values: Float64Array): void {
    const count = end - start;
    const p = this.p;
    const phi = this.phi.subarray(0, count * p);
    phi.set(values.subarray(start * p, end * p));
    const { forest } = this;
    const width = forest.used.length;
    for (let k = 0; k < width; k++) codeValues(forest, k, columns[forest.used[k]!]!, start, count, this.codes, k, width);
    let local: Float64Array[] | null = null;
    this.trees.forEach((tree, t) => {
      if (this.handled[t]) {
        this.run(count, t);
        return;
      }
      // Not handled here (see the file's comment): the reference, into the same block.
      local ??= columns.map((c) => c.subarray(start, end));
      if (this.fast[t]) treeShapBlock(tree, local, 0, count, phi, p);
      else for (let r = 0; r < count; r++) treeShap(tree, local, r, phi.subarray(r * p, (r + 1) * p));
    });
    values.set(phi, start * p);
  }
}
