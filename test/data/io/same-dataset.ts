/** The check the typed readers' differential tests share: two datasets with the same schema and the same cells. */
import { expect } from 'vitest';
import type { Dataset } from '../../../src/data/io/dataset.ts';

/** Every cell of two datasets, compared with Object.is (so 0 and −0, null and NaN differ), and their schemas. */
export function expectSame(actual: Dataset, expected: Dataset): void {
  expect(actual.schema).toEqual(expected.schema);
  expect(actual.table.columnNames()).toEqual(expected.table.columnNames());
  for (const name of expected.table.columnNames()) {
    const a = Array.from(actual.table.array(name) as ArrayLike<unknown>);
    const e = Array.from(expected.table.array(name) as ArrayLike<unknown>);
    expect(a.length).toBe(e.length);
    const differ = a.findIndex((v, i) => !Object.is(v, e[i]));
    expect(differ, `${name}: row ${differ} is ${String(a[differ])}, the reference reads ${String(e[differ])}`).toBe(-1);
  }
}
