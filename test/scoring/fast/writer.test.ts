import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../src/scoring/fast/writer.ts';

const reference = new TextEncoder();

describe('utf8', () => {
  it('gives TextEncoder\'s bytes for any text: the BMP written here, surrogates through TextEncoder (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      expect(Array.from(utf8(text))).toEqual(Array.from(reference.encode(text)));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      expect(Array.from(utf8(text))).toEqual(Array.from(reference.encode(text)));
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.string(), (text) => {
      expect(Array.from(utf8(text))).toEqual(Array.from(reference.encode(text)));
    }), { numRuns: 2000 });
  });

  it('handles the edges: empty, each byte-length boundary, the minus sign and ≥ of reasons, lone and paired surrogates', () => {
    for (const text of ['', '\x7f', '\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', `${'a'.repeat(40)}é`, 'revenue = 2,000,000 (−0.3)', '≥ 5', '\ud800', 'ok\udfff', '😀 emoji']) {
      expect(Array.from(utf8(text))).toEqual(Array.from(reference.encode(text)));
    }
  });
});
