/**
 * Reading a query's result (a Parquet file, `--sql`) straight into typed columns. The reference reading
 * (read.ts → schema.ts → dataset.ts) makes every cell a JavaScript value and counts each value's text to
 * infer the schema: for a million leads of 36 columns, 61 s and 3.7 GB. Here DuckDB's chunks are read column
 * by column as they stream:
 * - Columns DuckDB types as numbers (`NUMBER_TYPES`: the integer types, FLOAT, DOUBLE, DECIMAL) go into a
 *   `Float64Array` with the facts the reference inference reads (`NumberColumn`, shared with the CSV
 *   reader). A column of at most four distinct values (all missing, a constant, 0/1 that reads as a yes/no
 *   column) is inferred by the reference inference on its numbers; any other is numeric or, when its integers
 *   say so, an identifier, as the reference decides, and typed as it types them.
 * - Columns DuckDB types as dates and timestamps (`TIME_TYPES`) come through DuckDB's JavaScript converter as
 *   the reference reads them, and are kept as epoch milliseconds, never as a `Date` per cell: a column of at
 *   most `DISTINCT_CAP` distinct times is inferred by the reference inference (one shared `Date` per
 *   distinct time); past that it is a date or a timestamp as the reference decides (a time of day anywhere
 *   makes it a timestamp).
 * - Every other column (text, booleans, nested values) is kept as the reference keeps its cells (one
 *   shared string per level of a category), then inferred and typed by the reference inference and typing.
 * - An integer beyond 2^53, which the reference keeps as text, stops the reader: the caller reads the query
 *   the reference way and says so.
 * The same schema and cells as the reference (test/data/io/query-columnar.test.ts), examples included: past
 * `DISTINCT_CAP` distinct values a column's most frequent values are counted by number over every row
 * (`countNumbers`), since each number has one text here (the CSV reader cannot: `1.5` and `1.50`).
 */
import { arquero, loadArquero } from './arquero.ts';
import type { DuckDBDataChunk, DuckDBValueConverter, DuckDBVector, JS } from '@duckdb/node-api';
import type { RawValue } from '../../types.ts';
import type { Dataset } from './dataset.ts';
import { NumberColumn } from './number-column.ts';
import { resultChunks, toRawValue } from './duckdb.ts';
import type { SourceFormat } from './read.ts';
import { naTokenSet } from '../types/missing.ts';
import { type ColumnSchema, inferColumn, type InferOptions, type Schema } from '../types/schema.ts';
import { CHECKED_TYPES, type ColumnReading, columnWithReading, isWrongType, type Reading } from '../types/reading.ts';
import { typeColumn } from '../types/typing.ts';
import { DAY_MS } from '../types/dates.ts';
import { thousands } from '../../thousands.ts';

/** What the query reader gives: the typed dataset, or why it stopped (the caller then reads the reference way). */
export type QueryColumnarResult = { dataset: Dataset } | { misfit: string };

/** Thrown inside the reader to stop at the first value the typed columns cannot hold as the reference does. */
class Misfit extends Error {}

/** DuckDB's type ids (`DuckDBTypeId`) read as numbers: every integer type up to 64 bits, FLOAT, DOUBLE, DECIMAL. */
const NUMBER_TYPES: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 19]);
/** DECIMAL, whose vector holds scaled integers: its values come through DuckDB's JavaScript converter. */
const DECIMAL = 19;

/** DuckDB's type ids of dates and timestamps: DATE, TIMESTAMP (µs, s, ms, ns) and TIMESTAMP WITH TIME ZONE. */
const TIME_TYPES: ReadonlySet<number> = new Set([12, 13, 20, 21, 22, 31]);

/** Distinct cells per text column whose strings are shared. */
const SHARED_CELLS = 1 << 16;

export interface QueryColumnarOptions extends InferOptions {
  /**
   * Read the result as a model's training file was read: its columns keep their training types, yes/no
   * words and date formats, and its missing-value tokens apply. A cell of a numeric, date or yes/no column
   * that does not read as its type stops the reader, so that the caller reads the query the reference way,
   * which names the bad rows.
   */
  reading?: Reading;
}

interface QueryColumn {
  addChunk(chunk: DuckDBDataChunk, c: number, firstRow: number): void;
  /** The column's schema and typed values; `trained`, the column as the training file read it. */
  finish(rows: number, trained?: ColumnReading): { schema: ColumnSchema; values: ArrayLike<unknown> };
}

/**
 * Runs a query and reads its result into a typed dataset (see the file's comment). `format` and `source`
 * are what the dataset says it was read from (a Parquet file's path, or the SQL text); `what`, how an error
 * names the query.
 *
 * @example
 * const result = await readQueryColumnar("select * from read_parquet('leads.parquet')", { format: 'parquet', source: 'leads.parquet', what: 'leads.parquet' });
 * if ('dataset' in result) result.dataset.table.numRows();
 */
export async function readQueryColumnar(sql: string, from: { format: SourceFormat; source: string; what: string }, options: QueryColumnarOptions = {}): Promise<QueryColumnarResult> {
  await loadArquero();
  const { JSDuckDBValueConverter } = await import('@duckdb/node-api');
  const { reading, ...rest } = options;
  const tokens = reading ? new Set(reading.naTokens) : naTokenSet(options.na ?? []);
  const inferOptions: InferOptions = { ...rest, ...(reading ? { na: reading.naTokens } : {}) };
  delete inferOptions.delimiter; // a query's cells are not a CSV file's: no decimal commas
  const trained = new Map((reading?.columns ?? []).map((c) => [c.name, c]));
  let names: string[] = [];
  let columns: QueryColumn[] | null = null;
  let rows = 0;
  try {
    for await (const piece of resultChunks(sql, from.what)) {
      names = piece.names;
      columns ??= piece.typeIds.map((typeId, c): QueryColumn => {
        if (NUMBER_TYPES.has(typeId)) return new QueryNumberColumn(names[c]!, typeId === DECIMAL ? JSDuckDBValueConverter : null, tokens, inferOptions);
        if (TIME_TYPES.has(typeId)) return new QueryTimeColumn(names[c]!, JSDuckDBValueConverter, tokens, inferOptions);
        return new QueryRawColumn(names[c]!, JSDuckDBValueConverter, tokens, inferOptions);
      });
      if (!piece.chunk) break;
      for (let c = 0; c < columns.length; c++) columns[c]!.addChunk(piece.chunk, c, rows);
      rows += piece.chunk.rowCount;
    }
  } catch (err) {
    if (err instanceof Misfit) return { misfit: err.message };
    throw err;
  }
  let finished;
  try {
    finished = (columns ?? []).map((column, c) => column.finish(rows, trained.get(names[c]!)));
  } catch (err) {
    if (err instanceof Misfit) return { misfit: err.message };
    throw err;
  }
  const data: Record<string, ArrayLike<unknown>> = {};
  finished.forEach((column, c) => (data[names[c]!] = column.values));
  const schema: Schema = { rows, columns: finished.map((column) => column.schema), naTokens: [...tokens] };
  return { dataset: { table: arquero().table(data, names), schema, raw: { names, rows, format: from.format, source: from.source } } };
}

/**
 * A column DuckDB types as numbers, read cell by cell from its vector (`getItem`); a DECIMAL column through `converter`
 * (DuckDB's JavaScript converter, which gives a decimal as the nearest double, as the reference reads it).
 */
class QueryNumberColumn extends NumberColumn implements QueryColumn {
  constructor(name: string, private readonly converter: DuckDBValueConverter<JS> | null, private readonly tokens: ReadonlySet<string>, private readonly options: InferOptions) {
    super(name, String);
  }

  addChunk(chunk: DuckDBDataChunk, c: number, firstRow: number): void {
    if (this.converter) {
      this.addValues(chunk.convertColumnValues(c, this.converter), firstRow);
      return;
    }
    const vector: DuckDBVector = chunk.getColumnVector(c);
    const n = chunk.rowCount;
    for (let i = 0; i < n; i++) this.addValue(vector.getItem(i) as number | bigint | null, firstRow + i);
  }

  private addValues(values: ReadonlyArray<unknown>, firstRow: number): void {
    for (let i = 0; i < values.length; i++) this.addValue(values[i] as number | null, firstRow + i);
  }

  /** One cell: null or NaN is missing (as the reference reads them); a 64-bit integer beyond 2^53 stops the reader. */
  private addValue(value: number | bigint | null, row: number): void {
    if (value === null) {
      this.takeMissing(row);
      return;
    }
    let x: number;
    if (typeof value === 'bigint') {
      x = Number(value);
      if (!Number.isSafeInteger(x)) throw new Misfit(`${this.name}: ${value} on data row ${thousands(row + 1)} is an integer beyond 2^53, which is read as text`);
    } else x = value;
    if (Number.isNaN(x)) {
      this.takeMissing(row);
      return;
    }
    this.take(x, row);
    // A value's text as the reference counts it; past the cap only a sentinel's is still needed.
    if (!this.overflow || x === -1 || x === 999 || x === 9999 || x === -999) this.count(String(x));
  }

  finish(rows: number, trained?: ColumnReading): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    const all = this.values.subarray(0, rows);
    const numbers = (): RawValue[] => Array.from(all, (x) => (Number.isNaN(x) ? null : x));
    let inferred: ColumnSchema;
    if (!this.overflow && this.counts.size <= 4) {
      // All missing, one value, or 0/1 that the reference reads as yes/no: the reference inference decides, on the numbers themselves.
      inferred = inferColumn(this.name, numbers(), rows, this.tokens, this.options);
    } else {
      inferred = this.numericFacts(rows, false).schema;
    }
    // Numbers read as numbers whatever else the column was (nothing in it can fail to).
    if (inferred.type === 'numeric' && !trained) return { schema: inferred, values: this.typed(all) };
    if (trained?.type === 'numeric') return { schema: columnWithReading(inferred, trained), values: this.typed(all) };
    return typedAs(this.name, inferred, numbers(), this.tokens, trained);
  }
}

/**
 * A column DuckDB types as dates or timestamps: each cell through `converter` (DuckDB's JavaScript converter,
 * as the reference reads it: a `Date`, or an error for a time a `Date` cannot hold), kept as its epoch
 * milliseconds, its ISO text counted as the reference counts it while under the cap.
 */
class QueryTimeColumn extends NumberColumn implements QueryColumn {
  constructor(name: string, private readonly converter: DuckDBValueConverter<JS>, private readonly tokens: ReadonlySet<string>, private readonly options: InferOptions) {
    super(name, (ms) => new Date(ms).toISOString());
  }

  addChunk(chunk: DuckDBDataChunk, c: number, firstRow: number): void {
    const values = chunk.convertColumnValues(c, this.converter);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      const ms = value instanceof Date ? value.getTime() : Number.NaN; // null: missing
      if (Number.isNaN(ms)) {
        this.takeMissing(firstRow + i);
        continue;
      }
      this.take(ms, firstRow + i);
      if (!this.overflow) this.count((value as Date).toISOString());
    }
  }

  finish(rows: number, trained?: ColumnReading): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    const all = this.values.subarray(0, rows);
    const dates = (): RawValue[] => {
      const shared = new Map<number, Date>();
      return Array.from(all, (ms) => {
        if (Number.isNaN(ms)) return null;
        let date = shared.get(ms);
        if (!date) shared.set(ms, (date = new Date(ms)));
        return date;
      });
    };
    // Few distinct times (a constant among them): the reference inference decides, on one Date per distinct time.
    if (!this.overflow) {
      const raw = dates();
      return typedAs(this.name, inferColumn(this.name, raw, rows, this.tokens, this.options), raw, this.tokens, trained);
    }
    // Past the cap a column of times is a date or a timestamp: the reference's branch for values that are all dates.
    const { base, warnings } = this.baseFacts(rows);
    let hasTime = false;
    for (let r = 0; r < rows && !hasTime; r++) hasTime = !Number.isNaN(all[r]!) && all[r]! % DAY_MS !== 0;
    const inferred: ColumnSchema = { ...base, type: hasTime ? 'datetime' : 'date', feature: true, warnings,
      dateFormat: { order: 'ymd', separator: '-', hasTime, ambiguous: false, label: hasTime ? 'timestamp' : 'date' } };
    if (trained && trained.type !== 'date' && trained.type !== 'datetime') return typedAs(this.name, inferred, dates(), this.tokens, trained);
    const schema = trained ? columnWithReading(inferred, trained) : inferred;
    return { schema, values: Array.from(all, (ms) => (Number.isNaN(ms) ? null : ms)) };
  }
}

/** Any other column: its cells as the reference reads them (one shared string per level), inferred and typed the reference way. */
class QueryRawColumn implements QueryColumn {
  private readonly values: RawValue[] = [];
  private readonly shared = new Map<string, string>();

  /** `converter`: DuckDB's JavaScript converter, which the reference reading reads every cell through. */
  constructor(private readonly name: string, private readonly converter: DuckDBValueConverter<JS>, private readonly tokens: ReadonlySet<string>, private readonly options: InferOptions) {}

  addChunk(chunk: DuckDBDataChunk, c: number): void {
    for (const value of chunk.convertColumnValues(c, this.converter)) {
      const raw = toRawValue(value);
      if (typeof raw !== 'string') {
        this.values.push(raw);
        continue;
      }
      let one = this.shared.get(raw);
      if (one === undefined) {
        one = raw;
        if (this.shared.size < SHARED_CELLS) this.shared.set(raw, raw);
      }
      this.values.push(one);
    }
  }

  finish(rows: number, trained?: ColumnReading): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    this.shared.clear();
    return typedAs(this.name, inferColumn(this.name, this.values, rows, this.tokens, this.options), this.values, this.tokens, trained);
  }
}

/**
 * Raw cells typed the reference way by their inferred schema or, given `trained`, by the training file's
 * reading of the column; then a cell of a checked type (numeric, date, yes/no) that does not read as it stops
 * the reader (the reference reading names the bad rows).
 */
function typedAs(name: string, inferred: ColumnSchema, raw: readonly RawValue[], tokens: ReadonlySet<string>, trained?: ColumnReading):
  { schema: ColumnSchema; values: ArrayLike<unknown> } {
  const schema = trained ? columnWithReading(inferred, trained) : inferred;
  const values = typeColumn(raw, schema, tokens);
  if (trained && CHECKED_TYPES.has(schema.type)) {
    for (let r = 0; r < raw.length; r++) {
      if (isWrongType(values[r], raw[r]!, tokens)) throw new Misfit(`${name}: "${String(raw[r]).slice(0, 40)}" on data row ${thousands(r + 1)} does not read as ${schema.type} the way the training file did`);
    }
  }
  return { schema, values };
}
