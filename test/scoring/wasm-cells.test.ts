import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CellTables, hashCell } from '../../src/scoring/wasm-cells.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const hash = (bytes: Uint8Array) => hashCell(bytes, 0, bytes.length);

/**
 * An independent reading of unquoted CSV records: split on line breaks (CRLF, LF or a lone CR) and
 * commas; blank lines are not records; short records read as empty fields. Stops at the first record
 * with a field opening with a quote or more fields than `width`.
 */
function reference(text: string, width: number): { records: string[][]; stop: number } {
  const records: string[][] = [];
  let at = 0;
  const breaks = /\r\n|\n|\r/g;
  while (at < text.length) {
    breaks.lastIndex = at;
    const found = breaks.exec(text);
    const end = found ? found.index : text.length;
    const fields = text.slice(at, end).split(',');
    if (fields.length > width || fields.some((f) => f.startsWith('"'))) return { records, stop: at };
    at = found ? end + found[0].length : text.length;
    if (fields.length === 1 && fields[0] === '') continue;
    while (fields.length < width) fields.push('');
    records.push(fields);
  }
  return { records, stop: text.length };
}

describe('CellTables: the WebAssembly scan and cell dictionaries', () => {
  it('cuts records as CsvParser does and numbers each column\'s distinct cells, growing its tables as they fill', () => {
    const cell = fc.oneof(fc.constantFrom('', 'a', 'bb', 'Software', 'é', 'x y', '12345678', '123456789abcdefgh'), fc.string({ maxLength: 12 }).map((s) => s.replace(/[,\r\n"]/g, '')));
    const record = fc.array(cell, { minLength: 1, maxLength: 5 });
    const lineBreak = fc.constantFrom('\n', '\r\n', '\r', '\n\n');
    fc.assert(fc.property(fc.array(fc.tuple(record, lineBreak), { maxLength: 80 }), fc.boolean(), fc.nat(3), (records, quoted, quoteAt) => {
      const lines = records.map(([cells, br]) => cells.join(',') + br);
      if (quoted && lines.length > 0) lines[quoteAt % lines.length] = `"q",x${lines[quoteAt % lines.length]}`;
      const text = lines.join('');
      const width = 4;
      const want = reference(text, width);
      const slotOf = Int32Array.from([0, -1, 1, 2]); // the second field is not read
      const tables = CellTables.create(3, slotOf)!;
      const bytes = encoder.encode(text);
      tables.load(bytes);
      const got = tables.scan(0, 0, width, 44, 1);
      expect(got.rows).toBe(want.records.length);
      expect(got.pos).toBe(encoder.encode(text.slice(0, want.stop)).length);
      expect(got.done).toBe(want.stop === text.length);
      // The same text always gets the same number in a column, and different texts different numbers.
      [0, 2, 3].forEach((field, slot) => {
        const ids = tables.rowsOf(slot, got.rows);
        want.records.forEach((fields, i) => expect(decoder.decode(tables.cell(slot, ids[i]!))).toBe(fields[field]));
        const texts = Array.from({ length: tables.size(slot) }, (_, id) => decoder.decode(tables.cell(slot, id)));
        expect(new Set(texts).size).toBe(texts.length);
      });
      const { starts, ends } = tables.idSpans(got.rows);
      want.records.forEach((fields, i) => expect(decoder.decode(bytes.subarray(starts[i]!, ends[i]!))).toBe(fields[1]));
      // JavaScript's hashCell is the scan's hash: looking each cell up again from JavaScript finds its number.
      [0, 1, 2].forEach((slot) => {
        const cells = Array.from({ length: tables.size(slot) }, (_, id) => tables.cell(slot, id));
        const again = new Uint8Array(cells.reduce((sum, c) => sum + c.length, 0));
        let at = 0;
        for (const c of cells) {
          again.set(c, at);
          at += c.length;
        }
        tables.load(again);
        at = 0;
        cells.forEach((c, id) => {
          expect(tables.intern(slot, at, at + c.length, hashCell(again, at, at + c.length))).toBe(id);
          at += c.length;
        });
        expect(tables.size(slot)).toBe(cells.length);
      });
    }), { numRuns: 200, seed: 3 });
  });

  it('keeps its numbers while tables, rows and chunks grow, and through intern calls from JavaScript', () => {
    const slotOf = Int32Array.from([0, 1]);
    const tables = CellTables.create(2, slotOf)!;
    const seen = [new Map<string, number>(), new Map<string, number>()];
    for (let chunk = 0; chunk < 3; chunk++) {
      // 9,000 rows a chunk: more than the first row room; the first column's cells all new, with long ones.
      const rows = Array.from({ length: 9000 }, (_, i) => [`u${chunk}-${i}${i % 97 === 0 ? 'x'.repeat(500) : ''}`, `k${i % 13}`]);
      const bytes = encoder.encode(`${rows.map((r) => r.join(',')).join('\n')}\n`);
      tables.load(bytes);
      const got = tables.scan(0, 0, 2, 44, -1);
      expect(got).toEqual({ pos: bytes.length, rows: 9000, done: true });
      for (const slot of [0, 1]) {
        const ids = Array.from(tables.rowsOf(slot, 9000));
        rows.forEach((r, i) => {
          const before = seen[slot]!.get(r[slot]!);
          if (before !== undefined) expect(ids[i]).toBe(before);
          else seen[slot]!.set(r[slot]!, ids[i]!);
        });
      }
      // A cell looked up from JavaScript finds the scan's number, or gets the next one.
      const start = decoder.decode(bytes).indexOf(',k3\n') + 1; // ASCII: characters are bytes
      expect(tables.intern(1, start, start + 2, hash(encoder.encode('k3')))).toBe(seen[1]!.get('k3'));
      const fresh = bytes.length - 1; // the final line feed, as a one-byte cell the scan never saw: added once
      expect(tables.intern(1, fresh, fresh + 1, hash(Uint8Array.of(10)))).toBe(13);
    }
    expect(tables.size(0)).toBe(27000);
    expect(tables.size(1)).toBe(14);
    tables.clear(0);
    expect(tables.size(0)).toBe(0);
  });
});
