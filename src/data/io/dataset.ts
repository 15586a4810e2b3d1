/**
 * A loaded dataset: the raw rows read, their inferred schema, and an arquero table of typed columns
 * (numbers and dates as numbers — dates in epoch ms —, booleans as true/false, the rest as text; missing as null).
 */
import { arquero, loadArquero } from './arquero.ts';
import type { ColumnTable } from 'arquero';
import type { ColumnType } from '../../types.ts';
import { badValuesError, findBadValues, type Reading, readSchema } from '../types/reading.ts';
import { fileSize, guessFormat, parquetQuery, plainCsvDelimiter, type RawTable, type ReadOptions, type Source, readTable } from './read.ts';
import { readQueryColumnar } from './query-columnar.ts';
import { readCsvColumnar, SCHEMA_SAMPLE_ROWS } from './columnar.ts';
import { type InferOptions, type Schema, inferSchema } from '../types/schema.ts';
import { typeColumn } from '../types/typing.ts';
import { thousands } from '../../thousands.ts';

export interface Dataset {
  table: ColumnTable;
  schema: Schema;
  raw: Omit<RawTable, 'columns'>;
  /** What the reading says in passing (a large file read the slower way, and why). */
  notes?: string[];
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
  await loadArquero();
  // A CSV file streams into typed columns (columnar.ts); one within its sample rows comes back raw and is
  // read as below, from the text already parsed; one whose later rows defy its first rows' types is read
  // again the reference way, and the dataset says so. A query or a Parquet file streams from DuckDB into
  // typed columns (query-columnar.ts), or, where a value stops that reader, is read the reference way.
  const query = await typedQuery(source, options);
  if (query) {
    const result = await readQueryColumnar(query.sql, query, options);
    if ('dataset' in result) return result.dataset;
    return { ...datasetOf(await readTable(source, options), options),
      notes: [`${query.what} was read twice: ${result.misfit}, so its columns were read again as JavaScript values (slower, and more memory)`] };
  }
  const delimiter = 'path' in source ? await plainCsvDelimiter(source.path, options) : null;
  if ('path' in source && delimiter !== null) {
    const result = await readCsvColumnar(source.path, delimiter, options);
    if ('dataset' in result) return result.dataset;
    if ('raw' in result) return datasetOf(result.raw, options);
    return { ...datasetOf(await readTable(source, options), options),
      notes: [`${source.path} was read twice: ${result.misfit}, so the column types of its first ${thousands(SCHEMA_SAMPLE_ROWS)} rows do not hold for the rest and the whole file was read as text to infer them (slower, and more memory)`] };
  }
  return datasetOf(await readTable(source, options), options);
}

/** The DuckDB query a SQL source or a Parquet file is read by, and what the dataset names as its source; null for other files. */
async function typedQuery(source: Source, options: ReadOptions): Promise<{ sql: string; format: 'sql' | 'parquet'; source: string; what: string } | null> {
  if ('sql' in source) return { sql: source.sql, format: 'sql', source: source.sql, what: 'the query' };
  await fileSize(source.path);
  if ((options.format ?? (await guessFormat(source.path))) !== 'parquet') return null;
  return { sql: parquetQuery(source.path), format: 'parquet', source: source.path, what: source.path };
}

/** The reference reading: a schema inferred from every raw value, then the columns typed by it. */
function datasetOf(raw: RawTable, options: InferOptions): Dataset {
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
 * Reads a source as a model's training file was read (`datasetWithReading`). A query or a Parquet file
 * streams from DuckDB into typed columns with the training reading (query-columnar.ts); a long plain CSV
 * file likewise from its bytes (columnar.ts); a short one, any other format, or a source with
 * a cell that does not read as its training type is read the reference way, which names the bad rows (and,
 * where that cell's column is not checked, says in the dataset's notes that the file was read twice).
 *
 * @example
 * const leads = await loadDatasetWithReading({ path: 'q3.csv' }, artifact.reading, new Map([['annual_revenue', 'numeric']]));
 */
export async function loadDatasetWithReading(source: Source, reading: Reading, checked: ReadonlyMap<string, ColumnType>, hint?: string): Promise<Dataset> {
  await loadArquero();
  const query = await typedQuery(source, {});
  if (query) {
    const result = await readQueryColumnar(query.sql, query, { reading });
    if ('dataset' in result) return result.dataset;
    return { ...datasetWithReading(await readTable(source), reading, checked, hint),
      notes: [`${query.what} was read twice: ${result.misfit}, so its columns were read again as JavaScript values with the training settings (slower, and more memory)`] };
  }
  const delimiter = 'path' in source ? await plainCsvDelimiter(source.path) : null;
  if ('path' in source && delimiter !== null) {
    const result = await readCsvColumnar(source.path, delimiter, { reading });
    if ('dataset' in result) return result.dataset;
    if ('raw' in result) return datasetWithReading(result.raw, reading, checked, hint);
    return { ...datasetWithReading(await readTable(source), reading, checked, hint),
      notes: [`${source.path} was read twice: ${result.misfit}, so the whole file was read as text with the training settings (slower, and more memory)`] };
  }
  return datasetWithReading(await readTable(source), reading, checked, hint);
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
  return arquero().table(data, raw.names);
}
