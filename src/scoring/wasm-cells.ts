/**
 * The byte path's scan and its dictionaries of distinct cells, in WebAssembly. A chunk's bytes are copied
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
 * record it stopped on.
 */
import { assemble, block, br, brIf, compileOnce, I32, Layout, loop, op, uleb, V128, vec, when } from '../models/gbdt/wasm-assembler.ts';

const QUOTE = 34;
const LF = 10;
const CR = 13;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
const MIX = 0x2c1b3c6d;

/**
 * A cell's hash, as `scan` computes it: FNV-1a over its little-endian 32-bit words (the last one filled with
 * zeros), seeded with its length, then mixed so the low bits (the slot) depend on every byte.
 */
export function hashCell(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET ^ (end - start);
  let k = start;
  for (; k + 4 <= end; k += 4) hash = Math.imul(hash ^ (bytes[k]! | (bytes[k + 1]! << 8) | (bytes[k + 2]! << 16) | (bytes[k + 3]! << 24)), FNV_PRIME);
  if (k < end) {
    let word = 0;
    for (let b = 0; k + b < end; b++) word |= bytes[k + b]! << (8 * b);
    hash = Math.imul(hash ^ word, FNV_PRIME);
  }
  return mixHash(hash);
}

function mixHash(hash: number): number {
  hash ^= hash >>> 15;
  hash = Math.imul(hash, MIX);
  return hash ^ (hash >>> 12);
}

const EMPTY_HASH = hashCell(new Uint8Array(0), 0, 0);

// Header words (byte addresses).
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
const DESCRIPTOR_BYTES = 64;

/** `scan`'s answers. */
export const SCANNED = 0;
export const ROWS_FULL = 1;
export const NEEDS_JS = 2;
export const TABLE_FULL = 3;

const load = (address: number[]) => [...address, ...op.load32];
const store = (address: number[], value: number[]) => [...address, ...value, ...op.store32];
const at4 = (base: number[], index: number[]) => [...base, ...index, ...op.i32(2), ...op.shl, ...op.add];
const word = (local: number, offset: number) => [...op.get(local), ...op.load32At(offset)];

/** The locals `internCode` reads (COL, START, END, HASH), writes (ID: the cell's number) and uses. */
interface InternLocals {
  COL: number; START: number; END: number; HASH: number; ID: number;
  D: number; SLOTS: number; MASK: number; AT: number; E: number; LEN: number; A: number; K: number; SIZE: number; USED: number;
}

/**
 * Looks cell [START, END) with hash HASH up in column COL's table, adding it when new; ID is its number
 * after the code. Runs `onFull` (which must leave the function) where the table has no room for a new cell.
 * Written once and placed both in `intern` and inside `scan`'s field loop (a call there cost a fifth more).
 */
function internCode(L: InternLocals, onFull: number[]): number[] {
  const { COL, START, END, HASH, ID, D, SLOTS, MASK, AT, E, LEN, A, K, SIZE, USED } = L;
  const found = (depth: number) => [...op.get(E), ...op.set(ID), ...br(depth)];
  return block([
    ...load(op.i32(H_DESCRIPTORS)), ...op.get(COL), ...op.i32(DESCRIPTOR_BYTES), ...op.mul, ...op.add, ...op.set(D),
    ...word(D, D_SLOTS), ...op.set(SLOTS), ...word(D, D_MASK), ...op.set(MASK),
    ...op.get(END), ...op.get(START), ...op.sub, ...op.set(LEN),
    ...op.get(HASH), ...op.get(MASK), ...op.and, ...op.set(AT),
    ...block(loop([
      ...load(at4(op.get(SLOTS), op.get(AT))), ...op.i32(1), ...op.sub, ...op.tee(E), ...op.i32(0), ...op.ltS, ...brIf(1),
      ...when([
        ...load(at4(word(D, D_HASHES), op.get(E))), ...op.get(HASH), ...op.eq,
        ...load(at4(word(D, D_LENGTHS), op.get(E))), ...op.get(LEN), ...op.eq, ...op.and,
      ], [
        ...word(D, D_ARENA), ...load(at4(word(D, D_STARTS), op.get(E))), ...op.add, ...op.set(A),
        ...op.i32(0), ...op.set(K),
        ...block([
          ...block(loop([
            ...op.get(K), ...op.i32(8), ...op.add, ...op.get(LEN), ...op.gtU, ...brIf(1),
            ...op.get(A), ...op.get(K), ...op.add, ...op.load64, ...op.get(START), ...op.get(K), ...op.add, ...op.load64, ...op.ne64, ...brIf(2),
            ...op.get(K), ...op.i32(8), ...op.add, ...op.set(K), ...br(0),
          ])),
          // The last 1–7 bytes: both words' low bytes compared (reading past a cell's end stays in memory).
          // Depths to the outer block: this `if` 0, the compare block 1, the match `if` 2, probe loop 3, its block 4, outer 5.
          ...when([...op.get(K), ...op.get(LEN), ...op.geU], found(5)),
          ...op.get(A), ...op.get(K), ...op.add, ...op.load64, ...op.get(START), ...op.get(K), ...op.add, ...op.load64, ...op.xor64,
          ...op.i64(1), ...op.get(LEN), ...op.get(K), ...op.sub, ...op.i32(3), ...op.shl, ...op.extendU, ...op.shl64, ...op.i64(1), ...op.sub64, ...op.and64,
          ...op.i64(0), ...op.ne64, ...brIf(0), // they differ
          ...found(4),
        ]),
      ]),
      ...op.get(AT), ...op.i32(1), ...op.add, ...op.get(MASK), ...op.and, ...op.set(AT), ...br(0),
    ])),
    // A new cell: room for its entry, its bytes, and the slots at most half full after it?
    ...word(D, D_SIZE), ...op.set(SIZE), ...word(D, D_USED), ...op.set(USED),
    ...when([
      ...op.get(SIZE), ...word(D, D_ENTRY_CAP), ...op.geU,
      ...op.get(USED), ...op.get(LEN), ...op.add, ...word(D, D_ARENA_CAP), ...op.gtU, ...op.or,
      ...op.get(SIZE), ...op.i32(1), ...op.add, ...op.i32(1), ...op.shl, ...op.get(MASK), ...op.i32(1), ...op.add, ...op.gtU, ...op.or,
    ], onFull),
    ...word(D, D_ARENA), ...op.get(USED), ...op.add, ...op.get(START), ...op.get(LEN), ...op.memoryCopy,
    ...store(at4(word(D, D_HASHES), op.get(SIZE)), op.get(HASH)),
    ...store(at4(word(D, D_STARTS), op.get(SIZE)), op.get(USED)),
    ...store(at4(word(D, D_LENGTHS), op.get(SIZE)), op.get(LEN)),
    ...store(at4(op.get(SLOTS), op.get(AT)), [...op.get(SIZE), ...op.i32(1), ...op.add]),
    ...op.get(D), ...op.get(USED), ...op.get(LEN), ...op.add, ...op.store32At(D_USED),
    ...op.get(D), ...op.get(SIZE), ...op.i32(1), ...op.add, ...op.store32At(D_SIZE),
    ...op.get(SIZE), ...op.set(ID),
  ]);
}

/** intern(column, start, end, hash) → the cell's number, or −1 when the column's tables are full. */
function internFunction(): number[] {
  const locals = { COL: 0, START: 1, END: 2, HASH: 3, ID: 4, D: 5, SLOTS: 6, MASK: 7, AT: 8, E: 9, LEN: 10, A: 11, K: 12, SIZE: 13, USED: 14 };
  return [...vec([[...uleb(11), I32]]), ...internCode(locals, [...op.i32(-1), ...op.ret]), ...op.get(locals.ID), 0x0b];
}

/** HASH = `hashCell` of bytes [FROM, TO), with K as a scratch local (reading up to three bytes past TO stays in memory). */
function hashField(FROM: number, TO: number, HASH: number, K: number): number[] {
  return [
    ...op.i32(FNV_OFFSET), ...op.get(TO), ...op.get(FROM), ...op.sub, ...op.xor, ...op.set(HASH),
    ...op.get(FROM), ...op.set(K),
    ...block(loop([
      ...op.get(K), ...op.i32(4), ...op.add, ...op.get(TO), ...op.gtU, ...brIf(1),
      ...op.get(HASH), ...op.get(K), ...op.load32Unaligned, ...op.xor, ...op.i32(FNV_PRIME), ...op.mul, ...op.set(HASH),
      ...op.get(K), ...op.i32(4), ...op.add, ...op.set(K), ...br(0),
    ])),
    ...when([...op.get(K), ...op.get(TO), ...op.ltU], [
      ...op.get(HASH), ...op.get(K), ...op.load32Unaligned,
      ...op.i32(1), ...op.get(TO), ...op.get(K), ...op.sub, ...op.i32(3), ...op.shl, ...op.shl, ...op.i32(1), ...op.sub, ...op.and,
      ...op.xor, ...op.i32(FNV_PRIME), ...op.mul, ...op.set(HASH),
    ]),
    ...op.get(HASH), ...op.get(HASH), ...op.i32(15), ...op.shrU, ...op.xor, ...op.i32(MIX), ...op.mul, ...op.set(HASH),
    ...op.get(HASH), ...op.get(HASH), ...op.i32(12), ...op.shrU, ...op.xor, ...op.set(HASH),
  ];
}

/**
 * scan(pos, end, row, rowCap, width, delim, idAt) → SCANNED, ROWS_FULL, NEEDS_JS or TABLE_FULL, with the
 * position and row it stopped at in the header (the start of the record it could not finish).
 */
function scanFunction(): number[] {
  const [POS, END, ROW, ROW_CAP, WIDTH, DELIM, ID_AT] = [0, 1, 2, 3, 4, 5, 6];
  const [FIELD, SLOT, J, HASH, C, REC, LAST_START, LAST_END, SLOT_OF, BASE, , ID, F, K] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const [IN_START, IN_END, IN_HASH] = [21, 22, 23];
  const [V, DELIMS, LFS, CRS, QUOTES] = [37, 38, 39, 40, 41];
  const stop = (status: number, pos: number) => [
    ...store(op.i32(H_POS), op.get(pos)), ...store(op.i32(H_ROW), op.get(ROW)), ...op.i32(status), ...op.ret,
  ];
  const locals: InternLocals = { COL: SLOT, START: IN_START, END: IN_END, HASH: IN_HASH, ID, D: 27, SLOTS: 28, MASK: 29, AT: 30, E: 31, LEN: 32, A: 33, K: 34, SIZE: 35, USED: 36 };
  /** Looks cell [from, to) with hash `hash` up in column SLOT; stores its number for ROW (TABLE_FULL on a full table). */
  const intern = (from: number[], to: number[], hash: number[]) => [
    ...from, ...op.set(IN_START), ...to, ...op.set(IN_END), ...hash, ...op.set(IN_HASH),
    ...internCode(locals, [...store(op.i32(H_FULL), op.get(SLOT)), ...stop(TABLE_FULL, REC)]),
    ...store(at4(word(locals.D, D_ROWS), op.get(ROW)), op.get(ID)),
  ];
  const idField = (start: number[], end: number[]) => [
    ...store(at4(load(op.i32(H_ID_START)), op.get(ROW)), start),
    ...store(at4(load(op.i32(H_ID_END)), op.get(ROW)), end),
  ];
  const body = [
    ...load(op.i32(H_SLOT_OF)), ...op.set(SLOT_OF), ...load(op.i32(H_CHUNK)), ...op.set(BASE),
    ...op.get(DELIM), ...op.i8x16Splat, ...op.set(DELIMS), ...op.i32(LF), ...op.i8x16Splat, ...op.set(LFS), ...op.i32(CR), ...op.i8x16Splat, ...op.set(CRS), ...op.i32(QUOTE), ...op.i8x16Splat, ...op.set(QUOTES),
    ...loop([
      ...when([...op.get(POS), ...op.get(END), ...op.geU], stop(SCANNED, POS)),
      ...when([...op.get(ROW), ...op.get(ROW_CAP), ...op.geU], stop(ROWS_FULL, POS)),
      ...op.get(POS), ...op.set(REC), ...op.i32(0), ...op.set(FIELD),
      ...block(loop([
        ...when([...op.get(FIELD), ...op.get(WIDTH), ...op.geU], stop(NEEDS_JS, REC)),
        ...load(at4(op.get(SLOT_OF), op.get(FIELD))), ...op.set(SLOT),
        // A field opening with a quote runs to its closing quote (a doubled quote is one quote inside; the
        // JavaScript scan reports a quote left open), sixteen bytes at a time.
        ...op.get(POS), ...op.set(J),
        ...when([...op.get(POS), ...op.load8u, ...op.i32(QUOTE), ...op.eq], [
          ...op.get(POS), ...op.i32(1), ...op.add, ...op.set(J),
          ...block(loop([
            ...when([...op.get(J), ...op.get(END), ...op.geU], stop(NEEDS_JS, REC)),
            ...op.get(J), ...op.loadV128Unaligned, ...op.get(QUOTES), ...op.i8x16Eq, ...op.i8x16Bitmask, ...op.tee(C), ...op.eqz,
            ...when([], [...op.get(J), ...op.i32(16), ...op.add, ...op.set(J), ...br(1)]),
            ...op.get(J), ...op.get(C), ...op.ctz, ...op.add, ...op.set(J),
            ...when([...op.get(J), ...op.get(END), ...op.geU], stop(NEEDS_JS, REC)),
            ...when([...op.get(J), ...op.i32(1), ...op.add, ...op.load8u, ...op.i32(QUOTE), ...op.eq], [...op.get(J), ...op.i32(2), ...op.add, ...op.set(J), ...br(1)]),
            ...op.get(J), ...op.i32(1), ...op.add, ...op.set(J), ...br(1),
          ])),
        ]),
        // The field's end (after any closing quote): the first delimiter, LF or CR, sixteen bytes at a time.
        ...block(loop([
          ...op.get(J), ...op.loadV128Unaligned, ...op.tee(V), ...op.get(DELIMS), ...op.i8x16Eq,
          ...op.get(V), ...op.get(LFS), ...op.i8x16Eq, ...op.v128Or, ...op.get(V), ...op.get(CRS), ...op.i8x16Eq, ...op.v128Or,
          ...op.i8x16Bitmask, ...op.tee(C), ...brIf(1),
          ...op.get(J), ...op.i32(16), ...op.add, ...op.set(J), ...br(0),
        ])),
        ...op.get(J), ...op.get(C), ...op.ctz, ...op.add, ...op.set(J),
        ...when([...op.get(SLOT), ...op.i32(0), ...op.geS], [
          ...hashField(POS, J, HASH, K),
          ...intern(op.get(POS), op.get(J), op.get(HASH)),
        ]),
        ...when([...op.get(FIELD), ...op.get(ID_AT), ...op.eq], idField([...op.get(POS), ...op.get(BASE), ...op.sub], [...op.get(J), ...op.get(BASE), ...op.sub])),
        ...op.get(POS), ...op.set(LAST_START), ...op.get(J), ...op.set(LAST_END), ...op.get(J), ...op.set(POS),
        ...op.get(POS), ...op.get(END), ...op.geU, ...brIf(1),
        ...op.get(POS), ...op.load8u, ...op.set(C),
        ...when([...op.get(C), ...op.get(DELIM), ...op.eq], [
          ...op.get(POS), ...op.i32(1), ...op.add, ...op.set(POS), ...op.get(FIELD), ...op.i32(1), ...op.add, ...op.set(FIELD), ...br(1),
        ]),
        // CRLF ends a record as one break; LF or a lone CR as one byte
        ...op.get(POS), ...op.i32(1), ...op.add,
        ...op.get(C), ...op.i32(CR), ...op.eq, ...op.get(POS), ...op.i32(1), ...op.add, ...op.load8u, ...op.i32(LF), ...op.eq, ...op.and, ...op.add,
        ...op.set(POS), ...br(1),
      ])),
      // A blank line is not a record; a short one reads its missing fields as empty.
      // (A line holding just "" is blank too.)
      ...op.get(FIELD), ...op.eqz,
      ...op.get(LAST_END), ...op.get(LAST_START), ...op.sub, ...op.tee(C), ...op.eqz,
      ...op.get(C), ...op.i32(2), ...op.eq, ...op.get(LAST_START), ...op.load8u, ...op.i32(QUOTE), ...op.eq, ...op.and,
      ...op.get(LAST_START), ...op.i32(1), ...op.add, ...op.load8u, ...op.i32(QUOTE), ...op.eq, ...op.and, ...op.or,
      ...op.and, ...brIf(0),
      ...op.get(FIELD), ...op.i32(1), ...op.add, ...op.set(F),
      ...block(loop([
        ...op.get(F), ...op.get(WIDTH), ...op.geU, ...brIf(1),
        ...load(at4(op.get(SLOT_OF), op.get(F))), ...op.set(SLOT),
        ...when([...op.get(SLOT), ...op.i32(0), ...op.geS], intern(op.get(BASE), op.get(BASE), op.i32(EMPTY_HASH))),
        ...when([...op.get(F), ...op.get(ID_AT), ...op.eq], idField(op.i32(0), op.i32(0))),
        ...op.get(F), ...op.i32(1), ...op.add, ...op.set(F), ...br(0),
      ])),
      ...op.get(ROW), ...op.i32(1), ...op.add, ...op.set(ROW), ...br(0),
    ]),
    ...op.i32(SCANNED), // not reached: the loop leaves by its stops
    0x0b,
  ];
  return [...vec([[...uleb(30), I32], [...uleb(5), V128]]), ...body];
}

const cellsModule = compileOnce('cell scan', () => assemble([
  { name: 'intern', params: 4, returnsI32: true, code: internFunction() },
  { name: 'scan', params: 7, returnsI32: true, code: scanFunction() },
]));

interface Exports {
  intern(column: number, start: number, end: number, hash: number): number;
  scan(pos: number, end: number, row: number, rowCap: number, width: number, delim: number, idAt: number): number;
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

  /** Null where WebAssembly is not available (the byte path is then not used). */
  static create(columns: number, slotOf: Int32Array): CellTables | null {
    return cellsModule() ? new CellTables(columns, slotOf) : null;
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
    const memory = new WebAssembly.Memory({ initial: layout.pages });
    const instance = new WebAssembly.Instance(cellsModule()!, { env: { memory } });
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
      else this.growColumn(this.words[H_FULL >> 2]!);
    }
  }

  private growColumn(column: number): void {
    const d = this.descriptor(column);
    const size = this.words[d + (D_SIZE >> 2)]!;
    const used = this.words[d + (D_USED >> 2)]!;
    const room = this.room[column]!;
    this.grow(() => {
      while (room.entries < size + 1) room.entries *= 2;
      while (room.slots < 2 * (size + 1)) room.slots *= 2;
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

  /** The number of distinct cells column `column` holds. */
  size(column: number): number {
    return this.words[this.descriptor(column) + (D_SIZE >> 2)]!;
  }

  /** The raw bytes of cell `id` of column `column`. */
  cell(column: number, id: number): Uint8Array {
    const d = this.descriptor(column);
    const start = this.words[(this.words[d + (D_STARTS >> 2)]! >> 2) + id]!;
    const length = this.words[(this.words[d + (D_LENGTHS >> 2)]! >> 2) + id]!;
    const arena = this.words[d + (D_ARENA >> 2)]!;
    return this.bytes.slice(arena + start, arena + start + length);
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
