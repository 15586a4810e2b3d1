/**
 * Reading a large CSV file straight into typed columns. The reference reader (read.ts → schema.ts →
 * dataset.ts) holds every cell as a JavaScript string before typing it: about 4 GB for a million leads of 36
 * columns. This reader works on the file's bytes (`CsvByteRecords`, CsvParser's rules) and keeps one value
 * per cell in its final form:
 * - The first `sampleRows` rows (100,000), decoded to text, decide which columns stream as numbers: those
 *   the reference inference would call numeric on them (`numericInference`, without its full count of
 *   distinct texts). A file that ends within them is handed back as a raw table and read the reference way,
 *   so small files are untouched.
 * - Past the sample, records are cut a buffer at a time into a matrix of field offsets (`RecordBatch`) and
 *   each column is read in a loop of its own.
 * - Columns the sample calls numeric are parsed as they arrive into a `Float64Array`: a plain decimal
 *   straight from its bytes (`plainNumber`, bit for bit what `Number` gives), anything else from its text
 *   the reference way. Their missing count, range, integer check, identifier checks and sentinel counts
 *   cover every row. Their values are counted exactly until a column has shown `DISTINCT_CAP` (number-column.ts) different
 *   texts; past that, `distinct` counts distinct numbers (`distinctNumbers`) and `examples` are the most
 *   frequent in the rows counted until then.
 * - A column whose sample holds more than `DISTINCT_CAP` different times, all written one fixed ISO way
 *   (`IsoLayout`: an event log's timestamps), is parsed from its bytes into epoch ms as it arrives
 *   (`TimeBuilder`, text-columns.ts); one text per instant lets its texts be counted as numbers. A cell
 *   written any other way hands the column to the text path below.
 * - Every other column is kept as the level of each cell (`TextBuilder`, text-columns.ts: its trimmed text,
 *   found from the cell's bytes in a `ByteDictionary`), with each level's count, and inferred on all its
 *   rows at the end by the reference inference, then typed level by level by the reference typing: exact.
 * - A value that does not fit its column's sampled type (text in a numeric column, a decimal comma where
 *   the sample had points) means the sample did not decide the type: the reader stops and says why, and the
 *   caller reads the whole file the reference way (and says so).
 * Differential tests hold each piece, and whole files, to the reference (test/data/io/byte-reading.test.ts,
 * columnar.test.ts).
 */
import { type FileHandle, open } from 'node:fs/promises';
import * as aq from 'arquero';
import { headerRenames, noHeader, tooManyFields, uniqueHeader } from './csv.ts';
import { CsvByteRecords } from './csv-bytes.ts';
import { type ColumnBuilder, Misfit, RecordBatch } from './column-builder.ts';
import { NumberColumn } from './number-column.ts';
import { sampledTimeLayout, TextBuilder, TimeBuilder } from './text-columns.ts';
import { plainBytesReadable, plainNumber } from '../types/plain-number.ts';
import type { Dataset } from './dataset.ts';
import { isMissing, naTokenSet } from '../types/missing.ts';
import { type ColumnReading, columnWithReading, type Reading } from '../types/reading.ts';
import { type RawTable, renamedOf, utf8Path } from './read.ts';
import { type ColumnSchema, DECIMAL_COMMA, type InferOptions, NUMBER, numericInference, type Schema, toNumber, withHeaderWarnings } from '../types/schema.ts';

/** Rows the schema is inferred from before the rest of the file is typed as it streams. */
export const SCHEMA_SAMPLE_ROWS = 100_000;

/** Bytes read from the file at a time. */
const CHUNK_BYTES = 1 << 22;

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
  const handle = await open(await utf8Path(path), 'r');
  try {
    const fileBytes = (await handle.stat()).size;
    // One buffer for every read: `feed` copies what it is given.
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const sample = await readSample(handle, chunk, delimiter, sampleRows);
    const { names, renamed, rows } = sample;
    if (rows < sampleRows) return { raw: { names, columns: sample.columns, rows, format: 'csv', delimiter, source: path, ...renamedOf(renamed) } };
    const inferOptions = { ...options, ...(reading ? { na: reading.naTokens } : {}), delimiter };
    const inferTokens = naTokenSet(inferOptions.na ?? []);
    // The sample decides only which columns stream as numbers (as the training file's types do where a
    // model's reading is given); every column's schema is inferred over all its rows in `finish`.
    const builders: ColumnBuilder[] = names.map((name, c) => {
      const t = trained.get(name);
      const values = sample.columns[c]!;
      const numeric = t ? (t.type === 'numeric' ? { decimalComma: t.decimalComma === true } : null) : numericInference(name, values, rows, inferTokens, inferOptions);
      if (numeric) return new NumericBuilder(name, numeric.decimalComma, tokens, t);
      const layout = t ? null : sampledTimeLayout(values, tokens);
      return layout ? new TimeBuilder(name, layout, tokens, inferOptions) : new TextBuilder(name, tokens, inferOptions, t);
    });
    sample.columns = [];
    // Room for the rows the file likely holds, from the sample's bytes per row (5% more), so columns are not
    // grown by doubling (a copy of everything so far each time) while the file streams.
    const consumed = sample.end;
    const expected = consumed > 0 && consumed < fileBytes ? Math.ceil((fileBytes / consumed) * rows * 1.05) : 0;
    for (const builder of builders) builder.reserve(expected);
    const total = await readRecords(handle, chunk, delimiter, sample, builders);
    const columns = builders.map((b) => b.finish(total));
    const data: Record<string, ArrayLike<unknown>> = {};
    columns.forEach((column, c) => (data[names[c]!] = column.values));
    const schema: Schema = { rows: total, columns: withHeaderWarnings(columns.map((column) => column.schema), renamed), naTokens: reading ? [...reading.naTokens] : [...tokens] };
    const notes = builders.flatMap((b) => (b instanceof TimeBuilder && b.note ? [b.note] : []));
    return { dataset: { table: aq.table(data, names), schema, raw: { names, rows: total, format: 'csv', delimiter, source: path }, ...(notes.length ? { notes } : {}) } };
  } catch (err) {
    if (err instanceof Misfit) return { misfit: err.message };
    throw err;
  } finally {
    await handle.close();
  }
}

/** The header and the first rows as text (`columns[c][r]`), with where the header and those rows end in the file. */
interface Sample {
  names: string[];
  renamed: Record<string, string>;
  columns: string[][];
  rows: number;
  /** The file offset just past the header record, and the line the next record starts on. */
  dataStart: number;
  dataLine: number;
  /** The file offset just past the last sampled record. */
  end: number;
}

/** Reads the header and up to `sampleRows` records as text. */
async function readSample(handle: FileHandle, chunk: Buffer, delimiter: string, sampleRows: number): Promise<Sample> {
  const records = new CsvByteRecords(delimiter);
  let position = 0;
  let sample: Sample | null = null;
  for (let final = false; !final;) {
    const read = (await handle.read(chunk, 0, CHUNK_BYTES, position)).bytesRead;
    position += read;
    final = read === 0;
    records.feed(chunk.subarray(0, read), final);
    while (records.next()) {
      if (sample === null) {
        const header = Array.from({ length: records.fields }, (_, f) => records.text(f));
        const names = uniqueHeader(header);
        const at = position - records.pending;
        sample = { names, renamed: headerRenames(header), columns: names.map(() => []), rows: 0, dataStart: at, dataLine: records.nextLine, end: at };
        continue;
      }
      const width = sample.names.length;
      const fields = records.fields;
      if (fields > width) throw tooManyFields(records.recordLine, fields, width, delimiter);
      for (let c = 0; c < width; c++) sample.columns[c]!.push(c < fields ? records.text(c) : '');
      sample.rows++;
      sample.end = position - records.pending;
      if (sample.rows === sampleRows) return sample;
    }
  }
  if (sample === null) throw noHeader();
  return sample;
}

/**
 * Reads every record after the header (the sampled ones again) into the builders, a batch of records per
 * piece of the file; the rows read.
 */
async function readRecords(handle: FileHandle, chunk: Buffer, delimiter: string, sample: Sample, builders: ColumnBuilder[]): Promise<number> {
  const records = new CsvByteRecords(delimiter, sample.dataLine);
  const batch = new RecordBatch();
  const width = sample.names.length;
  batch.width = width;
  let position = sample.dataStart;
  let rows = 0;
  for (let final = false; !final;) {
    const read = (await handle.read(chunk, 0, CHUNK_BYTES, position)).bytesRead;
    position += read;
    final = read === 0;
    records.feed(chunk.subarray(0, read), final);
    while (records.next()) {
      const fields = records.fields;
      if (fields > width) throw tooManyFields(records.recordLine, fields, width, delimiter);
      batch.take(records, rows);
      rows++;
    }
    batch.flush(records.bytes, builders);
  }
  return rows;
}

/**
 * A column the sample calls numeric: each value parsed as it arrives (as the reference typing parses it),
 * with the facts the reference inference reads gathered over every row.
 */
class NumericBuilder extends NumberColumn implements ColumnBuilder {
  /** Whether `addBytes` may read plain numbers itself (see `plainBytesReadable`). */
  private readonly plain: boolean;

  /** `trained`: the column as the training file read it, whose type holds whatever these rows look like. */
  constructor(name: string, private readonly decimalComma: boolean, private readonly tokens: ReadonlySet<string>, private readonly trained?: ColumnReading) {
    super(name);
    this.plain = plainBytesReadable(decimalComma, tokens);
  }

  add(raw: string, row: number): void {
    if (isMissing(raw, this.tokens)) {
      this.takeMissing(row);
      return;
    }
    const text = raw.trim();
    const decimalComma = this.decimalComma;
    if (!(decimalComma ? DECIMAL_COMMA : NUMBER).test(text)) {
      throw new Misfit(`${this.name}: "${text.slice(0, 40)}" on data row ${(row + 1).toLocaleString('en-US')} is not a number${decimalComma ? ' with a decimal comma' : ''} like the rows before it`);
    }
    this.take(toNumber(text, decimalComma), row);
    this.count(text);
  }

  /**
   * The fast path, for cells of ASCII digits, signs, points and exponents between spaces or tabs: an empty
   * one is missing, a plain number (`plainNumber`) is read from the bytes, and its text is made only while
   * the column's texts are still counted (or, past the cap, for a text as short as a sentinel). Any other
   * cell, or any cell of a column `plainBytesReadable` turns away, is read by `add` from its text.
   */
  addBytes(bytes: Buffer, start: number, end: number, row: number): void {
    if (this.plain) {
      let s = start;
      let e = end;
      while (s < e && (bytes[s] === SPACE || bytes[s] === TAB)) s++;
      while (e > s && (bytes[e - 1] === SPACE || bytes[e - 1] === TAB)) e--;
      if (s === e) {
        this.takeMissing(row);
        return;
      }
      const x = plainNumber(bytes, s, e);
      if (!Number.isNaN(x)) {
        this.take(x, row);
        if (!this.overflow || e - s <= 4) this.count(bytes.toString('latin1', s, e));
        return;
      }
    }
    this.add(bytes.toString('utf8', start, end), row);
  }

  addBatch(bytes: Buffer, batch: RecordBatch, c: number): void {
    const { starts, ends, texts, width, count, firstRow } = batch;
    for (let r = 0, at = c; r < count; r++, at += width) {
      const start = starts[at]!;
      if (start < 0) this.add(texts[-1 - start]!, firstRow + r);
      else this.addBytes(bytes, start, ends[at]!, firstRow + r);
    }
  }

  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    const { schema: inferred, all } = this.numericFacts(rows, this.decimalComma);
    const schema = this.trained ? columnWithReading(inferred, this.trained) : inferred;
    // An identifier over every row though not over the sample (unique integers that fill their range only
    // as a whole): the reference reads it as text, which these parsed numbers no longer are.
    if (schema.type !== 'numeric') throw new Misfit(`${this.name}: its integers are an identifier over the whole file but not over the first rows`);
    return { schema, values: this.typed(all) };
  }
}

const SPACE = 32;
const TAB = 9;

