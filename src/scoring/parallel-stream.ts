/**
 * Streaming on two cores: the main thread cuts the CSV's bytes into chunks of whole records and writes the
 * output in order, while two workers (stream-worker.js) parse, type, score and format alternate chunks
 * with the scorer's own code; chunks travel as bytes both ways, handed over without a copy. Each
 * chunk is scored exactly as on one thread, so the output is byte-identical (tested); at most one chunk
 * per worker is in flight, so memory stays bounded. Workers load the model (and activity log) themselves,
 * which takes a moment: small files are scored on the main thread.
 */
import { Worker } from 'node:worker_threads';
import { ConfigError, DataError, LeadscoreError, ModelFormatError } from '../errors.ts';
import type { ScoreOptions } from './score.ts';
import type { ChunkJob, ChunkResult } from './stream.ts';

/** Inputs smaller than this are scored on the main thread (worker start-up would cost more). */
export const PARALLEL_STREAM_MIN_BYTES = 16 * 2 ** 20;

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
  if (e.name === 'DataError') return new DataError(e.code ?? 'DATA', e.message, e.hint ?? '', e.issues ?? []);
  if (e.name === 'ConfigError') return new ConfigError(e.code ?? 'CONFIG', e.message, e.hint ?? '');
  if (e.name === 'ModelFormatError') return new ModelFormatError(e.code ?? 'MODEL_FORMAT', e.message, e.hint ?? '');
  if (e.code && e.hint !== undefined) return new LeadscoreError(e.code, e.message, e.hint);
  const err = new Error(`in a scoring worker: ${e.message}`);
  if (e.stack) err.stack = e.stack;
  return err;
}

export class ChunkWorkers {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor(options: ScoreOptions, format: 'csv' | 'ndjson', readonly size = 2) {
    // Only what the scorer reads from its options; callbacks stay here.
    const plain = JSON.parse(JSON.stringify(options)) as ScoreOptions;
    this.workers = Array.from({ length: size }, () => {
      const worker = new Worker(new URL('./stream-worker.js', import.meta.url), { workerData: { options: plain, format } });
      worker.on('message', (m: { id: number; result?: ChunkResult; error?: WorkerError }) => {
        const job = this.waiting.get(m.id);
        if (!job) return;
        this.waiting.delete(m.id);
        if (m.error) job.reject(revive(m.error));
        else job.resolve(m.result!);
      });
      worker.on('error', (err) => {
        for (const job of this.waiting.values()) job.reject(err);
        this.waiting.clear();
      });
      return worker;
    });
  }

  /** Scores a chunk of whole records (as bytes, handed over without a copy) on the next worker in turn. */
  run(job: ChunkJob): Promise<ChunkResult> {
    const id = this.next++;
    const worker = this.workers[id % this.size]!;
    const done = new Promise<ChunkResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    worker.postMessage({ id, ...job }, [job.bytes.buffer as ArrayBuffer]);
    return done;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
