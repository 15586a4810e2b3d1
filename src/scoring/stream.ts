/**
 * Streaming batch scoring for CSV input: the file is read and parsed in pieces, scored in chunks of rows
 * and written as it goes, so memory stays bounded whatever the file's size (the activity log, when the
 * model uses one, is held in memory). The schema is inferred from the first chunk and then held fixed,
 * with the model's columns read as their training types. The output (and the rejects file) is written to
 * a temporary file and renamed at the end: an interrupted run leaves nothing behind.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { CsvParser, csvField, detectDelimiter, uniqueHeader } from '../data/csv.ts';
import { applySchema, type Dataset } from '../data/dataset.ts';
import type { RawTable } from '../data/read.ts';
import { inferSchema, type Schema } from '../data/schema.ts';
import { assertNotInput, cellFormatter, csvLine, ndjsonLine, type OutputFormat, tempPath, writeCsvColumns, writeTable } from '../data/write.ts';
import { DataError } from '../errors.ts';
import type { Tier } from '../rules/rule-file.ts';
import { addCounts, checkColumns, EXPORT_COLUMNS, findTypeErrors, modelSchema, prepareScorer, rejectsOf, type ScoreOptions, type Scorer, type ScoreResult, scoreDataset, scoreLeads, typeErrorOf } from './score.ts';

export interface StreamOptions extends ScoreOptions {
  input: { path: string };
  output: string;
  format: 'csv' | 'ndjson';
  /** Rows per chunk. Default 50,000. */
  chunkRows?: number;
  /** Where rows rejected with `onError: 'skip'` go. Default `<output>.rejects.csv`. */
  rejectsPath?: string;
  /** Called after each chunk: rows done, bytes read, total bytes. */
  onProgress?: (rows: number, bytes: number, totalBytes: number) => void;
}

/**
 * Whether `scoreStream` can take this job: CSV in, CSV/NDJSON out, and nothing that needs every lead of an
 * account at once (the `--account` roll-up, or a model trained with account-level activity features).
 */
export function canStream(options: ScoreOptions, format: string, scorer: Scorer): boolean {
  return 'path' in options.input && /\.(csv|tsv|txt)$/i.test(options.input.path) && (format === 'csv' || format === 'ndjson') && !options.account
    && !scorer.loaded.artifact.activities?.account;
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
  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}

/**
 * Scores a CSV file chunk by chunk into `output`.
 *
 * @example
 * const { summary } = await scoreStream({ model: 'models/latest/gbdt.model.json', input: { path: 'leads.csv' }, output: 'scores.csv', format: 'csv' });
 */
export async function scoreStream(options: StreamOptions, prepared?: Scorer): Promise<Omit<ScoreResult, 'names' | 'columns'> & { names: string[]; rejectsPath?: string }> {
  const scorer = prepared ?? await prepareScorer(options);
  const chunkRows = options.chunkRows ?? 50_000;
  const totalBytes = (await stat(options.input.path)).size;
  await mkdir(dirname(options.output), { recursive: true });
  const tmp = tempPath(options.output);
  const rejectsPath = options.rejectsPath ?? `${options.output}.rejects.csv`;
  const rejectsTmp = tempPath(rejectsPath);
  const out = new LineSink(createWriteStream(tmp, { encoding: 'utf8' }));
  let rejectsOut: LineSink | null = null;
  const cell = cellFormatter(true);

  let header: string[] | null = null;
  let schema: Schema | null = null;
  let delimiter = ',';
  let names: string[] = [];
  let columns: string[][] = [];
  let lines: number[] = [];
  let dataRows: number[] = [];
  let records = 0;
  let rowsDone = 0;
  let rejectedRows = 0;
  let bytes = 0;
  const tiers: Record<string, number> = { hot: 0, warm: 0, cold: 0 };
  const actions: Record<string, number> = {};
  const unseen: Record<string, number> = {};
  let previousMatched = 0;
  let asOf: number | undefined;
  let outNames: string[] = [];

  const flushChunk = async (): Promise<void> => {
    if (!header || lines.length === 0) return;
    let raw: RawTable = { names: header, columns, rows: lines.length, format: 'csv', delimiter, source: options.input.path };
    if (!schema) {
      checkColumns(scorer, header);
      schema = modelSchema(scorer, inferSchema(raw, { ...(options.na ? { na: options.na } : {}), delimiter }));
    }
    let table = applySchema(raw, schema);
    const errors = findTypeErrors(scorer, raw, schema, table);
    let rowNumbers = dataRows;
    if (errors.length > 0) {
      // Data rows counted from 1 (the header is not a row), as the in-memory path counts them.
      if (options.onError !== 'skip') throw typeErrorOf(errors, (i) => dataRows[i]!);
      const rejected = rejectsOf(raw, errors, (i) => dataRows[i]!);
      if (!rejectsOut) {
        rejectsOut = new LineSink(createWriteStream(rejectsTmp, { encoding: 'utf8' }));
        await rejectsOut.line(rejected.names.map((n) => csvField(cell(n))).join(','));
      }
      for (const row of rejected.rows) await rejectsOut.line(row.map((v) => csvField(cell(v))).join(','));
      rejectedRows += rejected.rows.length;
      const bad = new Set(errors.map((e) => e.index));
      const keep = Array.from({ length: raw.rows }, (_, i) => i).filter((i) => !bad.has(i));
      raw = { ...raw, columns: raw.columns.map((c) => keep.map((i) => c[i]!)), rows: keep.length };
      rowNumbers = keep.map((i) => dataRows[i]!);
      table = applySchema(raw, schema);
    }
    if (raw.rows > 0) {
      const { columns: _c, ...meta } = raw;
      const leads: Dataset = { table, schema, raw: meta };
      const chunk = scoreDataset(scorer, leads, rowNumbers);
      if (outNames.length === 0) {
        outNames = chunk.names;
        if (options.format === 'csv') await out.line(outNames.map((n) => csvField(cell(n))).join(','));
      }
      const n = chunk.probability.length;
      for (let r = 0; r < n; r++) {
        await out.line(options.format === 'csv' ? csvLine(chunk.columns, r, cell) : ndjsonLine(chunk.names, chunk.columns, r));
      }
      rowsDone += n;
      addCounts(tiers, chunk.tiers);
      addCounts(actions, chunk.actions);
      addCounts(unseen, chunk.unseen);
      if (scorer.previous) previousMatched += chunk.ids.filter((id) => scorer.previous!.has(String(id))).length;
      if (chunk.asOf !== undefined) asOf = chunk.asOf;
    }
    columns = names.map(() => []);
    lines = [];
    dataRows = [];
    options.onProgress?.(rowsDone + rejectedRows, bytes, totalBytes);
  };

  const pendingRecords: Array<{ fields: string[]; line: number }> = [];
  const parserFor = (delim: string) => new CsvParser({
    delimiter: delim,
    onRecord: (fields, line) => pendingRecords.push({ fields, line }),
  });
  let parser: CsvParser | null = null;
  const decoder = new StringDecoder('utf8');
  const take = async (): Promise<void> => {
    for (const { fields, line } of pendingRecords.splice(0)) {
      if (!header) {
        header = uniqueHeader(fields);
        names = header;
        columns = names.map(() => []);
        continue;
      }
      if (fields.length > header.length) {
        throw new DataError('CSV_TOO_MANY_FIELDS', `line ${line} has ${fields.length} fields but the header has ${header.length}`,
          `check the delimiter (detected ${JSON.stringify(delimiter)}) and quoting on that line`, [{ row: line, message: `${fields.length} fields, expected ${header.length}` }]);
      }
      for (let c = 0; c < header.length; c++) columns[c]!.push(c < fields.length ? fields[c]! : '');
      lines.push(line);
      dataRows.push(++records);
      if (lines.length >= chunkRows) await flushChunk();
    }
  };

  try {
    const stream = createReadStream(options.input.path, { highWaterMark: 1 << 20 });
    for await (const piece of stream) {
      const buf = piece as Buffer;
      bytes += buf.length;
      const text = decoder.write(buf);
      if (!parser) {
        delimiter = detectDelimiter(text.slice(0, 1 << 16));
        parser = parserFor(delimiter);
      }
      parser.push(text);
      await take();
    }
    if (!parser) throw new DataError('CSV_EMPTY', `${options.input.path} is empty`, 'the first line must name the columns');
    parser.push(decoder.end());
    parser.end();
    await take();
    await flushChunk();
    if (!header) throw new DataError('CSV_EMPTY', 'the file has no header row', 'the first line must name the columns');
    if (!schema) checkColumns(scorer, header); // a header without rows: still the same checks
    if (outNames.length === 0 && options.format === 'csv') {
      // No row scored (none, or all rejected): the header alone, so downstream readers see the columns.
      await out.line(['row', ...EXPORT_COLUMNS].map((n) => csvField(n)).join(','));
    }
    await out.close();
    if (rejectsOut) await (rejectsOut as LineSink).close();
    await rename(tmp, options.output);
    if (rejectsOut) await rename(rejectsTmp, rejectsPath);
  } catch (err) {
    await rm(tmp, { force: true });
    await rm(rejectsTmp, { force: true });
    throw err;
  }
  return {
    names: outNames,
    ...(rejectedRows ? { rejectsPath } : {}),
    summary: {
      rows: rowsDone, rejected: rejectedRows, model: scorer.modelLabel, tiers: tiers as Record<Tier, number>, actions, unseen, rules: scorer.rulesPath,
      ...(scorer.previous ? { previousMatched } : {}),
      ...(asOf !== undefined ? { asOf: new Date(asOf).toISOString() } : {}),
    },
  };
}

export interface ScoreFileOptions extends ScoreOptions {
  output: string;
  format: OutputFormat;
  /** Rows per chunk when streaming. Default 50,000. */
  chunkRows?: number;
  /** Called after each chunk when the file is streamed: rows done, bytes read, total bytes. */
  onProgress?: StreamOptions['onProgress'];
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
    const result = await scoreStream({ ...options, input: options.input as { path: string }, format: options.format as 'csv' | 'ndjson', rejectsPath }, scorer);
    return { summary: result.summary, ...(result.rejectsPath ? { rejectsPath } : {}), streamed: true };
  }
  const scored = await scoreLeads(options, scorer);
  await writeTable(options.output, scored.names, scored.columns, options.format, { safe: true });
  const rejected = scored.rejected;
  if (rejected) await writeCsvColumns(rejectsPath, rejected.names, rejected.names.map((_, c) => rejected.rows.map((r) => r[c] ?? null)), { safe: true });
  return { summary: scored.summary, ...(rejected ? { rejectsPath } : {}), streamed: false };
}
