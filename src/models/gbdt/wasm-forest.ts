/**
 * The compiled forest's walk (predict.ts `walkBlock`, its reference) in WebAssembly: the same branch-free
 * steps, `i = 2i + 1 + bit(rightCodes[i], code[feature[i]])`, with eight rows walked side by side (their
 * loads overlap; eight measured best) and no bounds checks, about 2.5× the JavaScript walk's rows a second
 * (BENCHMARKS.md, "Design measurements"). Its source is src/wasm/forest-walk.wat. The sums are identical: leaves are added tree by tree as before.
 *
 * Its memory holds the forest (depths, offsets, split features, right-code sets, leaf values) and one block
 * of rows: their one-byte codes, which predict.ts writes, and their raw scores.
 */
import type { Forest } from './predict.ts';
import { Layout, wasmModule } from '../../wasm/modules.ts';

/** A forest loaded into the walk's memory, with room for one block of `blockRows` rows. */
export class WasmForest {
  /** The block's codes (row-major, `forest.used.length` bytes a row) and raw scores. */
  readonly codes: Uint8Array;
  readonly raw: Float64Array;
  private readonly run: () => void;
  private count = 0;

  /** Null where this runtime cannot run WebAssembly (the caller walks in JavaScript: same sums). */
  static create(forest: Forest, blockRows: number): WasmForest | null {
    const compiled = wasmModule('forest-walk');
    return compiled ? new WasmForest(compiled, forest, blockRows) : null;
  }

  private constructor(module: WebAssembly.Module, forest: Forest, blockRows: number) {
    const width = forest.used.length;
    const trees = forest.depth.length;
    const layout = new Layout();
    const take = (bytes: number) => layout.take(bytes);
    const at = {
      codes: take(blockRows * width), raw: take(8 * blockRows), depth: take(4 * trees), nodeOffset: take(4 * trees), leafOffset: take(4 * trees),
      feature: take(4 * forest.feature.length), right: take(4 * forest.rightCodes.length), leaves: take(8 * forest.leaves.length),
    };
    const memory = new WebAssembly.Memory({ initial: layout.pages });
    const walk = new WebAssembly.Instance(module, { env: { memory } }).exports.walk as (...args: number[]) => void;
    const buffer = memory.buffer;
    new Int32Array(buffer, at.depth, trees).set(forest.depth);
    new Int32Array(buffer, at.nodeOffset, trees).set(forest.nodeOffset);
    new Int32Array(buffer, at.leafOffset, trees).set(forest.leafOffset);
    new Int32Array(buffer, at.feature, forest.feature.length).set(forest.feature);
    new Int32Array(buffer, at.right, forest.rightCodes.length).set(forest.rightCodes);
    new Float64Array(buffer, at.leaves, forest.leaves.length).set(forest.leaves);
    this.codes = new Uint8Array(buffer, at.codes, blockRows * width);
    this.raw = new Float64Array(buffer, at.raw, blockRows);
    this.run = () => walk(trees, at.codes, this.count, width, at.raw, at.depth, at.nodeOffset, at.leafOffset, at.feature, at.right, at.leaves);
  }

  /** Adds every tree's leaf to raw[0 .. count) for the block's coded rows. */
  walk(count: number): void {
    this.count = count;
    this.run();
  }
}
