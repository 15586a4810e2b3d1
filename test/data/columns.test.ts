import { createHash } from 'node:crypto';
import * as aq from 'arquero';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesAt, columnValues, floatsAt, numbersAt, presentNumbers } from '../../src/data/columns.ts';
import { loadDataset } from '../../src/data/io/dataset.ts';
import { SAMPLE } from '../../src/data/sample/sample-paths.ts';
import { dataFingerprint } from '../../src/models/artifact.ts';

describe('columnValues', () => {
  it('gives the table\'s own column when it is neither filtered nor ordered, and a copy in row order otherwise', () => {
    const amounts = Float64Array.of(3, 1, 2);
    const table = aq.table({ amount: amounts, name: ['c', 'a', 'b'] });
    expect(columnValues(table, 'amount')).toBe(amounts);
    expect(Array.from(columnValues(table, 'name'))).toEqual(['c', 'a', 'b']);
    const ordered = table.orderby('name');
    expect(Array.from(columnValues(ordered, 'amount'))).toEqual([1, 2, 3]);
    expect(Array.from(columnValues(table.filter((d: { amount: number }) => d.amount > 1), 'name'))).toEqual(['c', 'b']);
  });
});

describe('numbersAt', () => {
  it('reads the given rows of a typed or a nullable column, NaN where missing', () => {
    expect(Array.from(numbersAt(Float64Array.of(5, 6, 7), [2, 0]))).toEqual([7, 5]);
    expect(Array.from(numbersAt([5, null, 7, undefined], [1, 2, 3]))).toEqual([Number.NaN, 7, Number.NaN]);
  });
});

describe('floatsAt and bytesAt', () => {
  it('give what the typed arrays\' mapping form gives, for typed and plain columns with gaps (property)', () => {
    const cell = fc.oneof(fc.double(), fc.integer({ min: -300, max: 300 }), fc.constantFrom(null, undefined, 0, -0, 1, 255, 256, -1, 1.7));
    fc.assert(fc.property(fc.array(cell, { minLength: 1, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 40 }), (cells, picks) => {
      const values = cells as unknown as number[];
      const rows = Int32Array.from(picks, (k) => k % cells.length);
      expect(floatsAt(values, rows)).toEqual(Float64Array.from(rows, (r) => values[r]!));
      expect(bytesAt(values, rows)).toEqual(Uint8Array.from(rows, (r) => values[r]!));
      const typed = Float64Array.from(values);
      expect(floatsAt(typed, rows)).toEqual(Float64Array.from(rows, (r) => typed[r]!));
    }));
  });
});

describe('presentNumbers', () => {
  it('gives what filtering out NaN gives, a copy, signs of zero kept (property)', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, 0, -0)), { maxLength: 60 }), (cells) => {
      const values = Float64Array.from(cells);
      const present = presentNumbers(values);
      expect(present).toEqual(values.filter((v) => !Number.isNaN(v)));
      expect(Array.from(present, (v) => Object.is(v, -0))).toEqual(Array.from(values.filter((v) => !Number.isNaN(v)), (v) => Object.is(v, -0)));
      expect(present.buffer).not.toBe(values.buffer);
    }));
  });
});

describe('dataFingerprint', () => {
  it('is SHA-256 over the names and types, then each row\'s JSON in order', async () => {
    const data = await loadDataset({ path: SAMPLE.leads });
    const rows = Int32Array.from({ length: 5000 }, (_, k) => (k * 7) % 20000);
    const hash = createHash('sha256');
    hash.update(JSON.stringify(data.schema.columns.map((c) => [c.name, c.type])));
    const names = data.schema.columns.map((c) => c.name);
    for (const r of rows) hash.update(JSON.stringify(names.map((n) => data.table.get(n, r) ?? null)));
    expect(dataFingerprint(data, rows)).toBe(`sha256:${hash.digest('hex')}`);
  });

  it('writes typed numbers as JSON does: exponents, −0, NaN and infinities', () => {
    const x = Float64Array.of(1e21, 1e-7, -0, Number.NaN, Infinity, -Infinity, 0.1 + 0.2, 123456789.125, -5e-324);
    const s = ['a', null, 'q"uote', '\\', 'é', 'x', '', 'new\nline', 'z'];
    const when = [new Date(0), null, new Date(86_400_000), null, null, null, null, null, null];
    const table = aq.table({ x, s, when });
    const data = { table, schema: { rows: x.length, naTokens: [], columns: [{ name: 'x', type: 'numeric' }, { name: 's', type: 'categorical' }, { name: 'when', type: 'date' }] } } as unknown as Parameters<typeof dataFingerprint>[0];
    const hash = createHash('sha256');
    hash.update(JSON.stringify([['x', 'numeric'], ['s', 'categorical'], ['when', 'date']]));
    for (let r = 0; r < x.length; r++) hash.update(JSON.stringify([x[r], s[r], when[r]]));
    expect(dataFingerprint(data)).toBe(`sha256:${hash.digest('hex')}`);
  });
});
