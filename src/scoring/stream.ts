/**
 * Streaming batch scoring for CSV input (and Parquet or SQL input, whose rows DuckDB hands over a chunk at a
 * time, scored the table way): the file is read and parsed in pieces, scored in chunks of rows and written
 * as it goes, so memory stays bounded whatever the file's size (the activity log, when the
 * model uses one, is held in memory). The schema is inferred from the first chunk and then held fixed,
 * with the model's columns read as their training types. The bytes are cut into chunks of whole records
 * and results written in order; CSV output goes the byte path where it can (fast/), and long
 * files share their chunks with a worker (parallel-stream.ts) running the same `scoreCsvChunk`, so the
 * bytes written are the same.
 * The output (and the rejects file) is written to a temporary file and renamed at the end: an
 * interrupted run leaves nothing behind.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { availableParallelism } from 'node:os';
import { CsvParser, csvField, detectDelimiter, type ScannedRecords, scanRecords, uniqueHeader } from '../data/csv.ts';
import { assertNotSpreadsheet, fileSize, type RawTable, rawTable, type Source } from '../data/read.ts';
import { queryChunks, queryColumns, sqlString } from '../data/duckdb.ts';
import type { Schema } from '../data/schema.ts';
import { assertNotInput, cellFormatter, csvLine, ndjsonLine, ndjsonToParquet, type OutputFormat, tempPath, writeCsvColumns, writeTable } from '../data/write.ts';
import { DataError } from '../errors.ts';
import type { Tier } from '../rules/rule-file.ts';
import { type ChunkJob, type ChunkResult, emptyChunkResult } from './chunk.ts';
import { scoreChunkBytes } from './fast/byte-scorer.ts';
import { ChunkScheduler } from './parallel-stream.ts';
import { addCounts } from './decisions.ts';
import { checkColumns, dataWarnings, exportNames, narrowToNeeded, prepareScorer, type ScoreOptions, type Scorer, type ScoreResult, scoreDataset, scoreLeads, scoringSchema, typedLeads } from './score.ts';

export interface StreamOptions extends ScoreOptions {
  /** A CSV file; or a Parquet file or a SQL query, read from DuckDB a chunk at a time and scored the table way. */
  input: Source;
  output: string;
  format: 'csv' | 'ndjson';
  /** Rows per chunk. Default DEFAULT_CHUNK_ROWS (2,000). */
  chunkRows?: number;
  /** Where rows rejected with `onError: 'skip'` go. Default `<output>.rejects.csv`. */
  rejectsPath?: string;
  /** Called after each chunk: rows done, bytes read, total bytes. */
  onProgress?: (rows: number, bytes: number, totalBytes: number) => void;
  /** Threads: 2 (default where the machine has two cores) lets a worker score chunks of large inputs beside this thread; 1 never. */
  threads?: number;
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

class LineSink {
  private buffer = '';
  constructor(private readonly out: WriteStream) {}
  async line(text: string): Promise<void> {
    this.buffer += `${text}\n`;
    if (this.buffer.length > 1 << 16) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
  /** Many lines at once (each ending in a line break), as text or UTF-8 bytes. */
  async text(text: string | Uint8Array): Promise<void> {
    if (text.length === 0) return;
    await this.flush();
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
  /** Closes the file without waiting for what is buffered (it is about to be removed). */
  async abort(): Promise<void> {
    this.buffer = '';
    if (this.out.closed) return;
    // Writes still queued fail once the stream is destroyed; that is expected here, not an error to report.
    this.out.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => this.out.once('close', () => resolve()));
    this.out.destroy();
    await closed;
  }
}

/**
 * The records of a piece of CSV text cut at record boundaries (`scanRecords`), as a raw table under the
 * file's header: short records padded with empty fields, long ones an error. `firstLine` and `firstRow`
 * number the piece's lines and data rows as in the whole file.
 */
export function collectRecords(text: string, header: string[], delimiter: string, firstLine: number, firstRow: number, source: string): { raw: RawTable; dataRows: number[] } {
  const columns: string[][] = header.map(() => []);
  const dataRows: number[] = [];
  const parser = new CsvParser({
    delimiter, firstLine,
    onRecord: (fields, line) => {
      if (fields.length > header.length) {
        throw new DataError('CSV_TOO_MANY_FIELDS', `line ${line} has ${fields.length} fields but the header has ${header.length}`,
          `check the delimiter (detected ${JSON.stringify(delimiter)}) and quoting on that line`, [{ row: line, message: `${fields.length} fields, expected ${header.length}` }]);
      }
      for (let c = 0; c < header.length; c++) columns[c]!.push(c < fields.length ? fields[c]! : '');
      dataRows.push(firstRow + dataRows.length + 1);
    },
  });
  parser.push(text);
  parser.end();
  return { raw: { names: header, columns, rows: dataRows.length, format: 'csv', delimiter, source }, dataRows };
}

import { DEFAULT_CHUNK_ROWS } from './chunk-rows.ts';

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
 * Scores one chunk of parsed rows with a schema fixed from the first chunk: types them, rejects (or
 * fails on) values of the wrong type, scores and formats the lines. The same on the main thread and in
 * the stream's workers, so the output does not depend on where a chunk ran.
 */
export function scoreChunk(scorer: Scorer, schema: Schema, raw: RawTable, dataRows: readonly number[], format: 'csv' | 'ndjson'): ChunkResult {
  const cell = cellFormatter(true);
  const result = emptyChunkResult();
  // Only the columns scoring reads are typed (a date column nobody reads costs its parsing); rejects
  // still show every field as read.
  const all = raw;
  ({ raw, schema } = narrowToNeeded(scorer, raw, schema));
  // Data rows counted from 1 (the header is not a row), as the in-memory path counts them.
  const { leads, kept, rejected } = typedLeads(scorer, raw, schema, (i) => dataRows[i]!, all);
  if (rejected) {
    result.rejectedNames = rejected.names;
    result.rejectedText = rejected.rows.map((row) => `${row.map((v) => csvField(cell(v))).join(',')}\n`).join('');
    result.rejected = rejected.rows.length;
  }
  if ((kept ? kept.length : raw.rows) === 0) return result;
  const chunk = scoreDataset(scorer, leads, kept ? kept.map((i) => dataRows[i]!) : dataRows);
  result.names = chunk.names;
  const n = chunk.probability.length;
  const lines: string[] = new Array<string>(n);
  for (let r = 0; r < n; r++) lines[r] = format === 'csv' ? csvLine(chunk.columns, r, cell) : ndjsonLine(chunk.names, chunk.columns, r);
  result.text = n > 0 ? `${lines.join('\n')}\n` : '';
  result.rows = n;
  addCounts(result.tiers, chunk.tiers);
  addCounts(result.actions, chunk.actions);
  addCounts(result.unseen, chunk.unseen);
  addCounts(result.outOfRange, chunk.outOfRange);
  if (scorer.previous) result.previousMatched = chunk.ids.filter((id) => scorer.previous!.has(String(id))).length;
  if (chunk.asOf !== undefined) result.asOf = chunk.asOf;
  return result;
}

/** Parses and scores a chunk of CSV bytes: what the streaming scorer and its workers run on each chunk. */
export function scoreCsvChunk(scorer: Scorer, job: ChunkJob, format: 'csv' | 'ndjson'): ChunkResult {
  const fast = scoreChunkBytes(scorer, job, format);
  if (fast) return fast;
  const { raw, dataRows } = collectRecords(new TextDecoder().decode(job.bytes), job.header, job.delimiter, job.firstLine, job.firstRow, job.source);
  return scoreChunk(scorer, job.schema, raw, dataRows, format);
}

/**
 * Scores a CSV file chunk by chunk into `output`.
 *
 * @example
 * const { summary } = await scoreStream({ model: 'models/latest/gbdt.model.json', input: { path: 'leads.csv' }, output: 'scores.csv', format: 'csv' });
 */
export async function scoreStream(options: StreamOptions, prepared?: Scorer): Promise<Omit<ScoreResult, 'names' | 'columns'> & { names: string[]; rejectsPath?: string;
  /** Chunks with rows written by the byte path and by the table path (fast/allow-list.ts says which chunks it takes), and chunks scored on a worker. */
  chunks: { bytePath: number; tablePath: number; onWorkers: number } }> {
  // `reason_codes` is NDJSON's and Parquet's (CSV carries the reasons as text).
  const scorer = prepared ?? await prepareScorer(options.format === 'csv' ? { ...options, reasonCodes: false } : options);
  const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  const query = queryOf(options.input);
  const path = 'path' in options.input ? options.input.path : '';
  // Progress is in bytes of a CSV file, in rows of a Parquet file (its row count from its metadata).
  const totalBytes = query ? (query.rows === null ? 0 : await query.rows()) : (await stat(path)).size;
  await mkdir(dirname(options.output), { recursive: true });
  const tmp = tempPath(options.output);
  const rejectsPath = options.rejectsPath ?? `${options.output}.rejects.csv`;
  const rejectsTmp = tempPath(rejectsPath);
  // A deep write buffer lets the disk write one chunk while the next is scored (16 KiB, the default, waits on every chunk).
  const out = new LineSink(createWriteStream(tmp, { encoding: 'utf8', highWaterMark: 1 << 22 }));
  let rejectsOut: LineSink | null = null;
  const cell = cellFormatter(true);

  let header: string[] | null = null;
  let schema: Schema | null = null;
  let delimiter = ',';
  let rowsDone = 0;
  let rejectedRows = 0;
  let bytes = 0;
  const tiers: Record<string, number> = { hot: 0, warm: 0, cold: 0 };
  const actions: Record<string, number> = {};
  const unseen: Record<string, number> = {};
  const outOfRange: Record<string, number> = {};
  const chunks = { bytePath: 0, tablePath: 0, onWorkers: 0 };
  let previousMatched = 0;
  let asOf: number | undefined;
  let outNames: string[] = [];

  const apply = async (chunk: ChunkResult): Promise<void> => {
    if (chunk.rejectedNames) {
      if (!rejectsOut) {
        rejectsOut = new LineSink(createWriteStream(rejectsTmp, { encoding: 'utf8' }));
        await rejectsOut.line(chunk.rejectedNames.map((n) => csvField(cell(n))).join(','));
      }
      await rejectsOut.text(chunk.rejectedText);
      rejectedRows += chunk.rejected;
    }
    if (chunk.rows > 0) {
      if (outNames.length === 0) {
        outNames = chunk.names;
        if (options.format === 'csv') await out.line(outNames.map((n) => csvField(cell(n))).join(','));
      }
      await out.text(chunk.encoded ?? chunk.text);
      // Which path wrote the chunk: the byte path (its bytes) or the table path (its text); the same bytes either way.
      if (chunk.encoded) chunks.bytePath++;
      else chunks.tablePath++;
      rowsDone += chunk.rows;
      addCounts(tiers, chunk.tiers);
      addCounts(actions, chunk.actions);
      addCounts(unseen, chunk.unseen);
      addCounts(outOfRange, chunk.outOfRange);
      previousMatched += chunk.previousMatched;
      if (chunk.asOf !== undefined) asOf = chunk.asOf;
    }
    options.onProgress?.(rowsDone + rejectedRows, bytes, totalBytes);
  };

  // This thread cuts the bytes into chunks of whole records (`scanRecords`, which also numbers their lines
  // and rows), scores chunks itself or hands them to a worker (`ChunkScheduler`), and writes results in
  // order as they are ready (same bytes written either way).
  const threads = options.threads ?? Math.min(2, availableParallelism());
  const scheduler = new ChunkScheduler(scorer.options, options.format, threads, totalBytes, { minBytes: options.parallelMinBytes, minMs: options.parallelMinMs });
  const scoreHere = (job: ChunkJob): ChunkResult => scoreCsvChunk(scorer, job, options.format);
  const inFlight: Array<{ result: Promise<ChunkResult>; ready: boolean }> = [];
  let line = 1;
  let row = 0;
  const dispatch = async (piece: Uint8Array, scan: Pick<ScannedRecords, 'lines' | 'records'>): Promise<void> => {
    if (!schema) {
      // The schema comes from the first chunk (parsed here for that) and is then held fixed.
      const { raw } = collectRecords(new TextDecoder().decode(piece), header!, delimiter, line, row, path);
      checkColumns(scorer, header!);
      schema = scoringSchema(scorer, raw, delimiter);
    }
    const entry = { result: scheduler.run({ bytes: piece, firstLine: line, firstRow: row, header: header!, delimiter, schema, source: path }, scoreHere), ready: false };
    // Awaited in order below; this marks it ready (and keeps a later failure from going unhandled).
    entry.result.then(() => (entry.ready = true), () => (entry.ready = true));
    inFlight.push(entry);
    line += scan.lines;
    row += scan.records;
    while (inFlight.length > 0 && (inFlight[0]!.ready || inFlight.length >= scheduler.maxInFlight)) await apply(await inFlight.shift()!.result);
  };
  /** The records of CSV bytes (throws CsvParser's error for an unterminated quote). */
  const parseBytes = (piece: Uint8Array): string[][] => {
    const fields: string[][] = [];
    const parser = new CsvParser({ delimiter, onRecord: (f) => fields.push(f) });
    parser.push(new TextDecoder().decode(piece));
    parser.end();
    return fields;
  };
  let pending = new Uint8Array(0);
  const takeChunks = async (final: boolean): Promise<void> => {
    let at = 0;
    if (!header) {
      if (!final && pending.length < 65536) return; // enough bytes to tell the delimiter
      delimiter = detectDelimiter(new TextDecoder().decode(pending.subarray(0, 65536)));
      const first = scanRecords(pending, 0, delimiter, 1, final);
      if (first.records === 0 && !final) return;
      // At the end without a complete record: blank lines (no header) or an unterminated quote (its error).
      at = first.records === 0 ? pending.length : first.end;
      const fields = parseBytes(pending.subarray(0, at));
      if (fields.length > 0) header = uniqueHeader(fields[0]!);
      line += first.lines;
    }
    if (header) {
      for (;;) {
        const scan = scanRecords(pending, at, delimiter, chunkRows, final);
        if (scan.end === at || (!final && scan.records < chunkRows)) break;
        await dispatch(pending.slice(at, scan.end), scan);
        at = scan.end;
      }
      // What the last scan could not take is a record with an unterminated quote: parsed in turn, it fails.
      if (final && at < pending.length) await dispatch(pending.slice(at), { lines: 0, records: 0 });
    }
    pending = pending.slice(at);
  };

  /** Parquet or SQL: DuckDB's rows a chunk at a time, typed as it reads them; the schema from the first. */
  const readQuery = async ({ sql, what, format }: NonNullable<typeof query>): Promise<void> => {
    for await (const piece of queryChunks(sql, what, chunkRows)) {
      const raw = rawTable(piece.names, piece.columns, format, what);
      if (!header) {
        header = piece.names;
        checkColumns(scorer, piece.names);
      }
      if (raw.rows === 0) continue;
      schema ??= scoringSchema(scorer, raw);
      bytes += raw.rows;
      await apply(scoreChunk(scorer, schema, raw, Array.from({ length: raw.rows }, (_, i) => row + i + 1), options.format));
      row += raw.rows;
    }
  };

  try {
    if (query) await readQuery(query);
    else try {
      await assertNotSpreadsheet(path);
      const stream = createReadStream(path, { highWaterMark: 1 << 20 });
      for await (const piece of stream) {
        const buf = piece as Buffer;
        bytes += buf.length;
        const joined = new Uint8Array(pending.length + buf.length);
        joined.set(pending);
        joined.set(buf, pending.length);
        pending = joined;
        await takeChunks(false);
      }
      if (bytes === 0) throw new DataError('CSV_EMPTY', `${path} is empty`, 'the first line must name the columns');
      await takeChunks(true);
      while (inFlight.length > 0) await apply(await inFlight.shift()!.result);
    } finally {
      chunks.onWorkers = scheduler.workerChunks;
      await scheduler.close();
    }
    if (!header) throw new DataError('CSV_EMPTY', 'the file has no header row', 'the first line must name the columns');
    if (!schema) checkColumns(scorer, header); // a header without rows: still the same checks
    if (outNames.length === 0 && options.format === 'csv') {
      // No row scored (none, or all rejected): the header alone — the same as when rows are scored (the id
      // column, --keep columns) — so downstream readers see the columns.
      const names = header as string[];
      const read = schema ?? scoringSchema(scorer, { names, columns: names.map(() => []), rows: 0, format: 'csv', source: path });
      await out.line(exportNames(scorer, read).map((n) => csvField(n)).join(','));
    }
    await out.close();
    if (rejectsOut) await (rejectsOut as LineSink).close();
    await rename(tmp, options.output);
    if (rejectsOut) await rename(rejectsTmp, rejectsPath);
  } catch (err) {
    await out.abort();
    if (rejectsOut) await (rejectsOut as LineSink).abort();
    await rm(tmp, { force: true });
    await rm(rejectsTmp, { force: true });
    throw err;
  }
  return {
    names: outNames, chunks,
    ...(rejectedRows ? { rejectsPath } : {}),
    summary: {
      rows: rowsDone, rejected: rejectedRows, model: scorer.modelLabel, tiers: tiers as Record<Tier, number>, actions, unseen, outOfRange,
      warnings: dataWarnings(scorer, rowsDone, unseen, outOfRange), rules: scorer.rulesPath,
      ...(scorer.previous ? { previousMatched } : {}),
      ...(asOf !== undefined ? { asOf: new Date(asOf).toISOString() } : {}),
    },
  };
}

export interface ScoreFileOptions extends ScoreOptions {
  output: string;
  format: OutputFormat;
  /** Rows per chunk when streaming. Default DEFAULT_CHUNK_ROWS (2,000). */
  chunkRows?: number;
  /** Called after each chunk when the file is streamed: rows done, bytes read, total bytes. */
  onProgress?: StreamOptions['onProgress'];
  /** Threads when streaming a large CSV (see StreamOptions.threads). */
  threads?: number;
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
  const scored = await scoreLeads(options, scorer);
  await writeTable(options.output, scored.names, scored.columns, options.format, { safe: true });
  const rejected = scored.rejected;
  if (rejected) await writeCsvColumns(rejectsPath, rejected.names, rejected.names.map((_, c) => rejected.rows.map((r) => r[c] ?? null)), { safe: true });
  return { summary: scored.summary, ...(rejected ? { rejectsPath } : {}), streamed: false };
}
