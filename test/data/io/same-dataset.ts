/** What the typed readers' differential tests share: the reference reading, and two datasets with the same schema and the same cells. */
import { expect } from 'vitest';
import { applySchema, type Dataset } from '../../../src/data/io/dataset.ts';
import { readTable } from '../../../src/data/io/read.ts';
import { inferSchema } from '../../../src/data/types/schema.ts';

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

/** The reference reading of a file (every cell as text, the schema inferred from every value, then typed), as loadDataset read every file before the typed readers. */
export async function reference(path: string): Promise<Dataset> {
  const raw = await readTable({ path });
  const schema = inferSchema(raw, { delimiter: raw.delimiter! });
  const { columns: _c, ...meta } = raw;
  return { table: applySchema(raw, schema), schema, raw: meta };
}
