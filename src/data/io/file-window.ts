/**
 * Bytes read piece by piece into one buffer kept for the whole input (`ByteQueue`): the bytes not yet taken
 * stay in front, each piece goes after them. A reader that allocated a buffer per piece (and joined the rest
 * of the last piece to the next) paid for memory first touched on every piece, which on this machine is most
 * of what copying costs (BENCHMARKS.md, session 12). The buffer grows only where what is not yet taken and a
 * piece no longer fit (a record longer than the buffer, or chunks of many rows). `FileWindow` reads a file
 * straight into one (the streaming scorer); `CsvByteRecords` copies the pieces it is fed into one.
 *
 * @example
 * const window = await FileWindow.open('leads.csv');
 * try {
 *   while ((await window.fill()) > 0) window.take(recordsEndingIn(window.bytes));
 * } finally {
 *   await window.close();
 * }
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Bytes a `FileWindow` reads at a time. */
export const PIECE_BYTES = 1 << 20;

/** Bytes not yet taken at the front of one buffer, more appended behind them. */
export class ByteQueue {
  private buffer: Buffer;
  private start = 0;
  private end = 0;

  constructor(capacity = 0) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** The bytes not yet taken: a view valid until the next `room`. */
  get bytes(): Buffer {
    return this.buffer.subarray(this.start, this.end);
  }

  /** Marks the first `count` bytes of `bytes` as taken. */
  take(count: number): void {
    if (count < 0 || count > this.end - this.start) throw new RangeError(`cannot take ${count} of ${this.end - this.start} bytes`);
    this.start += count;
  }

  /**
   * Room for `count` bytes behind those not yet taken (moved to the front, or into a buffer twice as large
   * where they would not fit with them): a view to write them into, then `added`.
   */
  room(count: number): Buffer {
    if (this.buffer.length - this.end < count) {
      const kept = this.end - this.start;
      if (this.buffer.length - kept < count) {
        const bigger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, kept + count));
        this.buffer.copy(bigger, 0, this.start, this.end);
        this.buffer = bigger;
      } else {
        this.buffer.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = kept;
    }
    return this.buffer.subarray(this.end, this.end + count);
  }

  /** Counts `count` bytes written into the last `room` as added. */
  added(count: number): void {
    this.end += count;
  }

  /** Appends a copy of `bytes`. */
  push(bytes: Uint8Array): void {
    this.room(bytes.length).set(bytes);
    this.added(bytes.length);
  }
}

/**
 * A file read into a `ByteQueue`, a piece at a time, the next piece read while the last is used: each
 * `fill` adds the piece read in the background and starts reading the next behind it (the room it reads
 * into is past the bytes not yet taken, which `take` does not move; only the next `fill` makes room again,
 * once that read is in). Waiting for each read when it was needed left the scorer idle ~0.6 ms a piece.
 */
export class FileWindow {
  private readonly queue = new ByteQueue(4 * PIECE_BYTES);
  /** The read of the next piece, in the background: the bytes it read. */
  private next: Promise<number> | null = null;

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<FileWindow> {
    return new FileWindow(await open(path, 'r'));
  }

  /** The bytes read and not yet taken: a view valid until the next `fill`. */
  get bytes(): Buffer {
    return this.queue.bytes;
  }

  /** Marks the first `count` bytes of `bytes` as taken. */
  take(count: number): void {
    this.queue.take(count);
  }

  /** Reads the next piece after the bytes not yet taken; returns how many bytes it read (0: the end of the file). */
  async fill(): Promise<number> {
    const bytesRead = await (this.next ?? this.readPiece());
    this.queue.added(bytesRead);
    this.next = bytesRead > 0 ? this.readPiece() : null;
    // A failed read is thrown by the `fill` that awaits it, not reported as unhandled before then.
    this.next?.catch(() => undefined);
    return bytesRead;
  }

  private async readPiece(): Promise<number> {
    const { bytesRead } = await this.handle.read(this.queue.room(PIECE_BYTES), 0, PIECE_BYTES, null);
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.next?.catch(() => undefined);
    await this.handle.close();
  }
}
