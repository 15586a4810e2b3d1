import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMissing, naTokenSet } from '../../../src/data/types/missing.ts';

describe('isMissing', () => {
  it('is "trimmed text equals a token", whatever the padding (ASCII or Unicode spaces) or token set', () => {
    const pad = fc.constantFrom('', ' ', '\t', '\u00a0', '\u2003', '  \u00a0', '\n');
    const core = fc.oneof(fc.constantFrom('NA', 'n/a', 'null', 'NaN', 'Select', 'N/A ', 'NULLs', 'x', ''), fc.string({ maxLength: 8 }));
    fc.assert(fc.property(pad, core, pad, fc.constantFrom('', 'Select', 'a much longer token'), (before, text, after, extra) => {
      const tokens = naTokenSet(extra);
      const value = `${before}${text}${after}`;
      expect(isMissing(value, tokens)).toBe(tokens.has(value.trim()));
    }), { numRuns: 2000, seed: 3 });
    expect(isMissing(null, naTokenSet())).toBe(true);
    expect(isMissing(Number.NaN, naTokenSet())).toBe(true);
    expect(isMissing(0, naTokenSet())).toBe(false);
  });
});
