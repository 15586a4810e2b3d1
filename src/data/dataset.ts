/**
 * A loaded dataset: the raw rows read, their inferred schema, and an arquero table of typed columns
 * (numbers and dates as numbers — dates in epoch ms —, booleans as true/false, the rest as text; missing as null).
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { RawValue } from '../types.ts';
import { parseDate } from './dates.ts';
import { isMissing } from './missing.ts';
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

/** Typed arquero table from raw columns and their schema. */
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
      if (typeof v === 'boolean') return v;
      if (column.booleanTokens) return column.booleanTokens.true.includes(String(v).trim());
      return Boolean(v);
    case 'date':
    case 'datetime':
      if (v instanceof Date) return v.getTime();
      return parseDate(String(v), column.dateFormat ?? { order: 'ymd' });
    default:
      if (v instanceof Date) return v.toISOString();
      return typeof v === 'string' ? v.trim() : String(v);
  }
}
