/**
 * Streaming batch scoring for CSV input (and Parquet or SQL input, whose rows DuckDB hands over a chunk at a
 * time, scored the table way): the file is read and parsed in pieces, scored in chunks of rows and written
 * as it goes, so memory stays bounded whatever the file's size (the activity log, when the
 * model uses one, is held in memory). The schema is fixed at the first chunk: the training file's columns
 * read as the model's reading says, others inferred from that chunk (`scoringSchema`). The bytes are cut into chunks of whole records
 * and results written in order; CSV output goes the byte path where it can (fast/), and long
 * files share their chunks with a worker (parallel-stream.ts) running the same `scoreCsvChunk`, so the
 * bytes written are the same.
 * The output (and the rejects file) is written to a temporary file and renamed at the end: an
 * interrupted run leaves nothing behind.
 */
import { rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { loadArquero } from '../data/io/arquero.ts';
import { CsvParser, detectDelimiter, type ScannedRecords, scanRecords, uniqueHeader } from '../data/io/csv.ts';
import { FileWindow } from '../data/io/file-window.ts';
import { LineCut } from '../data/io/record-cut.ts';
import { fileSize, rawTable, type Source, utf8Path } from '../data/io/read.ts';
import { queryChunks, queryColumns, sqlString } from '../data/io/duckdb.ts';
import type { Schema } from '../data/types/schema.ts';
import { infersColumns } from '../data/types/reading.ts';
import { assertNotInput, ndjsonToParquet, type OutputFormat, tempPath, writeCsvColumns, writeTable } from '../data/io/write.ts';
import { DataError } from '../errors.ts';
import type { ChunkJob, ChunkResult } from './chunk.ts';
import { collectRecords, scoreChunk, scoreCsvChunk } from './chunk-scoring.ts';
import { StreamOutput, type StreamResult } from './stream-output.ts';

export { collectRecords, scoreChunk, scoreCsvChunk };
import { ChunkScheduler } from './parallel-stream.ts';
import { checkColumns, prepareScorer, type ScoreOptions, type Scorer, type ScoreResult, scoreLeads, scoringSchema } from './score.ts';

export interface StreamOptions extends ScoreOptions {
  /** A CSV file; or a Parquet file or a SQL query, read from DuckDB a chunk at a time and scored the table way. */
  input: Source;
  output: string;
  format: 'csv' | 'ndjson';
  /** Rows per chunk. Default `defaultChunkRows` (2,000; 8,192 for a tree model's reasons). */
  chunkRows?: number;
  /** Where rows rejected with `onError: 'skip'` go. Default `<output>.rejects.csv`. */
  rejectsPath?: string;
  /** Called after each chunk: rows done, bytes read, total bytes. */
  onProgress?: (rows: number, bytes: number, totalBytes: number) => void;
  /** Inputs from this size may use workers (default PARALLEL_STREAM_MIN_BYTES, 16 MiB; see `ChunkScheduler`). */
  parallelMinBytes?: number;
  /**
   * Workers start when this thread's pace in its second half-second says the rest of the file takes longer
   * than this (default PARALLEL_STREAM_MIN_MS, 3 s): a worker takes most of a second to load. 0 starts
   * them at once, and the first chunk waits until they have loaded (so they take part in any file).
   */
  parallelMinMs?: number;
}


/**
 * Whether `scoreFile` can stream this job: CSV, Parquet or SQL in (the last two read from DuckDB a chunk at
 * a time), CSV/NDJSON/Parquet out (Parquet by way of a streamed NDJSON file), and nothing that needs every
 * lead of an account at once (the `--account` roll-up, or a
 * model trained with account-level activity features) or of the batch (`--capacity`).
 *
 * @example
 * if (canStream(options, 'csv', scorer)) await scoreStream({ ...options, output: 'scores.csv', format: 'csv' }, scorer);
 */
export function canStream(options: ScoreOptions, format: string, scorer: Scorer): boolean {
  const input = options.input;
  return ('sql' in input || /\.(csv|tsv|txt)$/i.test(input.path) || PARQUET.test(input.path)) && (format === 'csv' || format === 'ndjson' || format === 'parquet') && !options.account
    && !options.capacity && !scorer.loaded.artifact.activities?.account;
}

import { DEFAULT_CHUNK_ROWS, defaultChunkRows } from './chunk-rows.ts';

export { DEFAULT_CHUNK_ROWS };

/** A Parquet file or a SQL source as the query DuckDB streams, with a way to count a file's rows (null: a CSV file, read here). */
function queryOf(input: Source): { sql: string; what: string; format: 'sql' | 'parquet'; rows: (() => Promise<number>) | null } | null {
  if ('sql' in input) return { sql: input.sql, what: 'the query', format: 'sql', rows: null };
  if (!PARQUET.test(input.path)) return null;
  const file = `read_parquet(${sqlString(input.path)})`;
  return {
    sql: `select * from ${file}`, what: input.path, format: 'parquet',
    rows: async () => {
      await fileSize(input.path); // a missing file said as such, not as DuckDB's error
      return Number((await queryColumns(`select count(*) as n from ${file}`, input.path)).columns[0]![0]);
    },
  };
}

const PARQUET = /\.(parquet|pq)$/i;

/**
 * Scores a CSV file chunk by chunk into `output`: prepare the scorer → open the output → read the input in
 * chunks (CSV bytes cut here, scored here or on a worker; or a query's rows from DuckDB) → apply each
 * chunk's result in order → finish (rename into place) or abort (remove).
 *
 * @example
 * const { summary } = await scoreStream({ model: 'models/latest/gbdt.model.json', input: { path: 'leads.csv' }, output: 'scores.csv', format: 'csv' });
 */
export async function scoreStream(options: StreamOptions, prepared?: Scorer): Promise<StreamResult> {
  // `reason_codes` is NDJSON's and Parquet's (CSV carries the reasons as text).
  const scorer = prepared ?? await prepareScorer(options.format === 'csv' ? { ...options, reasonCodes: false } : options);
  const query = queryOf(options.input);
  const path = 'path' in options.input ? options.input.path : '';
  // Progress is in bytes of a CSV file, in rows of a Parquet file (its row count from its metadata).
  const total = query ? (query.rows === null ? 0 : await query.rows()) : (await stat(path)).size;
  const output = await StreamOutput.open(scorer, options.output, options.format, options.rejectsPath ?? `${options.output}.rejects.csv`, options.onProgress, total);
  try {
    const { header, schema } = query ? await readQuery(scorer, query, options, output) : await readCsv(scorer, path, options, output, total);
    if (!header) throw new DataError('CSV_EMPTY', 'the file has no header row', 'the first line must name the columns');
    if (!schema) checkColumns(scorer, header); // a header without rows: still the same checks
    await output.finish(header, schema, path);
  } catch (err) {
    await output.abort();
    throw err;
  }
  return output.result();
}

/** Rows per chunk: as given, else the default for the model and the reasons asked for. */
function chunkRowsOf(scorer: Scorer, options: StreamOptions): number {
  return options.chunkRows ?? defaultChunkRows(scorer.loaded.artifact.model.kind, options.reasons ?? 3);
}

/** What reading found: the header (null: none) and the schema fixed from the first chunk (null: no row). */
interface Read {
  header: string[] | null;
  schema: Schema | null;
}

/** Parquet or SQL: DuckDB's rows a chunk at a time, typed as it reads them, scored the table way; the schema from the first. */
async function readQuery(scorer: Scorer, { sql, what, format }: NonNullable<ReturnType<typeof queryOf>>, options: StreamOptions, output: StreamOutput): Promise<Read> {
  let header: string[] | null = null;
  let schema: Schema | null = null;
  let row = 0;
  for await (const piece of queryChunks(sql, what, chunkRowsOf(scorer, options))) {
    const raw = rawTable(piece.names, piece.columns, format, what);
    if (!header) {
      header = piece.names;
      checkColumns(scorer, piece.names);
    }
    if (raw.rows === 0) continue;
    schema ??= scoringSchema(scorer, raw);
    output.read += raw.rows;
    await loadArquero(); // scored the table way
    await output.apply(scoreChunk(scorer, schema, raw, Array.from({ length: raw.rows }, (_, i) => row + i + 1), options.format));
    row += raw.rows;
  }
  return { header, schema };
}

/**
 * A CSV file's bytes cut into chunks of whole records (`LineCut`, or `scanRecords` where a chunk's lines are
 * not plain; both number its lines and rows) on this thread; each chunk scored here or handed to a worker (`ChunkScheduler`), and the results
 * applied in order as they are ready (the same bytes written either way).
 */
async function readCsv(scorer: Scorer, path: string, options: StreamOptions, output: StreamOutput, total: number): Promise<Read> {
  const chunkRows = chunkRowsOf(scorer, options);
  let header: string[] | null = null;
  let schema: Schema | null = null;
  let delimiter = ',';
  const threads = options.threads ?? Math.min(2, availableParallelism());
  const scheduler = new ChunkScheduler(scorer.options, options.format, threads, total, { minBytes: options.parallelMinBytes, minMs: options.parallelMinMs });
  const scoreHere = (job: ChunkJob): ChunkResult | Promise<ChunkResult> => scoreCsvChunk(scorer, job, options.format);
  // Chunks are cut in WebAssembly where their lines are plain, by `scanRecords` where they are not.
  const lineCut = LineCut.create();
  const inFlight: Array<{ result: Promise<ChunkResult>; ready: boolean }> = [];
  let line = 1;
  let row = 0;
  /** The file's bytes dispatched or read as its header so far. */
  let taken = 0;
  const dispatch = async (piece: Uint8Array, scan: Pick<ScannedRecords, 'lines' | 'records'>): Promise<void> => {
    if (!schema) {
      // The schema comes from the first chunk and is then held fixed. The chunk is parsed here only where a
      // column the training file did not have is inferred from its values, or to report a malformed first
      // chunk before missing columns (as the whole-file reader does).
      const parse = () => collectRecords(new TextDecoder().decode(piece), header!, delimiter, line, row, path).raw;
      let raw = infersColumns(scorer.loaded.artifact.reading, header!) ? parse() : null;
      try {
        checkColumns(scorer, header!);
      } catch (err) {
        raw ??= parse();
        throw err;
      }
      schema = scoringSchema(scorer, raw ?? { names: header!, columns: header!.map(() => []), rows: scan.records, format: 'csv', delimiter, source: path }, delimiter);
    }
    taken += piece.length;
    const job = { bytes: piece, firstLine: line, firstRow: row, header: header!, delimiter, schema, source: path, bytesAhead: Math.max(0, total - taken) };
    const entry = { result: scheduler.run(job, scoreHere), ready: false };
    // Awaited in order below; this marks it ready (and keeps a later failure from going unhandled).
    entry.result.then(() => (entry.ready = true), () => (entry.ready = true));
    inFlight.push(entry);
    line += scan.lines;
    row += scan.records;
    while (inFlight.length > 0 && (inFlight[0]!.ready || inFlight.length >= scheduler.maxInFlight)) await output.apply(await inFlight.shift()!.result);
  };
  /** The records of CSV bytes (throws CsvParser's error for an unterminated quote). */
  const parseBytes = (piece: Uint8Array): string[][] => {
    const fields: string[][] = [];
    const parser = new CsvParser({ delimiter, onRecord: (f) => fields.push(f) });
    parser.push(new TextDecoder().decode(piece));
    parser.end();
    return fields;
  };
  /** Dispatches the whole chunks at the start of `pending` (all of it when `final`); returns the bytes taken. */
  const takeChunks = async (pending: Uint8Array, final: boolean): Promise<number> => {
    let at = 0;
    if (!header) {
      if (!final && pending.length < 65536) return 0; // enough bytes to tell the delimiter
      delimiter = detectDelimiter(new TextDecoder().decode(pending.subarray(0, 65536)));
      const first = scanRecords(pending, 0, delimiter, 1, final);
      if (first.records === 0 && !final) return 0;
      // At the end without a complete record: blank lines (no header) or an unterminated quote (its error).
      at = first.records === 0 ? pending.length : first.end;
      taken += at;
      const fields = parseBytes(pending.subarray(0, at));
      if (fields.length > 0) header = uniqueHeader(fields[0]!);
      line += first.lines;
    }
    if (header) {
      // A chunk is a view of the read buffer: scored here before the next read, or copied for a worker.
      for (;;) {
        const cut = lineCut?.scan(pending, at, chunkRows, final) ?? null;
        const scan = cut ?? scanRecords(pending, at, delimiter, chunkRows, final);
        if (scan.end === at || (!final && scan.records < chunkRows)) break;
        if (cut) output.chunks.cutInWasm++;
        await dispatch(pending.subarray(at, scan.end), scan);
        at = scan.end;
      }
      // What the last scan could not take is a record with an unterminated quote: parsed in turn, it fails.
      if (final && at < pending.length) {
        await dispatch(pending.subarray(at), { lines: 0, records: 0 });
        at = pending.length;
      }
    }
    return at;
  };
  let window: FileWindow | null = null;
  try {
    // A Latin-1 export is read from its UTF-8 copy, as the training file's readers read one.
    window = await FileWindow.open(await utf8Path(path));
    for (let read; (read = await window.fill()) > 0;) {
      output.read += read;
      window.take(await takeChunks(window.bytes, false));
    }
    if (output.read === 0) throw new DataError('CSV_EMPTY', `${path} is empty`, 'the first line must name the columns');
    window.take(await takeChunks(window.bytes, true));
    while (inFlight.length > 0) await output.apply(await inFlight.shift()!.result);
  } finally {
    output.chunks.onWorkers = scheduler.workerChunks;
    await Promise.all([scheduler.close(), window?.close()]);
  }
  return { header, schema };
}

export interface ScoreFileOptions extends ScoreOptions {
  output: string;
  format: OutputFormat;
  /** Rows per chunk when streaming. Default `defaultChunkRows` (2,000; 8,192 for a tree model's reasons). */
  chunkRows?: number;
  /** Called after each chunk when the file is streamed: rows done, bytes read, total bytes. */
  onProgress?: StreamOptions['onProgress'];
  /** Called once every row is scored into a streamed Parquet export's NDJSON, as DuckDB starts writing the Parquet file from it. */
  onConvert?: () => void;
}

/**
 * Scores a file into `output`: streamed chunk by chunk when `canStream` allows it, else in memory; rows
 * rejected with `onError: 'skip'` go to `<output>.rejects.csv` either way.
 *
 * @example
 * const { summary } = await scoreFile({ model: 'models/latest/logistic.model.json', input: { path: 'leads.csv' }, output: 'scores.csv', format: 'csv' });
 */
export async function scoreFile(options: ScoreFileOptions): Promise<{ summary: ScoreResult['summary']; rejectsPath?: string; streamed: boolean }> {
  const rejectsPath = `${options.output}.rejects.csv`;
  if (options.onError === 'skip') assertNotInput(rejectsPath, 'path' in options.input ? [options.input.path] : []);
  const scorer = await prepareScorer(options);
  if (canStream(options, options.format, scorer)) {
    // Parquet: the rows are streamed as NDJSON to a file beside the output, which DuckDB then converts
    // (the in-memory path writes Parquet from the same NDJSON, so the files are the same).
    const parquet = options.format === 'parquet';
    const output = parquet ? `${tempPath(options.output)}.ndjson` : options.output;
    try {
      const result = await scoreStream({ ...options, output, format: parquet ? 'ndjson' : options.format as 'csv' | 'ndjson', rejectsPath }, scorer);
      if (parquet) {
        options.onConvert?.();
        await ndjsonToParquet(output, options.output);
      }
      return { summary: result.summary, ...(result.rejectsPath ? { rejectsPath } : {}), streamed: true };
    } finally {
      if (parquet) await rm(output, { force: true });
    }
  }
  await loadArquero(); // the leads as a table
  const scored = await scoreLeads(options, scorer);
  await writeTable(options.output, scored.names, scored.columns, options.format, { safe: true });
  const rejected = scored.rejected;
  if (rejected) await writeCsvColumns(rejectsPath, rejected.names, rejected.names.map((_, c) => rejected.rows.map((r) => r[c] ?? null)), { safe: true });
  return { summary: scored.summary, ...(rejected ? { rejectsPath } : {}), streamed: false };
}
