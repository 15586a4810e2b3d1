import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applySchema } from '../../../src/data/io/dataset.ts';
import type { RawTable } from '../../../src/data/io/read.ts';
import { type ColumnSchema, inferColumn, inferSchema, numericInference, wordsOf } from '../../../src/data/types/schema.ts';
import { naTokenSet } from '../../../src/data/types/missing.ts';
import { detectDateFormat } from '../../../src/data/types/dates.ts';
import type { RawValue } from '../../../src/types.ts';

function raw(columns: Record<string, RawValue[]>, delimiter?: string): RawTable {
  const names = Object.keys(columns);
  return { names, columns: names.map((n) => columns[n]!), rows: columns[names[0]!]!.length, format: 'csv', source: 'test', ...(delimiter ? { delimiter } : {}) };
}

function infer(values: RawValue[], options: Parameters<typeof inferSchema>[1] = {}, name = 'x'): ColumnSchema {
  return inferSchema(raw({ [name]: values }, options.delimiter), options).columns[0]!;
}

const repeat = <T>(values: T[], times: number): T[] => Array.from({ length: times }, () => values).flat();

describe('inferSchema', () => {
  it('finds numeric columns, with missing tokens and a range', () => {
    const c = infer(['1.5', '-2', '3e2', '', 'NA', 'N/A', 'null', 'NaN', '7']);
    expect(c).toMatchObject({ type: 'numeric', feature: true, missing: 5, min: -2, max: 300 });
    expect(c.missingShare).toBeCloseTo(5 / 9);
  });

  it('reads decimal commas only in semicolon files', () => {
    expect(infer(['3,5', '2', '-1,25'], { delimiter: ';' })).toMatchObject({ type: 'numeric', decimalComma: true, min: -1.25, max: 3.5 });
    expect(infer(['3,5', '2', '-1,25'], { delimiter: ',' }).type).toBe('categorical');
    expect(infer(['3,5', '2', '1.234,5'], { delimiter: ';' }).type).toBe('categorical');
  });

  it.each([
    [['yes', 'no', 'yes', 'no']],
    [['TRUE', 'FALSE', 'FALSE']],
    [['true', 'false', 'True']],
    [['Y', 'N', 'y']],
    [['0', '1', '1', '0']],
    [[0, 1, 1]],
    [[true, false, null]],
  ])('finds booleans in %j', (values) => {
    expect(infer(values as RawValue[]).type).toBe('boolean');
  });

  it('types boolean values by their spelling', () => {
    const r = raw({ y: ['yes', 'no', 'YES', ''] });
    const schema = inferSchema(r);
    expect(applySchema(r, schema).array('y')).toEqual([true, false, true, null]);
  });

  it('finds categorical columns and user missing tokens', () => {
    const values = repeat(['webinar', 'referral', 'Select'], 5);
    expect(infer(values)).toMatchObject({ type: 'categorical', distinct: 3, missing: 0 });
    expect(infer(values, { na: ['Select'] })).toMatchObject({ type: 'categorical', distinct: 2, missing: 5 });
    expect(infer(values, { na: 'Select,referral' }).type).toBe('constant');
  });

  it('finds dates and datetimes and types them as epoch ms', () => {
    expect(infer(['2025-01-01', '2025-02-01'])).toMatchObject({ type: 'date', feature: true });
    expect(infer(['2025-01-01T10:00:00Z', '2025-02-01T00:00:00Z']).type).toBe('datetime');
    const r = raw({ d: ['13/01/2025', '', '02/01/2025'] });
    expect(applySchema(r, inferSchema(r)).array('d')).toEqual([Date.UTC(2025, 0, 13), null, Date.UTC(2025, 0, 2)]);
  });

  it('warns about ambiguous day/month and follows --date-order', () => {
    const c = infer(['01/02/2025', '03/04/2025']);
    expect(c.warnings.join()).toContain('day and month cannot be told apart');
    expect(infer(['01/02/2025', '03/04/2025'], { dateOrder: 'mdy' }).dateFormat?.label).toBe('mm/dd/yyyy');
  });

  it('finds id columns: unique text, increasing integers, shuffled contiguous integers, repeated keys', () => {
    const n = 40;
    expect(infer(Array.from({ length: n }, (_, i) => `L${i}`))).toMatchObject({ type: 'id', feature: false });
    expect(infer(Array.from({ length: n }, (_, i) => String(i + 1)), {}, 'Cust_num')).toMatchObject({ type: 'id', feature: false });
    const shuffled = Array.from({ length: n }, (_, i) => String((i * 17) % n));
    expect(infer(shuffled, {}, 'row').type).toBe('id');
    const revenue = Array.from({ length: n }, (_, i) => String((i * 7919) % 100_003 * 1000));
    expect(infer(revenue, {}, 'annual_revenue').type).toBe('numeric');
    const accounts = Array.from({ length: 200 }, (_, i) => `A${Math.floor(i / 2)}`);
    const account = infer(accounts, {}, 'account_id');
    expect(account).toMatchObject({ type: 'id', feature: false });
    expect(account.warnings[0]).toContain('--split group --group account_id');
  });

  it('finds free text', () => {
    const notes = Array.from({ length: 30 }, (_, i) => `Called on day ${i}, asked about pricing and a demo`);
    notes[3] = notes[4]!;
    expect(infer(notes)).toMatchObject({ type: 'text', feature: false });
  });

  it('finds constant and all-missing columns', () => {
    expect(infer(['a', 'a', ''])).toMatchObject({ type: 'constant', feature: false });
    expect(infer(['', 'NA', null])).toMatchObject({ type: 'constant', feature: false, warnings: ['every value is missing'] });
  });

  it('flags sentinel values, month names and leakage suspects by name', () => {
    const pdays = [...repeat(['-1'], 8), '5', '30'];
    expect(infer(pdays, {}, 'pdays').warnings.join()).toContain('-1 in 80% of rows looks like a code');
    expect(infer(['Feb', 'Mar', 'June', 'Nov'], {}, 'Month').warnings.join()).toContain('month names without a year');
    expect(infer(['12', '300', '45'], {}, 'duration').warnings.join()).toContain('leakage');
    expect(infer(['12', '300', '45'], {}, 'ProductRelated_Duration').warnings.join()).not.toContain('leakage');
  });

  it('lists the most frequent values first', () => {
    expect(infer(['b', 'a', 'b', 'c', 'b', 'a']).examples).toEqual(['b', 'a', 'c']);
  });
});

describe('numericInference (the typed CSV reader asks only this of its sample)', () => {
  // Cells drawn to reach every branch before inferColumn's numeric one: missing tokens, one value,
  // boolean spellings (up to four texts), numbers with and without decimal commas, identifiers, words.
  const cell = fc.oneof(
    fc.constantFrom('', ' ', 'NA', 'n/a', 'null', '-999', '-1', '999'),
    fc.constantFrom('0', '1', ' 1', '0 ', 'yes', 'No', 'Y', 'n', 'true', 'FALSE'),
    fc.integer({ min: -20, max: 20 }).map(String),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => String(x)),
    fc.tuple(fc.integer({ min: -99, max: 99 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `${a},${b}`),
    fc.constantFrom('1e5', '.5', '5.', '+3', 'abc', '2024-01-31', '3,5', '1 000'),
  );
  const column = fc.oneof(
    fc.array(cell, { minLength: 0, maxLength: 40 }),
    fc.array(fc.constantFrom('1', '0', '', 'yes'), { minLength: 1, maxLength: 30 }),
    fc.integer({ min: 1, max: 40 }).chain((n) => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => String(i * 3 + 7)), { minLength: n, maxLength: n })),
    fc.integer({ min: 10, max: 40 }).map((n) => Array.from({ length: n }, (_, i) => String(i + 1))),
    fc.array(fc.oneof(fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: 0, max: 9 })).map(([a, b]) => `${a},${b}`), fc.integer({ min: -5, max: 5 }).map(String), fc.constant('')), { minLength: 1, maxLength: 30 }),
  );
  it('says numeric exactly where inferColumn does, with the same decimal comma', () => {
    const types = new Map<string, number>();
    fc.assert(fc.property(column, fc.constantFrom(',', ';'), fc.constantFrom('x', 'customer_id', 'visits'), fc.constantFrom<readonly string[]>([], ['-999']),
      (values, delimiter, name, na) => {
        const tokens = naTokenSet(na);
        const options = { delimiter, na };
        const full = inferColumn(name, values, values.length, tokens, options);
        const fast = numericInference(name, values, values.length, tokens, options);
        const key = `${full.type}${full.decimalComma ? ' (decimal comma)' : ''}`;
        types.set(key, (types.get(key) ?? 0) + 1);
        expect(fast !== null).toBe(full.type === 'numeric');
        if (fast) expect(fast.decimalComma).toBe(full.decimalComma === true);
      }), { numRuns: 3000 });
    // Every type the branches before the numeric one can give was drawn, each many times.
    for (const type of ['numeric', 'numeric (decimal comma)', 'boolean', 'constant', 'id', 'categorical']) expect(types.get(type) ?? 0, type).toBeGreaterThan(30);
  });

  it('decides a date format on the distinct texts as it would on every value', () => {
    // The inference looks at each distinct text once; the format every present value fits (order, time,
    // ambiguity) is the one detectDateFormat finds over all of them, repeats and spaces included.
    const missing = fc.constantFrom('', 'NA');
    const iso = fc.oneof(
      fc.constantFrom('2024-01-31', ' 2024-02-29 ', '2023-02-29', '2024-03-05T10:22:00Z', '2024-03-05 10:22', '2024-03-05T10:22:00.5+02:00'),
      fc.date({ min: new Date(Date.UTC(1990, 0, 1)), max: new Date(Date.UTC(2040, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.date({ min: new Date(Date.UTC(1990, 0, 1)), max: new Date(Date.UTC(2040, 0, 1)), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    );
    const dayMonth = fc.oneof(
      fc.constantFrom('04/03/2025', '13/03/2025', '03/13/2025', ' 01/02/2025', '01/02/2025 10:30', '31/04/2025', '04-03-2025', '04.03.2025'),
      fc.tuple(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2000, max: 2030 }))
        .map(([d, m, y]) => `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}`),
    );
    const cells = fc.oneof(
      fc.array(fc.oneof({ weight: 5, arbitrary: iso }, { weight: 1, arbitrary: missing }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.oneof({ weight: 5, arbitrary: dayMonth }, { weight: 1, arbitrary: missing }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.oneof(iso, dayMonth, missing, fc.constant('soon')), { minLength: 1, maxLength: 30 }),
    );
    const kinds = new Map<string, number>();
    fc.assert(fc.property(cells, fc.constantFrom<'dmy' | 'mdy'>('dmy', 'mdy'), (cells, dateOrder) => {
      const values = [...cells, ...cells.slice(0, 5)];
      const tokens = naTokenSet();
      const present = values.filter((v) => !tokens.has(v.trim()));
      const column = inferColumn('signed_up', values, values.length, tokens, { dateOrder });
      const everyValue = present.length === 0 ? null : detectDateFormat(present, dateOrder);
      kinds.set(column.type, (kinds.get(column.type) ?? 0) + 1);
      if (column.type === 'date' || column.type === 'datetime') expect(column.dateFormat).toEqual(everyValue);
      else if (new Set(present.map((v) => v.trim())).size > 1) expect(everyValue).toBeNull();
    }), { numRuns: 2000 });
    for (const type of ['date', 'datetime', 'categorical']) expect(kinds.get(type) ?? 0, type).toBeGreaterThan(30);
  });
});

describe('wordsOf', () => {
  it('counts what text.split(/\\s+/) gives, whitespace of every kind included', () => {
    const piece = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u200b', '\ud83d\ude00', '\ud800'));
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const text = pieces.join('');
      expect(wordsOf(text)).toBe(text.split(/\s+/).length);
    }), { numRuns: 2_000, seed: 3 });
  });
});
