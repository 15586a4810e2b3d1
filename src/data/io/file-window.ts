/**
 * A file read piece by piece into one buffer kept for the whole file: the bytes not yet taken stay in
 * front, each read appends after them. A reader that allocated a buffer per piece (and joined the rest of
 * the last piece to the next) paid for memory first touched on every piece, which on this machine is most
 * of what copying costs (BENCHMARKS.md, session 12). The buffer grows only where what is not yet taken and
 * a piece no longer fit (a record longer than the buffer, or chunks of many rows).
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

/** Bytes read at a time. */
export const PIECE_BYTES = 1 << 20;

export class FileWindow {
  private buffer = new Uint8Array(4 * PIECE_BYTES);
  private start = 0;
  private end = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<FileWindow> {
    return new FileWindow(await open(path, 'r'));
  }

  /** The bytes read and not yet taken: a view valid until the next `fill`. */
  get bytes(): Uint8Array {
    return this.buffer.subarray(this.start, this.end);
  }

  /** Marks the first `count` bytes of `bytes` as taken. */
  take(count: number): void {
    if (count < 0 || count > this.end - this.start) throw new RangeError(`cannot take ${count} of ${this.end - this.start} bytes`);
    this.start += count;
  }

  /** Reads the next piece after the bytes not yet taken; returns how many bytes it read (0: the end of the file). */
  async fill(): Promise<number> {
    const kept = this.end - this.start;
    if (this.buffer.length - this.end < PIECE_BYTES) {
      if (this.buffer.length - kept < PIECE_BYTES) {
        const bigger = new Uint8Array(2 * (kept + PIECE_BYTES));
        bigger.set(this.bytes);
        this.buffer = bigger;
      } else {
        this.buffer.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = kept;
    }
    const { bytesRead } = await this.handle.read(this.buffer, this.end, PIECE_BYTES, null);
    this.end += bytesRead;
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
