/** The k-th smallest by selection against a typed array's sort, over duplicates, zeros of both signs and infinities. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kthSmallest, stableOrder } from '../../../src/data/types/order-statistic.ts';

describe('kthSmallest', () => {
  it('gives the value a typed array\'s sort puts at k, for every k (property)', () => {
    const value = fc.oneof(fc.constantFrom(0, -0, 1, -1, 2.5, Infinity, -Infinity), fc.double({ noNaN: true }), fc.integer({ min: -3, max: 3 }));
    fc.assert(fc.property(fc.array(value, { minLength: 1, maxLength: 60 }), (xs) => {
      const sorted = Float64Array.from(xs).sort();
      for (let k = 0; k < xs.length; k++) expect(Object.is(kthSmallest(Float64Array.from(xs), k), sorted[k])).toBe(true);
      // Several in turn on the same reordered array, as a caller asking for a few quantiles does.
      const shared = Float64Array.from(xs);
      for (const q of [0.8, 0.2, 0.6, 0.4, 0]) {
        const k = Math.floor(q * xs.length);
        expect(Object.is(kthSmallest(shared, k), sorted[k])).toBe(true);
      }
    }), { numRuns: 2000 });
  });

  it('selects from a million values with few distinct ones as a sort does', () => {
    const xs = Float64Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 5);
    const sorted = xs.slice().sort();
    for (const k of [0, 200_000, 399_999, 400_000, 999_999]) expect(kthSmallest(xs, k)).toBe(sorted[k]);
  });

  it('refuses a k outside the array', () => {
    expect(() => kthSmallest(Float64Array.of(1, 2), 2)).toThrow(RangeError);
  });
});

describe('stableOrder', () => {
  const key = fc.oneof(
    fc.double({ noNaN: true }),
    fc.constantFrom(0, -0, 1, -1, 0.5, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Infinity, Infinity),
    fc.integer({ min: -3, max: 3 }),
  );
  it('is the comparator sort with ties in position order, both directions (property)', () => {
    fc.assert(fc.property(fc.array(key, { maxLength: 300 }), (values) => {
      const keys = Float64Array.from(values);
      const positions = Array.from(keys, (_, i) => i);
      expect(Array.from(stableOrder(keys, 'ascending'))).toEqual([...positions].sort((a, b) => keys[a]! - keys[b]! || a - b));
      expect(Array.from(stableOrder(keys, 'descending'))).toEqual([...positions].sort((a, b) => keys[b]! - keys[a]! || a - b));
    }), { numRuns: 500 });
  });

  it('orders 100,000 probabilities with many ties as the comparator does, and refuses NaN', () => {
    const keys = Float64Array.from({ length: 100_000 }, (_, i) => Math.round(Math.abs(Math.sin(i * 12.9898)) * 5000) / 5000);
    const positions = Array.from(keys, (_, i) => i);
    expect(Array.from(stableOrder(keys, 'descending'))).toEqual(positions.sort((a, b) => keys[b]! - keys[a]! || a - b));
    expect(() => stableOrder([1, Number.NaN], 'ascending')).toThrow('NaN');
  });
});
