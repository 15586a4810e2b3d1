import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categoricalPsi, numericPsi, psiFromCounts } from '../../src/backtest/drift.ts';

describe('population stability index', () => {
  it('matches the formula on a worked example', () => {
    // shares 0.5/0.5 → 0.25/0.75: (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5)
    expect(psiFromCounts([50, 50], [25, 75])).toBeCloseTo(0.25 * Math.log(2) + 0.25 * Math.log(1.5), 12);
    // an empty reference bin is floored at a share of 1e-4 instead of giving infinity
    expect(psiFromCounts([10, 0], [5, 5])).toBeCloseTo((0.5 - 1) * Math.log(0.5 / 1) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 12);
    expect(Number.isNaN(psiFromCounts([0, 0], [1, 1]))).toBe(true);
  });

  it('bins numbers at the reference deciles, with missing values in a bin of their own', () => {
    const reference = Float64Array.from({ length: 1000 }, (_, i) => i);
    expect(numericPsi(reference, reference)).toBe(0);
    // The sample sits entirely in the top decile: share 1 there, floored 1e-4 elsewhere.
    const top = Float64Array.from({ length: 100 }, (_, i) => 950 + (i % 50));
    let expected = 0;
    for (let b = 0; b < 10; b++) {
      const a = b === 9 ? 1 : 1e-4;
      expected += (a - 0.1) * Math.log(a / 0.1);
    }
    expect(numericPsi(reference, top)).toBeCloseTo(expected, 9);
    const withMissing = Float64Array.from([...reference.slice(0, 900), ...new Array(100).fill(Number.NaN)]);
    expect(numericPsi(reference, withMissing)).toBeGreaterThan(0.5);
  });

  it('compares categories, with unseen levels pooled', () => {
    expect(categoricalPsi(['a', 'a', 'b', 'b'], ['b', 'b', 'a', 'a'])).toBe(0);
    const psi = categoricalPsi(['a', 'a', 'b', null], ['a', 'c', 'c', null]);
    const pairs: Array<[number, number]> = [[0.5, 0.25], [0.25, 1e-4], [0.25, 0.25], [1e-4, 0.5]]; // a, b, null, unseen
    expect(psi).toBeCloseTo(pairs.reduce((s, [e, a]) => s + (a - e) * Math.log(a / e), 0), 12);
  });

  it('is never negative and is zero for identical samples (property)', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (a, b) => {
        expect(numericPsi(a, b)).toBeGreaterThanOrEqual(0);
        expect(numericPsi(a, a)).toBe(0);
      }));
  });
});
