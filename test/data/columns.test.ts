import { createHash } from 'node:crypto';
import * as aq from 'arquero';
import { describe, expect, it } from 'vitest';
import { columnValues, numbersAt } from '../../src/data/columns.ts';
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
});
