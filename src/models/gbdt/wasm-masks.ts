/**
 * The forest's leaf masks (predict.ts `LeafMasks`) as WebAssembly code written for one model: a function
 * per tree whose loop over a block's rows is straight-line code, each feature the tree tests one lookup
 * whose code offset and table address are constants in the instruction,
 *
 *   mask = table₀[code[row + slot₀]] & table₁[code[row + slot₁]] & …;  raw[row] += leaf[ctz(mask)]
 *
 * so a row's lookups are independent of each other (the node-by-node walk waits on each level's load before
 * the next). Leaves are added tree by tree, as the saved trees do: the sums are identical to the last bit.
 *
 * Its memory holds one block of rows (their one-byte codes, which predict.ts writes, and their raw scores),
 * the masks and the leaf values.
 */
import type { Forest, LeafMasks } from './predict.ts';
import { assemble, I32, Layout, op, uleb, vec, whileNot, type WasmFunction } from './wasm-assembler.ts';

// Parameter and locals of each tree's function tree(count).
const [COUNT, ROW, AT, END] = [0, 1, 2, 3];

interface Addresses {
  codes: number;
  raw: number;
  tables: number;
  leaves: number;
}

/** rows 0 .. count − 1: raw[row] += leaf of tree t. */
function treeFunction(masks: LeafMasks, t: number, width: number, at: Addresses): number[] {
  const wide = masks.bits === 64;
  const entry = wide ? 8 : 4;
  const from = masks.pairStart[t]!;
  const to = masks.pairStart[t + 1]!;
  const mask: number[] = [];
  for (let p = from; p < to; p++) {
    mask.push(...op.get(ROW), ...op.load8uAt(masks.pairSlot[p]!), ...op.i32(wide ? 3 : 2), ...op.shl);
    mask.push(...(wide ? op.load64At : op.load32At)(at.tables + masks.tableStart[p]! * entry));
    if (p > from) mask.push(...(wide ? op.and64 : op.and));
  }
  // A tree without splits has one leaf, number 0.
  const leafIndex = from === to ? op.i32(0) : [...mask, ...(wide ? [...op.ctz64, ...op.wrap64] : op.ctz)];
  const leaf = [...leafIndex, ...op.i32(3), ...op.shl, ...op.loadF64(at.leaves + masks.leafStart[t]! * 8)];
  const body = [
    ...op.i32(at.codes), ...op.set(ROW),
    ...op.i32(at.raw), ...op.set(AT),
    ...op.get(COUNT), ...op.i32(3), ...op.shl, ...op.i32(at.raw), ...op.add, ...op.set(END),
    ...whileNot([...op.get(AT), ...op.get(END), ...op.geU], [
      ...op.get(AT), ...op.get(AT), ...op.loadF64(0), ...leaf, ...op.addF64, ...op.storeF64(0),
      ...op.get(ROW), ...op.i32(width), ...op.add, ...op.set(ROW),
      ...op.get(AT), ...op.i32(8), ...op.add, ...op.set(AT),
    ]),
    0x0b,
  ];
  return [...vec([[...uleb(3), I32]]), ...body];
}

/** A model's leaf masks in WebAssembly, with room for one block of `blockRows` rows. */
export class WasmMasks {
  /** The block's codes (row-major, `forest.used.length` bytes a row) and raw scores. */
  readonly codes: Uint8Array;
  readonly raw: Float64Array;
  private readonly run: (count: number) => void;

  /** Null where the forest has no leaf masks or this runtime cannot run WebAssembly (the caller walks instead: same sums). */
  static create(forest: Forest, blockRows: number): WasmMasks | null {
    if (!forest.masks || typeof WebAssembly === 'undefined') return null;
    try {
      return new WasmMasks(forest, forest.masks, blockRows);
    } catch {
      return null;
    }
  }

  private constructor(forest: Forest, masks: LeafMasks, blockRows: number) {
    const width = forest.used.length;
    const trees = masks.leafStart.length;
    const layout = new Layout();
    const at: Addresses = {
      codes: layout.take(blockRows * width), raw: layout.take(8 * blockRows), tables: layout.take(4 * masks.tables.length), leaves: layout.take(8 * masks.leafValues.length),
    };
    const functions: WasmFunction[] = Array.from({ length: trees }, (_, t) => ({ name: `tree${t}`, params: 1, internal: true, code: treeFunction(masks, t, width, at) }));
    const calls = Array.from({ length: trees }, (_, t) => [...op.get(0), ...op.call(t)]).flat();
    functions.push({ name: 'walk', params: 1, code: [...vec([]), ...calls, 0x0b] });
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
