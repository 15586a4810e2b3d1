/**
 * A loaded dataset: the raw rows read, their inferred schema, and an arquero table of typed columns
 * (numbers and dates as numbers — dates in epoch ms —, booleans as true/false, the rest as text; missing as null).
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { ColumnType, RawValue } from '../types.ts';
import { parseDate } from './dates.ts';
import { isMissing } from './missing.ts';
import { badValuesError, booleanValue, findBadValues, type Reading, readSchema } from './reading.ts';
import { type RawTable, type ReadOptions, type Source, readTable } from './read.ts';
import { type ColumnSchema, type InferOptions, type Schema, inferSchema, toNumber } from './schema.ts';

export interface Dataset {
  table: ColumnTable;
  schema: Schema;
  raw: Omit<RawTable, 'columns'>;
}

export type LoadOptions = ReadOptions & InferOptions;

/**
 * Reads a source, infers its schema and types its columns.
 *
 * @example
 * const data = await loadDataset({ path: 'data/sample/leads.csv' });
 * data.table.numRows(); // 20000
 */
export async function loadDataset(source: Source, options: LoadOptions = {}): Promise<Dataset> {
  const raw = await readTable(source, options);
  const schema = inferSchema(raw, { ...options, ...(raw.delimiter ? { delimiter: raw.delimiter } : {}) });
  const { columns: _columns, ...meta } = raw;
  return { table: applySchema(raw, schema), schema, raw: meta };
}

/**
 * A raw table read as a model's training file was read (`schemaWithReading`), failing with exit-2 on cells
 * of the `checked` columns that do not read as their training type.
 *
 * @example
 * const leads = datasetWithReading(await readTable({ path: 'q3.csv' }), artifact.reading, new Map([['annual_revenue', 'numeric']]));
 */
export function datasetWithReading(raw: RawTable, reading: Reading, checked: ReadonlyMap<string, ColumnType>, hint?: string): Dataset {
  const schema = readSchema(raw, reading);
  const table = applySchema(raw, schema);
  const bad = findBadValues(checked, raw, schema, table);
  if (bad.length > 0) throw badValuesError(bad, (i) => i + 1, hint);
  const { columns: _columns, ...meta } = raw;
  return { table, schema, raw: meta };
}

/**
 * The dataset's rows at the given indices (0-based), in that order, with the same schema.
 *
 * @example
 * subsetDataset(data, Int32Array.of(0, 5, 9)).table.numRows(); // 3
 */
export function subsetDataset(data: Dataset, rows: ArrayLike<number>): Dataset {
  return { ...data, table: data.table.reify(Array.from(rows)) };
}

/**
 * Typed arquero table from raw columns and their schema.
 *
 * @example
 * const raw = await readTable({ path: 'leads.csv' });
 * const table = applySchema(raw, inferSchema(raw));
 */
export function applySchema(raw: RawTable, schema: Schema): ColumnTable {
  const tokens = new Set(schema.naTokens);
  const data: Record<string, unknown[]> = {};
  schema.columns.forEach((column, c) => {
    data[column.name] = typeColumn(raw.columns[c]!, column, tokens);
  });
  return aq.table(data, raw.names);
}

/** Converts one raw column by its schema. */
export function typeColumn(values: readonly RawValue[], column: ColumnSchema, tokens: ReadonlySet<string>): unknown[] {
  const out: unknown[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = isMissing(v, tokens) ? null : typeValue(v, column);
  }
  return out;
}

function typeValue(v: RawValue, column: ColumnSchema): unknown {
  switch (column.type) {
    case 'numeric':
      return toNumber(v, column.decimalComma);
    case 'boolean':
      // A value that is neither spelling is null here (and a wrong value to the scorer), never "yes".
      return booleanValue(v, column.booleanTokens);
    case 'date':
    case 'datetime':
      if (v instanceof Date) return v.getTime();
      return parseDate(String(v), column.dateFormat ?? { order: 'ymd' });
    default:
      if (v instanceof Date) return v.toISOString();
      return typeof v === 'string' ? v.trim() : String(v);
  }
}
