/**
 * A chunk of a streamed CSV file and what scoring it gives: the one shape the stream (stream.ts), its
 * workers (parallel-stream.ts, stream-worker.js) and the byte path (fast/) share, so none of them imports
 * another for it.
 */
import type { Schema } from '../data/types/schema.ts';

/** One chunk for scoring: whole records as UTF-8 bytes, where they sit in the file, and how to read them. */
export interface ChunkJob {
  /**
   * Whole records. On the main thread a view of the reader's buffer, valid only until its next read: a chunk
   * kept longer (sent to a worker, or waiting for the workers to load) is copied, and the copy's buffer is
   * handed over to the worker.
   */
  bytes: Uint8Array;
  firstLine: number;
  firstRow: number;
  header: string[];
  delimiter: string;
  schema: Schema;
  source: string;
  /**
   * The threads scoring this chunk may use (TreeSHAP's worker for a tree model's reasons): 1 for a chunk
   * scored on the main thread while chunk workers keep the other cores busy; unset, the scorer's own option.
   */
  threads?: number;
  /**
   * The file's bytes after this chunk (unset: not known). From it the byte path estimates the rows still to
   * come, and a forest that will score enough of them builds its leaf masks at once (predict.ts).
   */
  bytesAhead?: number;
}

/** What one chunk of a stream gives: its output lines, its rejected rows and its counts. */
export interface ChunkResult {
  /** Output column names (empty when no row of the chunk was scored). */
  names: string[];
  /** The scored rows as output lines, each ending in a line break (or, from a worker, as UTF-8 bytes). */
  text: string;
  encoded?: Uint8Array;
  /**
   * With `encoded` from the byte path: gives its buffer back once the bytes are written out (they are a view
   * of a buffer the byte path lends: `ByteSink.lend`). Not to be called while they are still needed.
   */
  release?: () => void;
  /** Rejected rows (`onError: 'skip'`): their column names and CSV lines. */
  rejectedNames: string[] | null;
  rejectedText: string;
  rejected: number;
  rows: number;
  tiers: Record<string, number>;
  actions: Record<string, number>;
  unseen: Record<string, number>;
  outOfRange: Record<string, number>;
  previousMatched: number;
  asOf?: number;
}

/** A chunk's result before any row is scored. */
export function emptyChunkResult(): ChunkResult {
  return { names: [], text: '', rejectedNames: null, rejectedText: '', rejected: 0, rows: 0, tiers: {}, actions: {}, unseen: {}, outOfRange: {}, previousMatched: 0 };
}
