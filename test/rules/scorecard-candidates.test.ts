import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/io/dataset.ts';
import type { FeatureSpec } from '../../src/features/pipeline.ts';
import { createRng } from '../../src/random.ts';
import { numericCuts, roundCut, scorecardCandidates } from '../../src/rules/scorecard-candidates.ts';
import { tempDir, writeTemp } from '../helpers.ts';

describe('roundCut', () => {
  it('keeps two significant digits, and small integers as they are', () => {
    expect(roundCut(1991000)).toBe(2000000);
    expect(roundCut(1234)).toBe(1200);
    expect(roundCut(0.0347)).toBe(0.035);
    expect(roundCut(2.83)).toBe(2.8);
    expect(roundCut(37)).toBe(37);
    expect(roundCut(-1550)).toBe(-1600);
  });
});

describe('numericCuts', () => {
  it('cuts a count that is mostly 0 just above 0, and the rest at quantiles where the target differs', () => {
    const rng = createRng(3);
    const values = Float64Array.from({ length: 5000 }, () => (rng.next() < 0.8 ? 0 : 1 + Math.floor(rng.next() * 10)));
    const target = Float64Array.from(values, (v) => (rng.next() < 0.05 + 0.04 * v ? 1 : 0));
    const cuts = numericCuts(values, target, 50);
    expect(cuts[0]).toBe(1);
    expect(cuts.length).toBeGreaterThan(1);
    expect(cuts.length).toBeLessThanOrEqual(4);
    expect([...cuts].sort((a, b) => a - b)).toEqual(cuts);
  });

  it('rounds the cut above a pile of zeros of a continuous column to two significant digits', () => {
    const rng = createRng(6);
    const values = Float64Array.from({ length: 4000 }, () => (rng.next() < 0.7 ? 0 : 0.04 + rng.next() * 50));
    values[0] = 0.038034542; // the smallest value above the pile
    const target = Float64Array.from(values, (v) => (v > 0 ? 0.3 : 0.05));
    const cuts = numericCuts(values, target, 50);
    expect(cuts[0]).toBe(0.038);
  });

  it('merges every range when the target does not differ along the column, keeps a cut where it does', () => {
    const rng = createRng(4);
    const values = Float64Array.from({ length: 4000 }, (_, i) => (i % 10 === 0 ? Number.NaN : rng.next() * 1000));
    // Targets may be probabilities: the same everywhere, nothing differs.
    expect(numericCuts(values, new Float64Array(values.length).fill(0.1), 50)).toEqual([]);
    const step = Float64Array.from(values, (v) => (rng.next() < (v >= 500 ? 0.3 : 0.05) ? 1 : 0));
    const cuts = numericCuts(values, step, 50);
    expect(cuts.length).toBeGreaterThanOrEqual(1);
    // The cut that separates the two halves is kept (the quantile near 500, at two significant digits).
    expect(cuts.some((c) => c >= 350 && c <= 650)).toBe(true);
  });
});

describe('scorecardCandidates', () => {
  it('orders levels by their target, keeps rare ones in the lowest bin, adds missing, skips dates', async () => {
    const dir = await tempDir();
    const lines = ['size,plan,visits,signup'];
    const y: number[] = [];
    const rng = createRng(5);
    for (let i = 0; i < 1000; i++) {
      const size = i < 20 ? 'Tiny' : ['small', 'mid', 'large'][i % 3]!;
      const plan = i % 5 === 0 ? '' : i % 2 ? 'pro' : 'free';
      const rate = size === 'large' ? 0.4 : size === 'mid' ? 0.2 : 0.05;
      y.push(rng.next() < rate ? 1 : 0);
      lines.push(`${size},${plan},${i % 7},2024-01-${String(1 + (i % 28)).padStart(2, '0')}`);
    }
    const data = await loadDataset({ path: await writeTemp(dir, 'leads.csv', `${lines.join('\n')}\n`) });
    const rows = Int32Array.from({ length: 1000 }, (_, i) => i);
    const specs = [{ kind: 'categorical', column: 'size' }, { kind: 'categorical', column: 'plan' }, { kind: 'numeric', column: 'visits' }, { kind: 'date', column: 'signup' }] as unknown as FeatureSpec[];
    const { candidates, skipped } = scorecardCandidates(data, rows, y, specs, { minSupport: 30 });
    expect(skipped).toEqual(['signup']);
    const size = candidates.filter((c) => c.bins.column === 'size');
    const bins = size[0]!.bins;
    expect(bins.kind === 'levels' && bins.levels).toEqual(['small', 'mid', 'large']);
    expect(bins.kind === 'levels' && bins.rare).toEqual(['Tiny']);
    // "from mid up" holds mid and large leads; rare Tiny sits in bin 0 with small.
    const fromMid = size.find((c) => c.kind === 'from' && c.at === 1)!;
    expect(fromMid.rows.length).toBe(Array.from(rows).filter((i) => i >= 20 && i % 3 !== 0).length);
    const plan = candidates.filter((c) => c.bins.column === 'plan');
    expect(plan.map((c) => c.kind).sort()).toEqual(['from', 'missing']);
    expect(plan.find((c) => c.kind === 'missing')!.rows.length).toBe(200);
  });
});
