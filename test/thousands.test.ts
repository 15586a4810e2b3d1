import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thousands } from '../src/thousands.ts';

describe('thousands', () => {
  it('writes an integer as toLocaleString("en-US") does (the reference it replaces)', () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.integer({ min: -1_000_000, max: 1_000_000 })), (n) => {
      expect(thousands(n)).toBe(n.toLocaleString('en-US'));
    }), { numRuns: 2000 });
    for (const n of [0, 7, 999, 1000, -1000, 999_999, 1_000_000, -12_345_678, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      expect(thousands(n)).toBe(n.toLocaleString('en-US'));
    }
    expect(thousands(1_000_000)).toBe('1,000,000');
  });

  it('leaves what is not a safe integer to toLocaleString', () => {
    for (const n of [0.5, 1234.5678, -0, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY]) expect(thousands(n)).toBe(n.toLocaleString('en-US'));
  });
});
