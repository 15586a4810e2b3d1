import { describe, expect, it, vi } from 'vitest';
import { tempDir, writeTemp } from '../../helpers.ts';

// A file too large for one JavaScript string must never be read as text: make any whole-file read fail.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    readFile: vi.fn(async (path: unknown, ...rest: unknown[]) => {
      if (String(path).endsWith('huge.csv')) throw new Error('readFile called on a file routed to DuckDB');
      return (actual.readFile as (...args: unknown[]) => unknown)(path, ...rest);
    }),
  };
});

describe('CSV files above the size threshold', () => {
  it('are read through DuckDB, never loaded as one string', async () => {
    const { readTable } = await import('../../../src/data/io/read.ts');
    const dir = await tempDir();
    const path = await writeTemp(dir, 'huge.csv', 'lead_id;note\nL1;"a;b"\nL2;\n');
    const t = await readTable({ path }, { bigFileBytes: 8 });
    expect(t.delimiter).toBe(';');
    expect(t.names).toEqual(['lead_id', 'note']);
    expect(t.columns).toEqual([['L1', 'L2'], ['a;b', null]]);
    await expect(readTable({ path }, { bigFileBytes: 1e9 })).rejects.toThrow('readFile called on a file routed to DuckDB');
  });
});
