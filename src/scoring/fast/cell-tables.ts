/**
 * The byte path's scan and its dictionaries of distinct cells, in WebAssembly (source: src/wasm/cell-scan.wat). A chunk's bytes are copied
 * into the module's memory; `scan` cuts records into fields as CsvParser does and looks each read cell up
 * in its column's hash table (a word-wise FNV-1a hash of its bytes, open addressing), adding it when new;
 * quoted fields are cut too. It stops at a record the JavaScript scan must read (a quote left open, more
 * fields than the header: that scan then reports or hands the chunk to the table path) and leaves the rest
 * of the chunk to it, which looks cells up through `intern`, the same tables.
 *
 * Memory: a header (addresses, and what `scan` returns), per column a descriptor, then the header
 * position → column map, each row's id field start and end, the chunk (with a carriage return after it,
 * so the field loops need no bounds check), and per column its slots, entries (hash, arena offset, length), arena
 * of cell bytes and cell number per row. A table that fills (entries, arena, slots past half full) makes
 * `intern` answer −1; `CellTables` then lays the memory out again with room and the scan resumes at the
 * record it stopped on. An append column (`setAppend`, for a column of mostly new cells) skips the hash and
 * the look-up: each cell is a new entry, numbered in row order.
 */
import { PlainNumbers } from '../../data/io/plain-numbers.ts';
import { Layout, wasmModule } from '../../wasm/modules.ts';

const CR = 13;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
const MIX = 0x2c1b3c6d;

/** The four odd constants a block's 32-bit words are multiplied by (cell-scan.wat `$blockFold`). */
const BLOCK_K0 = 0x9e3779b1 | 0;
const BLOCK_K1 = 0x85ebca77 | 0;
const BLOCK_K2 = 0xc2b2ae3d | 0;
const BLOCK_K3 = 0x27d4eb2f | 0;

/**
 * A cell's hash, as `scan` computes it: seeded with its length, then for each sixteen bytes of the cell (at
 * least once; bytes past its end read as zeros) its four little-endian 32-bit words multiplied by four odd
 * constants, xor-ed together and folded in as FNV-1a folds a word, then mixed so the low bits (the slot)
 * depend on every byte. Sixteen-byte blocks let the scan hash a cell of up to sixteen bytes with one masked
 * load and no loop.
 */
export function hashCell(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET ^ (end - start);
  let k = start;
  do {
    const fold = Math.imul(wordAt(bytes, k, end), BLOCK_K0) ^ Math.imul(wordAt(bytes, k + 4, end), BLOCK_K1)
      ^ Math.imul(wordAt(bytes, k + 8, end), BLOCK_K2) ^ Math.imul(wordAt(bytes, k + 12, end), BLOCK_K3);
    hash = Math.imul(hash ^ fold, FNV_PRIME);
    k += 16;
  } while (k < end);
  return mixHash(hash);
}

/** The little-endian 32-bit word at `k`, the bytes at or past `end` read as zeros. */
function wordAt(bytes: Uint8Array, k: number, end: number): number {
  let word = 0;
  for (let b = 0; b < 4 && k + b < end; b++) word |= bytes[k + b]! << (8 * b);
  return word;
}

function mixHash(hash: number): number {
  hash ^= hash >>> 15;
  hash = Math.imul(hash, MIX);
  return hash ^ (hash >>> 12);
}

// Header words (byte addresses; the layout is described in src/wasm/cell-scan.wat).
const H_CHUNK = 0;
const H_SLOT_OF = 4;
const H_ID_START = 8;
const H_ID_END = 12;
const H_DESCRIPTORS = 16;
const H_POS = 20;
const H_ROW = 24;
const H_FULL = 28;
const HEADER_BYTES = 64;
// Descriptor words, per column.
const D_SLOTS = 0;
const D_MASK = 4;
const D_HASHES = 8;
const D_STARTS = 12;
const D_LENGTHS = 16;
const D_ARENA = 20;
const D_USED = 24;
const D_SIZE = 28;
const D_ENTRY_CAP = 32;
const D_ARENA_CAP = 36;
const D_ROWS = 40;
const D_APPEND = 44;
const DESCRIPTOR_BYTES = 64;

/** `scan`'s answers (the globals of cell-scan.wat). */
export const SCANNED = 0;
export const ROWS_FULL = 1;
export const NEEDS_JS = 2;
export const TABLE_FULL = 3;

interface Exports {
  intern(column: number, start: number, end: number, hash: number): number;
  scan(pos: number, end: number, row: number, rowCap: number, width: number, delim: number, idAt: number): number;
}

/**
 * The row writer's room in the same memory (row-writer.ts, which runs on it): its tables (tokens, pairs of
 * segments, tails; moved with what they hold when the tables grow) and its output.
 */
export const WRITER_TABLE_BYTES = 1 << 16;
export const WRITER_OUT_BYTES = 1 << 18;

/**
 * Where the row writer's regions are: per row of the scan a probability, fit points and rule score (f64),
 * whether it is disqualified (u8) and two segment numbers (i32); its tables; its output.
 */
export interface WriterRegions {
  probs: number;
  fit: number;
  score: number;
  dq: number;
  first: number;
  second: number;
  tables: number;
  out: number;
}

/** Room per column: entries, slots (a power of two), arena bytes. */
interface Room {
  entries: number;
  slots: number;
  arena: number;
}

/** The dictionaries of `columns` columns and one chunk's scan, in one WebAssembly memory. */
export class CellTables {
  private exports!: Exports;
  private bytes!: Uint8Array;
  private words!: Int32Array;
  private room: Room[];
  private rowCap = 4096;
  private chunkCap = 1 << 16;
  private chunkLength = 0;
  private headerWidth: number;
  /** The memory the tables are in (a new one each time they grow), and the row writer's regions in it. */
  memory!: WebAssembly.Memory;
  writer!: WriterRegions;

  /** Null where WebAssembly is not available (the byte path is then not used). */
  static create(columns: number, slotOf: Int32Array): CellTables | null {
    return wasmModule('cell-scan') ? new CellTables(columns, slotOf) : null;
  }

  private constructor(private readonly columns: number, private readonly slotOf: Int32Array) {
    this.headerWidth = slotOf.length;
    this.room = Array.from({ length: columns }, () => ({ entries: 256, slots: 1 << 10, arena: 1 << 14 }));
    this.layOut(null);
  }

  private descriptor(column: number): number {
    return (HEADER_BYTES + column * DESCRIPTOR_BYTES) >> 2;
  }

  /** A fresh memory with the current room, holding what the old one held (`old`: its bytes, words and rows per region). */
  private layOut(old: { bytes: Uint8Array; words: Int32Array; rowCap: number } | null): void {
    const layout = new Layout();
    layout.take(HEADER_BYTES + this.columns * DESCRIPTOR_BYTES);
    const slotOfAt = layout.take(this.headerWidth * 4);
    const idStart = layout.take(this.rowCap * 4);
    const idEnd = layout.take(this.rowCap * 4);
    const chunk = layout.take(this.chunkCap + 16);
    const regions = this.room.map((room) => ({
      slots: layout.take(room.slots * 4), hashes: layout.take(room.entries * 4), starts: layout.take(room.entries * 4),
      lengths: layout.take(room.entries * 4), arena: layout.take(room.arena), rows: layout.take(this.rowCap * 4),
    }));
    const writer = {
      probs: layout.take(this.rowCap * 8), fit: layout.take(this.rowCap * 8), score: layout.take(this.rowCap * 8), dq: layout.take(this.rowCap),
      first: layout.take(this.rowCap * 4), second: layout.take(this.rowCap * 4), tables: layout.take(WRITER_TABLE_BYTES), out: layout.take(WRITER_OUT_BYTES),
    };
    const memory = new WebAssembly.Memory({ initial: layout.pages });
    const instance = new WebAssembly.Instance(wasmModule('cell-scan')!, { env: { memory } });
    this.exports = instance.exports as unknown as Exports;
    const bytes = new Uint8Array(memory.buffer);
    const words = new Int32Array(memory.buffer);
    words[H_CHUNK >> 2] = chunk;
    words[H_SLOT_OF >> 2] = slotOfAt;
    words[H_ID_START >> 2] = idStart;
    words[H_ID_END >> 2] = idEnd;
    words[H_DESCRIPTORS >> 2] = HEADER_BYTES;
    words.set(this.slotOf, slotOfAt >> 2);
    if (old) {
      const oldChunk = old.words[H_CHUNK >> 2]!;
      bytes.set(old.bytes.subarray(oldChunk, oldChunk + this.chunkLength + 1), chunk);
      for (const [header, to] of [[H_ID_START, idStart], [H_ID_END, idEnd]] as const) {
        const from = old.words[header >> 2]! >> 2;
        words.set(old.words.subarray(from, from + old.rowCap), to >> 2);
      }
      bytes.set(old.bytes.subarray(this.writer.tables, this.writer.tables + WRITER_TABLE_BYTES), writer.tables);
    }
    regions.forEach((region, c) => {
      const d = this.descriptor(c);
      const room = this.room[c]!;
      words[d + (D_SLOTS >> 2)] = region.slots;
      words[d + (D_MASK >> 2)] = room.slots - 1;
      words[d + (D_HASHES >> 2)] = region.hashes;
      words[d + (D_STARTS >> 2)] = region.starts;
      words[d + (D_LENGTHS >> 2)] = region.lengths;
      words[d + (D_ARENA >> 2)] = region.arena;
      words[d + (D_ENTRY_CAP >> 2)] = room.entries;
      words[d + (D_ARENA_CAP >> 2)] = room.arena;
      words[d + (D_ROWS >> 2)] = region.rows;
      if (!old) return;
      const append = old.words[d + (D_APPEND >> 2)]!;
      words[d + (D_APPEND >> 2)] = append;
      const size = old.words[d + (D_SIZE >> 2)]!;
      const used = old.words[d + (D_USED >> 2)]!;
      words[d + (D_SIZE >> 2)] = size;
      words[d + (D_USED >> 2)] = used;
      for (const [field, to] of [[D_HASHES, region.hashes], [D_STARTS, region.starts], [D_LENGTHS, region.lengths]] as const) {
        const from = old.words[d + (field >> 2)]! >> 2;
        words.set(old.words.subarray(from, from + size), to >> 2);
      }
      const arena = old.words[d + (D_ARENA >> 2)]!;
      bytes.set(old.bytes.subarray(arena, arena + used), region.arena);
      const rows = old.words[d + (D_ROWS >> 2)]! >> 2;
      words.set(old.words.subarray(rows, rows + old.rowCap), region.rows >> 2);
      if (append) return; // no hashes, no slots
      // The slots again, each entry at its hash's first free place.
      const mask = room.slots - 1;
      const slots = region.slots >> 2;
      const hashes = region.hashes >> 2;
      for (let id = 0; id < size; id++) {
        let at = words[hashes + id]! & mask;
        while (words[slots + at] !== 0) at = (at + 1) & mask;
        words[slots + at] = id + 1;
      }
    });
    this.bytes = bytes;
    this.words = words;
    this.memory = memory;
    this.writer = writer;
  }

  private grow(change: () => void): void {
    const old = { bytes: this.bytes, words: this.words, rowCap: this.rowCap };
    change();
    this.layOut(old);
  }

  /** Copies a chunk in (a carriage return after it stops the field loops; not a line feed, which would make a final CR a CRLF). */
  load(chunk: Uint8Array): void {
    this.chunkLength = 0;
    if (chunk.length + 1 > this.chunkCap) {
      let cap = this.chunkCap;
      while (chunk.length + 1 > cap) cap *= 2;
      this.grow(() => (this.chunkCap = cap));
    }
    this.chunkLength = chunk.length;
    const base = this.words[H_CHUNK >> 2]!;
    this.bytes.set(chunk, base);
    this.bytes[base + chunk.length] = CR;
  }

  /**
   * Scans the loaded chunk from record start `pos` (row `row`) until its end or a record the JavaScript
   * scan must read: `{ pos, rows }` where it stopped, and whether it finished. Rows' cell numbers and id
   * spans are then read with `rowsOf`, `idStarts`, `idEnds`.
   */
  scan(pos: number, row: number, width: number, delim: number, idAt: number): { pos: number; rows: number; done: boolean } {
    for (;;) {
      const base = this.words[H_CHUNK >> 2]!;
      const status = this.exports.scan(base + pos, base + this.chunkLength, row, this.rowCap, width, delim, idAt);
      pos = this.words[H_POS >> 2]! - base;
      row = this.words[H_ROW >> 2]!;
      if (status === SCANNED || status === NEEDS_JS) return { pos, rows: row, done: status === SCANNED };
      if (status === ROWS_FULL) this.grow(() => (this.rowCap *= 2));
      else if (status === TABLE_FULL) this.growColumn(this.words[H_FULL >> 2]!);
      else throw new Error(`internal: the cell scan answered ${status}`);
    }
  }

  private growColumn(column: number): void {
    const d = this.descriptor(column);
    const size = this.words[d + (D_SIZE >> 2)]!;
    const used = this.words[d + (D_USED >> 2)]!;
    const room = this.room[column]!;
    const append = this.words[d + (D_APPEND >> 2)] === 1;
    this.grow(() => {
      // Room for a chunk of new cells at once (a column of mostly new cells, such as a unique revenue, grew
      // four times in its first chunk at twice the entries each time, each growth laying the memory out again).
      while (room.entries < size + this.rowCap) room.entries *= 2;
      while (!append && room.slots < 2 * room.entries) room.slots *= 2;
      while (room.arena < used + this.chunkLength) room.arena *= 2;
    });
  }

  /** The number of cell `[start, end)` of the loaded chunk (FNV-1a hash `hash`) in column `column`, added if new. */
  intern(column: number, start: number, end: number, hash: number): number {
    for (;;) {
      const base = this.words[H_CHUNK >> 2]!;
      const id = this.exports.intern(column, base + start, base + end, hash);
      if (id >= 0) return id;
      this.growColumn(column);
    }
  }

  /** Column `column`'s cell number per row, rows `[0, rows)` of the last scan. */
  rowsOf(column: number, rows: number): Int32Array {
    const at = this.words[this.descriptor(column) + (D_ROWS >> 2)]! >> 2;
    return this.words.subarray(at, at + rows);
  }

  /** The id field's start and end per row (offsets in the chunk), rows `[0, rows)` of the last scan. */
  idSpans(rows: number): { starts: Int32Array; ends: Int32Array } {
    const starts = this.words[H_ID_START >> 2]! >> 2;
    const ends = this.words[H_ID_END >> 2]! >> 2;
    return { starts: this.words.subarray(starts, starts + rows), ends: this.words.subarray(ends, ends + rows) };
  }

  /** Rows the per-row regions hold (the row writer's too). */
  get rowCapacity(): number {
    return this.rowCap;
  }

  /** The number of distinct cells column `column` holds. */
  size(column: number): number {
    return this.words[this.descriptor(column) + (D_SIZE >> 2)]!;
  }

  /** The raw bytes of cell `id` of column `column`: a view of the module's memory, valid until the tables next grow (read it at once). */
  cell(column: number, id: number): Uint8Array {
    const d = this.descriptor(column);
    const start = this.words[(this.words[d + (D_STARTS >> 2)]! >> 2) + id]!;
    const length = this.words[(this.words[d + (D_LENGTHS >> 2)]! >> 2) + id]!;
    const arena = this.words[d + (D_ARENA >> 2)]!;
    return this.bytes.subarray(arena + start, arena + start + length);
  }

  /**
   * Makes column `column` an append column (every cell a new entry, never hashed or looked up: for a column
   * of mostly new cells, cleared before each chunk) or a looked-up one again; forgets its cells.
   */
  setAppend(column: number, append: boolean): void {
    this.words[this.descriptor(column) + (D_APPEND >> 2)] = append ? 1 : 0;
    this.clear(column);
  }

  /**
   * Cells from..to−1 of column `column` read as plain numbers in WebAssembly (data/io/plain-numbers.ts, the
   * rule of `plainNumber` between any spaces or tabs): each cell's value and status (a value, missing where
   * empty once trimmed, or left to the reference path: quoted, or any other text). Views valid until the next call.
   */
  plainNumbers(column: number, from: number, to: number): { values: Float64Array; status: Uint8Array } {
    const reader = PlainNumbers.get();
    if (!reader) throw new Error('internal: the cell tables run in WebAssembly, but the plain-number reader has none');
    const d = this.descriptor(column);
    const { words } = this;
    const starts = (words[d + (D_STARTS >> 2)]! >> 2) + from;
    const lengths = (words[d + (D_LENGTHS >> 2)]! >> 2) + from;
    const arena = words[d + (D_ARENA >> 2)]!;
    return reader.cells(this.bytes.subarray(arena), words.subarray(starts, starts + to - from), words.subarray(lengths, lengths + to - from));
  }

  /** Forgets column `column`'s cells. */
  clear(column: number): void {
    const d = this.descriptor(column);
    this.words[d + (D_SIZE >> 2)] = 0;
    this.words[d + (D_USED >> 2)] = 0;
    const slots = this.words[d + (D_SLOTS >> 2)]! >> 2;
    this.words.fill(0, slots, slots + this.room[column]!.slots);
  }
}
