/**
 * Every WebAssembly module is built and runs here (Node 20 has WebAssembly with SIMD): a module that does
 * not compile throws, naming it, instead of leaving its callers on the JavaScript loops without a word.
 */
import { describe, expect, it } from 'vitest';
import type { TreeDesign } from '../../../src/features/tree-features.ts';
import { GradientBoostedTrees } from '../../../src/models/gbdt/gbdt.ts';
import { compileForest, leafMasks, predictForest } from '../../../src/models/gbdt/predict.ts';
import { WasmForest } from '../../../src/models/gbdt/wasm-forest.ts';
import { WasmKernel } from '../../../src/models/gbdt/wasm-kernel.ts';
import { WasmMasks } from '../../../src/models/gbdt/wasm-masks.ts';
import { WasmShap } from '../../../src/models/gbdt/wasm-shap.ts';
import { CellTables } from '../../../src/scoring/fast/cell-tables.ts';
import { createRng } from '../../../src/random.ts';

describe('WebAssembly modules', () => {
  it('each module is built here, and the forest walk and leaf masks run: the same sums as the JavaScript walk', () => {
    const rng = createRng(9);
    const n = 500;
    const columns = [Float64Array.from({ length: n }, () => rng.normal()), Float64Array.from({ length: n }, () => rng.int(5))];
    const design: TreeDesign = { columns, n, p: 2, names: ['a', 'b'], kinds: ['numeric', 'categorical'], groups: ['a', 'b'], unseen: {} };
    const y = Uint8Array.from({ length: n }, (_, i) => (columns[0]![i]! + (columns[1]![i] === 2 ? 1 : 0) > 0.3 ? 1 : 0));
    const model = new GradientBoostedTrees({ trees: 10, maxDepth: 3, minSamplesLeaf: 5, minDataPerCategory: 3, earlyStopping: false }).fit(design, y);
    const forest = compileForest(model.trees, design.kinds)!;
    const masks = leafMasks(forest)!;
    expect(WasmForest.create(forest, 64)).not.toBeNull();
    expect(WasmMasks.create(forest, masks, 64)).not.toBeNull();
    expect(WasmShap.create(model.trees, 2, 64)).not.toBeNull();
    expect(CellTables.create(2, Int32Array.of(0, 1))).not.toBeNull();
    const kernel = WasmKernel.create(new Uint8Array(n * 2), n, 2, n, 1);
    expect(kernel).not.toBeNull();
    kernel!.close();
    const js = new Float64Array(n);
    predictForest(forest, columns, n, js, { wasm: false });
    for (const options of [{}, { masks: true }]) {
      const wasm = new Float64Array(n);
      predictForest(forest, columns, n, wasm, options);
      expect(Array.from(wasm)).toEqual(Array.from(js));
    }
  });
});
