/**
 * The columns of a CSV file that one thread reads (columnar.ts): a `ColumnShard` keeps the sample's batches
 * of records (their bytes and field offsets), chooses each column's builder from them, then reads every
 * batch's cells of its columns and finishes them into typed columns. A file of many rows is read on two
 * threads: the reader cuts the records and reads some columns itself, and a worker (column-worker.js) reads
 * the others from a copy of each batch in `SharedArrayBuffer`s (`ColumnShards`). A column is read by the same
 * code on either thread, so the dataset is the same, bit for bit, whichever thread read which column
 * (tested).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ColumnBuilder, Misfit, RecordBatch } from './column-builder.ts';
import { NumericBuilder } from './numeric-builder.ts';
import { UNCOUNTED } from './number-column.ts';
import { batchMessage, portable, portableCoded, type PortableColumn, portableNumbers, unportable } from './column-crossing.ts';
import { sampledTimeLayout, TextBuilder, TimeBuilder } from './text-columns.ts';
import { plainBytesReadable, plainNumber } from '../types/plain-number.ts';
import { isMissing, naTokenSet } from '../types/missing.ts';
import { plainSamples, textSample } from './sample-facts.ts';
import type { ColumnReading } from '../types/reading.ts';
import { type ColumnSchema, type InferOptions, numericDecision, textNumericFacts } from '../types/schema.ts';
import { workerOptions } from '../../worker-options.ts';

/** What a shard needs to choose and run its columns' builders: plain data, handed to a worker as it is. */
export interface ShardSpec {
  /** Every column's name, and the columns this shard reads. */
  names: string[];
  columns: number[];
  /** The missing-value tokens the builders read (a model's reading's, or the defaults and `--na`). */
  tokens: string[];
  /** The inference's options (its own `na`, the delimiter, the date order). */
  infer: InferOptions;
  /** The columns as a model's training file read them, where a model's reading is given. */
  trained: ColumnReading[];
}

/** A finished column: its schema and values as the dataset holds them, and a time column's note. */
export interface ColumnResult {
  schema: ColumnSchema;
  values: ArrayLike<unknown>;
  note?: string;
}

/**
 * Some columns of a file: the sample's batches of records kept until the columns' builders are chosen from
 * them, then every batch's cells read by the builders (see the file's comment).
 */
export class ColumnShard {
  private sample: Array<{ bytes: Buffer; batch: RecordBatch }> = [];
  private builders: ColumnBuilder[] = [];
  /** The column being read, for the misfit that stops it. */
  private at = -1;

  constructor(private readonly spec: ShardSpec) {}

  /** Keeps a batch of the sample (its bytes and offsets are the caller's copy, not to be reused). */
  keepSample(bytes: Buffer, batch: RecordBatch): void {
    this.sample.push({ bytes, batch });
  }

  /** The sampled texts, by this shard's columns (a file within its sample is read from them the reference way). */
  sampleTexts(): string[][] {
    return this.spec.columns.map((c) => this.texts(c));
  }

  /** Column `c`'s sampled cells as text, decoded as they are iterated. */
  private *lazyTexts(c: number): Generator<string> {
    for (const { bytes, batch } of this.sample) {
      const { starts, ends, texts, width, count } = batch;
      for (let r = 0, at = c; r < count; r++, at += width) {
        const start = starts[at]!;
        yield start < 0 ? texts[-1 - start]! : bytes.toString('utf8', start, ends[at]!);
      }
    }
  }

  /** Column `c`'s sampled cells as text. */
  private texts(c: number): string[] {
    const out: string[] = [];
    for (const { bytes, batch } of this.sample) {
      const { starts, ends, texts, width, count } = batch;
      for (let r = 0, at = c; r < count; r++, at += width) {
        const start = starts[at]!;
        out.push(start < 0 ? texts[-1 - start]! : bytes.toString('utf8', start, ends[at]!));
      }
    }
    return out;
  }

  /**
   * Chooses each column's builder from its `rows` sampled cells — numeric where the reference inference
   * would call it numeric on their texts (or the training file did), times written one fixed ISO way, else
   * text — each with room for `expected` rows, and reads the sample's cells into them.
   */
  start(rows: number, expected: number): void {
    const { names, columns, infer, trained } = this.spec;
    const tokens = new Set(this.spec.tokens);
    const inferTokens = naTokenSet(infer.na ?? []);
    const plainReadable = plainBytesReadable(false, inferTokens);
    const readings = new Map(trained.map((t) => [t.name, t]));
    // The plain numbers of the columns without a training type, read from the sample at once (`plainSamples`).
    const untrained = columns.filter((c) => !readings.has(names[c]!));
    const plains = new Map(plainReadable ? plainSamples(this.sample, untrained).map((facts, k) => [untrained[k]!, facts]) : []);
    this.builders = columns.map((c) => {
      const name = names[c]!;
      const t = readings.get(name);
      if (t) return t.type === 'numeric' ? new NumericBuilder(name, t.decimalComma === true, tokens, t) : new TextBuilder(name, tokens, infer, t);
      const plain = plains.get(c) ?? null;
      let numeric: { decimalComma: boolean } | null;
      if (plain) {
        numeric = numericDecision(name, plain.nums.length, false, plain.texts, rows, () => plain);
      } else {
        // What numericInference gathers from the texts, decoding only the texts it looks at.
        const { present, texts } = textSample(this.sample, c, inferTokens);
        numeric = numericDecision(name, present, false, texts, rows,
          () => textNumericFacts(texts[0]!, () => this.texts(c).filter((t) => !isMissing(t, inferTokens)), infer.delimiter === ';'));
      }
      if (numeric) return new NumericBuilder(name, numeric.decimalComma, tokens);
      const layout = sampledTimeLayout(this.lazyTexts(c), tokens);
      return layout ? new TimeBuilder(name, layout, tokens, infer) : new TextBuilder(name, tokens, infer);
    });
    for (const builder of this.builders) builder.reserve(expected);
    for (const { bytes, batch } of this.sample) this.add(bytes, batch);
    this.sample = [];
  }

  /** Reads the batch's cells of this shard's columns, column by column; a `Misfit` names its column. */
  add(bytes: Buffer, batch: RecordBatch): void {
    const { builders } = this;
    const { columns } = this.spec;
    this.tracked(() => {
      for (let k = 0; k < columns.length; k++) {
        this.at = columns[k]!;
        builders[k]!.addBatch(bytes, batch, this.at);
      }
    });
  }

  /** The finished columns, in this shard's order. */
  finish(rows: number): ColumnResult[] {
    return this.tracked(() => this.builders.map((builder, k) => {
      this.at = this.spec.columns[k]!;
      return finished(builder, rows);
    }));
  }

  /**
   * The finished column `k` (of this shard's) as it crosses to another thread (`portable`): a numeric column
   * with missing cells straight from its numbers, never made the array of numbers and nulls that `portable`
   * would take apart. Without `countDistinct`, a numeric column's distinct numbers past the cap are left for
   * the other thread to count (`uncounted`).
   */
  finishPortable(k: number, rows: number, countDistinct = true): { column: PortableColumn; transfer: ArrayBuffer[] } {
    const builder = this.builders[k]!;
    this.at = this.spec.columns[k]!;
    return this.tracked(() => {
      if (builder instanceof NumericBuilder) {
        const { schema, all, missing, integers } = builder.finishNumbers(rows, countDistinct);
        const crossing = missing > 0 ? portableNumbers(schema, all) : portable({ schema, values: builder.typed(all) });
        if (schema.distinct === UNCOUNTED) crossing.column.uncounted = { integers };
        return crossing;
      }
      if (builder instanceof TextBuilder) return portableCoded(builder.finishCoded(rows));
      return portable(finished(builder, rows));
    });
  }

  private tracked<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      if (err instanceof Misfit) err.column ??= this.at;
      throw err;
    }
  }
}

/** A worker's answer: a value, or the misfit or error that stopped it. */
export type ShardReply = { ok: true; value?: unknown } | { misfit: string; column: number } | { error: { message: string; stack?: string } };

/**
 * A `ColumnShard` in a worker thread (column-worker.js), asked one thing at a time. The worker is started
 * before its columns are known (it loads its modules while the reader reads the first records); its first
 * request gives them (`init`).
 */
export class RemoteShard {
  private readonly worker: Worker;
  /** The requests not yet answered, in the order asked (the worker answers in that order). */
  private readonly pending: Array<{ resolve: (value: unknown) => void; reject: (err: Error) => void }> = [];
  private failure: Error | null = null;

  constructor() {
    this.worker = new Worker(new URL('./column-worker.js', import.meta.url), workerOptions());
    this.worker.on('message', (reply: ShardReply) => {
      const pending = this.pending.shift();
      if ('ok' in reply) pending?.resolve(reply.value);
      else if ('misfit' in reply) pending?.reject(Object.assign(new Misfit(reply.misfit), { column: reply.column }));
      else pending?.reject(Object.assign(new Error(`the column worker failed: ${reply.error.message}`), { stack: reply.error.stack }));
    });
    const stopped = (err: Error): void => {
      this.failure ??= err;
      for (const pending of this.pending.splice(0)) pending.reject(err);
    };
    this.worker.on('error', stopped);
    this.worker.on('exit', (code) => stopped(new Error(`the column worker stopped (exit code ${code})`)));
  }

  call(message: object): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(message);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the column worker was closed');
    await this.worker.terminate();
  }
}

/** What a request to the worker came to: its value, or the error (a misfit, say) it stopped at. */
type Outcome = { value: unknown } | { error: unknown };

/**
 * A copy of a batch in shared memory; `SLOTS` of them used in turn: the worker reads one while this thread
 * cuts and reads the next batches, and a copy is written again only once the worker has answered for it.
 */
class BatchSlot {
  bytes = Buffer.from(new SharedArrayBuffer(0));
  readonly batch = new RecordBatch(true);
  /** The batch number and the worker's answer for the batch in this slot, while it may not be written. */
  index = -1;
  outcome: Promise<Outcome> | null = null;

  fill(bytes: Buffer, batch: RecordBatch, index: number): void {
    if (this.bytes.length < bytes.length) this.bytes = Buffer.from(new SharedArrayBuffer(Math.ceil(bytes.length * 1.25)));
    bytes.copy(this.bytes);
    this.batch.copyOffsets(batch);
    this.index = index;
  }
}

/**
 * A file's columns on one or two threads: `local` on this one, `remote` (if any) in a worker. The sample and
 * the finish are asked of both at once; the batches after the sample are pipelined (`SLOTS` slots in
 * turn), the worker reading one batch while this thread reads its columns of the next ones. Where a misfit stops both
 * shards, the one reported is the one a single thread would meet first: the earlier batch's, then the first
 * column's (within a batch, a thread reads column after column).
 */
export class ColumnShards {
  private readonly slots = Array.from({ length: SLOTS }, () => new BatchSlot());
  private batches = 0;
  /** The worker's answer to `start`, until it is settled. */
  private started: Promise<Outcome> | null = null;

  private constructor(private readonly width: number, private readonly local: ColumnShard, private readonly localColumns: number[],
    private readonly remote: RemoteShard | null, private readonly remoteColumns: number[]) {}

  /** Every column on this thread. */
  static single(spec: Omit<ShardSpec, 'columns'>): ColumnShards {
    const columns = spec.names.map((_, c) => c);
    return new ColumnShards(columns.length, new ColumnShard({ ...spec, columns }), columns, null, []);
  }

  /** The columns `columns` in the worker `remote`, the others on this thread. */
  static split(spec: Omit<ShardSpec, 'columns'>, columns: number[], remote: RemoteShard): ColumnShards {
    const local = spec.names.map((_, c) => c).filter((c) => !columns.includes(c));
    void remote.call({ op: 'init', spec: { ...spec, columns } }).catch(() => undefined); // a failure answers the next request too
    return new ColumnShards(spec.names.length, new ColumnShard({ ...spec, columns: local }), local, remote, columns);
  }

  /** Hands a batch of the sample to both shards (a copy of its bytes and offsets that is not reused). */
  async keepSample(bytes: Buffer, batch: RecordBatch): Promise<void> {
    await this.both({ op: 'sample', batch: this.remote ? batchMessage(bytes, batch) : null }, () => this.local.keepSample(bytes, batch));
  }

  async sampleTexts(): Promise<string[][]> {
    const [local, remote] = await this.both({ op: 'texts' }, () => this.local.sampleTexts());
    return this.merged(local, remote as string[][] | undefined);
  }

  /**
   * Chooses the builders and reads the sample into them. The worker's start is not waited for: this thread
   * goes on to cut and read the next batches while the worker reads its columns of the sample (it answers in
   * order, so its start is settled before any batch's answer is; a misfit there is the earliest).
   */
  async start(rows: number, expected: number): Promise<void> {
    if (!this.remote) {
      this.local.start(rows, expected);
      return;
    }
    this.started = settled(this.remote.call({ op: 'start', rows, expected }));
    try {
      this.local.start(rows, expected);
    } catch (error) {
      await this.settle([], { index: SAMPLE, error });
      throw error;
    }
  }

  /**
   * Reads a batch's cells: the worker's columns from a shared copy (once it has answered for the batch
   * `SLOTS` before, whose slot this is), this thread's from `bytes` and `batch` themselves, which the caller may
   * reuse once this resolves.
   */
  async add(bytes: Buffer, batch: RecordBatch): Promise<void> {
    const index = this.batches++;
    if (!this.remote) {
      this.local.add(bytes, batch);
      return;
    }
    const slot = this.slots[index % SLOTS]!;
    if (slot.outcome) await this.settle([slot]); // the worker answered its start before this batch
    slot.fill(bytes, batch, index);
    slot.outcome = settled(this.remote.call({ op: 'add', batch: batchMessage(slot.bytes, slot.batch) }));
    try {
      this.local.add(bytes, batch);
    } catch (error) {
      await this.settle(this.slots, { index, error });
      throw error;
    }
  }

  /**
   * The finished columns. The worker's are asked for one by one, all at once: each crosses as soon as the
   * worker has finished it and is made a dataset column here (`unportable`) while the worker goes on with
   * the next, rather than all at the end; and the distinct numbers of the worker's last columns
   * (`COUNTED_HERE`) are counted here, where this thread would otherwise wait for the worker to count them
   * (BENCHMARKS.md, session 15).
   */
  async finish(rows: number): Promise<ColumnResult[]> {
    await this.settle(this.slots);
    const counted = this.remoteColumns.length - Math.floor(this.remoteColumns.length * COUNTED_HERE);
    const remote = this.remoteColumns.map((_, k) => settled(this.remote!.call({ op: 'finish', column: k, rows, countDistinct: k < counted })
      .then((value) => unportable(value as PortableColumn))));
    const local = attempt(() => this.local.finish(rows));
    const [here, ...there] = valuesOf([local, ...(await Promise.all(remote))]);
    return this.merged(here as ColumnResult[], there as ColumnResult[]);
  }

  async close(): Promise<void> {
    await this.remote?.close();
  }

  /**
   * Waits for the worker's answers to its start (if not settled yet) and for the batches in `slots`, and
   * throws what stopped them, if anything did: of those and `also` (this thread's failure at batch `index`),
   * anything but a misfit first, then the earliest batch's misfit, then the first column's.
   */
  private async settle(slots: BatchSlot[], also?: { index: number; error: unknown }): Promise<void> {
    const failures = also ? [also] : [];
    if (this.started) {
      const outcome = await this.started;
      this.started = null;
      if ('error' in outcome) failures.push({ index: SAMPLE, error: outcome.error });
    }
    for (const slot of slots) {
      if (!slot.outcome) continue;
      const outcome = await slot.outcome;
      slot.outcome = null;
      if ('error' in outcome) failures.push({ index: slot.index, error: outcome.error });
    }
    if (failures.length > 0) throw firstFailure(failures);
  }

  /** Each column's item from the two shards' lists, in the file's column order. */
  private merged<T>(local: T[], remote: T[] | undefined): T[] {
    const all = new Array<T>(this.width);
    this.localColumns.forEach((c, k) => (all[c] = local[k]!));
    this.remoteColumns.forEach((c, k) => (all[c] = remote![k]!));
    return all;
  }

  /** Asks the worker (if any) and this thread's shard the same thing at once; both answers, or what stopped them. */
  private async both<T>(message: object, here: () => T): Promise<[T, unknown]> {
    const there = this.remote ? settled(this.remote.call(message)) : Promise.resolve<Outcome>({ value: undefined });
    const local = attempt(here);
    const [value, remote] = valuesOf([local, await there]);
    return [value as T, remote];
  }
}

/** A builder's finished column (with a time column's note, if it has one). */
function finished(builder: ColumnBuilder, rows: number): ColumnResult {
  const { schema, values } = builder.finish(rows);
  const note = builder instanceof TimeBuilder ? builder.note : null;
  return { schema, values, ...(note ? { note } : {}) };
}

/** A request's outcome, as an `Outcome` rather than a rejection. */
function settled(request: Promise<unknown>): Promise<Outcome> {
  return request.then((value) => ({ value }), (error: unknown) => ({ error }));
}

/** What `here` came to on this thread, as an `Outcome`. */
function attempt<T>(here: () => T): Outcome {
  try {
    return { value: here() };
  } catch (error) {
    return { error };
  }
}

/** The outcomes' values, or what a single thread would have stopped at among their failures (`firstFailure`). */
function valuesOf(outcomes: Outcome[]): unknown[] {
  const failures = outcomes.flatMap((o) => ('error' in o ? [{ index: 0, error: o.error }] : []));
  if (failures.length > 0) throw firstFailure(failures);
  return outcomes.map((o) => (o as { value: unknown }).value);
}

/**
 * Batches copied for the worker at a time: with two, this thread waited for the worker's start (its columns
 * of the sample) at the third batch; four keep it reading (BENCHMARKS.md, session 15), at ~8 MB a copy.
 */
const SLOTS = 4;

/**
 * The share of the worker's columns whose distinct numbers (past the cap; ~20 ms a million values) are
 * counted on the reader's thread once they cross: that thread finishes its own columns sooner than the
 * worker counts all of its (the scale file, BENCHMARKS.md session 15).
 */
const COUNTED_HERE = 1 / 3;

/** The batch index of the sample's rows (read at `start`), before every later batch's. */
const SAMPLE = -1;

/** What a single thread would have stopped at: anything but a misfit first, then the earliest batch's misfit, then the first column's. */
export function firstFailure(failures: Array<{ index: number; error: unknown }>): unknown {
  const other = failures.find((f) => !(f.error instanceof Misfit));
  if (other) return other.error;
  const column = (e: unknown): number => (e as Misfit).column ?? 0;
  return failures.sort((a, b) => a.index - b.index || column(a.error) - column(b.error))[0]!.error;
}

/** Rows a file must likely hold before its columns are read on two threads. */
export const TWO_THREAD_ROWS = 200_000;

/**
 * The columns a worker reads, chosen from the first batch of records so that the two threads share the work
 * (each numeric column to the thread with less so far). The costs, in units of a text column of few levels,
 * were measured on the 1M x 36 scale file (two threads, BENCHMARKS.md, session 14): this thread cuts the
 * records (a unit per three columns) and keeps the text columns, which cost a unit and up to fourteen more
 * the more of their cells are different (a million distinct lead ids: a new string and level each); a
 * numeric column costs one and a half (its cells parsed, then its distinct numbers counted at the end). Text
 * columns stay here because their values are arrays of strings, which a worker would have to copy over.
 * None where the worker's share would be under a fifth. Only the sharing depends on this guess, never a value
 * read.
 */
export function workerColumns(bytes: Buffer, batch: RecordBatch): number[] {
  const { starts, ends, width, count } = batch;
  const rows = Math.min(count, 2_000);
  let local = width / 3;
  const numeric: number[] = [];
  for (let c = 0; c < width; c++) {
    let plain = 0;
    const seen = new Set<string>();
    for (let r = 0, at = c; r < rows; r++, at += width) {
      const start = starts[at]!;
      if (start < 0) continue;
      if (!Number.isNaN(plainNumber(bytes, start, ends[at]!))) plain++;
      else seen.add(bytes.toString('latin1', start, ends[at]!));
    }
    if (rows > 0 && plain >= 0.9 * rows) numeric.push(c);
    else local += 1 + (rows > 0 ? 14 * (seen.size / rows) : 0);
  }
  let remote = 0;
  const columns: number[] = [];
  for (const c of numeric) {
    if (remote < local) {
      remote += NUMERIC_COST;
      columns.push(c);
    } else {
      local += NUMERIC_COST;
    }
  }
  // A worker with a small share would cost more (its start, the copies of every batch) than it saves.
  return remote >= MIN_WORKER_SHARE * (local + remote) ? columns : [];
}

/** The least share of the work worth a worker: on the 1M distinct leads (3 numeric columns of 17) it was not. */
const MIN_WORKER_SHARE = 0.2;

const NUMERIC_COST = 1.5;

/** Whether a file of about `rows` rows is read on two threads, given the reader's `threads` option. */
export function twoThreads(threads: number | undefined, rows: number): boolean {
  if (threads !== undefined) return threads >= 2;
  return availableParallelism() >= 2 && rows >= TWO_THREAD_ROWS;
}
