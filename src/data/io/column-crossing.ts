/**
 * What crosses between the typed CSV reader's threads (column-shard.ts): a batch of records as a message to
 * the column worker (its bytes and offsets in shared memory, not copied), and a finished column coming back
 * (its numbers transferred, not cloned).
 */
import { RecordBatch } from './column-builder.ts';
import type { ColumnResult } from './column-shard.ts';
import { countedDistinct } from './number-column.ts';
import { presentNumbers } from '../columns.ts';
import type { ColumnSchema } from '../types/schema.ts';
import { type CodedColumn, codedValues } from './text-columns.ts';

/**
 * A finished column as it crosses between threads: an array of numbers and nulls (a numeric column with
 * missing cells) as a `Float64Array` and a mask of the nulls, both transferred, where the structured clone of a
 * million-element array took a fifth of a second each way; a text column as its levels and each row's level
 * (`CodedColumn`, the codes transferred), where a million texts took 0.07–0.16 s to cross (BENCHMARKS.md,
 * session 17); anything else as it is.
 */
export type PortableColumn = (ColumnResult | (Omit<ColumnResult, 'values'> & { numbers: Float64Array; nulls: Uint8Array }) | CodedColumn) & {
  /** A numeric column whose `distinct` is left `UNCOUNTED` for the receiver (`countedDistinct`), and whether its values are all integers. */
  uncounted?: { integers: boolean };
};

/** A column ready to cross (`PortableColumn`), and the buffers to transfer with it. */
export function portable(column: ColumnResult): { column: PortableColumn; transfer: ArrayBuffer[] } {
  const { values } = column;
  if (ArrayBuffer.isView(values)) return { column, transfer: values.buffer instanceof ArrayBuffer ? [values.buffer] : [] };
  if (!Array.isArray(values) || !values.every((v) => v === null || typeof v === 'number')) return { column, transfer: [] };
  const numbers = new Float64Array(values.length);
  const nulls = new Uint8Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const v = values[r] as number | null;
    if (v === null) nulls[r] = 1;
    else numbers[r] = v;
  }
  const { values: _values, ...rest } = column;
  return { column: { ...rest, numbers, nulls }, transfer: [numbers.buffer, nulls.buffer] };
}

/**
 * A numeric column with missing cells (NaN in `all`, a finished builder's own array, transferred) as it
 * crosses: its numbers and a mask of the missing.
 */
export function portableNumbers(schema: ColumnSchema, all: Float64Array): { column: PortableColumn; transfer: ArrayBuffer[] } {
  const nulls = new Uint8Array(all.length);
  for (let r = 0; r < all.length; r++) if (Number.isNaN(all[r]!)) nulls[r] = 1;
  return { column: { schema, numbers: all, nulls }, transfer: [all.buffer as ArrayBuffer, nulls.buffer] };
}

/** A text column's levels and codes (`TextBuilder.finishCoded`) as they cross: the codes transferred. */
export function portableCoded(column: CodedColumn): { column: PortableColumn; transfer: ArrayBuffer[] } {
  return { column, transfer: column.codes && column.codes.buffer instanceof ArrayBuffer ? [column.codes.buffer] : [] };
}

/** The column a `PortableColumn` carries (with its distinct numbers counted here, where they were left uncounted). */
export function unportable(crossed: PortableColumn): ColumnResult {
  const { uncounted, ...column } = crossed;
  if ('codes' in column) return { schema: column.schema, values: codedValues(column) };
  if (uncounted) {
    const numbers = 'numbers' in column ? column.numbers : (column.values as Float64Array);
    column.schema = countedDistinct(column.schema, column.schema.missing > 0 ? presentNumbers(numbers) : numbers, uncounted.integers);
  }
  if (!('numbers' in column)) return column;
  const { numbers, nulls, ...rest } = column;
  const values = new Array<number | null>(numbers.length);
  for (let r = 0; r < numbers.length; r++) values[r] = nulls[r] === 1 ? null : numbers[r]!;
  return { ...rest, values };
}

/** A batch of records as a message to a worker: the bytes and offsets are shared, not copied. */
export interface BatchMessage {
  buffer: SharedArrayBuffer;
  offset: number;
  length: number;
  starts: SharedArrayBuffer;
  ends: SharedArrayBuffer;
  texts: string[];
  width: number;
  count: number;
  firstRow: number;
}

export function batchMessage(bytes: Buffer, batch: RecordBatch): BatchMessage {
  const { buffer } = bytes;
  if (!(buffer instanceof SharedArrayBuffer) || !(batch.starts.buffer instanceof SharedArrayBuffer) || !(batch.ends.buffer instanceof SharedArrayBuffer)) {
    throw new Error('a batch handed to the column worker must be held in shared memory');
  }
  return { buffer, offset: bytes.byteOffset, length: bytes.length, starts: batch.starts.buffer, ends: batch.ends.buffer, texts: batch.texts, width: batch.width, count: batch.count, firstRow: batch.firstRow };
}

/** The bytes and batch a `BatchMessage` shares (in the worker). */
export function batchOf(message: BatchMessage): { bytes: Buffer; batch: RecordBatch } {
  const batch = new RecordBatch(false, 0);
  batch.starts = new Int32Array(message.starts);
  batch.ends = new Int32Array(message.ends);
  batch.texts = message.texts;
  batch.width = message.width;
  batch.count = message.count;
  batch.firstRow = message.firstRow;
  return { bytes: Buffer.from(message.buffer, message.offset, message.length), batch };
}
