/**
 * The byte path's reasons for contributions of the row's own (a tree model's): `LinearReasons.rowCsv` writes
 * exactly `reasonText(pickReasons(...))`, or declines (false, nothing written) exactly where that text needs
 * quotes or a spreadsheet guard in a CSV field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField } from '../../../src/data/io/csv.ts';
import { spreadsheetSafe } from '../../../src/data/io/write.ts';
import type { ColumnState } from '../../../src/scoring/fast/plan.ts';
import { LinearReasons } from '../../../src/scoring/fast/reasons.ts';
import { ByteSink } from '../../../src/scoring/fast/writer.ts';
import { pickReasons, reasonText } from '../../../src/scoring/reasons.ts';

const NAMES = ['email_type', 'annual_revenue', '=cmd', 'channel', 'pricing_page_view_30d', 'days_since_last_activity'];
const WORDS = ['', 'student', 'a, b', 'say "hi"', '12', '-3', '@x', 'Zürich', 'line\nbreak'];

describe('reasons written from cell bytes with per-row contributions', () => {
  it('property: the bytes of reasonText(pickReasons), or false exactly where the field needs quotes or a guard', () => {
    const seen = { written: 0, declined: 0 };
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 0, max: 4 }),
      fc.array(fc.record({
        cells: fc.array(fc.integer({ min: 0, max: WORDS.length - 1 }), { minLength: 6, maxLength: 6 }),
        values: fc.array(fc.oneof(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(0, 0.005, -0.005, 0.004999, 0.125, -1.005, 0.00005)), { minLength: 6, maxLength: 6 }),
      }), { minLength: 1, maxLength: 8 }),
      (width, reasons, rows) => {
        const names = NAMES.slice(0, width);
        // Column 5 (when present) is computed per row (no cell dictionary), as an activity aggregate is.
        const columns = names.map((name, g) => (g === 5 ? null : {
          name, words: WORDS, phrases: [] as Array<Uint8Array | null | undefined>, rows: Int32Array.from(rows, (r) => r.cells[g]!),
        } as unknown as ColumnState));
        const values = Float64Array.from(rows.flatMap((r) => r.values.slice(0, width)));
        const valueText = (row: number, column: string) => WORDS[rows[row]!.cells[names.indexOf(column)]!]!;
        const sink = new ByteSink();
        const writer = new LinearReasons(names, columns, reasons, sink);
        for (let i = 0; i < rows.length; i++) {
          const text = reasonText(pickReasons({ columns: names, values, valueText }, i, reasons));
          const wrote = writer.rowCsv(values, i, (row, g) => valueText(row, names[g]!));
          const bytes = new TextDecoder().decode(sink.take());
          expect(wrote).toBe(csvField(spreadsheetSafe(text)) === text);
          expect(bytes).toBe(wrote ? text : '');
          seen[wrote ? 'written' : 'declined'] += 1;
        }
      },
    ), { numRuns: 400 });
    expect(seen.written).toBeGreaterThan(100);
    expect(seen.declined).toBeGreaterThan(100);
  });
});
