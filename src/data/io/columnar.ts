/**
 * Reading a large CSV file straight into typed columns. The reference reader (read.ts → schema.ts →
 * dataset.ts) holds every cell as a JavaScript string before typing it: about 4 GB for a million leads of 36
 * columns. This reader streams the file through the same CSV parser and keeps one value per cell in its
 * final form:
 * - The schema is inferred exactly as today from the first `sampleRows` rows (100,000). A file that ends
 *   within them is handed back as a raw table and read the reference way, so small files are untouched.
 * - Columns the sample calls numeric are parsed as they arrive into a `Float64Array`; their missing count,
 *   range, integer check, identifier checks and sentinel counts cover every row. Their values are counted
 *   exactly until a column has shown `DISTINCT_CAP` different texts; past that, `distinct` counts distinct
 *   numbers (a sort of the column) and `examples` are the most frequent in the rows counted until then.
 * - Every other column is kept as trimmed text (one shared string per level of a category) and inferred on
 *   all its rows at the end by the reference inference, then typed by the reference typing: exact.
 * - A value that does not fit its column's sampled type (text in a numeric column, a decimal comma where
 *   the sample had points) means the sample did not decide the type: the reader stops and says why, and the
 *   caller reads the whole file the reference way (and says so).
 */
import { createReadStream } from 'node:fs';
import * as aq from 'arquero';
import type { RawValue } from '../../types.ts';
import { CsvParser, noHeader, tooManyFields, uniqueHeader } from './csv.ts';
import type { Dataset } from './dataset.ts';
import { typeColumn } from '../types/typing.ts';
import { isMissing, naTokenSet } from '../types/missing.ts';
import { CHECKED_TYPES, type ColumnReading, columnWithReading, isWrongType, type Reading, schemaWithReading } from '../types/reading.ts';
import type { RawTable } from './read.ts';
import { type ColumnSchema, DECIMAL_COMMA, inferColumn, type InferOptions, inferSchema, leakWarning, NUMBER, numericSchema, type Schema, schemaBase, SENTINEL_TEXTS, toNumber } from '../types/schema.ts';

/** Rows the schema is inferred from before the rest of the file is typed as it streams. */
export const SCHEMA_SAMPLE_ROWS = 100_000;

/** Distinct texts counted exactly per numeric column. */
export const DISTINCT_CAP = 5_000;

export interface ColumnarOptions extends InferOptions {
  /** Rows the schema is inferred from (default SCHEMA_SAMPLE_ROWS). */
  sampleRows?: number;
  /**
   * Read the file as a model's training file was read (`schemaWithReading`): its columns keep their
   * training types, yes/no words, date formats and decimal commas, and its missing-value tokens apply. A cell
   * of such a column that does not read as its type stops the reader (a misfit), so that the caller reads
   * the file the reference way, which names the bad rows.
   */
  reading?: Reading;
}

/** What the columnar reader gives: the typed dataset; the whole raw table of a file within the sample; or why it stopped. */
export type ColumnarResult = { dataset: Dataset } | { raw: RawTable } | { misfit: string };

/** Thrown inside the parser's callback to stop reading at the first value the sample's types cannot hold. */
class Misfit extends Error {}

/** One column's values as they stream: numbers parsed, or text kept for the reference inference. */
interface ColumnBuilder {
  add(raw: string, row: number): void;
  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> };
}

/**
 * Reads a CSV file into a typed dataset (see the file's comment).
 *
 * @example
 * const result = await readCsvColumnar('leads-10m.csv', ',');
 * if ('dataset' in result) result.dataset.table.numRows();
 */
export async function readCsvColumnar(path: string, delimiter: string, options: ColumnarOptions = {}): Promise<ColumnarResult> {
  const sampleRows = options.sampleRows ?? SCHEMA_SAMPLE_ROWS;
  const reading = options.reading;
  const tokens = reading ? new Set(reading.naTokens) : naTokenSet(options.na ?? []);
  const trained = new Map((reading?.columns ?? []).map((c) => [c.name, c]));
  let names: string[] | null = null;
  let sample: string[][] = [];
  let builders: ColumnBuilder[] | null = null;
  let rows = 0;
  const start = (): void => {
    const raw: RawTable = { names: names!, columns: sample, rows, format: 'csv', delimiter, source: path };
    const inferOptions = { ...options, ...(reading ? { na: reading.naTokens } : {}), delimiter };
    const inferred = inferSchema(raw, inferOptions);
    const schema = reading ? schemaWithReading(inferred, reading) : inferred;
    builders = schema.columns.map((column) => (column.type === 'numeric'
      ? new NumericBuilder(column, tokens, trained.get(column.name))
      : new TextBuilder(column.name, tokens, inferOptions, trained.get(column.name))));
    for (let c = 0; c < names!.length; c++) {
      const values = sample[c]!;
      const builder = builders[c]!;
      for (let r = 0; r < rows; r++) builder.add(values[r]!, r);
    }
    sample = [];
  };
  const parser = new CsvParser({
    delimiter,
    onRecord: (fields, line) => {
      if (names === null) {
        names = uniqueHeader(fields);
        sample = names.map(() => []);
        return;
      }
      const width = names.length;
      if (fields.length > width) throw tooManyFields(line, fields.length, width, delimiter);
      if (builders === null) {
        for (let c = 0; c < width; c++) sample[c]!.push(c < fields.length ? fields[c]! : '');
        rows++;
        if (rows === sampleRows) start();
        return;
      }
      for (let c = 0; c < width; c++) builders[c]!.add(c < fields.length ? fields[c]! : '', rows);
      rows++;
    },
  });
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let columns: Array<{ schema: ColumnSchema; values: ArrayLike<unknown> }> | null = null;
  try {
    for await (const chunk of stream as AsyncIterable<string>) parser.push(chunk);
    parser.end();
    if (builders !== null) columns = (builders as ColumnBuilder[]).map((b) => b.finish(rows));
  } catch (err) {
    if (err instanceof Misfit) return { misfit: err.message };
    throw err;
  } finally {
    stream.destroy();
  }
  if (names === null) throw noHeader();
  if (columns === null) return { raw: { names, columns: sample, rows, format: 'csv', delimiter, source: path } };
  const header: string[] = names;
  const data: Record<string, ArrayLike<unknown>> = {};
  columns.forEach((column, c) => (data[header[c]!] = column.values));
  const schema: Schema = { rows, columns: columns.map((column) => column.schema), naTokens: reading ? [...reading.naTokens] : [...tokens] };
  return { dataset: { table: aq.table(data, header), schema, raw: { names: header, rows, format: 'csv', delimiter, source: path } } };
}

/**
 * A column the sample calls numeric: each value parsed as it arrives (as the reference typing parses it),
 * with the facts the reference inference reads gathered over every row.
 */
class NumericBuilder implements ColumnBuilder {
  private values = new Float64Array(1 << 16);
  private missing = 0;
  private min = Infinity;
  private max = -Infinity;
  private integers = true;
  private readonly counts = new Map<string, number>();
  private overflow = false;
  /** Sentinel texts counted past the cap. */
  private readonly sentinels = new Map<string, number>();

  /** `trained`: the column as the training file read it, whose type holds whatever these rows look like. */
  constructor(private readonly column: ColumnSchema, private readonly tokens: ReadonlySet<string>, private readonly trained?: ColumnReading) {}

  add(raw: string, row: number): void {
    if (row >= this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    if (isMissing(raw, this.tokens)) {
      this.values[row] = Number.NaN;
      this.missing++;
      return;
    }
    const text = raw.trim();
    const decimalComma = this.column.decimalComma === true;
    if (!(decimalComma ? DECIMAL_COMMA : NUMBER).test(text)) {
      throw new Misfit(`${this.column.name}: "${text.slice(0, 40)}" on data row ${(row + 1).toLocaleString('en-US')} is not a number${decimalComma ? ' with a decimal comma' : ''} like the rows before it`);
    }
    const x = toNumber(text, decimalComma);
    this.values[row] = x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.integers && !Number.isInteger(x)) this.integers = false;
    if (!this.overflow) {
      const count = this.counts.get(text);
      if (count !== undefined) this.counts.set(text, count + 1);
      else if (this.counts.size < DISTINCT_CAP) this.counts.set(text, 1);
      else this.overflow = true;
    }
    // Past the cap only the sentinels are still counted (the warning needs their share of every row).
    if (this.overflow && text.length <= 4 && SENTINELS.has(text)) this.sentinels.set(text, (this.sentinels.get(text) ?? 0) + 1);
  }

  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    const all = this.values.subarray(0, rows);
    const nums = this.missing === 0 ? all : all.filter((v) => !Number.isNaN(v));
    const { base, warnings } = schemaBase(this.column.name, rows, this.missing, this.counts);
    if (this.overflow) {
      const sorted = Float64Array.from(nums).sort();
      base.distinct = sorted.length === 0 ? 0 : 1;
      for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) base.distinct++;
    }
    const name = this.column.name;
    const leak = leakWarning(name);
    if (leak) warnings.push(leak);
    // Sentinel counts over every row: what the capped counts hold plus what came past the cap.
    const counts = new Map(this.counts);
    for (const [text, n] of this.sentinels) counts.set(text, (counts.get(text) ?? 0) + n);
    const inferred = numericSchema(base, warnings, counts, { nums, min: this.min, max: this.max, integers: this.integers, decimalComma: this.column.decimalComma === true }, rows);
    const schema = this.trained ? columnWithReading(inferred, this.trained) : inferred;
    // An identifier over every row though not over the sample (unique integers that fill their range only
    // as a whole): the reference reads it as text, which these parsed numbers no longer are.
    if (schema.type !== 'numeric') throw new Misfit(`${name}: its integers are an identifier over the whole file but not over the first rows`);
    if (this.missing === 0) return { schema, values: Float64Array.from(all) };
    const values = new Array<number | null>(rows);
    for (let r = 0; r < rows; r++) values[r] = Number.isNaN(all[r]!) ? null : all[r]!;
    return { schema, values };
  }
}

/** The texts the sentinel warning looks for, counted even past the cap. */
const SENTINELS = new Set(SENTINEL_TEXTS);

/**
 * Any other column: kept as trimmed text (missing as null; the levels of a category share one string each),
 * then inferred on every row by the reference inference and typed by the reference typing.
 */
class TextBuilder implements ColumnBuilder {
  private values: Array<string | null> = [];
  private readonly shared = new Map<string, string>();

  /** `trained`: the column as the training file read it (type, yes/no words, date format). */
  constructor(private readonly name: string, private readonly tokens: ReadonlySet<string>, private readonly options: InferOptions, private readonly trained?: ColumnReading) {}

  add(raw: string): void {
    if (isMissing(raw, this.tokens)) {
      this.values.push(null);
      return;
    }
    const text = raw.trim();
    let one = this.shared.get(text);
    if (one === undefined) {
      one = text;
      if (this.shared.size < 1 << 16) this.shared.set(text, text);
    }
    this.values.push(one);
  }

  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    const values: readonly RawValue[] = this.values;
    const inferred = inferColumn(this.name, values, rows, this.tokens, this.options);
    const schema = this.trained ? columnWithReading(inferred, this.trained) : inferred;
    this.shared.clear();
    if (schema.type === 'categorical' || schema.type === 'id' || schema.type === 'text' || schema.type === 'constant') return { schema, values: this.values };
    const typed = typeColumn(values, schema, this.tokens);
    if (this.trained && CHECKED_TYPES.has(schema.type)) {
      for (let r = 0; r < rows; r++) {
        if (isWrongType(typed[r], values[r]!, this.tokens)) throw new Misfit(`${this.name}: "${String(values[r]).slice(0, 40)}" on data row ${(r + 1).toLocaleString('en-US')} does not read as ${schema.type} the way the training file did`);
      }
    }
    return { schema, values: typed };
  }
}
