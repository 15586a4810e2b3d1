/**
 * TreeSHAP from tables (shap-tables.ts `treeShapBlock`, its reference) in WebAssembly (source:
 * src/wasm/tree-shap.wat). A block's feature values become the compiled forest's one-byte codes
 * (predict.ts `codeValues`) once for all trees. Per tree, every table's key (agreement with the path above
 * it, directions inside it) is given a place of its own in a few 64-bit words; each key bit depends on one
 * feature alone, so a row's words are the OR of one lookup per feature the tree tests, and a table's key is
 * then one shift and mask. The same table entries are added in the same order as the reference, so the
 * values are bit-identical.
 *
 * Handled here: every tree with tables, in a forest that compiles to codes (at most 254 thresholds per
 * feature, depth ≤ predict.ts MAX_DEPTH). A tree without tables is explained inside the same block by the
 * recursive `treeShap`; a forest that does not compile, by the reference alone (`WasmShap.create` returns null).
 */
import { treeShap } from './shap.ts';
import { type FastTree, type PendingFastTree, pendingFastTree } from './shap-tables.ts';
import { codeValues, compileForest, type Forest, rightSet } from './predict.ts';
import type { Tree } from './tree.ts';
import { Layout, wasmModule } from '../../wasm/modules.ts';

/** Past this the tables stay in JavaScript (the reference needs no copy of them). */
const MAX_BYTES = 1024 ** 3;

/** A tree's arrays for `explain`, in the order it takes them. */
interface KeyLayout {
  /** Key words per row. */
  nw: number;
  pairSlot: Int32Array;
  pairTable: Int32Array;
  keyTables: BigInt64Array;
  tableWord: Int32Array;
  tableShift: Int32Array;
  tableMask: Int32Array;
  width: Int32Array;
  featureStart: Int32Array;
  tableStart: Int32Array;
  /** The features as byte offsets in a row's values (one shift less per addition). */
  byteFeatures: Int32Array;
}

/**
 * Where each table's key sits (packed into 64-bit words, a key never split between two), and per feature the
 * tree tests and per code, the key bits that code sets: an above slot's bit where the code agrees with every
 * above node of its feature, an inner bit where the code goes left there.
 */
function keyLayout(forest: Forest, tree: Tree, fast: FastTree): KeyLayout {
  const tableCount = fast.width.length;
  const tableWord = new Int32Array(tableCount);
  const tableShift = new Int32Array(tableCount);
  let word = 0;
  let used = 0;
  for (let t = 0; t < tableCount; t++) {
    const bits = fast.mP[t]! + fast.innerCount[t]!;
    if (used + bits > 64) {
      word += 1;
      used = 0;
    }
    tableWord[t] = word;
    tableShift[t] = used;
    used += bits;
  }
  const nw = word + 1;
  const slotOf = new Map(Array.from(forest.used, (f, k) => [f, k]));
  const slots = [...new Set(Array.from(fast.internal, (node) => slotOf.get(tree.feature[node]!)!))].sort((a, b) => a - b);
  const codeCount = (slot: number) => (forest.thresholds[slot] === null ? 256 : forest.thresholdCount[slot]! + 2);
  const pairTable = new Int32Array(slots.length);
  slots.reduce((at, slot, q) => ((pairTable[q] = at), at + codeCount(slot) * nw), 0);
  // 64-bit words as pairs of 32-bit halves (little-endian, as the module reads them).
  const keyHalves = new Int32Array(2 * slots.reduce((n, slot) => n + codeCount(slot) * nw, 0));
  slots.forEach((slot, q) => {
    const feature = forest.used[slot]!;
    const cuts = forest.thresholds[slot];
    const rank = new Map(Array.from(cuts?.subarray(0, forest.thresholdCount[slot]) ?? [], (v, j) => [v, j]));
    // This feature's nodes: per key bit, the nodes it reads and the direction each must take to set it
    // (an above slot: every above node of the feature on the path agrees; an inner bit: its node goes left).
    const bits: Array<{ word: number; bit: number; nodes: Array<{ right: Int32Array; left: number }> }> = [];
    for (let t = 0; t < tableCount; t++) {
      const bySlot = new Map<number, Array<{ right: Int32Array; left: number }>>();
      for (let a = fast.aboveStart[t]!; a < fast.aboveStart[t]! + fast.aboveCount[t]!; a++) {
        const node = fast.internal[fast.abovePos[a]!]!;
        if (tree.feature[node] !== feature) continue;
        const j = fast.aboveSlot[a]!;
        if (!bySlot.has(j)) bySlot.set(j, []);
        bySlot.get(j)!.push({ right: rightSet(tree, node, rank), left: fast.aboveLeft[a]! });
      }
      for (const [j, nodes] of bySlot) bits.push({ word: tableWord[t]!, bit: tableShift[t]! + j, nodes });
      for (let i = 0; i < fast.innerCount[t]!; i++) {
        const node = fast.internal[fast.innerShift[t]! + i]!;
        if (tree.feature[node] === feature) bits.push({ word: tableWord[t]!, bit: tableShift[t]! + fast.mP[t]! + i, nodes: [{ right: rightSet(tree, node, rank), left: 1 }] });
      }
    }
    for (let code = 0; code < codeCount(slot); code++) {
      const at = 2 * (pairTable[q]! + code * nw);
      for (const { word, bit, nodes } of bits) {
        // A node sends the code left where its right set lacks the code.
        if (nodes.every(({ right, left }) => 1 - ((right[code >> 5]! >>> (code & 31)) & 1) === left)) keyHalves[at + 2 * word + (bit >> 5)]! |= 1 << (bit & 31);
      }
    }
  });
  const keyTables = new BigInt64Array(keyHalves.buffer);
  return {
    nw, pairSlot: Int32Array.from(slots), pairTable, keyTables, tableWord, tableShift,
    tableMask: Int32Array.from(fast.width, (_, t) => (1 << (fast.mP[t]! + fast.innerCount[t]!)) - 1),
    width: fast.width, featureStart: fast.featureStart, tableStart: fast.tableStart, byteFeatures: fast.features.map((f) => 8 * f),
  };
}

/** The arrays copied into the module's memory, in `explain`'s order; the tables' entries follow them. */
const LAYOUT_ARRAYS = ['pairSlot', 'pairTable', 'keyTables', 'tableWord', 'tableShift', 'tableMask', 'width', 'featureStart', 'tableStart', 'byteFeatures'] as const;

/** A model's trees loaded for the WebAssembly loop, with room for one block of rows of p features. */
export class WasmShap {
  private readonly run: (count: number, tree: number) => void;
  /** Per tree: whether it has tables (else the recursive algorithm explains it). */
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
    // Each tree's tables laid out; their entries are worked out straight into the module's memory below.
    const pending = trees.map((t) => pendingFastTree(t));
    const tableBytes = pending.reduce((s, f) => s + (f ? 8 * f.entries : 0), 0);
    if (tableBytes > MAX_BYTES) return null;
    return new WasmShap(wasm, trees, forest, pending, p, blockRows);
  }

  private constructor(wasm: WebAssembly.Module, readonly trees: readonly Tree[], private readonly forest: Forest,
    pending: Array<PendingFastTree | null>, readonly p: number, readonly blockRows: number) {
    const layouts = trees.map((t, i) => (pending[i] ? keyLayout(forest, t, pending[i]!.fast) : null));
    const codeWidth = forest.used.length;
    const maxWords = Math.max(1, ...layouts.map((l) => l?.nw ?? 0));
    const layout = new Layout();
    const take = (bytes: number) => layout.take(bytes);
    const region = { codes: take(blockRows * codeWidth), keys: take(8 * maxWords * blockRows), phi: take(8 * blockRows * p) };
    const at = layouts.map((l, i) => (l ? [...LAYOUT_ARRAYS.map((k) => take(l[k].byteLength)), take(8 * pending[i]!.entries)] : null));
    const memory = new WebAssembly.Memory({ initial: layout.pages });
    const explain = new WebAssembly.Instance(wasm, { env: { memory } }).exports.explain as (...args: number[]) => void;
    layouts.forEach((l, i) => {
      if (!l) return;
      LAYOUT_ARRAYS.forEach((k, j) => new Uint8Array(memory.buffer, at[i]![j]!, l[k].byteLength).set(new Uint8Array(l[k].buffer, l[k].byteOffset, l[k].byteLength)));
      // The tables' entries worked out in place (fresh memory is zeros), or copied where made before.
      pending[i]!.fill(new Float64Array(memory.buffer, at[i]![LAYOUT_ARRAYS.length]!, pending[i]!.entries));
    });
    this.codes = new Uint8Array(memory.buffer, region.codes, blockRows * codeWidth);
    this.phi = new Float64Array(memory.buffer, region.phi, blockRows * p);
    this.handled = layouts.map((l) => l !== null);
    this.run = (count, i) => {
      const l = layouts[i]!;
      const a = at[i]!;
      explain(count, p, codeWidth, region.codes, region.keys, l.nw, region.phi, l.pairSlot.length, a[0]!, a[1]!, a[2]!,
        l.width.length, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!);
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
    this.trees.forEach((tree, t) => {
      if (this.handled[t]) this.run(count, t);
      // No tables (a leaf with more than 12 unique path features): the recursive algorithm, into the same block.
      else for (let r = 0; r < count; r++) treeShap(tree, columns, start + r, phi.subarray(r * p, (r + 1) * p));
    });
    values.set(phi, start * p);
  }
}
