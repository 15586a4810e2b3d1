/**
 * The columnar reader's byte path, piece by piece, each against the reference it replaces: records cut from
 * bytes against CsvParser on the decoded text (fed in random pieces); plain numbers read from bytes against
 * `Number`; the distinct count by hashing against a sort; the five most frequent against a stable sort; the
 * byte dictionary against a Map.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteDictionary, hashBytes } from '../../../src/data/io/byte-dictionary.ts';
import { CsvByteRecords } from '../../../src/data/io/csv-bytes.ts';
import { CsvParser } from '../../../src/data/io/csv.ts';
import { countNumbers, distinctNumbers, firstOfEqual } from '../../../src/data/types/distinct.ts';
import { plainNumber } from '../../../src/data/types/plain-number.ts';
import { mostFrequent } from '../../../src/data/types/schema.ts';

/** Records (fields and starting line) of a text as CsvParser reads it, or its error message. */
function parsedByText(text: string): Array<[number, string[]]> | string {
  const out: Array<[number, string[]]> = [];
  try {
    const parser = new CsvParser({ delimiter: ',', onRecord: (fields, line) => out.push([line, fields]) });
    parser.push(text);
    parser.end();
  } catch (err) {
    return (err as Error).message;
  }
  return out;
}

/** The same from the bytes, fed in pieces cut at `cuts` (byte offsets, possibly inside a character). */
function parsedByBytes(bytes: Buffer, cuts: number[]): Array<[number, string[]]> | string {
  const out: Array<[number, string[]]> = [];
  const records = new CsvByteRecords(',');
  const bounds = [...new Set([0, ...cuts.map((c) => Math.min(c, bytes.length)), bytes.length])].sort((a, b) => a - b);
  try {
    for (let i = 0; i + 1 < bounds.length; i++) {
      records.feed(bytes.subarray(bounds[i], bounds[i + 1]), false);
      while (records.next()) out.push([records.recordLine, Array.from({ length: records.fields }, (_, f) => records.text(f))]);
    }
    records.feed(Buffer.alloc(0), true);
    while (records.next()) out.push([records.recordLine, Array.from({ length: records.fields }, (_, f) => records.text(f))]);
  } catch (err) {
    return (err as Error).message;
  }
  return out;
}

const piece = fc.constantFrom('a', 'b', '1', '-2.5', ' ', ',', '"', '""', '\n', '\r', '\r\n', 'é', '東', 'x y', '');

describe('CsvByteRecords', () => {
  it('cuts the records CsvParser reads, with the same lines and errors, however the bytes arrive (property)', () => {
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), fc.boolean(), fc.array(fc.nat(200), { maxLength: 6 }), (pieces, bom, cuts) => {
      const text = (bom ? '\ufeff' : '') + pieces.join('');
      const bytes = Buffer.from(text, 'utf8');
      expect(parsedByBytes(bytes, cuts)).toEqual(parsedByText(text));
    }), { numRuns: 3000, seed: 41 });
  });

  it('reads quoted fields, CRLF and lone CR, blank lines and a last line without a break', () => {
    const text = 'id,note\r\nL1,"Smith, ""J"""\r\n\r\nL2,"two\nlines"\rL3,plain\n"",\nL4,last';
    expect(parsedByBytes(Buffer.from(text), [7, 15])).toEqual(parsedByText(text));
    expect(parsedByBytes(Buffer.from(text), [])).toEqual([
      [1, ['id', 'note']], [2, ['L1', 'Smith, "J"']], [4, ['L2', 'two\nlines']], [6, ['L3', 'plain']], [7, ['', '']], [8, ['L4', 'last']],
    ]);
  });

  it('names the line of a quote left open', () => {
    expect(parsedByBytes(Buffer.from('a,b\n1,2\n3,"open\n'), [])).toBe('unterminated quoted field starting on line 3');
  });
});

describe('plainNumber', () => {
  const digits = fc.stringMatching(/^[0-9]{0,20}$/);
  const numberText = fc.tuple(fc.constantFrom('', '-', '+'), digits, fc.constantFrom('', '.'), digits, fc.constantFrom('', 'e', 'E', 'e-', 'e+'), fc.stringMatching(/^[0-9]{0,4}$/))
    .map((parts) => parts.join(''));

  it('gives the double Number() gives, bit for bit, or NaN to hand the cell to Number() (property)', () => {
    fc.assert(fc.property(fc.oneof(numberText, fc.string({ maxLength: 12 })), (text) => {
      const bytes = Buffer.from(`,${text},`, 'utf8');
      const x = plainNumber(bytes, 1, bytes.length - 1);
      if (!Number.isNaN(x)) expect(Object.is(x, Number(text)), `${text}: ${x} against ${Number(text)}`).toBe(true);
    }), { numRuns: 20_000, seed: 7 });
  });

  it('reads the plain forms itself, and leaves the rest to Number()', () => {
    const read = (text: string) => plainNumber(Buffer.from(text), 0, Buffer.byteLength(text));
    for (const text of ['0', '-0', '+7', '007', '12.5', '-0.000123', '.5', '5.', '1e5', '2.5E-3', '123456789012345', '0.1', '900719925474.991']) {
      expect(Object.is(read(text), Number(text)), text).toBe(true);
    }
    for (const text of ['', '-', '.', 'e5', '1e', '1e+', '1.2.3', '0x10', 'Infinity', ' 1', '1234567890123456', '1e23', '1e-400', '1,5']) expect(read(text), text).toBeNaN();
  });
});

describe('distinctNumbers', () => {
  it('counts what sorting counts, 0 and −0 as one (property)', () => {
    const value = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ noNaN: true }), fc.constantFrom(0, -0, Infinity, -Infinity, 1e-300));
    fc.assert(fc.property(fc.array(value, { maxLength: 3000 }), (values) => {
      const sorted = Float64Array.from(values).sort();
      let expected = sorted.length === 0 ? 0 : 1;
      for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) expected++;
      expect(distinctNumbers(Float64Array.from(values))).toBe(expected);
    }), { numRuns: 300, seed: 3 });
  });

  it('countNumbers: the distinct count, and the k most frequent as the counts of their texts rank them (property)', () => {
    const value = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.double({ noNaN: true }), fc.constantFrom(0, -0, Infinity, -Infinity, 1e-300));
    fc.assert(fc.property(fc.array(value, { maxLength: 3000 }), fc.integer({ min: 1, max: 7 }), (values, k) => {
      const counts = new Map<string, number>();
      for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      const { distinct, top } = countNumbers(Float64Array.from(values), k);
      expect(distinct).toBe(counts.size);
      expect(top.map(String)).toEqual(mostFrequent(counts, k));
    }), { numRuns: 300, seed: 4 });
  });
});

describe('firstOfEqual', () => {
  it('gives each text the first index of an equal one, or null when all differ, as a Map does (property)', () => {
    // Few letters make repeats likely; a weak hash (a few values) makes different texts share hashes.
    const text = fc.oneof(fc.string({ maxLength: 3, unit: fc.constantFrom('a', 'b', 'é', ' ') }), fc.string({ maxLength: 12 }));
    fc.assert(fc.property(fc.array(text, { maxLength: 2000 }), fc.boolean(), (texts, weak) => {
      const hashes = Int32Array.from(texts, (t) => {
        const h = hashBytes(Buffer.from(t, 'utf8'), 0, Buffer.byteLength(t, 'utf8'));
        return weak ? h & 0x03000003 : h;
      });
      const firstSeen = new Map<string, number>();
      const expected = texts.map((t, k) => {
        if (!firstSeen.has(t)) firstSeen.set(t, k);
        return firstSeen.get(t)!;
      });
      const first = firstOfEqual(hashes, texts);
      if (firstSeen.size === texts.length) expect(first).toBeNull();
      else expect(Array.from(first!)).toEqual(expected);
    }), { numRuns: 300, seed: 6 });
  });
});

describe('mostFrequent', () => {
  it('picks what a stable sort by count picks (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 1, max: 6 })), { maxLength: 60 }), fc.integer({ min: 1, max: 7 }), (entries, k) => {
      const counts = new Map(entries);
      expect(mostFrequent(counts, k)).toEqual([...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([key]) => key));
    }), { numRuns: 1000, seed: 5 });
  });
});

describe('ByteDictionary', () => {
  it('answers what a Map of the decoded keys answers, and holds no more than its capacity, with room reserved at any point', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 6, unit: 'grapheme' }), { maxLength: 400 }), fc.integer({ min: 1, max: 300 }),
      fc.nat(400), fc.nat(1000), fc.nat(3000), (keys, capacity, reserveAt, reserveKeys, reserveBytes) => {
      const dictionary = new ByteDictionary<number>(capacity);
      const reference = new Map<string, number>();
      for (const [i, key] of keys.entries()) {
        if (i === reserveAt) dictionary.reserve(reserveKeys, reserveBytes);
        const bytes = Buffer.from(`|${key}|`);
        const got = dictionary.get(bytes, 1, bytes.length - 1);
        expect(got).toBe(reference.get(key));
        if (got === undefined && reference.size < capacity) {
          dictionary.set(bytes, 1, bytes.length - 1, i);
          reference.set(key, i);
        }
      }
      expect(dictionary.size).toBe(reference.size);
    }), { numRuns: 300, seed: 9 });
  });
});
