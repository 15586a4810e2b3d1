/**
 * SHAP values of a model's rows: TreeSHAP from tables (shap-tables.ts) tree by tree over blocks of rows, in
 * WebAssembly (wasm-shap.ts) where it runs, and summed per original column for reasons.
 */
import { expectedValue } from './shap.ts';
import { treeShapBlock } from './shap-tables.ts';
import type { Tree } from './tree.ts';
import { WasmShap } from './wasm-shap.ts';

/**
 * Rows per block: a tree's tables are read from memory once per block, so the more rows share them the
 * better (300 trees of the sample, one thread: 256 rows 111-153 ns a row and tree, 2,048 rows 67-75, 8,192
 * rows 52-54; BENCHMARKS.md, session 11), up to 2 MiB of the block's values.
 */
const blockRows = (p: number) => Math.min(8192, Math.max(256, Math.floor(2 ** 21 / (8 * Math.max(1, p)))));

const wasmShaps = new WeakMap<readonly Tree[], WasmShap | null>();

/** The model's trees loaded for the WebAssembly table loop, once per trees array (null: JavaScript). */
function wasmShapFor(trees: readonly Tree[], p: number): WasmShap | null {
  let wasm = wasmShaps.get(trees);
  if (wasm === undefined || (wasm && wasm.p !== p)) {
    wasm = WasmShap.create(trees, p, blockRows(p));
    wasmShaps.set(trees, wasm);
  }
  return wasm;
}

/**
 * SHAP values of every row (row-major n × p) and the base value: base + Σ_f values[i·p + f] = raw score.
 * The tables are read in WebAssembly (wasm-shap.ts) unless `{ wasm: false }` (the same values, to the bit).
 *
 * @example
 * const { values, base } = shapValues(model.trees, model.fitted.baseScore, design);
 */
export function shapValues(trees: readonly Tree[], baseScore: number, design: { columns: readonly Float64Array[]; n: number; p: number },
  options: { wasm?: boolean } = {}): { values: Float64Array; base: number } {
  const values = new Float64Array(design.n * design.p);
  // Tree by tree over a block of rows, not row by row over all trees: a tree's tables (about 100 KB for 31
  // leaves) are then read from memory once per block, and within the tree one table at a time serves every
  // row of the block (BENCHMARKS.md, "Design measurements" and session 11).
  const wasm = options.wasm === false ? null : wasmShapFor(trees, design.p);
  const rows = blockRows(design.p);
  for (let start = 0; start < design.n; start += rows) {
    const end = Math.min(design.n, start + rows);
    if (wasm) wasm.block(design.columns, start, end, values);
    else for (const tree of trees) treeShapBlock(tree, design.columns, start, end, values, design.p);
  }
  return { values, base: baseScore + trees.reduce((s, t) => s + expectedValue(t), 0) };
}

/**
 * SHAP values summed per original column (a date's age, month and weekday are one column), row-major
 * n × columns: the per-lead reasons of a tree model. `compute` gives the per-feature values (default
 * `shapValues`; scoring passes the two-thread `shapValuesParallel`, which gives the same values).
 *
 * @example
 * const { columns, values } = shapByColumn(model.trees, model.fitted.baseScore, design);
 */
export function shapByColumn(trees: readonly Tree[], baseScore: number, design: { columns: readonly Float64Array[]; n: number; p: number; groups: readonly string[] },
  compute: (trees: readonly Tree[], baseScore: number, design: { columns: readonly Float64Array[]; n: number; p: number }) => { values: Float64Array; base: number } = shapValues):
  { columns: string[]; values: Float64Array; base: number } {
  const { values, base } = compute(trees, baseScore, design);
  const columns = [...new Set(design.groups)];
  const index = design.groups.map((g) => columns.indexOf(g));
  const out = new Float64Array(design.n * columns.length);
  for (let i = 0; i < design.n; i++) {
    for (let f = 0; f < design.p; f++) out[i * columns.length + index[f]!]! += values[i * design.p + f]!;
  }
  return { columns, values: out, base };
}
