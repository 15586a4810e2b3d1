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
 *   (`TimeBuilder`); one text per instant lets its texts be counted as numbers. A cell written any other way
 *   hands the column to the text path below.
 * - Every other column is kept as the level of each cell (its trimmed text, found from the cell's bytes in a
 *   `ByteDictionary`), with each level's count, and inferred on all its rows at the end by the reference
 *   inference, then typed level by level by the reference typing: exact.
 * - A value that does not fit its column's sampled type (text in a numeric column, a decimal comma where
 *   the sample had points) means the sample did not decide the type: the reader stops and says why, and the
 *   caller reads the whole file the reference way (and says so).
 * Differential tests hold each piece, and whole files, to the reference (test/data/io/byte-reading.test.ts,
 * columnar.test.ts).
 */
import { open } from 'node:fs/promises';
import * as aq from 'arquero';
import { headerRenames, noHeader, tooManyFields, uniqueHeader } from './csv.ts';
import { CsvByteRecords } from './csv-bytes.ts';
import { ByteDictionary } from './byte-dictionary.ts';
import { DISTINCT_CAP, NumberColumn } from './number-column.ts';
import { formatIsoLayout, ISO_LAYOUT_LABELS, type IsoLayout, isoLayoutOf, parseIsoLayout } from '../types/dates.ts';
import { plainNumber } from '../types/plain-number.ts';
import type { Dataset } from './dataset.ts';
import { typeColumn } from '../types/typing.ts';
import { isMissing, naTokenSet } from '../types/missing.ts';
import { CHECKED_TYPES, type ColumnReading, columnWithReading, isWrongType, type Reading } from '../types/reading.ts';
import { type RawTable, renamedOf, utf8Path } from './read.ts';
import { type ColumnSchema, DECIMAL_COMMA, inferColumn, inferCounted, type InferOptions, NUMBER, numericInference, type Schema, type TextCounts, toNumber, withHeaderWarnings } from '../types/schema.ts';

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

/** Thrown inside the parser's callback to stop reading at the first value the sample's types cannot hold. */
class Misfit extends Error {}

/**
 * One column's values as they stream: numbers parsed, or text kept for the reference inference. `add` takes a
 * cell as text (the reference way); `addBytes` takes an unquoted cell as its bytes in the file and reads
 * what it can without making a string of it, handing anything else to `add`.
 */
interface ColumnBuilder {
  add(raw: string, row: number): void;
  addBytes(bytes: Buffer, start: number, end: number, row: number): void;
  /**
   * Column `c` of a batch of records, row by row: quoted fields to `add`, the rest to `addBytes`. Each
   * builder has its own copy of this loop, so that its calls are monomorphic (a shared loop over both
   * kinds measured 14.5–15.4 s for the 1M-row scale file, a copy each 11.9–12.9 s).
   */
  addBatch(bytes: Buffer, batch: RecordBatch, c: number): void;
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
  let renamed: Record<string, string> = {};
  let sample: string[][] = [];
  let builders: ColumnBuilder[] | null = null;
  let rows = 0;
  const start = (): void => {
    const inferOptions = { ...options, ...(reading ? { na: reading.naTokens } : {}), delimiter };
    const inferTokens = naTokenSet(inferOptions.na ?? []);
    // The sample decides only which columns stream as numbers (as the training file's types do where a
    // model's reading is given); every column's schema is inferred over all its rows in `finish`.
    builders = names!.map((name, c) => {
      const t = trained.get(name);
      const numeric = t ? (t.type === 'numeric' ? { decimalComma: t.decimalComma === true } : null) : numericInference(name, sample[c]!, rows, inferTokens, inferOptions);
      if (numeric) return new NumericBuilder(name, numeric.decimalComma, tokens, t);
      const layout = t ? null : sampledTimeLayout(sample[c]!, tokens);
      return layout ? new TimeBuilder(name, layout, tokens, inferOptions) : new TextBuilder(name, tokens, inferOptions, t);
    });
    for (let c = 0; c < names!.length; c++) {
      const values = sample[c]!;
      const builder = builders[c]!;
      for (let r = 0; r < rows; r++) builder.add(values[r]!, r);
    }
    sample = [];
  };
  const records = new CsvByteRecords(delimiter);
  const batch = new RecordBatch();
  const handle = await open(await utf8Path(path), 'r');
  let columns: Array<{ schema: ColumnSchema; values: ArrayLike<unknown> }> | null = null;
  try {
    for (let final = false; !final;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
      final = bytesRead === 0;
      records.feed(chunk.subarray(0, bytesRead), final);
      while (records.next()) {
        if (names === null) {
          const header = Array.from({ length: records.fields }, (_, f) => records.text(f));
          names = uniqueHeader(header);
          renamed = headerRenames(header);
          sample = names.map(() => []);
          batch.width = names.length;
          continue;
        }
        const width = names.length;
        const fields = records.fields;
        if (fields > width) throw tooManyFields(records.recordLine, fields, width, delimiter);
        if (builders === null) {
          for (let c = 0; c < width; c++) sample[c]!.push(c < fields ? records.text(c) : '');
          rows++;
          if (rows === sampleRows) start();
          continue;
        }
        batch.take(records, rows);
        rows++;
      }
      batch.flush(records.bytes, builders);
    }
    if (builders !== null) columns = (builders as ColumnBuilder[]).map((b) => b.finish(rows));
  } catch (err) {
    if (err instanceof Misfit) return { misfit: err.message };
    throw err;
  } finally {
    await handle.close();
  }
  if (names === null) throw noHeader();
  if (columns === null) return { raw: { names, columns: sample, rows, format: 'csv', delimiter, source: path, ...renamedOf(renamed) } };
  const header: string[] = names;
  const data: Record<string, ArrayLike<unknown>> = {};
  columns.forEach((column, c) => (data[header[c]!] = column.values));
  const schema: Schema = { rows, columns: withHeaderWarnings(columns.map((column) => column.schema), renamed), naTokens: reading ? [...reading.naTokens] : [...tokens] };
  const notes = (builders as ColumnBuilder[] | null ?? []).flatMap((b) => (b instanceof TimeBuilder && b.note ? [b.note] : []));
  return { dataset: { table: aq.table(data, header), schema, raw: { names: header, rows, format: 'csv', delimiter, source: path }, ...(notes.length ? { notes } : {}) } };
}

/**
 * The records cut from the bytes in hand, as a matrix of field offsets (row by row, `width` per row), so
 * that each column is then read in a loop of its own rather than one cell of each column in turn. A quoted
 * field is decoded as it is taken (its start is then −1 − its place in `texts`); a field a short row lacks
 * is an empty range, which reads as an empty cell. The offsets point into the bytes the records were cut
 * from, so a batch is flushed before more bytes are fed.
 */
class RecordBatch {
  starts = new Int32Array(1 << 16);
  ends = new Int32Array(1 << 16);
  texts: string[] = [];
  width = 0;
  count = 0;
  firstRow = 0;

  take(records: CsvByteRecords, row: number): void {
    if (this.count === 0) this.firstRow = row;
    const width = this.width;
    const at = this.count * width;
    if (at + width > this.starts.length) {
      const starts = new Int32Array(2 * (at + width));
      starts.set(this.starts);
      this.starts = starts;
      const ends = new Int32Array(2 * (at + width));
      ends.set(this.ends);
      this.ends = ends;
    }
    const fields = records.fields;
    for (let c = 0; c < width; c++) {
      if (c >= fields) {
        this.starts[at + c] = 0;
        this.ends[at + c] = 0;
      } else if (records.quoted[c] === 1) {
        this.starts[at + c] = -1 - this.texts.length;
        this.texts.push(records.text(c));
      } else {
        this.starts[at + c] = records.starts[c]!;
        this.ends[at + c] = records.ends[c]!;
      }
    }
    this.count++;
  }

  /** Hands each column's cells to its builder, in row order, and empties the batch. */
  flush(bytes: Buffer, builders: ColumnBuilder[] | null): void {
    if (this.count === 0 || builders === null) return;
    for (let c = 0; c < this.width; c++) builders[c]!.addBatch(bytes, this, c);
    this.count = 0;
    this.texts = [];
  }
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

/** Distinct cells per text column whose strings are shared (and, met as bytes, looked up rather than decoded). */
const SHARED_CELLS = 1 << 16;

const SPACE = 32;
const TAB = 9;

/**
 * Whether a numeric column's cells may be read from their bytes (`NumericBuilder.addBytes`): not with a
 * decimal comma, only where an empty cell is missing, and not where a missing-value token could pass for a
 * number or an empty cell (`--na -999`, say): those columns read every cell as text.
 */
function plainBytesReadable(decimalComma: boolean, tokens: ReadonlySet<string>): boolean {
  return !decimalComma && tokens.has('') && [...tokens].every((t) => t === '' || /[^0-9+\-.eE \t]/.test(t));
}

/**
 * A text column's levels and their counts seen as the map of counts the reference inference reads (in the
 * order first met), without copying a million levels into a new map.
 */
class LevelCounts implements TextCounts {
  constructor(private readonly levels: readonly string[], private readonly counts: readonly number[], private readonly levelOf: ReadonlyMap<string, number>) {}

  get size(): number {
    return this.levels.length;
  }

  get(text: string): number | undefined {
    const level = this.levelOf.get(text);
    return level === undefined ? undefined : this.counts[level];
  }

  keys(): Iterable<string> {
    return this.levels;
  }

  *[Symbol.iterator](): Iterator<[string, number]> {
    for (let k = 0; k < this.levels.length; k++) yield [this.levels[k]!, this.counts[k]!];
  }
}

/** A text column's cell that is missing. */
const MISSING = -1;

/**
 * Any other column: each cell's level (its trimmed text; missing as `MISSING`) as it comes, the levels in the
 * order first met with their counts, so that the reference inference (`inferCounted`) reads the column's
 * schema without counting its rows again. Cells met as bytes are looked up in a dictionary of the column's
 * cells seen so far (up to `SHARED_CELLS` of them), so a level is decoded once, not once per row. At the end
 * a text column's rows share one string per level; a typed one (boolean, date) is typed level by level by
 * the reference typing (`typeColumn`), exact since a cell's typed value depends on its trimmed text alone.
 */
class TextBuilder implements ColumnBuilder {
  /** Each row's level, or MISSING. */
  private codes = new Int32Array(1 << 16);
  private rows = 0;
  /** The levels in the order first met, their counts, and each one's place. */
  private levels: string[] = [];
  private levelCounts: number[] = [];
  private readonly levelOf = new Map<string, number>();
  private missing = 0;
  /** A cell's bytes → its level (or MISSING). */
  private readonly cells = new ByteDictionary<number>(SHARED_CELLS);

  /** `trained`: the column as the training file read it (type, yes/no words, date format). */
  constructor(private readonly name: string, private readonly tokens: ReadonlySet<string>, private readonly options: InferOptions, private readonly trained?: ColumnReading) {}

  add(raw: string, _row?: number): void {
    this.push(this.levelIndex(raw));
  }

  addBytes(bytes: Buffer, start: number, end: number, _row?: number): void {
    let level = this.cells.get(bytes, start, end);
    if (level === undefined) {
      level = this.levelIndex(bytes.toString('utf8', start, end));
      this.cells.set(bytes, start, end, level);
    }
    this.push(level);
  }

  addBatch(bytes: Buffer, batch: RecordBatch, c: number): void {
    const { starts, ends, texts, width, count, firstRow } = batch;
    for (let r = 0, at = c; r < count; r++, at += width) {
      const start = starts[at]!;
      if (start < 0) this.add(texts[-1 - start]!, firstRow + r);
      else this.addBytes(bytes, start, ends[at]!, firstRow + r);
    }
  }

  /** A raw cell's level, added when new; MISSING when missing. */
  private levelIndex(raw: string): number {
    if (isMissing(raw, this.tokens)) return MISSING;
    const text = raw.trim();
    let level = this.levelOf.get(text);
    if (level === undefined) {
      level = this.levels.length;
      this.levels.push(text);
      this.levelCounts.push(0);
      this.levelOf.set(text, level);
    }
    return level;
  }

  private push(level: number): void {
    if (this.rows === this.codes.length) {
      const grown = new Int32Array(2 * this.codes.length);
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[this.rows++] = level;
    if (level === MISSING) this.missing++;
    else this.levelCounts[level]!++;
  }

  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    const { codes, levels } = this;
    const present: string[] = new Array(rows - this.missing);
    for (let r = 0, k = 0; r < rows; r++) if (codes[r] !== MISSING) present[k++] = levels[codes[r]!]!;
    const inferred = inferCounted(this.name, present, new LevelCounts(levels, this.levelCounts, this.levelOf), rows, this.options);
    const schema = this.trained ? columnWithReading(inferred, this.trained) : inferred;
    this.levelOf.clear();
    const text = schema.type === 'categorical' || schema.type === 'id' || schema.type === 'text' || schema.type === 'constant';
    const typedLevels: unknown[] = text ? levels : typeColumn(levels, schema, this.tokens);
    if (!text && this.trained && CHECKED_TYPES.has(schema.type)) {
      const wrong = typedLevels.map((typed, k) => isWrongType(typed, levels[k]!, this.tokens));
      for (let r = 0; r < rows; r++) {
        const level = codes[r]!;
        if (level !== MISSING && wrong[level]) throw new Misfit(`${this.name}: "${levels[level]!.slice(0, 40)}" on data row ${(r + 1).toLocaleString('en-US')} does not read as ${schema.type} the way the training file did`);
      }
    }
    const values: unknown[] = new Array(rows);
    for (let r = 0; r < rows; r++) {
      const level = codes[r]!;
      values[r] = level === MISSING ? null : typedLevels[level];
    }
    this.codes = new Int32Array(0);
    this.levels = [];
    this.levelCounts = [];
    return { schema, values };
  }
}

/**
 * The `IsoLayout` every present value of a sampled column is written in, when they show more than
 * `DISTINCT_CAP` different texts (below that a text column's dictionary of levels reads them faster); else null.
 */
export function sampledTimeLayout(values: readonly string[], tokens: ReadonlySet<string>): IsoLayout | null {
  const scratch = new Uint8Array(MAX_TIME_TEXT);
  const texts = new Set<string>();
  let layout: IsoLayout | null = null;
  for (const value of values) {
    if (isMissing(value, tokens)) continue;
    const n = asciiInto(scratch, value);
    layout ??= n < 0 ? null : isoLayoutOf(scratch, 0, n);
    if (layout === null || Number.isNaN(parseIsoLayout(scratch, 0, n, layout))) return null;
    if (texts.size <= DISTINCT_CAP) texts.add(value);
  }
  return texts.size > DISTINCT_CAP ? layout : null;
}

/** The longest text of an `IsoLayout`. */
const MAX_TIME_TEXT = 24;

/** Writes a short ASCII text's codes into `into`; its length, or −1 when it is longer or not ASCII. */
function asciiInto(into: Uint8Array, text: string): number {
  const n = text.length;
  if (n > into.length) return -1;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return -1;
    into[i] = code;
  }
  return n;
}

/**
 * A column of times written one fixed ISO way (`sampledTimeLayout`): each cell parsed from its bytes into
 * epoch ms (`parseIsoLayout`, as the reference's `parseDate` reads it), its text counted while under the cap
 * (`NumberColumn`). Since each instant has one text in the layout (`formatIsoLayout`), past the cap the
 * distinct texts and the most frequent ones are counted on the numbers, exactly. Its schema is the
 * reference's for text that is all ISO times: a datetime unless the layout is a bare date. A cell written
 * any other way (spaces, a zone, a leap second, a short row's text) hands the column to a `TextBuilder`,
 * with the rows before it rewritten from their instants (the same texts), which reads it the reference way.
 */
class TimeBuilder extends NumberColumn implements ColumnBuilder {
  private text: TextBuilder | null = null;
  /** Why the column went to the text path, if it did. */
  note: string | null = null;
  private readonly scratch = new Uint8Array(MAX_TIME_TEXT);

  constructor(name: string, private readonly layout: IsoLayout, private readonly tokens: ReadonlySet<string>, private readonly options: InferOptions) {
    super(name, (ms) => formatIsoLayout(ms, layout));
  }

  add(raw: string, row: number): void {
    if (this.text) {
      this.text.add(raw, row);
      return;
    }
    if (isMissing(raw, this.tokens)) {
      this.takeMissing(row);
      return;
    }
    const n = asciiInto(this.scratch, raw);
    const ms = n < 0 ? Number.NaN : parseIsoLayout(this.scratch, 0, n, this.layout);
    if (Number.isNaN(ms)) this.textBuilder(raw, row).add(raw, row);
    else this.takeTime(ms, raw, row);
  }

  addBytes(bytes: Buffer, start: number, end: number, row: number): void {
    if (this.text) {
      this.text.addBytes(bytes, start, end, row);
      return;
    }
    const ms = parseIsoLayout(bytes, start, end, this.layout);
    if (Number.isNaN(ms)) this.add(bytes.toString('utf8', start, end), row);
    else this.takeTime(ms, this.overflow ? '' : bytes.toString('latin1', start, end), row);
  }

  addBatch(bytes: Buffer, batch: RecordBatch, c: number): void {
    const { starts, ends, texts, width, count, firstRow } = batch;
    for (let r = 0, at = c; r < count; r++, at += width) {
      const start = starts[at]!;
      if (start < 0) this.add(texts[-1 - start]!, firstRow + r);
      else this.addBytes(bytes, start, ends[at]!, firstRow + r);
    }
  }

  /** A time and its text (read only while the texts are counted). */
  private takeTime(ms: number, text: string, row: number): void {
    this.take(ms, row);
    if (!this.overflow) this.count(text);
  }

  /**
   * The text path, from `row` (whose cell is `raw`) on: the rows before it handed over as their texts
   * (missing as an empty cell), and a note saying so.
   */
  private textBuilder(raw: string, row: number): TextBuilder {
    this.note = `${this.name}: "${raw.trim().slice(0, 40)}" on data row ${(row + 1).toLocaleString('en-US')} is not written as the times before it (${ISO_LAYOUT_LABELS[this.layout]}), so the column was read as text from there (slower)`;
    const text = new TextBuilder(this.name, this.tokens, this.options);
    const all = this.values;
    for (let r = 0; r < row; r++) text.add(Number.isNaN(all[r]!) ? '' : formatIsoLayout(all[r]!, this.layout), r);
    this.text = text;
    return text;
  }

  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    if (this.text) return this.text.finish(rows);
    const all = this.values.subarray(0, rows);
    if (!this.overflow) {
      // Few different times after all: the reference inference and typing on their texts.
      const raw = Array.from(all, (ms) => (Number.isNaN(ms) ? null : formatIsoLayout(ms, this.layout)));
      const schema = inferColumn(this.name, raw, rows, this.tokens, this.options);
      return { schema, values: typeColumn(raw, schema, this.tokens) };
    }
    // Past the cap: `inferCounted`'s branch for text that is all ISO times (`detectDateFormat`), where any text
    // longer than a date has a time.
    const { base, warnings } = this.baseFacts(rows);
    const hasTime = this.layout !== 'date';
    const schema: ColumnSchema = { ...base, type: hasTime ? 'datetime' : 'date', feature: true, warnings,
      dateFormat: { order: 'ymd', separator: '-', hasTime, ambiguous: false, label: hasTime ? 'yyyy-mm-ddThh:mm:ss' : 'yyyy-mm-dd' } };
    return { schema, values: Array.from(all, (ms) => (Number.isNaN(ms) ? null : ms)) };
  }
}
