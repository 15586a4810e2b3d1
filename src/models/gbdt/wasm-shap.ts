/**
 * TreeSHAP's leaf loop (shap.ts `treeShapBlock`, its reference) in WebAssembly (source: src/wasm/tree-shap.wat): for each leaf table of a tree, every row's
 * pattern of agreement with the leaf's path, then its table entry added to the row's values. The same
 * additions in the same order, so the values are bit-identical, in about half the JavaScript loop's time
 * (BENCHMARKS.md, "Design measurements"). The nodes' directions are still computed in JavaScript (`directions`).
 *
 * The memory holds every tree's flattened tables (`FastTree`, copied once per model) and one block of rows:
 * their directions, patterns and values.
 */
import { directions, type FastTree, fastTree, treeShap } from './shap.ts';
import type { Tree } from './tree.ts';
import { Layout, wasmModule } from '../../wasm/modules.ts';

/** The tree's arrays, in the order `leaves` takes them. */
const TREE_ARRAYS = ['unique', 'pathStart', 'pathLength', 'pathNode', 'pathLeft', 'pathSlot', 'featureStart', 'features', 'tableStart', 'pair', 'freeNode', 'tables'] as const;

/** Past this the tables stay in JavaScript (the JavaScript loop needs no copy of them). */
const MAX_BYTES = 1024 ** 3;

/** A model's trees loaded for the WebAssembly leaf loop, with room for one block of rows of p features. */
export class WasmShap {
  private readonly run: (count: number, leaves: number, tree: number) => void;
  private readonly fast: Array<FastTree | null>;
  private readonly gl: Uint8Array;
  private readonly phi: Float64Array;

  /** Null where WebAssembly cannot run or the tables would take more than 1 GiB. */
  static create(trees: readonly Tree[], p: number, blockRows: number): WasmShap | null {
    const wasm = wasmModule('tree-shap');
    if (!wasm) return null;
    const fast = trees.map((t) => fastTree(t));
    const tableBytes = fast.reduce((s, f) => s + (f ? TREE_ARRAYS.reduce((b, k) => b + f[k].byteLength + 64, 0) : 0), 0);
    if (tableBytes > MAX_BYTES) return null;
    return new WasmShap(wasm, trees, fast, p, blockRows);
  }

  private constructor(wasm: WebAssembly.Module, readonly trees: readonly Tree[], fast: Array<FastTree | null>, readonly p: number, readonly blockRows: number) {
    this.fast = fast;
    const maxNodes = Math.max(1, ...trees.map((t) => t.feature.length));
    const layout = new Layout();
    const take = (bytes: number) => layout.take(bytes);
    const region = { gl: take(blockRows * maxNodes), patterns: take(4 * blockRows), phi: take(8 * blockRows * p) };
    const at = fast.map((f) => (f ? TREE_ARRAYS.map((k) => take(f[k].byteLength)) : null));
    const memory = new WebAssembly.Memory({ initial: layout.pages });
    const leaves = new WebAssembly.Instance(wasm, { env: { memory } }).exports.leaves as (...args: number[]) => void;
    fast.forEach((f, t) => {
      if (!f) return;
      TREE_ARRAYS.forEach((k, j) => new Uint8Array(memory.buffer, at[t]![j]!, f[k].byteLength).set(new Uint8Array(f[k].buffer, f[k].byteOffset, f[k].byteLength)));
    });
    this.gl = new Uint8Array(memory.buffer, region.gl, blockRows * maxNodes);
    this.phi = new Float64Array(memory.buffer, region.phi, blockRows * p);
    this.run = (count, leafCount, tree) => {
      const a = at[tree]!;
      leaves(count, p, leafCount, region.gl, region.patterns, region.phi, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!);
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
    this.trees.forEach((tree, t) => {
      const fast = this.fast[t];
      if (!fast) {
        // Too deep for tables: the recursive algorithm, row by row, into the same block.
        for (let r = 0; r < count; r++) treeShap(tree, columns, start + r, phi.subarray(r * p, (r + 1) * p));
        return;
      }
      directions(tree, fast, columns, start, count, this.gl);
      this.run(count, fast.unique.length, t);
    });
    values.set(phi, start * p);
  }
}
