import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteSink, utf8 } from '../../../src/scoring/fast/writer.ts';

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

describe('ByteSink.lend', () => {
  it('lends the bytes written, keeps them until given back, then writes the next bytes into that buffer', () => {
    const sink = new ByteSink();
    sink.ascii('first chunk\n');
    const first = sink.lend();
    sink.ascii('second chunk, longer\n');
    const second = sink.lend();
    // Neither is written over while lent.
    expect(new TextDecoder().decode(first.bytes)).toBe('first chunk\n');
    expect(new TextDecoder().decode(second.bytes)).toBe('second chunk, longer\n');
    first.release();
    first.release(); // twice is once
    sink.ascii('third\n'); // into the buffer taken at the last lend
    const third = sink.lend(); // the next bytes go into the one given back
    sink.ascii('fourth\n');
    const fourth = sink.lend();
    expect(fourth.bytes.buffer).toBe(first.bytes.buffer);
    expect(new TextDecoder().decode(fourth.bytes)).toBe('fourth\n');
    expect(new TextDecoder().decode(second.bytes)).toBe('second chunk, longer\n');
    expect(new TextDecoder().decode(third.bytes)).toBe('third\n');
    // Never given back: never written into again.
    sink.ascii('fifth\n');
    expect([second.bytes.buffer, third.bytes.buffer]).not.toContain(sink.lend().bytes.buffer);
  });
});
