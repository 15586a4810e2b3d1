/**
 * Streaming on more than one core: the main thread cuts the CSV's bytes into chunks of whole records,
 * scores some itself and writes the output in order, while workers (stream-worker.js) score the others
 * with the scorer's own code; chunks travel as bytes both ways (to a worker a copy of the reader's view,
 * handed over; back without a copy). A chunk goes to a worker only once it has loaded the model
 * and while it holds fewer than eight (two for slow chunks), so a worker that is starting or slowed holds
 * nothing up. Each chunk is scored exactly as on one thread, so the output is
 * byte-identical (tested); chunks in flight are capped, so memory stays bounded. Workers load the model
 * (and activity log) themselves, which takes most of a second: small files, and files the main thread
 * alone finishes within seconds, are scored without them.
 */
import { Worker } from 'node:worker_threads';
import { ConfigError, DataError, isErrorCode, LeadscoreError, ModelFormatError } from '../errors.ts';
import type { ScoreOptions } from './score.ts';
import type { ChunkJob, ChunkResult } from './chunk.ts';
import { workerOptions } from '../worker-options.ts';

/** Inputs smaller than this are scored on the main thread (worker start-up would cost more). */
export const PARALLEL_STREAM_MIN_BYTES = 16 * 2 ** 20;
/**
 * Workers start only when the rest of the file would take this thread longer than this (ms): a worker
 * takes 0.8 s to load here, and 1M sample leads by the byte path (~2 s) came out slower with one than
 * without, 3M faster.
 */
export const PARALLEL_STREAM_MIN_MS = 3000;
/** The work (ms at this thread's pace) a worker may hold queued when its chunks are slow: see `ChunkScheduler.queueFor`. */
const QUEUE_MS = 50;

/**
 * The chunk with a copy of its bytes: they are a view of the reader's buffer, which its next read refills,
 * so a chunk kept past the call that received it (sent to a worker, or waiting for one) keeps a copy.
 */
function withOwnBytes(job: ChunkJob): ChunkJob {
  // Not `slice()`: on a Buffer that is a view too.
  const bytes = new Uint8Array(job.bytes.length);
  bytes.set(job.bytes);
  return { ...job, bytes };
}

interface WorkerError {
  name?: string;
  code?: string;
  message: string;
  hint?: string;
  issues?: DataError['issues'];
  stack?: string;
}

/** The error a worker reported, as the class the CLI knows (exit 2 for bad input, 1 for a bug). */
function revive(e: WorkerError): Error {
  // Only a known code comes back as bad input; anything else from a worker is a bug, said as one.
  if (isErrorCode(e.code)) {
    if (e.name === 'DataError') return new DataError(e.code, e.message, e.hint ?? '', e.issues ?? []);
    if (e.name === 'ConfigError') return new ConfigError(e.code, e.message, e.hint ?? '');
    if (e.name === 'ModelFormatError') return new ModelFormatError(e.code, e.message, e.hint ?? '');
    if (e.hint !== undefined) return new LeadscoreError(e.code, e.message, e.hint);
  }
  const err = new Error(`in a scoring worker: ${e.message}`);
  if (e.stack) err.stack = e.stack;
  return err;
}

export class ChunkWorkers {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void; worker: number }>();
  /** Per worker: whether it has loaded the model, and how many chunks it holds. */
  private readonly ready: boolean[];
  private readonly held: number[];
  private next = 0;
  /** Settles once every worker has loaded the model. */
  readonly loaded: Promise<void>;

  constructor(options: ScoreOptions, format: 'csv' | 'ndjson', readonly size = 2) {
    // Only what the scorer reads from its options; callbacks stay here.
    const plain = JSON.parse(JSON.stringify(options)) as ScoreOptions;
    this.ready = new Array<boolean>(size).fill(false);
    this.held = new Array<number>(size).fill(0);
    let allLoaded: () => void = () => {};
    this.loaded = new Promise<void>((resolve) => (allLoaded = resolve));
    this.workers = Array.from({ length: size }, (_, w) => {
      const worker = new Worker(new URL('./stream-worker.js', import.meta.url), { ...workerOptions(), workerData: { options: plain, format } });
      worker.on('message', (m: { id: number; ready?: boolean; result?: ChunkResult; error?: WorkerError }) => {
        if (m.ready) {
          this.ready[w] = true;
          if (this.ready.every(Boolean)) allLoaded();
          return;
        }
        const job = this.waiting.get(m.id);
        if (!job) return;
        this.waiting.delete(m.id);
        this.held[job.worker]!--;
        if (m.error) job.reject(revive(m.error));
        else job.resolve(m.result!);
      });
      worker.on('error', (err) => {
        for (const job of this.waiting.values()) job.reject(err);
        this.waiting.clear();
        allLoaded(); // nothing more to wait for: the chunks go here, or the error surfaces
      });
      return worker;
    });
  }

  /** A worker that has loaded the model and holds fewer than `most` chunks (the least busy), if any. */
  available(most: number): number | undefined {
    let best: number | undefined;
    for (let w = 0; w < this.size; w++) {
      if (this.ready[w] && this.held[w]! < most && (best === undefined || this.held[w]! < this.held[best]!)) best = w;
    }
    return best;
  }

  /** Scores a chunk of whole records on worker `w`: a copy of its bytes is handed over (`withOwnBytes`). */
  run(job: ChunkJob, w: number): Promise<ChunkResult> {
    const id = this.next++;
    const done = new Promise<ChunkResult>((resolve, reject) => this.waiting.set(id, { resolve, reject, worker: w }));
    this.held[w]!++;
    const owned = withOwnBytes(job);
    this.workers[w]!.postMessage({ id, ...owned }, [owned.bytes.buffer as ArrayBuffer]);
    return done;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Where each chunk of a stream is scored: here (by `local`), or on a worker. With T threads, T − 1 workers
 * start only for an input of `minBytes` or more whose rest, at this thread's pace in its second
 * half-second (past its warm-up), would take longer than `minMs` (0: they start at once). A chunk then
 * goes to a worker that is ready and holds fewer than `queueFor` allows, else it is scored here, so a worker still
 * starting or slowed by the machine holds nothing up.
 */
export class ChunkScheduler {
  private pool: ChunkWorkers | null = null;
  private decided: boolean;
  private readonly minMs: number;
  private readonly started = performance.now();
  private bytesScored = 0;
  /** Chunks handed to a worker so far. */
  workerChunks = 0;
  private mark: { at: number; bytes: number } | null = null;
  /** This thread's pace when the workers were decided on (0: not measured, `minMs` 0). */
  private msPerByte = 0;

  constructor(private readonly options: ScoreOptions, private readonly format: 'csv' | 'ndjson', private readonly threads: number, private readonly totalBytes: number,
    limits: { minBytes?: number | undefined; minMs?: number | undefined } = {}) {
    this.minMs = limits.minMs ?? PARALLEL_STREAM_MIN_MS;
    this.decided = !(threads > 1 && totalBytes >= (limits.minBytes ?? PARALLEL_STREAM_MIN_BYTES));
  }

  /**
   * Scores `job` on a worker, or here with `local` (its failure as a rejected promise either way). With
   * `minMs` 0 the workers start at once and the first chunk waits until they have loaded, so they take part
   * whatever the file's size (benchmarks and tests use this).
   */
  run(job: ChunkJob, local: (job: ChunkJob) => ChunkResult | Promise<ChunkResult>): Promise<ChunkResult> {
    if (!this.decided) {
      this.decide();
      // The chunk waits for them, while the reader reads on: it keeps bytes of its own (tested).
      if (this.pool && this.minMs === 0) {
        const held = withOwnBytes(job);
        return this.pool.loaded.then(() => this.run(held, local));
      }
    }
    this.bytesScored += job.bytes.length;
    const worker = this.pool?.available(this.queueFor(job));
    if (worker !== undefined) {
      this.workerChunks++;
      return this.pool!.run(job, worker);
    }
    try {
      // With chunk workers running, the other cores are theirs: a chunk scored here takes no TreeSHAP worker.
      return Promise.resolve(local(this.pool ? { ...job, threads: 1 } : job));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * How many chunks a worker may hold: eight, enough to cover the messages' latency for quick chunks; for
   * slow ones (at this thread's pace, a tree model's reasons: 8,192 rows, ~0.15 s) as many as make QUEUE_MS
   * of work but at least two, so the worker never waits on this thread and is not left with a long queue
   * to finish alone at the end of the file (1,000,000 distinct leads, gbdt reasons: 11.6 → 11.1–11.2 s).
   */
  private queueFor(job: ChunkJob): number {
    if (this.msPerByte === 0) return 8;
    return Math.max(2, Math.min(8, Math.ceil(QUEUE_MS / (job.bytes.length * this.msPerByte))));
  }

  /** How many chunks may wait to be written in order: one when everything is scored here. */
  get maxInFlight(): number {
    return this.pool ? 16 * (this.pool.size + 1) : 1;
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private decide(): void {
    const now = performance.now();
    if (this.minMs > 0) {
      if (!this.mark) {
        if (now - this.started >= 500) this.mark = { at: now, bytes: this.bytesScored };
        return;
      }
      if (now - this.mark.at < 500) return;
    }
    this.decided = true;
    this.msPerByte = this.mark ? (now - this.mark.at) / Math.max(1, this.bytesScored - this.mark.bytes) : 0;
    if (this.minMs === 0 || (this.totalBytes - this.bytesScored) * this.msPerByte > this.minMs) this.pool = new ChunkWorkers(this.options, this.format, this.threads - 1);
  }
}
