/**
 * Fuzzing the parsers a user's files reach (issue 23): the CSV parser (whole text and bytes), schema
 * inference, and the rule-file parser, each with 10,000 generated inputs (seeded). Whatever the input, they
 * answer or throw a `LeadscoreError` (an exit-2 message for the CLI), never anything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvByteRecords } from '../../src/data/io/csv-bytes.ts';
import { parseCsv } from '../../src/data/io/csv.ts';
import { inferSchema } from '../../src/data/types/schema.ts';
import { LeadscoreError } from '../../src/errors.ts';
import { parseRuleFile } from '../../src/rules/rule-file.ts';

/** Runs `f`; an exception other than a LeadscoreError fails the property. */
function onlyLeadscoreErrors(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof LeadscoreError)) throw err;
  }
}

const csvPiece = fc.oneof(
  fc.constantFrom(',', ';', '\t', '"', '""', '\n', '\r', '\r\n', ' ', 'NA', '', '1', '-0', '1e308', '2024-03-05', '05/03/2024', 'yes', 'no', 'é', '\u0000', '\ufeff'),
  fc.string({ maxLength: 6 }),
);
const csvText = fc.array(csvPiece, { maxLength: 80 }).map((p) => p.join(''));

describe('fuzzing the parsers (10,000 inputs each)', () => {
  it('the CSV parser, on text and on bytes, answers or says what is wrong', () => {
    fc.assert(fc.property(csvText, fc.constantFrom(',', ';', '\t', '|'), (text, delimiter) => {
      onlyLeadscoreErrors(() => parseCsv(text, delimiter));
      onlyLeadscoreErrors(() => {
        const records = new CsvByteRecords(delimiter);
        records.feed(Buffer.from(text), true);
        while (records.next()) for (let f = 0; f < records.fields; f++) records.text(f);
      });
    }), { numRuns: 10_000, seed: 231 });
  });

  it('schema inference infers a type for every column of any table of text', () => {
    const cell = fc.oneof(csvPiece, fc.double().map(String), fc.integer().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 40 }), fc.constantFrom(',', ';'),
      (width, rows, delimiter) => {
        const names = Array.from({ length: width }, (_, c) => `c${c}`);
        const columns = names.map((_, c) => rows.map((r) => r[c]!));
        const schema = inferSchema({ names, columns, rows: rows.length, format: 'csv', delimiter, source: 'fuzz' }, { delimiter });
        expect(schema.columns).toHaveLength(width);
        for (const column of schema.columns) expect(['numeric', 'categorical', 'boolean', 'date', 'datetime', 'id', 'text', 'constant']).toContain(column.type);
      }), { numRuns: 10_000, seed: 232 });
  });

  it('the rule-file parser accepts a rule file or says what is wrong, for any YAML-ish text', () => {
    const piece = fc.oneof(
      fc.constantFrom('version: 1\n', 'criteria:\n', '  - name: r1\n', '    when: { column: a, op: gt, value: 3 }\n', '    points: 10\n', 'tiers: { warm: 30, hot: 70 }\n',
        '!!js/function ', '&a ', '*a ', '{', '}', '[', ']', ':', '- ', '"', "'", '\t', '\n', '  ', 'op: matches\n', 'value: "(a+)+$"\n', '!!binary ', '<<: *a\n', '? ', '|\n', '%YAML 1.2\n---\n'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
      onlyLeadscoreErrors(() => parseRuleFile(pieces.join(''), 'fuzz.yaml'));
    }), { numRuns: 10_000, seed: 233 });
  });
});
