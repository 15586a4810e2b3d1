import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser, csvField, detectDelimiter, parseCsv, scanPlainRecords, scanQuotedRecords, scanRecords, uniqueHeader } from '../../../src/data/io/csv.ts';
import { DataError } from '../../../src/errors.ts';

describe('parseCsv', () => {
  it('reads quoted fields holding delimiters, quotes and line breaks', () => {
    const text = 'id,note,city\n1,"Smith, J","He said ""hi""\nthen left"\n2,plain,"Paris"\n';
    const { names, columns } = parseCsv(text, ',');
    expect(names).toEqual(['id', 'note', 'city']);
    expect(columns[0]).toEqual(['1', '2']);
    expect(columns[1]).toEqual(['Smith, J', 'plain']);
    expect(columns[2]).toEqual(['He said "hi"\nthen left', 'Paris']);
  });

  it('drops a UTF-8 byte-order mark and reads CRLF line ends without keeping \\r', () => {
    const { names, columns } = parseCsv('\uFEFFa,y\r\n1,no\r\n2,yes\r\n', ',');
    expect(names).toEqual(['a', 'y']);
    expect(columns[1]).toEqual(['no', 'yes']);
  });

  it('skips blank lines and pads short rows', () => {
    const { columns } = parseCsv('a,b,c\n1,2,3\n\n4,5\n', ',');
    expect(columns).toEqual([['1', '4'], ['2', '5'], ['3', '']]);
  });

  it('reads a last line without a line break, and a trailing empty field', () => {
    expect(parseCsv('a,b\n1,', ',').columns).toEqual([['1'], ['']]);
  });

  it('names the line of a row with too many fields', () => {
    try {
      parseCsv('a,b\n1,2\n1,2,3\n', ',');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).message).toBe('line 3 has 3 fields but the header has 2');
      expect((err as DataError).hint).toContain('--delimiter');
    }
  });

  it('names the line where an unterminated quote starts', () => {
    expect(() => parseCsv('a,b\n1,2\n3,"open\n4,5\n', ',')).toThrow('unterminated quoted field starting on line 3');
  });

  it('counts lines inside quoted fields when reporting errors', () => {
    expect(() => parseCsv('a,b\n"x\ny",2\n1,2,3\n', ',')).toThrow('line 4 has 3 fields');
  });

  it('gives the same records whatever the chunk boundaries (property)', () => {
    const cell = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a,b', 'q"q', 'x\ny', 'r\r\ns', '', ' '));
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        (rows, cuts, crlf) => {
          const eol = crlf ? '\r\n' : '\n';
          // A record of one empty field is a blank line, which readers skip: keep the first field non-empty.
          const safe = rows.map((r) => [`k${r[0]}`, r[1]!, r[2]!]);
          const text = ['h1,h2,h3', ...safe.map((r) => r.map((c) => csvField(c)).join(','))].join(eol) + eol;
          const records: string[][] = [];
          const parser = new CsvParser({ delimiter: ',', onRecord: (f) => records.push(f) });
          let pos = 0;
          for (const step of cuts) {
            if (pos >= text.length) break;
            parser.push(text.slice(pos, pos + step));
            pos += step;
          }
          parser.push(text.slice(pos));
          parser.end();
          expect(records).toEqual([['h1', 'h2', 'h3'], ...safe]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('detectDelimiter', () => {
  it.each([
    [',', 'a,b,c\n1,2,3\n4,5,6\n'],
    [';', 'a;b;c\n1,5;2;3\n4;5,5;6\n'],
    ['\t', 'a\tb\tc\n1\t2, 5\t3\n'],
    ['|', 'a|b|c\n1|2|3\n'],
  ])('detects %j', (delimiter, text) => {
    expect(detectDelimiter(text)).toBe(delimiter);
  });

  it('ignores delimiters inside quotes', () => {
    expect(detectDelimiter('name;city\n"Smith, J";"Rome, IT"\n"Doe, A";Paris\n')).toBe(';');
  });
});

describe('detectDelimiter against a reference that counts each delimiter in its own pass', () => {
  /** The counting as written before one pass served all four delimiters. */
  function countsFor(text: string, delim: number, maxLines: number): number[] {
    const counts: number[] = [];
    let fields = 1;
    let inQuotes = false;
    let lineHasContent = false;
    for (let i = 0; i < text.length && counts.length < maxLines; i++) {
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === 34) {
          if (text.charCodeAt(i + 1) === 34) i++;
          else inQuotes = false;
        }
        continue;
      }
      if (c === 34) {
        inQuotes = true;
        lineHasContent = true;
      } else if (c === delim) {
        fields++;
        lineHasContent = true;
      } else if (c === 10 || c === 13) {
        if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
        if (lineHasContent) counts.push(fields);
        fields = 1;
        lineHasContent = false;
      } else lineHasContent = true;
    }
    return counts;
  }
  function reference(text: string): string {
    let best: { delimiter: string; score: number } | null = null;
    for (const delimiter of [',', ';', '\t', '|']) {
      const counts = countsFor(text, delimiter.charCodeAt(0), 50);
      if (counts.length === 0 || counts[0]! < 2) continue;
      const score = (counts.filter((c) => c === counts[0]).length / counts.length) * 1000 + Math.min(counts[0]!, 999);
      if (best === null || score > best.score) best = { delimiter, score };
    }
    return best?.delimiter ?? ',';
  }

  it('picks the same delimiter on text of delimiters, quotes and line ends', () => {
    const char = fc.constantFrom('a', 'b', ',', ';', '\t', '|', '"', '\n', '\r', '\r\n', ' ');
    fc.assert(fc.property(fc.array(char, { maxLength: 400 }).map((cs) => cs.join('')), (text) => {
      expect(detectDelimiter(text)).toBe(reference(text));
    }), { numRuns: 3000 });
    // Past fifty lines, and with each delimiter winning
    const lines = (d: string, n: number) => Array.from({ length: n }, (_, i) => ['x', i, 'y'].join(d)).join('\n');
    for (const d of [',', ';', '\t', '|']) {
      const text = `${lines(d, 60)}\n${lines(',', 30)}`;
      expect(detectDelimiter(text)).toBe(reference(text));
      expect(detectDelimiter(text)).toBe(d);
    }
  });
});

describe('uniqueHeader', () => {
  it('trims, fills blank names and de-duplicates', () => {
    expect(uniqueHeader([' a ', '', 'a', 'b', 'a'])).toEqual(['a', 'column_2', 'a_2', 'b', 'a_3']);
  });
});

describe('scanRecords (cutting CSV bytes into whole records for other threads)', () => {
  /** Every record as CsvParser gives it: [fields, line]. */
  const parseAll = (text: string, firstLine = 1) => {
    const out: Array<[string[], number]> = [];
    const p = new CsvParser({ delimiter: ',', onRecord: (f, l) => out.push([f, l]), firstLine });
    p.push(text);
    p.end();
    return out;
  };

  it('cuts anywhere into pieces that CsvParser reads as the whole file: same records, same line numbers', () => {
    const cell = fc.oneof(fc.constantFrom('', 'a', 'b c', '"q"', '"a,b"', '"x\ny"', '"say ""hi"""', '"', 'é', '""', 'x"y'), fc.string({ maxLength: 3 }));
    const record = fc.array(cell, { minLength: 1, maxLength: 4 }).map((cells) => cells.join(','));
    const ending = fc.constantFrom('\n', '\r\n', '\r');
    const file = fc.array(fc.tuple(record, ending), { maxLength: 25 }).chain((rows) => fc.boolean().map((trailing) => rows.map(([r, e], k) => (k === rows.length - 1 && !trailing ? r : r + e)).join('')));
    fc.assert(fc.property(file, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), (text, perChunk, splitAt) => {
      let whole: Array<[string[], number]>;
      try {
        whole = parseAll(text);
      } catch {
        return; // an unterminated quote: CsvParser reports it, nothing to cut
      }
      const bytes = new TextEncoder().encode(text);
      const decoder = new TextDecoder();
      const got: Array<[string[], number]> = [];
      let at = 0;
      let line = 1;
      let count = 0;
      // As the stream does: scan what has arrived so far (a growing prefix), then the rest as final.
      for (let arrived = Math.min(bytes.length, splitAt); ; arrived = Math.min(bytes.length, arrived + splitAt)) {
        const final = arrived >= bytes.length;
        for (;;) {
          const s = scanRecords(bytes.subarray(0, arrived), at, ',', perChunk, final);
          if (s.end === at) break;
          const piece = parseAll(decoder.decode(bytes.subarray(at, s.end)), line);
          expect(piece).toHaveLength(s.records);
          got.push(...piece);
          count += s.records;
          line += s.lines;
          at = s.end;
        }
        if (final) break;
      }
      expect(at).toBe(bytes.length);
      expect(count).toBe(whole.length);
      expect(got).toEqual(whole);
    }), { numRuns: 400, seed: 7 });
  });
});

describe('scanRecords on records without quotes (the native line-end search, CRLF included)', () => {
  it('takes the same records, lines and end as the byte-by-byte scan, for any start, count and finality (LF and CRLF line ends)', () => {
    const cell = fc.constantFrom('', 'a', 'b c', 'é', '12.5', ' ');
    const record = fc.array(cell, { minLength: 1, maxLength: 4 }).map((cells) => cells.join(','));
    const ending = fc.constantFrom('\n', '\r\n');
    const file = fc.array(fc.tuple(record, ending), { maxLength: 20 }).chain((rows) => fc.boolean().map((trailing) => rows.map(([r, e], k) => (k === rows.length - 1 && !trailing ? r : r + e)).join('')));
    fc.assert(fc.property(file, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.boolean(), (text, from, count, final) => {
      const bytes = new TextEncoder().encode(text);
      const start = Math.min(from, bytes.length);
      const plain = scanPlainRecords(bytes, start, count, final);
      expect(plain).not.toBeNull(); // the native search takes these files
      expect(plain).toEqual(scanQuotedRecords(bytes, start, ',', count, final));
    }), { numRuns: 2000, seed: 11 });
  });

  it('leaves a lone CR or a quote to the byte-by-byte scan', () => {
    const bytes = (t: string) => new TextEncoder().encode(t);
    expect(scanPlainRecords(bytes('a,b\rc,d\n'), 0, 5, true)).toBeNull();
    expect(scanPlainRecords(bytes('a,b\r'), 0, 5, true)).toBeNull();
    expect(scanPlainRecords(bytes('a,"b"\r\n'), 0, 5, true)).toBeNull();
    expect(scanRecords(bytes('a,b\rc,d\r\n'), 0, ',', 5, true)).toEqual({ end: 9, records: 2, lines: 2 });
  });
});
