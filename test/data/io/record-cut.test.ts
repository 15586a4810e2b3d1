/**
 * The WebAssembly record cut (record-cut.ts) against the reference cut (`CsvByteRecords.next`): cutting the
 * plain records in WebAssembly and every other one the reference way gives the batch the reference cut alone
 * gives — the same offsets, quoted texts, rows and lines — however the bytes arrive; and the fast cut is
 * taken on plain records.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordBatch } from '../../../src/data/io/column-builder.ts';
import { CsvByteRecords } from '../../../src/data/io/csv-bytes.ts';
import { RecordCut } from '../../../src/data/io/record-cut.ts';

interface Cut {
  starts: number[];
  ends: number[];
  texts: string[];
  rows: number;
  /** The line each record cut the reference way starts on, by row. */
  lineOf: Map<number, number>;
  nextLine: number;
  error?: string;
}

/**
 * Cuts `bytes` (fed in pieces at `cuts`) into batches of `width` fields, flushing a batch per piece as the
 * reader does, with the WebAssembly cut first or not; offsets are made absolute (into the whole input).
 */
function cutAll(bytes: Buffer, width: number, cuts: number[], fast: RecordCut | null): Cut {
  const records = new CsvByteRecords(',', { line: 1 });
  const batch = new RecordBatch();
  batch.width = width;
  const out: Cut = { starts: [], ends: [], texts: [], rows: 0, lineOf: new Map(), nextLine: 0 };
  const bounds = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
  let fed = 0;
  try {
    for (const bound of [...bounds, bytes.length, -1]) {
      const final = bound === -1;
      const next = final ? bytes.length : bound;
      records.feed(bytes.subarray(fed, next), final);
      fed = next;
      for (;;) {
        if (fast) out.rows += fast.cut(records, batch, out.rows);
        if (!records.next()) break;
        if (records.fields > width) throw new Error(`too many fields on line ${records.recordLine}`);
        out.lineOf.set(out.rows, records.recordLine);
        batch.take(records, out.rows++);
      }
      const offset = fed - records.bytes.length; // records.bytes ends at `fed`
      for (let i = 0; i < batch.count * width; i++) {
        const s = batch.starts[i]!;
        out.starts.push(s < 0 ? s : s + offset);
        out.ends.push(s < 0 ? 0 : batch.ends[i]! + offset);
      }
      out.texts.push(...batch.texts);
      batch.clear();
    }
  } catch (err) {
    out.error = (err as Error).message;
  }
  out.nextLine = records.nextLine;
  return out;
}

/** The two cuts agree: everything the same, and each record the fast cut left to the reference on the reference's line. */
function expectSameCut(fast: Cut, reference: Cut): void {
  const { lineOf, ...rest } = fast;
  const { lineOf: referenceLines, ...referenceRest } = reference;
  expect(rest).toEqual(referenceRest);
  for (const [row, line] of lineOf) expect(line).toBe(referenceLines.get(row));
}

const cell = fc.constantFrom('a', 'bb', '12', '-2.5', '', ' x ', 'é', '東京', '"q"', '"a,b"', '"two\nlines"', '"x""y"', 'no"quote');
const ending = fc.constantFrom('\n', '\r\n', '\r', '');

function csvOf(rows: Array<{ cells: string[]; end: string }>, width: number): string {
  return rows.map(({ cells, end }) => cells.slice(0, width + 1).join(',') + end).join('');
}

describe('RecordCut', () => {
  it('with the reference cut gives the reference cut\'s batches, rows, lines and errors (property)', () => {
    const fast = RecordCut.create(',');
    expect(fast).not.toBeNull();
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.record({ cells: fc.array(cell, { minLength: 0, maxLength: 7 }), end: ending }), { maxLength: 40 }),
      fc.array(fc.nat(400), { maxLength: 5 }),
      (width, rows, cuts) => {
        const bytes = Buffer.from(csvOf(rows, width));
        const reference = cutAll(bytes, width, cuts, null);
        expectSameCut(cutAll(bytes, width, cuts, fast), reference);
      }), { numRuns: 600 });
  });

  it('cuts plain records itself, LF and CRLF, across pieces and past its rows per call', () => {
    const rows = 20_000;
    const lines = Array.from({ length: rows }, (_, i) => `L${i},${i % 7},${(i * 0.25).toFixed(2)}${i % 2 ? '\r\n' : '\n'}`);
    lines.splice(5_000, 0, '"quoted, here",1,2\n', '\n', 'short,row\n');
    const bytes = Buffer.from(lines.join(''));
    const fast = RecordCut.create(',')!;
    const cuts = [1_000, 65_536, 200_001];
    const withFast = cutAll(bytes, 3, cuts, fast);
    expectSameCut(withFast, cutAll(bytes, 3, cuts, null));
    expect(withFast.rows).toBe(rows + 2);
    // All but the quoted and short records and the ones the pieces split
    expect(fast.cutRecords).toBeGreaterThan(rows - 10);
  });

  it('cuts a wide file (3,000 fields) in calls of fewer rows, the same way', () => {
    const width = 3_000;
    const lines = Array.from({ length: 700 }, (_, i) => `${Array.from({ length: width }, (_, f) => (f + i) % 97).join(',')}\n`);
    const bytes = Buffer.from(lines.join(''));
    const fast = RecordCut.create(',')!;
    const withFast = cutAll(bytes, width, [3_000_000], fast);
    expectSameCut(withFast, cutAll(bytes, width, [3_000_000], null));
    expect(withFast.rows).toBe(700);
    expect(fast.cutRecords).toBeGreaterThan(690);
  });

  it('is not made for a delimiter that is not one ASCII byte (the reference cut reads those files)', () => {
    expect(RecordCut.create('§')).toBeNull();
    expect(RecordCut.create(';')).not.toBeNull();
  });
});
