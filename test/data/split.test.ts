import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupSplit, stratifiedSplit, timeSplit } from '../../src/data/split.ts';
import { createRng } from '../../src/random.ts';

/** Every row on exactly one side. */
function expectPartition(train: Int32Array, test: Int32Array, rows: number[]): void {
  const seen = new Set<number>();
  for (const r of [...train, ...test]) {
    expect(seen.has(r)).toBe(false);
    seen.add(r);
  }
  expect([...seen].sort((a, b) => a - b)).toEqual([...rows].sort((a, b) => a - b));
}

const labelsArb = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 4, maxLength: 300 });
const shareArb = fc.double({ min: 0.05, max: 0.95, noNaN: true });

describe('stratifiedSplit', () => {
  it('puts every row on one side and keeps each class proportion (property)', () => {
    fc.assert(fc.property(labelsArb, shareArb, fc.integer(), (labels, testSize, seed) => {
      const y = Uint8Array.from(labels);
      const { train, test } = stratifiedSplit(y, { testSize, rng: createRng(seed) });
      expectPartition(train, test, labels.map((_, i) => i));
      for (const cls of [0, 1]) {
        const count = labels.filter((v) => v === cls).length;
        expect([...test].filter((r) => y[r] === cls).length).toBe(Math.round(testSize * count));
      }
    }), { numRuns: 200 });
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const y = Uint8Array.from({ length: 500 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const a = stratifiedSplit(y, { testSize: 0.2, rng: createRng(42) });
    expect(stratifiedSplit(y, { testSize: 0.2, rng: createRng(42) })).toEqual(a);
    expect(stratifiedSplit(y, { testSize: 0.2, rng: createRng(7) }).test).not.toEqual(a.test);
  });

  it('splits only the rows it is given', () => {
    const y = Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1]);
    const rows = Int32Array.from([0, 1, 2, 3, 5]);
    const { train, test } = stratifiedSplit(y, { testSize: 0.5, rng: createRng(1), rows });
    expectPartition(train, test, [...rows]);
  });

  it('refuses a test size outside (0, 1)', () => {
    expect(() => stratifiedSplit(new Uint8Array(4), { testSize: 1.2, rng: createRng(1) })).toThrow('test size must be between 0 and 1');
  });
});

describe('timeSplit', () => {
  it('trains strictly before the test period (property)', () => {
    const timesArb = fc.array(fc.option(fc.integer({ min: 0, max: 50 }), { freq: 8 }), { minLength: 3, maxLength: 200 });
    fc.assert(fc.property(timesArb, shareArb, (times, testSize) => {
      const present = times.filter((t): t is number => t !== null);
      fc.pre(new Set(present).size >= 2);
      const { train, test, cutoff } = timeSplit(times, { testSize });
      expectPartition(train, test, times.flatMap((t, i) => (t === null ? [] : [i])));
      expect(train.length).toBeGreaterThan(0);
      expect(test.length).toBeGreaterThan(0);
      const latestTrain = Math.max(...[...train].map((r) => times[r]!));
      const earliestTest = Math.min(...[...test].map((r) => times[r]!));
      expect(latestTrain).toBeLessThan(earliestTest);
      expect(earliestTest).toBe(cutoff);
    }), { numRuns: 300 });
  });

  it('refuses a column where every row has the same time', () => {
    expect(() => timeSplit([5, 5, 5], { testSize: 0.2 })).toThrow('every row has the same time');
  });
});

describe('groupSplit', () => {
  it('never puts one group on both sides (property)', () => {
    const groupsArb = fc.array(fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { freq: 6 }), { minLength: 2, maxLength: 200 });
    fc.assert(fc.property(groupsArb, shareArb, fc.integer(), (groups, testSize, seed) => {
      fc.pre(new Set(groups.map((g, i) => g ?? `row${i}`)).size >= 2);
      const { train, test } = groupSplit(groups, { testSize, rng: createRng(seed) });
      expectPartition(train, test, groups.map((_, i) => i));
      expect(train.length).toBeGreaterThan(0);
      expect(test.length).toBeGreaterThan(0);
      const trainGroups = new Set([...train].map((r) => groups[r]).filter((g) => g !== null));
      for (const r of test) if (groups[r] !== null) expect(trainGroups.has(groups[r]!)).toBe(false);
    }), { numRuns: 300 });
  });

  it('reaches about the asked test share with many groups', () => {
    const groups = Array.from({ length: 5000 }, (_, i) => `A${i % 1700}`);
    const { test } = groupSplit(groups, { testSize: 0.2, rng: createRng(42) });
    expect(test.length / groups.length).toBeGreaterThan(0.19);
    expect(test.length / groups.length).toBeLessThan(0.21);
  });
});

describe('splitDataset by time accepts what backtest accepts', () => {
  it('a running lead number (inferred as an id), a numeric column, or @row; rows without a time set aside', async () => {
    const { applySchema } = await import('../../src/data/io/dataset.ts');
    const { inferSchema } = await import('../../src/data/types/schema.ts');
    const { splitDataset } = await import('../../src/data/split.ts');
    const n = 2000;
    const raw = {
      names: ['lead_number', 'wave', 'x'], rows: n, format: 'csv' as const, source: 'test',
      columns: [Array.from({ length: n }, (_, i) => String(1001 + i)), Array.from({ length: n }, (_, i) => (i === 5 ? '' : String(Math.floor(i / 100)))), Array.from({ length: n }, (_, i) => String(i % 7))],
    };
    const schema = inferSchema(raw);
    expect(schema.columns[0]!.type).toBe('id'); // what made `train --split time --date lead_number` fail before
    const data = { table: applySchema(raw, schema), schema, raw: { names: raw.names, rows: n, format: 'csv' as const, source: 'test' } };
    const y = new Uint8Array(n);
    const rng = createRng(1);
    const byNumber = splitDataset(data, y, { kind: 'time', date: 'lead_number', testSize: 0.2, rng });
    expect([byNumber.train.length, byNumber.test.length, byNumber.cutoff]).toEqual([1600, 400, 2601]);
    expect(Math.max(...byNumber.train)).toBeLessThan(Math.min(...byNumber.test));
    const byRow = splitDataset(data, y, { kind: 'time', date: '@row', testSize: 0.2, rng });
    expect([byRow.train.length, byRow.test.length]).toEqual([1600, 400]);
    const byWave = splitDataset(data, y, { kind: 'time', date: 'wave', testSize: 0.2, rng });
    expect(byWave.excluded).toBe(1); // the row without a wave
    expect(byWave.train.length + byWave.test.length).toBe(n - 1);
  });
});
