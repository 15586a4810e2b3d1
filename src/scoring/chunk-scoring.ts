/**
 * One chunk of a streamed file scored: its records cut from the text under the file's header
 * (`collectRecords`), typed and scored the table way (`scoreChunk`, the definition of the output), or for
 * CSV bytes by the byte path where it takes them (`scoreCsvChunk`). The same code on the main thread and in
 * the stream's workers (stream-worker.js), so the output does not depend on where a chunk ran.
 */
import { CsvParser, csvField } from '../data/io/csv.ts';
import type { RawTable } from '../data/io/read.ts';
import { DataError } from '../errors.ts';
import type { Schema } from '../data/types/schema.ts';
import { arqueroLoaded, loadArquero } from '../data/io/arquero.ts';
import { cellFormatter, csvLine, ndjsonLine } from '../data/io/write.ts';
import { type ChunkJob, type ChunkResult, emptyChunkResult } from './chunk.ts';
import { addCounts } from './decisions.ts';
import { scoreChunkBytes } from './fast/byte-scorer.ts';
import { narrowToNeeded, type Scorer, scoreDataset, typedLeads } from './score.ts';

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

/**
 * Scores one chunk of parsed rows with a schema fixed from the first chunk: types them, rejects (or
 * fails on) values of the wrong type, scores and formats the lines. The same on the main thread and in
 * the stream's workers, so the output does not depend on where a chunk ran.
 */
export function scoreChunk(scorer: Scorer, schema: Schema, raw: RawTable, dataRows: readonly number[], format: 'csv' | 'ndjson', threads?: number): ChunkResult {
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
  const chunk = scoreDataset(scorer, leads, kept ? kept.map((i) => dataRows[i]!) : dataRows, threads);
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

/**
 * Parses and scores a chunk of CSV bytes: what the streaming scorer and its workers run on each chunk. The
 * byte path answers at once; the table path once arquero is loaded (a promise the first time).
 */
export function scoreCsvChunk(scorer: Scorer, job: ChunkJob, format: 'csv' | 'ndjson'): ChunkResult | Promise<ChunkResult> {
  const fast = scoreChunkBytes(scorer, job, format);
  if (fast) return fast;
  const tablePath = (): ChunkResult => {
    const { raw, dataRows } = collectRecords(new TextDecoder().decode(job.bytes), job.header, job.delimiter, job.firstLine, job.firstRow, job.source);
    return scoreChunk(scorer, job.schema, raw, dataRows, format, job.threads);
  };
  return arqueroLoaded() ? tablePath() : loadArquero().then(tablePath);
}

