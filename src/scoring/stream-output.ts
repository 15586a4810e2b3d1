/**
 * Where a stream's scored rows go: the output file and, with `onError: 'skip'`, the rejects file, each
 * written to a temporary file and renamed at the end (an interrupted run leaves nothing behind), with the
 * run's totals counted chunk by chunk as results are applied in order.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { csvField } from '../data/io/csv.ts';
import type { Schema } from '../data/types/schema.ts';
import { cellFormatter, makeParentFolder, removeAbandoned, tempPath } from '../data/io/write.ts';
import { dirname } from 'node:path';
import type { Tier } from '../rules/rule-file.ts';
import type { ChunkResult } from './chunk.ts';
import { addCounts } from './decisions.ts';
import { dataWarnings, exportNames, type Scorer, type ScoreResult, scoringSchema } from './score.ts';

/** Lines and byte blocks to a file, buffered; `abort` drops what is buffered. */
class LineSink {
  private buffer = '';
  /**
   * The stream's first write error. A write the stream accepted into its buffer can fail later (a full disk,
   * a file-size limit) while nothing awaits the stream; kept here, it is thrown at the next write or at
   * close, where the caller turns it into an exit-2 error, instead of being an unhandled 'error' event that
   * ends the process (a race the fault test met once in CI).
   */
  private failed: Error | null = null;
  constructor(private readonly out: WriteStream) {
    out.on('error', (err) => {
      this.failed ??= err;
    });
  }
  private check(): void {
    if (this.failed) throw this.failed;
  }
  async line(text: string): Promise<void> {
    this.buffer += `${text}\n`;
    if (this.buffer.length > 1 << 16) await this.flush();
  }
  async flush(): Promise<void> {
    this.check();
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
  /** Many lines at once (each ending in a line break), as text or UTF-8 bytes; `written` is called once the stream has written them. */
  async text(text: string | Uint8Array, written?: () => void): Promise<void> {
    if (text.length === 0) {
      written?.();
      return;
    }
    await this.flush();
    if (!this.out.write(text, written && (() => written()))) await once(this.out, 'drain');
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

export type StreamResult = Omit<ScoreResult, 'names' | 'columns'> & { names: string[]; rejectsPath?: string;
  /**
   * Chunks with rows written by the byte path and by the table path (fast/allow-list.ts says which chunks it
   * takes), chunks scored on a worker, and chunks of a CSV file cut in WebAssembly (record-cut.ts `LineCut`;
   * the others by `scanRecords`).
   */
  chunks: { bytePath: number; tablePath: number; onWorkers: number; cutInWasm: number } };

/** The stream's output files and totals. */
export class StreamOutput {
  private readonly tmp: string;
  private readonly rejectsTmp: string;
  private readonly out: LineSink;
  private rejectsOut: LineSink | null = null;
  private readonly cell = cellFormatter(true);
  private outNames: string[] = [];
  private rowsDone = 0;
  private rejectedRows = 0;
  private readonly tiers: Record<string, number> = { hot: 0, warm: 0, cold: 0 };
  private readonly actions: Record<string, number> = {};
  private readonly unseen: Record<string, number> = {};
  private readonly outOfRange: Record<string, number> = {};
  private previousMatched = 0;
  private asOf: number | undefined;
  readonly chunks = { bytePath: 0, tablePath: 0, onWorkers: 0, cutInWasm: 0 };
  /** Input read so far (bytes of a CSV file, rows of a query), for progress. */
  read = 0;

  static async open(scorer: Scorer, output: string, format: 'csv' | 'ndjson', rejectsPath: string, onProgress: ((rows: number, bytes: number, totalBytes: number) => void) | undefined, total: number): Promise<StreamOutput> {
    await makeParentFolder(output);
    await removeAbandoned(dirname(output));
    return new StreamOutput(scorer, output, format, rejectsPath, onProgress, total);
  }

  private constructor(private readonly scorer: Scorer, private readonly output: string, private readonly format: 'csv' | 'ndjson', private readonly rejectsPath: string,
    private readonly onProgress: ((rows: number, bytes: number, totalBytes: number) => void) | undefined, private readonly total: number) {
    this.tmp = tempPath(output);
    this.rejectsTmp = tempPath(rejectsPath);
    // A deep write buffer lets the disk write one chunk while the next is scored (16 KiB, the default, waits on every chunk).
    this.out = new LineSink(createWriteStream(this.tmp, { encoding: 'utf8', highWaterMark: 1 << 22 }));
  }

  /** A chunk's result, in order: its rejects, its rows (the header before the first), its counts. */
  async apply(chunk: ChunkResult): Promise<void> {
    const { cell } = this;
    if (chunk.rejectedNames) {
      if (!this.rejectsOut) {
        this.rejectsOut = new LineSink(createWriteStream(this.rejectsTmp, { encoding: 'utf8' }));
        await this.rejectsOut.line(chunk.rejectedNames.map((n) => csvField(cell(n))).join(','));
      }
      await this.rejectsOut.text(chunk.rejectedText);
      this.rejectedRows += chunk.rejected;
    }
    if (chunk.rows > 0) {
      if (this.outNames.length === 0) {
        this.outNames = chunk.names;
        if (this.format === 'csv') await this.out.line(this.outNames.map((n) => csvField(cell(n))).join(','));
      }
      await this.out.text(chunk.encoded ?? chunk.text, chunk.release);
      // Which path wrote the chunk: the byte path (its bytes) or the table path (its text); the same bytes either way.
      if (chunk.encoded) this.chunks.bytePath++;
      else this.chunks.tablePath++;
      this.rowsDone += chunk.rows;
      addCounts(this.tiers, chunk.tiers);
      addCounts(this.actions, chunk.actions);
      addCounts(this.unseen, chunk.unseen);
      addCounts(this.outOfRange, chunk.outOfRange);
      this.previousMatched += chunk.previousMatched;
      if (chunk.asOf !== undefined) this.asOf = chunk.asOf;
    }
    this.onProgress?.(this.rowsDone + this.rejectedRows, this.read, this.total);
  }

  /**
   * Closes the files and renames them into place. With no row scored (none, or all rejected), a CSV gets
   * the header alone — the same as when rows are scored (the id column, --keep columns) — so downstream
   * readers see the columns.
   */
  async finish(header: string[], schema: Schema | null, source: string): Promise<void> {
    if (this.outNames.length === 0 && this.format === 'csv') {
      const read = schema ?? scoringSchema(this.scorer, { names: header, columns: header.map(() => []), rows: 0, format: 'csv', source });
      await this.out.line(exportNames(this.scorer, read).map((n) => csvField(n)).join(','));
    }
    await this.out.close();
    if (this.rejectsOut) await this.rejectsOut.close();
    await rename(this.tmp, this.output);
    if (this.rejectsOut) await rename(this.rejectsTmp, this.rejectsPath);
  }

  /** Removes what was written (a failed run leaves nothing). */
  async abort(): Promise<void> {
    await this.out.abort();
    if (this.rejectsOut) await this.rejectsOut.abort();
    await rm(this.tmp, { force: true });
    await rm(this.rejectsTmp, { force: true });
  }

  result(): StreamResult {
    const { scorer, rowsDone, unseen, outOfRange } = this;
    return {
      names: this.outNames, chunks: this.chunks,
      ...(this.rejectedRows ? { rejectsPath: this.rejectsPath } : {}),
      summary: {
        rows: rowsDone, rejected: this.rejectedRows, model: scorer.modelLabel, tiers: this.tiers as Record<Tier, number>, actions: this.actions, unseen, outOfRange,
        warnings: dataWarnings(scorer, rowsDone, unseen, outOfRange), rules: scorer.rulesPath,
        ...(scorer.previous ? { previousMatched: this.previousMatched } : {}),
        ...(this.asOf !== undefined ? { asOf: new Date(this.asOf).toISOString() } : {}),
        ...(scorer.log?.notes ? { notes: scorer.log.notes } : {}),
      },
    };
  }
}
