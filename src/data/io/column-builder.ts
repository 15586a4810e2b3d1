/**
 * What the typed CSV reader's columns share (columnar.ts reads, its builders take the cells): the batch of
 * records a column reads its cells from, the interface every column builder has, and the error that stops
 * the reader at a value its sample's types cannot hold.
 */
import type { CsvByteRecords } from './csv-bytes.ts';
import type { ColumnSchema } from '../types/schema.ts';

/** Thrown inside the parser's callback to stop reading at the first value the sample's types cannot hold. */
export class Misfit extends Error {}

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
  starts = new Int32Array(1 << 16);
  ends = new Int32Array(1 << 16);
  texts: string[] = [];
  width = 0;
  count = 0;
  firstRow = 0;

  take(records: CsvByteRecords, row: number): void {
    if (this.count === 0) this.firstRow = row;
    const width = this.width;
    const at = this.count * width;
    if (at + width > this.starts.length) {
      const starts = new Int32Array(2 * (at + width));
      starts.set(this.starts);
      this.starts = starts;
      const ends = new Int32Array(2 * (at + width));
      ends.set(this.ends);
      this.ends = ends;
    }
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

  /** Hands each column's cells to its builder, in row order, and empties the batch. */
  flush(bytes: Buffer, builders: ColumnBuilder[] | null): void {
    if (this.count === 0 || builders === null) return;
    for (let c = 0; c < this.width; c++) builders[c]!.addBatch(bytes, this, c);
    this.count = 0;
    this.texts = [];
  }
}
