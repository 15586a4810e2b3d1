/**
 * The WebAssembly row writer (row-writer.ts) against its reference, writer.ts (`writeId` then
 * `ByteSink.scoreRow`): on random ids (missing-value tokens, formula starts, quotes, commas, spaces, text past
 * ASCII, long and empty ids) and random probabilities (ties of `toFixed(6)` and of the score's rounding, 0, 1,
 * outside (0, 1), NaN), the same bytes; and it writes the plain rows itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NA_TOKENS } from '../../../src/data/types/missing.ts';
import { inferSchema } from '../../../src/data/types/schema.ts';
import { CellTables } from '../../../src/scoring/fast/cell-tables.ts';
import type { DecisionSegments } from '../../../src/scoring/fast/decisions.ts';
import type { Plan } from '../../../src/scoring/fast/plan.ts';
import { RowWriter } from '../../../src/scoring/fast/row-writer.ts';
import { ChunkScan } from '../../../src/scoring/fast/scan.ts';
import { ByteSink, writeId } from '../../../src/scoring/fast/writer.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The plan fields the writers read, for a file of one column, the id. */
function planOf(tokens: readonly string[]): Plan {
  const bytes = tokens.map((t) => encoder.encode(t));
  const tokensOfLength: Uint8Array[][] = Array.from({ length: Math.max(0, ...bytes.map((t) => t.length)) + 1 }, () => []);
  for (const token of bytes) tokensOfLength[token.length]!.push(token);
  const schema = inferSchema({ names: ['lead_id'], columns: [['L1', 'L2']], rows: 2, format: 'csv', source: 'test' }, { na: [...tokens] });
  return { format: 'csv', reasons: 0, rangeColumns: [], reasonCodes: false, keepColumns: [], idAt: 0, idTyped: false, idSchema: schema.columns[0]!, tokens: new Set(tokens), tokensOfLength } as unknown as Plan;
}

/** The rows of `ids` (one per line) with these probabilities and segments, by the row writer and by the reference alone. */
function both(plan: Plan, ids: string[], probability: Float64Array, first: Int32Array, second: Int32Array): { fast: string; reference: string; writer: RowWriter } {
  const tailOf = (f: number, s: number) => encoder.encode(`,t${f},s${s}\n`);
  const bytes = encoder.encode(ids.map((id) => `${id}\n`).join(''));
  const tables = CellTables.create(0, Int32Array.of(-1))!;
  const scan = new ChunkScan(tables, [], Int32Array.of(-1), 0);
  const rows = scan.scan(bytes, 44, 1);
  expect(rows).toBe(ids.filter((id) => id !== '' && id !== '""').length); // blank lines are not records
  const write = (sink: ByteSink) => (i: number) => {
    writeId(sink, plan, scan, bytes, i, i + 1);
    sink.scoreRow(probability, i, tailOf(first[i]!, second[i]!));
  };
  const writer = RowWriter.for(plan, tables, { csvTail: tailOf } as unknown as DecisionSegments)!;
  const fast = new ByteSink();
  writer.write(fast, rows, scan.wasmRows, probability.subarray(0, rows), first, second, write(fast));
  const reference = new ByteSink();
  for (let i = 0; i < rows; i++) write(reference)(i);
  return { fast: decoder.decode(fast.take()), reference: decoder.decode(reference.take()), writer };
}

const id = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/) },
  { weight: 2, arbitrary: fc.constantFrom(...DEFAULT_NA_TOKENS.filter((t) => t !== ''), '=1+1', '+33 1', '-7', '@me', '\tx', 'a b', '"a,b"', '"quoted"', '"a""b"', '"NaN"', '""', 'é', '東京', 'x"y', ' L1 ', 'L1\r') },
  // any text that is one field: no delimiter, line break or quote
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n",]/g, '')) },
);
const probability = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  // ties and near-ties of toFixed(6) and of Math.round(p * 1000), and the ends
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 999_999 }).map((k) => (k + 0.5) / 1e6) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 999 }).map((k) => (k + 0.5) / 1000) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, -0.1, 1.5, Number.NaN, 1e-9, 4e-7, 5e-7, 0.9999995, 0.9999996, 0.5, 0.0005, 0.9995, Number.MIN_VALUE, 1 - 2 ** -53) },
);

describe('RowWriter: CSV rows without reasons in WebAssembly', () => {
  it('writes the reference\'s bytes for any ids, probabilities and decision segments (property)', () => {
    const plan = planOf(DEFAULT_NA_TOKENS);
    fc.assert(fc.property(fc.array(fc.tuple(id, probability, fc.nat(5), fc.oneof(fc.nat(5), fc.constant(70))), { minLength: 1, maxLength: 60 }), (rows) => {
      const ids = rows.map(([i]) => i);
      const { fast, reference } = both(plan, ids, Float64Array.from(rows, ([, p]) => p), Int32Array.from(rows, ([, , f]) => f), Int32Array.from(rows, ([, , , s]) => s));
      expect(fast).toBe(reference);
    }), { numRuns: 1500, seed: 5 });
  });

  it('writes plain rows itself, leaving the reference only the first of each pair of segments and the rows it does not take', () => {
    const plan = planOf(DEFAULT_NA_TOKENS);
    const n = 5000;
    const ids = Array.from({ length: n }, (_, i) => (i === 10 ? 'NaN' : i === 11 ? '=cmd' : i === 12 ? '"L,12"' : `L${String(i).padStart(8, '0')}`));
    const p = Float64Array.from({ length: n }, (_, i) => (i === 20 ? 0.0000005 : ((i * 7919) % 1000003) / 1000003 || 0.5));
    const first = Int32Array.from({ length: n }, (_, i) => i % 3);
    const second = Int32Array.from({ length: n }, (_, i) => i % 2);
    const { fast, reference, writer } = both(plan, ids, p, first, second);
    expect(fast).toBe(reference);
    // six pairs of segments learnt from a row each, the id rows 10–12, the tie at row 20
    expect(writer.leftToReference).toBeLessThanOrEqual(6 + 3 + 1 + 1);
    expect(writer.written).toBe(n - writer.leftToReference);
  });

  it('is not made for rows it would not write: NDJSON, reasons, no id column, a typed id, a token longer than sixteen bytes', () => {
    const plan = planOf(DEFAULT_NA_TOKENS);
    const tables = CellTables.create(0, Int32Array.of(-1))!;
    const tail = { csvTail: () => new Uint8Array(0) } as unknown as DecisionSegments;
    expect(RowWriter.for(plan, tables, tail)).not.toBeNull();
    expect(RowWriter.for({ ...plan, format: 'ndjson' } as Plan, tables, tail)).toBeNull();
    expect(RowWriter.for({ ...plan, reasons: 3 } as Plan, tables, tail)).toBeNull();
    expect(RowWriter.for({ ...plan, keepColumns: [{}] } as unknown as Plan, tables, tail)).toBeNull();
    expect(RowWriter.for({ ...plan, idAt: -1 } as Plan, tables, tail)).toBeNull();
    expect(RowWriter.for({ ...plan, idTyped: true } as Plan, tables, tail)).toBeNull();
    expect(RowWriter.for(planOf([...DEFAULT_NA_TOKENS, 'a missing value here']), tables, tail)).toBeNull();
  });
});
