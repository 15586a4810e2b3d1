import { applySchema, type Dataset } from '../../src/data/io/dataset.ts';
import type { RawTable } from '../../src/data/io/read.ts';
import { inferSchema } from '../../src/data/types/schema.ts';
import type { RawValue } from '../../src/types.ts';

/** A typed dataset from raw columns, as loadDataset would build it from a CSV. */
export function dataset(columns: Record<string, RawValue[]>): Dataset {
  const names = Object.keys(columns);
  const raw: RawTable = { names, columns: names.map((n) => columns[n]!), rows: columns[names[0]!]!.length, format: 'csv', source: 'test' };
  const schema = inferSchema(raw);
  const { columns: _c, ...meta } = raw;
  return { table: applySchema(raw, schema), schema, raw: meta };
}
