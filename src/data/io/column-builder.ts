/**
 * What the typed CSV reader's columns share (columnar.ts reads, its builders take the cells): the batch of
 * records a column reads its cells from, the interface every column builder has, and the error that stops
 * the reader at a value its sample's types cannot hold.
 */
import type { CsvByteRecords } from './csv-bytes.ts';
import type { ColumnSchema } from '../types/schema.ts';

/**
 * Thrown to stop reading at the first value the sample's types cannot hold; `column`: the column it is in,
 * where known (a reader of columns on two threads reports the misfit of the first column, as one thread does).
 */
export class Misfit extends Error {
  column?: number;
}

/**
 * One column's values as they stream: numbers parsed, or text kept for the reference inference. `add` takes a
 * cell as text (the reference way); `addBytes` takes an unquoted cell as its bytes in the file and reads
 * what it can without making a string of it, handing anything else to `add`.
 */
export interface ColumnBuilder {
  add(raw: string, row: number): void;
  addBytes(bytes: Buffer, start: number, end: number, row: number): void;
  /**
   * Column `c` of a batch of records, row by row: quoted fields to `add`, the rest to `addBytes`. Each
   * builder has its own copy of this loop, so that its calls are monomorphic (a shared loop over both
   * kinds measured 14.5–15.4 s for the 1M-row scale file, a copy each 11.9–12.9 s).
   */
  addBatch(bytes: Buffer, batch: RecordBatch, c: number): void;
  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> };
  /** Room for this many rows at once (the reader's estimate of the file's rows), so the column grows no more by doubling. */
  reserve(rows: number): void;
}

/**
 * The records cut from the bytes in hand, as a matrix of field offsets (row by row, `width` per row), so
 * that each column is then read in a loop of its own rather than one cell of each column in turn. A quoted
 * field is decoded as it is taken (its start is then −1 − its place in `texts`); a field a short row lacks
 * is an empty range, which reads as an empty cell. The offsets point into the bytes the records were cut
 * from, so a batch is flushed before more bytes are fed.
 */
export class RecordBatch {
  starts: Int32Array;
  ends: Int32Array;
  texts: string[] = [];
  width = 0;
  count = 0;
  firstRow = 0;

  /** `shared`: the offsets are kept in `SharedArrayBuffer`s, for another thread to read (column-shard.ts). */
  constructor(private readonly shared = false, size = 1 << 16) {
    this.starts = this.offsets(size);
    this.ends = this.offsets(size);
  }

  private offsets(n: number): Int32Array {
    return this.shared ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n);
  }

  take(records: CsvByteRecords, row: number): void {
    if (this.count === 0) this.firstRow = row;
    const width = this.width;
    const at = this.count * width;
    this.room(at + width);
    const fields = records.fields;
    for (let c = 0; c < width; c++) {
      if (c >= fields) {
        this.starts[at + c] = 0;
        this.ends[at + c] = 0;
      } else if (records.quoted[c] === 1) {
        this.starts[at + c] = -1 - this.texts.length;
        this.texts.push(records.text(c));
      } else {
        this.starts[at + c] = records.starts[c]!;
        this.ends[at + c] = records.ends[c]!;
      }
    }
    this.count++;
  }

  /**
   * Takes `n` records cut elsewhere (record-cut.ts), the first as row `row`: their fields' starts and ends,
   * `width` per record, none quoted.
   */
  takeCut(starts: Int32Array, ends: Int32Array, n: number, row: number): void {
    if (n === 0) return;
    if (this.count === 0) this.firstRow = row;
    const at = this.count * this.width;
    this.room(at + n * this.width);
    this.starts.set(starts, at);
    this.ends.set(ends, at);
    this.count += n;
  }

  /** Room for `size` offsets of each kind (doubling, keeping those taken). */
  private room(size: number): void {
    if (size <= this.starts.length) return;
    const starts = this.offsets(2 * size);
    starts.set(this.starts);
    this.starts = starts;
    const ends = this.offsets(2 * size);
    ends.set(this.ends);
    this.ends = ends;
  }

  /**
   * A copy of the batch and of `bytes` (the bytes its offsets point into, up to its last record's end), in
   * shared memory and sized to fit: the sample's batches, kept while later bytes are read.
   */
  sharedCopy(bytes: Buffer): { bytes: Buffer; batch: RecordBatch } {
    const copy = new RecordBatch(true, this.count * this.width);
    copy.copyOffsets(this);
    const shared = Buffer.from(new SharedArrayBuffer(bytes.length));
    bytes.copy(shared);
    return { bytes: shared, batch: copy };
  }

  /** Takes `other`'s records (their width, offsets and quoted texts), growing as needed. */
  copyOffsets(other: RecordBatch): void {
    const n = other.count * other.width;
    if (this.starts.length < n) {
      this.starts = this.offsets(n);
      this.ends = this.offsets(n);
    }
    this.starts.set(other.starts.subarray(0, n));
    this.ends.set(other.ends.subarray(0, n));
    this.texts = other.texts;
    this.width = other.width;
    this.count = other.count;
    this.firstRow = other.firstRow;
  }

  /** Empties the batch (its offsets point into bytes about to be replaced). */
  clear(): void {
    this.count = 0;
    this.texts = [];
  }
}
