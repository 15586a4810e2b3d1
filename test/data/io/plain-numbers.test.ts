/**
 * A batch's numeric column read in WebAssembly (plain-numbers.ts) against its JavaScript reference: each
 * cell trimmed as `NumericBuilder.addBytes` trims it and read by `plainNumber`, bit for bit; the facts it
 * adds up against the same facts gathered row by row; and the reader's columns read from a file with and
 * without it are the reference reading's (columnar.test.ts, two-threads.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordBatch } from '../../../src/data/io/column-builder.ts';
import { CsvByteRecords } from '../../../src/data/io/csv-bytes.ts';
import { MISSING, PlainNumbers, REFERENCE, SHORT, VALUE } from '../../../src/data/io/plain-numbers.ts';
import { plainNumber } from '../../../src/data/types/plain-number.ts';

const digits = fc.stringMatching(/^[0-9]{0,18}$/);
const numberText = fc.tuple(fc.constantFrom('', '-', '+'), digits, fc.constantFrom('', '.'), digits, fc.constantFrom('', 'e', 'E', 'e-', 'e+'), fc.stringMatching(/^[0-9]{0,4}$/))
  .map((parts) => parts.join(''));
const padding = fc.constantFrom('', ' ', '\t', '  ');
const cellText = fc.oneof(
  fc.tuple(padding, numberText, padding).map((p) => p.join('')),
  fc.constantFrom('', ' ', '"1.5"', '"x,y"', 'NA', '1e400', '0', '-0', '-0.0', '12345678901234567', '1.5x', '.', '-', 'e5'),
);

/** The batch the reader cuts from rows of cells (`width` columns), and its bytes. */
function batchOf(rows: string[][], width: number): { bytes: Buffer; batch: RecordBatch } {
  const records = new CsvByteRecords(',', { line: 1 });
  records.feed(Buffer.from(rows.map((r) => `${r.join(',')}\n`).join('')), true);
  const batch = new RecordBatch();
  batch.width = width;
  let row = 0;
  while (records.next()) batch.take(records, row++);
  return { bytes: records.bytes, batch };
}

function trimmed(bytes: Buffer, start: number, end: number): [number, number] {
  while (start < end && (bytes[start] === 32 || bytes[start] === 9)) start++;
  while (end > start && (bytes[end - 1] === 32 || bytes[end - 1] === 9)) end--;
  return [start, end];
}

describe('PlainNumbers', () => {
  it('reads each cell as the reference trims and reads it, bit for bit, and adds up the same facts (property)', () => {
    const reader = PlainNumbers.get();
    expect(reader).not.toBeNull();
    fc.assert(fc.property(fc.array(fc.tuple(cellText, cellText), { minLength: 1, maxLength: 60 }), fc.nat(1), (cells, c) => {
      const { bytes, batch } = batchOf(cells.map(([a, b]) => [a, b]), 2);
      const read = reader!.column(bytes, batch, c);
      const expected = { missing: 0, short: 0, reference: 0, min: Infinity, max: -Infinity, integers: true };
      for (let r = 0; r < batch.count; r++) {
        const start = batch.starts[r * 2 + c]!;
        let status: number;
        let value = Number.NaN;
        if (start < 0) {
          status = REFERENCE;
        } else {
          const [s, e] = trimmed(bytes, start, batch.ends[r * 2 + c]!);
          if (s === e) {
            status = MISSING;
          } else {
            value = plainNumber(bytes, s, e);
            status = Number.isNaN(value) ? REFERENCE : e - s <= 4 ? SHORT : VALUE;
          }
        }
        expect(read.status[r]).toBe(status);
        if (status === MISSING) expect(read.values[r]).toBeNaN();
        if (status === VALUE || status === SHORT) {
          expect(Object.is(read.values[r], value)).toBe(true);
          if (value < expected.min) expected.min = value;
          if (value > expected.max) expected.max = value;
          if (!Number.isInteger(value)) expected.integers = false;
        }
        if (status === MISSING) expected.missing++;
        if (status === SHORT) expected.short++;
        if (status === REFERENCE) expected.reference++;
      }
      const { missing, short, reference, min, max, integers } = read;
      expect({ missing, short, reference, min, max, integers }).toEqual(expected);
      expect(Object.is(min, expected.min) && Object.is(max, expected.max)).toBe(true);
    }), { numRuns: 500 });
  });

  it('reads batch after batch, and grows for a large one', () => {
    const reader = PlainNumbers.get()!;
    const small = batchOf([['1', '2'], ['3', '4']], 2);
    expect(Array.from(reader.column(small.bytes, small.batch, 1).values)).toEqual([2, 4]);
    const rows = Array.from({ length: 200_000 }, (_, i) => [String(i), (i / 4).toFixed(2)]);
    const large = batchOf(rows, 2);
    const read = reader.column(large.bytes, large.batch, 1);
    expect(read.values.length).toBe(200_000);
    expect(read.values[199_999]).toBe(49_999.75);
    expect(read.max).toBe(49_999.75);
    const again = batchOf([['5', '6']], 2);
    expect(Array.from(reader.column(again.bytes, again.batch, 0).values)).toEqual([5]);
  });
});
