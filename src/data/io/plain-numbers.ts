/**
 * A batch's numeric columns read in WebAssembly (src/wasm/plain-numbers.wat), for `NumericBuilder.addBatch`:
 * the batch's bytes and field offsets are copied into the module's memory once, then each numeric column's
 * cells are trimmed and read as plain numbers there (`plainNumber`'s rule, bit for bit), each row marked as a
 * value, a value of at most four bytes (whose text the sentinel counts need), missing, or a cell for the
 * reference path (quoted, or not a plain number). In JavaScript the cells cost ~115 ns each on the column
 * worker, which reads them from shared memory (BENCHMARKS.md, session 15). One reader per thread; its memory
 * grows to the largest batch read (about 20 MB for a 4 MiB piece of a 36-column file) and is kept.
 */
import type { RecordBatch } from './column-builder.ts';
import { Layout, wasmModule } from '../../wasm/modules.ts';

/** A row's status (plain-numbers.wat). */
export const VALUE = 0;
export const SHORT = 1;
export const MISSING = 2;
export const REFERENCE = 3;

/**
 * A column of a batch as `PlainNumbers.column` reads it: each row's value (NaN where missing) and status,
 * the rows of each status but VALUE, and the least and greatest value and whether all are integers (over
 * the VALUE and SHORT rows).
 */
export interface ColumnNumbers {
  values: Float64Array;
  status: Uint8Array;
  short: number;
  missing: number;
  reference: number;
  min: number;
  max: number;
  integers: boolean;
}

/** Where `column` adds up its rows (plain-numbers.wat). */
const TALLY = 192;

interface Exports {
  column(bytes: number, starts: number, ends: number, width: number, column: number, count: number, values: number, status: number): void;
}

/** The powers of ten the fast path multiplies or divides by, each exact in a double. */
const POWERS = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

export class PlainNumbers {
  private memory!: WebAssembly.Memory;
  private exports!: Exports;
  /** The batch whose records are in memory (its object, first row and count, and the bytes' place). */
  private held: { batch: RecordBatch; firstRow: number; count: number; buffer: ArrayBufferLike; offset: number } | null = null;
  private layout = { bytes: 0, starts: 0, ends: 0, values: 0, status: 0 };

  private constructor(private readonly module: WebAssembly.Module) {
    this.instantiate(1);
  }

  private static thread: PlainNumbers | null | undefined;

  /** This thread's reader; null where the runtime has no WebAssembly (the builders then read every cell in JavaScript). */
  static get(): PlainNumbers | null {
    if (PlainNumbers.thread === undefined) {
      const module = wasmModule('plain-numbers');
      PlainNumbers.thread = module ? new PlainNumbers(module) : null;
    }
    return PlainNumbers.thread;
  }

  private instantiate(pages: number): void {
    this.memory = new WebAssembly.Memory({ initial: pages });
    this.exports = new WebAssembly.Instance(this.module, { env: { memory: this.memory } }).exports as unknown as Exports;
    new Float64Array(this.memory.buffer, 0, POWERS.length).set(POWERS);
  }

  /**
   * Column `c` of the batch: each row's value and status, as views into the module's memory that hold until
   * the next call. `bytes`: the bytes the batch's offsets point into.
   */
  column(bytes: Buffer, batch: RecordBatch, c: number): ColumnNumbers {
    const held = this.held;
    if (!held || held.batch !== batch || held.firstRow !== batch.firstRow || held.count !== batch.count || held.buffer !== bytes.buffer || held.offset !== bytes.byteOffset) this.hold(bytes, batch);
    const { count, width } = batch;
    const at = this.layout;
    this.exports.column(at.bytes, at.starts, at.ends, width, c, count, at.values, at.status);
    // What `column` added up: the rows of each status (i32 × 4), min and max (f64 at +16), all integers (i32 at +32).
    const tally = new Int32Array(this.memory.buffer, TALLY, 9);
    const range = new Float64Array(this.memory.buffer, TALLY + 16, 2);
    return {
      values: new Float64Array(this.memory.buffer, at.values, count), status: new Uint8Array(this.memory.buffer, at.status, count),
      short: tally[SHORT]!, missing: tally[MISSING]!, reference: tally[REFERENCE]!, min: range[0]!, max: range[1]!, integers: tally[8] === 1,
    };
  }

  /**
   * `count` cells given as their starts and lengths in `bytes` (the byte scorer's distinct cells: cell-tables.ts
   * `plainNumbers`), read as a batch of one column: each cell's value and status, views as `column` returns.
   */
  cells(bytes: Uint8Array, starts: Int32Array, lengths: Int32Array): { values: Float64Array; status: Uint8Array } {
    const count = starts.length;
    let low = bytes.length;
    let high = 0;
    for (let k = 0; k < count; k++) {
      low = Math.min(low, starts[k]!);
      high = Math.max(high, starts[k]! + lengths[k]!);
    }
    if (count === 0) low = high = 0;
    const layout = new Layout();
    layout.take(TALLY + 64);
    const at = { bytes: layout.take(high - low), starts: layout.take(4 * count), ends: layout.take(4 * count), values: layout.take(8 * count), status: layout.take(count) };
    if (layout.bytes > this.memory.buffer.byteLength) this.instantiate(Math.ceil(1.25 * layout.pages));
    this.held = null;
    new Uint8Array(this.memory.buffer, at.bytes, high - low).set(bytes.subarray(low, high));
    const from = new Int32Array(this.memory.buffer, at.starts, count);
    const to = new Int32Array(this.memory.buffer, at.ends, count);
    for (let k = 0; k < count; k++) {
      from[k] = starts[k]! - low;
      to[k] = starts[k]! - low + lengths[k]!;
    }
    this.exports.column(at.bytes, at.starts, at.ends, 1, 0, count, at.values, at.status);
    return { values: new Float64Array(this.memory.buffer, at.values, count), status: new Uint8Array(this.memory.buffer, at.status, count) };
  }

  /** Copies the batch's records (its bytes and offsets) into memory. */
  private hold(bytes: Buffer, batch: RecordBatch): void {
    const { count, width } = batch;
    const n = count * width;
    const used = bytes.length;
    const layout = new Layout();
    layout.take(TALLY + 64);
    const at = {
      bytes: layout.take(used),
      starts: layout.take(4 * n),
      ends: layout.take(4 * n),
      values: layout.take(8 * count),
      status: layout.take(count),
    };
    if (layout.bytes > this.memory.buffer.byteLength) this.instantiate(Math.ceil(1.25 * layout.pages));
    new Uint8Array(this.memory.buffer, at.bytes, used).set(bytes.subarray(0, used));
    new Int32Array(this.memory.buffer, at.starts, n).set(batch.starts.subarray(0, n));
    new Int32Array(this.memory.buffer, at.ends, n).set(batch.ends.subarray(0, n));
    this.layout = at;
    this.held = { batch, firstRow: batch.firstRow, count, buffer: bytes.buffer, offset: bytes.byteOffset };
  }
}
