/**
 * FileWindow: whatever is taken, in whatever amounts, the bytes taken in order are the file's bytes, and
 * what is not yet taken is never lost when the buffer moves it to the front or grows (a record longer than
 * the buffer).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FileWindow, PIECE_BYTES } from '../../../src/data/io/file-window.ts';

const dir = mkdtempSync(join(tmpdir(), 'leadscore-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Reads `path` through a window, taking `takes[k]` (a fraction of what is there) at each step; with
 * `pause`, the view of the bytes taken is copied only after a wait that lets the next piece's read, in the
 * background, land (as the scorer awaits its output while it scores views of the window).
 */
async function readBack(path: string, takes: number[], pause = false): Promise<{ bytes: Buffer; fills: number }> {
  const window = await FileWindow.open(path);
  const parts: Buffer[] = [];
  let fills = 0;
  try {
    for (let step = 0; ; step++) {
      const read = await window.fill();
      fills++;
      const there = window.bytes.length;
      const count = read === 0 ? there : Math.floor(there * takes[step % takes.length]!);
      const view = window.bytes.subarray(0, count);
      if (pause) await new Promise((resolve) => setTimeout(resolve, 2));
      parts.push(Buffer.from(view));
      window.take(count);
      if (read === 0) break;
    }
  } finally {
    await window.close();
  }
  return { bytes: Buffer.concat(parts), fills };
}

describe('FileWindow', () => {
  it('property: the bytes taken, in order, are the file, for any sizes taken (nothing taken for a while makes it grow), while the next piece is read', async () => {
    let file = 0;
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: 9 * PIECE_BYTES }),
      fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      async (size, takes, pause) => {
        const content = Buffer.alloc(size);
        for (let i = 0; i < size; i++) content[i] = (i * 2654435761) >>> 24;
        const path = join(dir, `f${file++}.bin`);
        writeFileSync(path, content);
        const { bytes } = await readBack(path, takes, pause);
        expect(bytes.equals(content)).toBe(true);
      },
    ), { numRuns: 25 });
  });

  it('keeps a record longer than its buffer: taking nothing until the end holds the whole file', async () => {
    const content = Buffer.alloc(11 * PIECE_BYTES + 123, 7);
    const path = join(dir, 'long.bin');
    writeFileSync(path, content);
    const { bytes, fills } = await readBack(path, [0]);
    expect(bytes.equals(content)).toBe(true);
    expect(fills).toBe(13); // 12 pieces, the last one short, then the end
  });

  it('refuses to take more than it holds', async () => {
    const path = join(dir, 'small.bin');
    writeFileSync(path, 'abc');
    const window = await FileWindow.open(path);
    try {
      await window.fill();
      expect(() => window.take(4)).toThrow(RangeError);
      window.take(3);
      expect(window.bytes.length).toBe(0);
      expect(await window.fill()).toBe(0);
    } finally {
      await window.close();
    }
  });
});
