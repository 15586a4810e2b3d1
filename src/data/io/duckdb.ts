/**
 * The shared in-process DuckDB: one in-memory database per process, opened on first use.
 * Used for Parquet, SQL sources and CSV files too large to hold as one JavaScript string.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api';
import { DataError } from '../../errors.ts';
import type { RawValue } from '../../types.ts';

let instance: Promise<DuckDBInstance> | null = null;
let connection: Promise<DuckDBConnection> | null = null;

function database(): Promise<DuckDBInstance> {
  instance ??= import('@duckdb/node-api').then(({ DuckDBInstance }) => DuckDBInstance.create(':memory:'));
  return instance;
}

/** The process-wide DuckDB connection (in memory). The native module loads on first use, not at start-up. */
export function duckdb(): Promise<DuckDBConnection> {
  connection ??= database().then((db) => db.connect());
  return connection;
}

/**
 * Runs `work` on a database of its own, opened for it and closed after, so that the memory its tables took
 * goes back to the system (the shared database keeps what it freed: after reading a 2.5-million-event log
 * the process stayed at 640 MiB resident on the shared one, 353 MiB on its own).
 *
 * @example
 * const n = await withOwnDatabase(async (conn) => (await conn.runAndReadAll('select 42')).getRowsJS()[0]![0]);
 */
export async function withOwnDatabase<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    return await work(conn);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** Quotes a string as a SQL literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Column names and raw column values of a query's result. */
export interface QueryColumns {
  names: string[];
  columns: RawValue[][];
}

/**
 * Runs a query and returns its result column by column: integers as numbers, dates as `Date`, nested
 * values as JSON text. A SQL error becomes a `DataError` carrying DuckDB's message.
 *
 * @example
 * const { names, columns } = await queryColumns("select 1 as a");
 */
export async function queryColumns(sql: string, what = 'the query'): Promise<QueryColumns> {
  const conn = await duckdb();
  let reader;
  try {
    reader = await conn.runAndReadAll(sql);
  } catch (err) {
    throw sqlFailed(err, what);
  }
  const names = reader.columnNames();
  const columns = reader.getColumnsJS().map((column) => column.map(toRawValue));
  return { names, columns };
}

/** A query's result as DuckDB hands it over: its columns' names and types, then its chunks of up to 2,048 rows. */
export interface ResultChunk {
  names: string[];
  typeIds: DuckDBTypeId[];
  /** Null only in the one piece a result without rows yields. */
  chunk: DuckDBDataChunk | null;
}

/**
 * Runs a query on a connection of its own (a query run on the shared one meanwhile would end this stream)
 * and yields its result chunk by chunk, at least once (a result without rows yields its names with no chunk).
 *
 * @example
 * for await (const { names, chunk } of resultChunks("select * from read_parquet('leads.parquet')", 'leads.parquet')) { … }
 */
export async function* resultChunks(sql: string, what: string): AsyncGenerator<ResultChunk> {
  const conn = await (await database()).connect();
  try {
    let result;
    try {
      result = await conn.stream(sql);
    } catch (err) {
      throw sqlFailed(err, what);
    }
    const names = result.columnNames();
    const typeIds = result.columnTypes().map((type) => type.typeId);
    let yielded = false;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      yield { names, typeIds, chunk };
      yielded = true;
    }
    if (!yielded) yield { names, typeIds, chunk: null };
  } finally {
    conn.closeSync();
  }
}

/**
 * Runs a query and yields its result in pieces of about `rows` rows (whole DuckDB chunks of 2,048), column
 * by column as `queryColumns` gives them, so a large Parquet file or query is never held whole.
 *
 * @example
 * for await (const { names, columns } of queryChunks("select * from read_parquet('leads.parquet')", 'leads.parquet', 10_000)) { … }
 */
export async function* queryChunks(sql: string, what: string, rows: number): AsyncGenerator<QueryColumns> {
  const { JSDuckDBValueConverter } = await import('@duckdb/node-api');
  let names: string[] = [];
  let columns: RawValue[][] = [];
  let held = 0;
  let yielded = false;
  for await (const piece of resultChunks(sql, what)) {
    names = piece.names;
    if (columns.length !== names.length) columns = names.map(() => []);
    if (!piece.chunk) break;
    piece.chunk.convertColumns(JSDuckDBValueConverter).forEach((values, c) => {
      const into = columns[c]!;
      for (const v of values) into.push(toRawValue(v));
    });
    held += piece.chunk.rowCount;
    if (held >= rows) {
      yield { names, columns };
      yielded = true;
      columns = names.map(() => []);
      held = 0;
    }
  }
  if (held > 0 || !yielded) yield { names, columns }; // no rows at all: the names still
}

/** DuckDB's error running `what`, as the `DataError` users see (its message's first lines, and a hint). */
function sqlFailed(err: unknown, what: string): DataError {
  const message = err instanceof Error ? err.message : String(err);
  return new DataError('SQL_FAILED', `DuckDB could not run ${what}: ${firstLine(message)}`,
    'check the SQL and the file paths in it; DuckDB functions such as read_csv(), read_parquet() and read_json() are available');
}

function firstLine(message: string): string {
  return message.split('\n').filter((l) => l.trim() !== '').slice(0, 2).join(' ');
}

/** A value as DuckDB's JavaScript converter gives it, as a raw cell: integers as numbers (as text beyond 2^53), dates as `Date`, nested values as JSON text. */
export function toRawValue(value: unknown): RawValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
