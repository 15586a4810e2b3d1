/**
 * Reading a large CSV file straight into typed columns. The reference reader (read.ts → schema.ts →
 * dataset.ts) holds every cell as a JavaScript string before typing it: about 4 GB for a million leads of 36
 * columns. This reader works on the file's bytes (`CsvByteRecords`, CsvParser's rules) and keeps one value
 * per cell in its final form:
 * - The first `sampleRows` rows (100,000) decide which columns stream as numbers: those the reference
 *   inference would call numeric on them (`numericInference`, without its full count of distinct texts; a
 *   column whose sampled cells are all plain numbers or empty is judged from their bytes, with the same
 *   decision, `numericDecision`). A file that ends within them is handed back as a raw table and read the
 *   reference way, so small files are untouched.
 * - Records are cut a buffer at a time into a matrix of field offsets (`RecordBatch`) and each column is read
 *   in a loop of its own; the sample's batches are kept until the columns' builders are chosen, then read
 *   like every later batch.
 * - A file likely to hold `TWO_THREAD_ROWS` rows or more is read on two threads where the machine has two
 *   cores: this one cuts the records and reads some columns, a worker reads the others from a copy of each
 *   batch in shared memory (column-shard.ts). Each column is read by the same code on either thread: the dataset is
 *   the same, bit for bit.
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
import { arquero, loadArquero } from './arquero.ts';
import { headerRenames, noHeader, tooManyFields, uniqueHeader } from './csv.ts';
import { CsvByteRecords } from './csv-bytes.ts';
import { RecordCut } from './record-cut.ts';
import { Misfit, RecordBatch } from './column-builder.ts';
import { ColumnShards, RemoteShard, twoThreads, workerColumns } from './column-shard.ts';
import type { Dataset } from './dataset.ts';
import { naTokenSet } from '../types/missing.ts';
import type { Reading } from '../types/reading.ts';
import { type RawTable, renamedOf, utf8Path } from './read.ts';
import { type InferOptions, type Schema, withHeaderWarnings } from '../types/schema.ts';

/** Rows the schema is inferred from before the rest of the file is typed as it streams. */
export const SCHEMA_SAMPLE_ROWS = 100_000;

/**
 * Bytes per row below which hardly any file has its rows (the shortest lead files: a few short columns), so
 * a file of `TWO_THREAD_ROWS` times as many bytes likely has that many rows: its worker starts at once.
 */
const EARLY_WORKER_ROW_BYTES = 64;

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
  /**
   * Threads the columns are read on (1 or 2): by default two where the machine has two cores and the file
   * likely holds at least `TWO_THREAD_ROWS` rows. The dataset is the same either way.
   */
  threads?: number;
  /** On two threads, the columns the worker reads (by default chosen from the first rows, `workerColumns`); for tests. */
  workerColumns?: readonly string[];
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
  await loadArquero();
  const sampleRows = options.sampleRows ?? SCHEMA_SAMPLE_ROWS;
  const reading = options.reading;
  const tokens = reading ? [...reading.naTokens] : [...naTokenSet(options.na ?? [])];
  const na = reading ? reading.naTokens : options.na;
  const infer = { ...(na ? { na } : {}), delimiter, ...(options.dateOrder ? { dateOrder: options.dateOrder } : {}) };
  const spec = { tokens, infer, trained: reading?.columns ?? [] };
  const handle = await open(await utf8Path(path), 'r');
  // A worker for a file likely to be read on two threads starts at once, to load while the first rows are read.
  let early: RemoteShard | null = null;
  let shards: ColumnShards | null = null;
  const shardsFor = (names: string[], bytes: Buffer, batch: RecordBatch, rowsLikely: number): ColumnShards => {
    const chosen = options.workerColumns;
    const remote = !twoThreads(options.threads, rowsLikely) ? [] : chosen ? names.flatMap((name, c) => (chosen.includes(name) ? [c] : [])) : workerColumns(bytes, batch);
    shards = remote.length > 0 ? ColumnShards.split({ names, ...spec }, remote, early ?? new RemoteShard()) : ColumnShards.single({ names, ...spec });
    if (remote.length === 0) void early?.close();
    early = null;
    return shards;
  };
  try {
    const fileBytes = (await handle.stat()).size;
    if (twoThreads(options.threads, fileBytes / EARLY_WORKER_ROW_BYTES)) early = new RemoteShard();
    const sample = await readSample(handle, delimiter, sampleRows, fileBytes, shardsFor);
    const { names, renamed, rows } = sample;
    const read: ColumnShards = shards ?? ColumnShards.single({ names, ...spec });
    if (rows < sampleRows) return { raw: { names, columns: await read.sampleTexts(), rows, format: 'csv', delimiter, source: path, ...renamedOf(renamed) } };
    // Room for the rows the file likely holds, from the sample's bytes per row (5% more), so columns are not
    // grown by doubling (a copy of everything so far each time) while the file streams.
    const consumed = sample.end;
    await read.start(rows, consumed > 0 && consumed < fileBytes ? Math.ceil((fileBytes / consumed) * rows * 1.05) : 0);
    const total = await readRecords(handle, delimiter, sample, read);
    const columns = await read.finish(total);
    const data: Record<string, ArrayLike<unknown>> = {};
    columns.forEach((column, c) => (data[names[c]!] = column.values));
    const schema: Schema = { rows: total, columns: withHeaderWarnings(columns.map((column) => column.schema), renamed), naTokens: tokens };
    const notes = columns.flatMap((column) => (column.note ? [column.note] : []));
    return { dataset: { table: arquero().table(data, names), schema, raw: { names, rows: total, format: 'csv', delimiter, source: path }, ...(notes.length ? { notes } : {}) } };
  } catch (err) {
    if (err instanceof Misfit) return { misfit: err.message };
    throw err;
  } finally {
    await (early as RemoteShard | null)?.close();
    await (shards as ColumnShards | null)?.close();
    await handle.close();
  }
}

/** The header and the first rows, with where the header and those rows end in the file. */
interface Sample {
  names: string[];
  renamed: Record<string, string>;
  rows: number;
  /** The file offset just past the header record. */
  dataStart: number;
  /** The file offset just past the last sampled record, and the line the next record starts on. */
  end: number;
  endLine: number;
}

/**
 * Reads the header and up to `sampleRows` records, handing each batch of them to the shards to keep (a copy
 * of its bytes and offsets, in shared memory); `shardsFor` makes the shards from the header and the first
 * batch (and the rows the file likely holds).
 */
async function readSample(handle: FileHandle, delimiter: string, sampleRows: number, fileBytes: number,
  shardsFor: (names: string[], bytes: Buffer, batch: RecordBatch, rowsLikely: number) => ColumnShards): Promise<Sample> {
  const records = new CsvByteRecords(delimiter);
  const batch = new RecordBatch();
  let shards: ColumnShards | null = null;
  let position = 0;
  let sample: Sample | null = null;
  const flush = async (): Promise<void> => {
    if (batch.count === 0) return;
    const kept = batch.sharedCopy(records.bytes.subarray(0, records.bytes.length - records.pending));
    shards ??= shardsFor(sample!.names, kept.bytes, kept.batch, Math.round(fileBytes / ((sample!.end - sample!.dataStart) / sample!.rows)));
    await shards.keepSample(kept.bytes, kept.batch);
    batch.clear();
  };
  const cut = RecordCut.create(delimiter);
  for (let final = false; !final;) {
    const read = await readPiece(handle, records, position);
    position += read;
    final = read === 0;
    if (sample === null && records.next()) {
      const header = Array.from({ length: records.fields }, (_, f) => records.text(f));
      const names = uniqueHeader(header);
      const at = position - records.pending;
      sample = { names, renamed: headerRenames(header), rows: 0, dataStart: at, end: at, endLine: records.nextLine };
      batch.width = names.length;
    }
    if (sample !== null) {
      const n = cutInto(records, batch, sample.rows, sampleRows - sample.rows, cut, delimiter);
      if (n > 0) {
        sample.rows += n;
        sample.end = position - records.pending;
        sample.endLine = records.nextLine;
      }
      if (sample.rows === sampleRows) {
        await flush();
        return sample;
      }
    }
    await flush();
  }
  if (sample === null) throw noHeader();
  return sample;
}

/**
 * Cuts the whole records fed to `records` into `batch` (the first as row `row`; at most `limit`): the plain
 * ones in WebAssembly (`cut`, where there is one), any other the reference way; how many.
 */
function cutInto(records: CsvByteRecords, batch: RecordBatch, row: number, limit: number, cut: RecordCut | null, delimiter: string): number {
  let n = 0;
  while (n < limit) {
    if (cut) n += cut.cut(records, batch, row + n, limit - n);
    if (n === limit || !records.next()) break;
    if (records.fields > batch.width) throw tooManyFields(records.recordLine, records.fields, batch.width, delimiter);
    batch.take(records, row + n);
    n++;
  }
  return n;
}

/** Reads the file's next piece from `position` straight into the record cutter (the last when none is left); its bytes. */
async function readPiece(handle: FileHandle, records: CsvByteRecords, position: number): Promise<number> {
  const read = (await handle.read(records.room(CHUNK_BYTES), 0, CHUNK_BYTES, position)).bytesRead;
  records.added(read, read === 0);
  return read;
}

/** Reads the records after the sample into the shards, a batch of records per piece of the file; the rows in all. */
async function readRecords(handle: FileHandle, delimiter: string, sample: Sample, shards: ColumnShards): Promise<number> {
  const records = new CsvByteRecords(delimiter, { line: sample.endLine });
  const batch = new RecordBatch();
  const width = sample.names.length;
  batch.width = width;
  let position = sample.end;
  let rows = sample.rows;
  const cut = RecordCut.create(delimiter);
  for (let final = false; !final;) {
    const read = await readPiece(handle, records, position);
    position += read;
    final = read === 0;
    rows += cutInto(records, batch, rows, Infinity, cut, delimiter);
    if (batch.count > 0) await shards.add(records.bytes.subarray(0, records.bytes.length - records.pending), batch);
    batch.clear();
  }
  return rows;
}
