/**
 * The forest's leaf masks (predict.ts `LeafMasks`) as WebAssembly code written for one model: a function
 * per TREES_PER_PASS trees whose loop over a block's rows is straight-line code, each feature a tree tests
 * one lookup whose code offset and table address are constants in the instruction,
 *
 *   mask = table₀[code[row + slot₀]] & table₁[code[row + slot₁]] & …;  sum += leaf[ctz(mask)]
 *
 * so a row's lookups are independent of each other (the node-by-node walk waits on each level's load before
 * the next), and of the other trees' in the pass. Leaves are added tree by tree, as the saved trees do: the
 * sums are identical to the last bit. Sixteen trees a pass instead of one: the sample's 300 trees 172 → 130
 * ms for 200,000 rows, and the module compiles in half the time (BENCHMARKS.md, session 12).
 *
 * Its memory holds one block of rows (their one-byte codes, which predict.ts writes, and their raw scores),
 * the masks and the leaf values.
 */
import type { Forest, LeafMasks } from './predict.ts';
import { assemble, ByteWriter, locals, op, type WasmFunction } from '../../wasm/assembler.ts';
import { Layout } from '../../wasm/modules.ts';

/** Each tree's function tree(count): its parameter and locals. */
const TREE = locals(['count'], ['row', 'at', 'end']);

interface Addresses {
  codes: number;
  raw: number;
  tables: number;
  leaves: number;
}

/** Trees whose leaves one pass over the block's rows adds (the row's raw score loaded once, their sum stored once). */
export const TREES_PER_PASS = 16;

/** rows 0 .. count − 1: raw[row] += leaf of tree t, for t = first .. last − 1 in turn. */
function treesFunction(masks: LeafMasks, first: number, last: number, width: number, at: Addresses): Uint8Array {
  const wide = masks.bits === 64;
  const entry = wide ? 8 : 4;
  const { count, row, at: rawAt, end } = TREE.index;
  const code = new ByteWriter();
  code.put(TREE.declaration);
  // row = the block's first row's codes; at = its raw score; end = past the last raw score
  code.put(op.i32(at.codes)).put(op.set(row)).put(op.i32(at.raw)).put(op.set(rawAt));
  code.put(op.get(count)).put(op.i32(3)).put(op.shl).put(op.i32(at.raw)).put(op.add).put(op.set(end));
  // while (at < end) { raw[at] = (raw[at] + leaf of tree first) + leaf of tree first + 1 … }
  code.put(op.blockLoop).put(op.get(rawAt)).put(op.get(end)).put(op.geU).put(op.brIf(1));
  code.put(op.get(rawAt)).put(op.get(rawAt)).put(op.loadF64(0));
  const shift = op.i32(wide ? 3 : 2);
  const load = wide ? op.load64At : op.load32At;
  for (let t = first; t < last; t++) {
    const from = masks.pairStart[t]!;
    const to = masks.pairStart[t + 1]!;
    if (from === to) {
      code.put(op.i32(0)); // a tree without splits has one leaf, number 0
    } else {
      for (let p = from; p < to; p++) {
        code.put(op.get(row)).put(op.load8uAt(masks.pairSlot[p]!)).put(shift).put(op.shl).put(load(at.tables + masks.tableStart[p]! * entry));
        if (p > from) code.put(wide ? op.and64 : op.and);
      }
      code.put(wide ? [...op.ctz64, ...op.wrap64] : op.ctz);
    }
    code.put(op.i32(3)).put(op.shl).put(op.loadF64(at.leaves + masks.leafStart[t]! * 8)).put(op.addF64);
  }
  code.put(op.storeF64(0));
  code.put(op.get(row)).put(op.i32(width)).put(op.add).put(op.set(row));
  code.put(op.get(rawAt)).put(op.i32(8)).put(op.add).put(op.set(rawAt));
  code.put(op.br(0)).put(op.end).put(op.end).put(op.end); // continue; end of the loop, the block, the function
  return code.bytes();
}

/** A model's leaf masks in WebAssembly, with room for one block of `blockRows` rows. */
export class WasmMasks {
  /** The block's codes (row-major, `forest.used.length` bytes a row) and raw scores. */
  readonly codes: Uint8Array;
  readonly raw: Float64Array;
  private readonly run: (count: number) => void;

  /** Null where this runtime cannot run WebAssembly (the caller walks instead: same sums). */
  static create(forest: Forest, masks: LeafMasks, blockRows: number): WasmMasks | null {
    return typeof WebAssembly === 'undefined' ? null : new WasmMasks(forest, masks, blockRows);
  }

  private constructor(forest: Forest, masks: LeafMasks, blockRows: number) {
    const width = forest.used.length;
    const trees = masks.pairStart.length - 1;
    const layout = new Layout();
    const at: Addresses = {
      codes: layout.take(blockRows * width), raw: layout.take(8 * blockRows), tables: layout.take(4 * masks.tables.length), leaves: layout.take(8 * masks.leafValues.length),
    };
    const passes = Math.ceil(trees / TREES_PER_PASS);
    const functions: WasmFunction[] = Array.from({ length: passes }, (_, k) => ({
      name: `trees${k}`, params: 1, internal: true, code: treesFunction(masks, k * TREES_PER_PASS, Math.min(trees, (k + 1) * TREES_PER_PASS), width, at),
    }));
    const calls = Array.from({ length: passes }, (_, k) => [...op.get(0), ...op.call(k)]).flat();
    functions.push({ name: 'walk', params: 1, code: [...locals(['count'], []).declaration, ...calls, ...op.end] });
    const memory = new WebAssembly.Memory({ initial: layout.pages });
    const module = new WebAssembly.Module(assemble(functions));
    const walk = new WebAssembly.Instance(module, { env: { memory } }).exports.walk as (count: number) => void;
    new Int32Array(memory.buffer, at.tables, masks.tables.length).set(masks.tables);
    new Float64Array(memory.buffer, at.leaves, masks.leafValues.length).set(masks.leafValues);
    this.codes = new Uint8Array(memory.buffer, at.codes, blockRows * width);
    this.raw = new Float64Array(memory.buffer, at.raw, blockRows);
    this.run = walk;
  }

  /** Adds every tree's leaf to raw[0 .. count) for the block's coded rows. */
  walk(count: number): void {
    this.run(count);
  }
}
