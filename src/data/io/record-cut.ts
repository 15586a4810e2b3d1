/**
 * Plain CSV records cut in WebAssembly (src/wasm/record-cut.wat): `RecordCut` straight into a `RecordBatch`,
 * for the typed reader (columnar.ts); `LineCut` into chunks of whole records, for the streaming scorer.
 *
 * `RecordCut`'s plain records: no quote anywhere in the record, ended by LF or CRLF, exactly the
 * header's number of fields. The cut stops at the first other record, which the caller reads with
 * `CsvByteRecords.next` (the reference cut, CsvParser's rules) before calling again; so the batch is the one
 * the reference cut gives, offset for offset (test/data/io/record-cut.test.ts).
 *
 * @example
 * const cut = RecordCut.create(',');
 * for (;;) {
 *   row += cut?.cut(records, batch, row) ?? 0;
 *   if (!records.next()) break;
 *   batch.take(records, row++);
 * }
 */
import type { RecordBatch } from './column-builder.ts';
import type { CsvByteRecords } from './csv-bytes.ts';
import { Layout, PAGE_BYTES, wasmModule } from '../../wasm/modules.ts';

interface Exports {
  cut(pos: number, end: number, width: number, delim: number, starts: number, ends: number, rowCap: number, bias: number): number;
  lines(pos: number, end: number, maxRecords: number): number;
}

/**
 * Records cut per call: the offsets' room in the module's memory (the caller's bytes are cut in several
 * calls), at most `OFFSETS_PER_CALL` fields' for a wide file.
 */
const ROW_CAP = 8192;
const OFFSETS_PER_CALL = 1 << 20;
/** Room after the bytes: the LF that stops the search and the sixteen-byte loads past it. */
const TAIL = 32;
const HEADER = 64;

export class RecordCut {
  private memory!: WebAssembly.Memory;
  private exports!: Exports;
  /** Records cut by WebAssembly so far (tests check the fast cut is taken). */
  cutRecords = 0;
  /** The bytes last copied into the module's memory (a `CsvByteRecords.bytes` view: a new one after each feed), from `copiedFrom`. */
  private copied: Buffer | null = null;
  private copiedFrom = 0;
  /** Where the copy and the offsets are in the module's memory (`end`: just past the copied bytes). */
  private layout: { at: number; end: number; starts: number; ends: number } | null = null;

  private constructor(private readonly delim: number, private readonly module: WebAssembly.Module) {
    this.instantiate(1);
  }

  /** A memory of `pages` pages and an instance on it (a memory made larger: a piece longer than those before). */
  private instantiate(pages: number): void {
    ({ memory: this.memory, exports: this.exports } = instanceOn(this.module, pages));
  }

  /**
   * A cutter for `delimiter`; null for a delimiter that is not one ASCII byte (`CsvByteRecords` compares each
   * byte with its code) or where the runtime has no WebAssembly: the reference cut then reads every record.
   */
  static create(delimiter: string): RecordCut | null {
    const code = delimiter.charCodeAt(0);
    if (delimiter.length !== 1 || code > 127) return null;
    const module = wasmModule('record-cut');
    return module ? new RecordCut(code, module) : null;
  }

  /**
   * Cuts the plain records at the front of `records`' bytes not yet cut into `batch` (the first as row
   * `row`; at most `limit`), and marks them cut (`CsvByteRecords.skip`); returns how many. Stops at the first
   * record that is not plain, or not whole in the bytes fed so far.
   */
  cut(records: CsvByteRecords, batch: RecordBatch, row: number, limit = Infinity): number {
    const width = batch.width;
    const pending = records.pending;
    if (pending === 0 || width === 0) return 0;
    const bytes = records.bytes;
    const from = bytes.length - pending;
    if (bytes !== this.copied) this.copy(bytes, from, width);
    const { at, end, starts, ends } = this.layout!;
    const words = new Int32Array(this.memory.buffer);
    const bias = this.copiedFrom - at;
    const start = from - bias;
    let pos = start;
    let total = 0;
    while (total < limit) {
      const cap = Math.min(rowsPerCall(width), limit - total);
      const n = this.exports.cut(pos, end, width, this.delim, starts, ends, cap, bias);
      batch.takeCut(words.subarray(starts >> 2, (starts >> 2) + n * width), words.subarray(ends >> 2, (ends >> 2) + n * width), n, row + total);
      total += n;
      pos = words[0]!;
      if (n < cap) break;
    }
    records.skip(pos - start, total);
    this.cutRecords += total;
    return total;
  }

  /**
   * Copies the bytes fed and not yet cut (`bytes` from `from`) into the module's memory, once per `feed`:
   * later calls on the same bytes cut on from where the reference cut left them.
   */
  private copy(bytes: Buffer, from: number, width: number): void {
    const pending = bytes.length - from;
    const layout = new Layout();
    layout.take(HEADER);
    const at = layout.take(pending + TAIL);
    const starts = layout.take(4 * rowsPerCall(width) * width);
    const ends = layout.take(4 * rowsPerCall(width) * width);
    if (layout.bytes > this.memory.buffer.byteLength) this.instantiate(layout.pages);
    const heap = new Uint8Array(this.memory.buffer);
    heap.set(bytes.subarray(from), at);
    heap[at + pending] = LF;
    this.layout = { at, end: at + pending, starts, ends };
    this.copied = bytes;
    this.copiedFrom = from;
  }
}

const LF = 10;

/** A new memory of `pages` pages and an instance of the module on it. */
function instanceOn(module: WebAssembly.Module, pages: number): { memory: WebAssembly.Memory; exports: Exports } {
  const memory = new WebAssembly.Memory({ initial: pages });
  return { memory, exports: new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports };
}

function rowsPerCall(width: number): number {
  return Math.max(1, Math.min(ROW_CAP, Math.floor(OFFSETS_PER_CALL / width)));
}

/**
 * The streaming scorer's chunk cut (stream.ts): csv.ts `scanRecords` for bytes whose lines hold no quote and
 * no CR but the one before a LF (most files, Windows exports included), in WebAssembly. `scanRecords` makes
 * two native byte searches a line (the LF, then the CRs), which cost a 1,000,000-line file ~70 ms of a
 * `leadscore score` run (BENCHMARKS.md, session 23); here the bytes are copied into the module's memory
 * once per read and searched sixteen at a time. Where it meets a quote or another CR, and for the last line
 * of a file that does not end in a line break, it answers null and the caller takes `scanRecords`' answer
 * (the reference; test/data/io/record-cut.test.ts compares the two on awkward bytes).
 */
export class LineCut {
  private memory!: WebAssembly.Memory;
  private exports!: Exports;
  /** Calls left to `scanRecords` (the tests check they are not on plain lines; the stream counts the chunks cut here). */
  declined = 0;
  /** The bytes last copied into the module's memory (one view per read: the same view until the next). */
  private copied: Uint8Array | null = null;

  private constructor(private readonly module: WebAssembly.Module) {
    this.instantiate(1);
  }

  /** A memory of `pages` pages and an instance on it (larger bytes than those before: a longer line, or more chunks a read). */
  private instantiate(pages: number): void {
    ({ memory: this.memory, exports: this.exports } = instanceOn(this.module, pages));
  }

  /** The cut; null where the runtime has no WebAssembly (the caller then uses `scanRecords` alone). */
  static create(): LineCut | null {
    const module = wasmModule('record-cut');
    return module ? new LineCut(module) : null;
  }

  /**
   * `scanRecords(bytes, start, delimiter, maxRecords, final)` (any one-byte delimiter: lines do not depend on
   * it), or null where that must answer.
   */
  scan(bytes: Uint8Array, start: number, maxRecords: number, final: boolean): { end: number; records: number; lines: number } | null {
    if (bytes !== this.copied) this.copy(bytes);
    const end = HEADER + bytes.length;
    const records = this.exports.lines(HEADER + start, end, maxRecords);
    const words = new Int32Array(this.memory.buffer, 0, 2);
    // At the end of the file a last line without a line break is a record too: `scanRecords` takes it.
    if (records < 0 || (final && records < maxRecords && words[0]! < end)) {
      this.declined++;
      return null;
    }
    return { end: words[0]! - HEADER, records, lines: words[1]! };
  }

  /** Copies `bytes` into the module's memory after the header, with the LF that stops the search and room past it. */
  private copy(bytes: Uint8Array): void {
    const need = HEADER + bytes.length + TAIL;
    if (need > this.memory.buffer.byteLength) this.instantiate(Math.ceil((1.25 * need) / PAGE_BYTES));
    const heap = new Uint8Array(this.memory.buffer);
    heap.set(bytes, HEADER);
    heap[HEADER + bytes.length] = LF;
    this.copied = bytes;
  }
}
