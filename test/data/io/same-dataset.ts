/** The check the typed readers' differential tests share: two datasets with the same schema and the same cells. */
import { expect } from 'vitest';
import type { Dataset } from '../../../src/data/io/dataset.ts';
import { DISTINCT_CAP } from '../../../src/data/io/number-column.ts';
import type { Schema } from '../../../src/data/types/schema.ts';

/**
 * Every cell of two datasets, compared with Object.is (so 0 and −0, null and NaN differ), and their schemas.
 * With `examplesPastCap`, a numeric, date or timestamp column of more than `DISTINCT_CAP` distinct values may give other
 * `examples` (the most frequent among the rows counted until the cap, a documented difference), as long as
 * each is one of the column's values.
 */
export function expectSame(actual: Dataset, expected: Dataset, options: { examplesPastCap?: boolean } = {}): void {
  if (options.examplesPastCap) {
    const capped = new Set(expected.schema.columns.filter((c) => ['numeric', 'date', 'datetime'].includes(c.type) && c.distinct > DISTINCT_CAP).map((c) => c.name));
    const text = (v: unknown, type: string) => (type === 'numeric' ? String(v) : new Date(v as number).toISOString());
    for (const column of actual.schema.columns.filter((c) => capped.has(c.name))) {
      const texts = new Set(Array.from(actual.table.array(column.name) as ArrayLike<unknown>, (v) => text(v, column.type)));
      for (const example of column.examples) expect(texts.has(example), `${column.name}: example ${example}`).toBe(true);
    }
    const withoutCapped = (schema: Schema): Schema => ({ ...schema, columns: schema.columns.map((c) => (capped.has(c.name) ? { ...c, examples: [] } : c)) });
    expect(withoutCapped(actual.schema)).toEqual(withoutCapped(expected.schema));
  } else {
    expect(actual.schema).toEqual(expected.schema);
  }
  expect(actual.table.columnNames()).toEqual(expected.table.columnNames());
  for (const name of expected.table.columnNames()) {
    const a = Array.from(actual.table.array(name) as ArrayLike<unknown>);
    const e = Array.from(expected.table.array(name) as ArrayLike<unknown>);
    expect(a.length).toBe(e.length);
    const differ = a.findIndex((v, i) => !Object.is(v, e[i]));
    expect(differ, `${name}: row ${differ} is ${String(a[differ])}, the reference reads ${String(e[differ])}`).toBe(-1);
  }
}
