/**
 * The typed CSV reader's numeric columns (columnar.ts): a column its sample calls numeric, each cell parsed
 * as it arrives, from its bytes where it is a plain number.
 */
import { type ColumnBuilder, Misfit, type RecordBatch } from './column-builder.ts';
import { NumberColumn } from './number-column.ts';
import { MISSING, PlainNumbers, REFERENCE, SHORT } from './plain-numbers.ts';
import { plainBytesReadable, plainNumber } from '../types/plain-number.ts';
import { isMissing } from '../types/missing.ts';
import { type ColumnReading, columnWithReading } from '../types/reading.ts';
import { type ColumnSchema, DECIMAL_COMMA, NUMBER, toNumber } from '../types/schema.ts';
import { thousands } from '../../thousands.ts';

/**
 * A column the sample calls numeric: each value parsed as it arrives (as the reference typing parses it),
 * with the facts the reference inference reads gathered over every row.
 */
export class NumericBuilder extends NumberColumn implements ColumnBuilder {
  /** Whether `addBytes` may read plain numbers itself (see `plainBytesReadable`). */
  private readonly plain: boolean;

  /** `trained`: the column as the training file read it, whose type holds whatever these rows look like. */
  constructor(name: string, private readonly decimalComma: boolean, private readonly tokens: ReadonlySet<string>, private readonly trained?: ColumnReading) {
    super(name);
    this.plain = plainBytesReadable(decimalComma, tokens);
  }

  add(raw: string, row: number): void {
    if (isMissing(raw, this.tokens)) {
      this.takeMissing(row);
      return;
    }
    const text = raw.trim();
    const decimalComma = this.decimalComma;
    if (!(decimalComma ? DECIMAL_COMMA : NUMBER).test(text)) {
      throw new Misfit(`${this.name}: "${text.slice(0, 40)}" on data row ${thousands(row + 1)} is not a number${decimalComma ? ' with a decimal comma' : ''} like the rows before it`);
    }
    this.take(toNumber(text, decimalComma), row);
    this.count(text);
  }

  /**
   * The fast path, for cells of ASCII digits, signs, points and exponents between spaces or tabs: an empty
   * one is missing, a plain number (`plainNumber`) is read from the bytes, and its text is made only while
   * the column's texts are still counted (or, past the cap, for a text as short as a sentinel). Any other
   * cell, or any cell of a column `plainBytesReadable` turns away, is read by `add` from its text.
   */
  addBytes(bytes: Buffer, start: number, end: number, row: number): void {
    if (this.plain) {
      let s = start;
      let e = end;
      while (s < e && (bytes[s] === SPACE || bytes[s] === TAB)) s++;
      while (e > s && (bytes[e - 1] === SPACE || bytes[e - 1] === TAB)) e--;
      if (s === e) {
        this.takeMissing(row);
        return;
      }
      const x = plainNumber(bytes, s, e);
      if (!Number.isNaN(x)) {
        this.take(x, row);
        if (!this.overflow || e - s <= 4) this.count(bytes.toString('latin1', s, e));
        return;
      }
    }
    this.add(bytes.toString('utf8', start, end), row);
  }

  addBatch(bytes: Buffer, batch: RecordBatch, c: number): void {
    const { starts, ends, texts, width, count, firstRow } = batch;
    const wasm = this.plain ? PlainNumbers.get() : null;
    if (wasm) {
      // Plain numbers read in WebAssembly; a cell's text is made only where `addBytes` would make it (while
      // the texts are counted, or a short one past the cap); anything else the reference way, from its text.
      const read = wasm.column(bytes, batch, c);
      const { values, status } = read;
      if (this.overflow && read.reference === 0) {
        // Past the cap and every cell plain or missing: the batch's values at once, then the short texts the
        // sentinel counts need (the same facts as row by row: min and max keep the first of equals either way).
        this.takeBatch(values, firstRow, read);
        if (read.short > 0) for (let r = 0, at = c; r < count; r++, at += width) if (status[r] === SHORT) this.count(trimmedText(bytes, starts[at]!, ends[at]!));
        return;
      }
      for (let r = 0, at = c; r < count; r++, at += width) {
        const state = status[r]!;
        if (state === MISSING) {
          this.takeMissing(firstRow + r);
        } else if (state === REFERENCE) {
          const start = starts[at]!;
          this.add(start < 0 ? texts[-1 - start]! : bytes.toString('utf8', start, ends[at]!), firstRow + r);
        } else {
          this.take(values[r]!, firstRow + r);
          if (!this.overflow || state === SHORT) this.count(trimmedText(bytes, starts[at]!, ends[at]!));
        }
      }
      return;
    }
    for (let r = 0, at = c; r < count; r++, at += width) {
      const start = starts[at]!;
      if (start < 0) this.add(texts[-1 - start]!, firstRow + r);
      else this.addBytes(bytes, start, ends[at]!, firstRow + r);
    }
  }

  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    const { schema, all } = this.finishNumbers(rows);
    return { schema, values: this.typed(all) };
  }

  /**
   * The column's schema and its values as numbers, NaN where missing (and `missing` of them): what a worker
   * hands over (column-shard.ts `portable`) without making the array of numbers and nulls a dataset holds,
   * which the reader's thread makes. Without `countDistinct`, a count of distinct numbers past the cap is
   * left to the caller (`UNCOUNTED`, then `countedDistinct` with `integers`).
   */
  finishNumbers(rows: number, countDistinct = true): { schema: ColumnSchema; all: Float64Array; missing: number; integers: boolean } {
    const { schema: inferred, all } = this.numericFacts(rows, this.decimalComma, countDistinct);
    const schema = this.trained ? columnWithReading(inferred, this.trained) : inferred;
    // An identifier over every row though not over the sample (unique integers that fill their range only
    // as a whole): the reference reads it as text, which these parsed numbers no longer are.
    if (schema.type !== 'numeric') throw new Misfit(`${this.name}: its integers are an identifier over the whole file but not over the first rows`);
    return { schema, all, missing: this.missing, integers: this.integers };
  }
}

/** A plain cell's text, spaces and tabs trimmed (its bytes are ASCII). */
function trimmedText(bytes: Buffer, start: number, end: number): string {
  while (start < end && (bytes[start] === SPACE || bytes[start] === TAB)) start++;
  while (end > start && (bytes[end - 1] === SPACE || bytes[end - 1] === TAB)) end--;
  return bytes.toString('latin1', start, end);
}

const SPACE = 32;
const TAB = 9;

