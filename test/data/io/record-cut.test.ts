/**
 * The WebAssembly record cut (record-cut.ts) against the reference cut (`CsvByteRecords.next`): cutting the
 * plain records in WebAssembly and every other one the reference way gives the batch the reference cut alone
 * gives — the same offsets, quoted texts, rows and lines — however the bytes arrive; and the fast cut is
 * taken on plain records. The WebAssembly chunk cut (`LineCut`) against `scanRecords`: where it answers, the
 * same end, records and lines; it answers on plain lines (LF and CRLF, blank lines among them).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordBatch } from '../../../src/data/io/column-builder.ts';
import { scanRecords } from '../../../src/data/io/csv.ts';
import { CsvByteRecords } from '../../../src/data/io/csv-bytes.ts';
import { LineCut, RecordCut } from '../../../src/data/io/record-cut.ts';

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

describe('LineCut', () => {
  const text = fc.array(fc.constantFrom('a', ',', 'bc', '12', ' ', 'é', '\n', '\r\n', '\r', '"', '""'), { maxLength: 60 }).map((parts) => parts.join(''));
  const plain = fc.array(fc.tuple(fc.array(fc.constantFrom('', 'a', 'b c', 'é', '12.5', ','), { maxLength: 4 }), fc.constantFrom('\n', '\r\n')), { maxLength: 30 })
    .chain((lines) => fc.boolean().map((trailing) => lines.map(([cells, end], k) => cells.join('') + (k === lines.length - 1 && !trailing ? '' : end)).join('')));

  it('answers as scanRecords does wherever it answers, for any start, count and finality (property)', () => {
    const cut = LineCut.create()!;
    fc.assert(fc.property(text, fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), (t, from, count, final) => {
      const bytes = Buffer.from(t);
      const start = Math.min(from, bytes.length);
      const got = cut.scan(bytes, start, count, final);
      if (got) expect(got).toEqual(scanRecords(bytes, start, ',', count, final));
    }), { numRuns: 3000, seed: 23 });
  });

  it('answers itself on plain lines, LF and CRLF, blank ones among them, unless a last line has no line break at the end of the file', () => {
    const cut = LineCut.create()!;
    fc.assert(fc.property(plain, fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), (t, from, count, final) => {
      const bytes = Buffer.from(t);
      const start = Math.min(from, bytes.length);
      const reference = scanRecords(bytes, start, ',', count, final);
      const got = cut.scan(bytes, start, count, final);
      const unterminated = final && reference.end === bytes.length && reference.end > start && bytes[reference.end - 1] !== 10;
      if (unterminated) expect(got).toBeNull();
      else expect(got).toEqual(reference);
    }), { numRuns: 3000, seed: 29 });
  });

  it('cuts a large file in calls on the same bytes, then on new ones, as scanRecords does (its memory grown as needed)', () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `L${i},${i % 7},${'x'.repeat(i % 40)}${i % 3 ? '\r\n' : '\n'}${i % 1000 === 0 ? '\r\n' : ''}`);
    const bytes = Buffer.from(lines.join(''));
    const cut = LineCut.create()!;
    for (const piece of [bytes.subarray(0, 70_000), bytes]) {
      let at = 0;
      for (;;) {
        const got = cut.scan(piece, at, 2_000, piece === bytes)!;
        expect(got).toEqual(scanRecords(piece, at, ',', 2_000, piece === bytes));
        if (got.end === at) break;
        at = got.end;
      }
      expect(at).toBe(piece === bytes ? bytes.length : piece.lastIndexOf(10) + 1);
    }
    expect(cut.declined).toBe(0);
  });

  it('leaves a quote, a lone CR and a CR before other bytes to scanRecords', () => {
    const cut = LineCut.create()!;
    for (const t of ['a,"b"\r\n', 'a,b\rc,d\n', 'a\r\rb\n', 'x\n"y\n']) {
      expect(cut.scan(Buffer.from(t), 0, 5, true)).toBeNull();
    }
    // A quote past the records asked for is not reached; a CR last in bytes that are not the end waits for its LF.
    expect(cut.scan(Buffer.from('a\nb\n"c"\n'), 0, 2, false)).toEqual({ end: 4, records: 2, lines: 2 });
    expect(cut.scan(Buffer.from('a\r\nb\r'), 0, 5, false)).toEqual({ end: 3, records: 1, lines: 1 });
  });
});
