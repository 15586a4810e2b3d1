import { describe, expect, it } from 'vitest';
import { applySchema, type Dataset } from '../../src/data/io/dataset.ts';
import type { RawTable } from '../../src/data/io/read.ts';
import { inferSchema } from '../../src/data/types/schema.ts';
import { conversionBySegment } from '../../src/data/summary.ts';
import { createRng } from '../../src/random.ts';

function dataset(columns: Record<string, Array<string | number | null>>): Dataset {
  const names = Object.keys(columns);
  const raw: RawTable = { names, columns: names.map((n) => columns[n]!), rows: columns[names[0]!]!.length, format: 'csv', source: 'test' };
  const schema = inferSchema(raw);
  const { columns: _c, ...meta } = raw;
  return { table: applySchema(raw, schema), schema, raw: meta };
}

describe('conversionBySegment', () => {
  const rng = createRng(5);
  const n = 2000;
  const channel = Array.from({ length: n }, () => ['webinar', 'referral', 'paid social', null][rng.int(4)]!);
  const revenue = Array.from({ length: n }, () => (rng.next() < 0.1 ? null : Math.round(rng.next() * 1e6)));
  const y = Uint8Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0));
  const data = dataset({ channel, revenue });
  const rows = Int32Array.from({ length: n / 2 }, (_, i) => i * 2);

  it('matches a direct count per level over the given rows only', () => {
    const table = conversionBySegment(data, y, 'channel', rows);
    for (const level of ['webinar', 'referral', 'paid social', null]) {
      const picked = [...rows].filter((r) => channel[r] === level);
      const row = table.rows.find((s) => s.segment === (level ?? '(missing)'))!;
      expect(row.leads).toBe(picked.length);
      expect(row.conversions).toBe(picked.filter((r) => y[r] === 1).length);
      expect(row.rate).toBeCloseTo(row.conversions / row.leads, 12);
    }
    const rates = table.rows.map((r) => r.rate);
    expect(rates).toEqual([...rates].sort((a, b) => b - a));
  });

  it('cuts numeric columns into ordered quantile bins plus missing', () => {
    const table = conversionBySegment(data, y, 'revenue', rows, 4);
    expect(table.rows.length).toBe(5);
    expect(table.rows.at(-1)!.segment).toBe('(missing)');
    expect(table.rows.reduce((s, r) => s + r.leads, 0)).toBe(rows.length);
    expect(table.rows[0]!.segment.startsWith('<')).toBe(true);
  });
});
