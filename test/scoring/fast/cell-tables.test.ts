import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvParser } from '../../../src/data/io/csv.ts';
import { MISSING, REFERENCE } from '../../../src/data/io/plain-numbers.ts';
import { fieldText } from '../../../src/scoring/fast/scan.ts';
import { CellTables, hashCell } from '../../../src/scoring/fast/cell-tables.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const hash = (bytes: Uint8Array) => hashCell(bytes, 0, bytes.length);

/**
 * The records CsvParser (the table path's reader) finds in `text`, short ones padded with empty fields;
 * with a quote left open at the end, the records before the one it opens.
 */
function reference(text: string, width: number): string[][] {
  const records: string[][] = [];
  const parser = new CsvParser({ delimiter: ',', onRecord: (fields) => records.push([...fields, ...Array<string>(Math.max(0, width - fields.length)).fill('')]) });
  parser.push(text);
  try {
    parser.end();
  } catch {
    // the open quote's record is not a record
  }
  return records;
}

describe('CellTables: the WebAssembly scan and cell dictionaries', () => {
  it('cuts records as CsvParser does, quoted fields too, and numbers each column\'s distinct cells', () => {
    const plain = fc.oneof(fc.constantFrom('', 'a', 'bb', 'Software', 'é', 'x y', '12345678', '123456789abcdefgh'), fc.string({ maxLength: 12 }).map((s) => s.replace(/[,\r\n"]/g, '')));
    // Quoted: with delimiters, line breaks and doubled quotes inside, sometimes text after the closing quote.
    const quoted = fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('', '', 'x', ' tail')).map(([s, after]) => `"${s.replace(/"/g, '""')}"${after.replace(/[,\r\n"]/g, '')}`);
    const inner = fc.constantFrom('"a,b"', '"line\nbreak"', '"""q"""', '"a""b""c,d\r\ne"', '""');
    const cell = fc.oneof({ weight: 5, arbitrary: plain }, { weight: 2, arbitrary: quoted }, { weight: 1, arbitrary: inner });
    const record = fc.array(cell, { minLength: 1, maxLength: 4 });
    const lineBreak = fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\n""\n');
    fc.assert(fc.property(fc.array(fc.tuple(record, lineBreak), { maxLength: 60 }), fc.boolean(), (records, open) => {
      const text = records.map(([cells, br]) => cells.join(',') + br).join('') + (open ? 'z,"open' : '');
      const width = 4;
      const want = reference(text, width);
      const slotOf = Int32Array.from([0, -1, 1, 2]); // the second field is not read
      const tables = CellTables.create(3, slotOf)!;
      const bytes = encoder.encode(text);
      tables.load(bytes);
      const got = tables.scan(0, 0, width, 44, 1);
      expect(got.rows).toBe(want.length);
      expect(got.done).toBe(!open);
      if (open) expect(decoder.decode(bytes.subarray(got.pos))).toBe('z,"open');
      // Each row's cell, as text, is the parser's field; the same raw cell always gets the same number.
      [0, 2, 3].forEach((field, slot) => {
        const ids = tables.rowsOf(slot, got.rows);
        want.forEach((fields, i) => expect(fieldText(tables.cell(slot, ids[i]!))).toBe(fields[field]));
        const raws = Array.from({ length: tables.size(slot) }, (_, id) => decoder.decode(tables.cell(slot, id)));
        expect(new Set(raws).size).toBe(raws.length);
      });
      const { starts, ends } = tables.idSpans(got.rows);
      want.forEach((fields, i) => expect(fieldText(bytes.subarray(starts[i]!, ends[i]!))).toBe(fields[1]));
      // A record with more fields than the header is left to the JavaScript scan.
      tables.load(encoder.encode('a,b\nc,d,e,f,g\n'));
      expect(tables.scan(0, 0, width, 44, 1)).toEqual({ pos: 4, rows: 1, done: false });
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
    }), { numRuns: 300, seed: 3 });
  });

  it('keeps its numbers while tables, rows and chunks grow, and through intern calls from JavaScript', () => {
    const slotOf = Int32Array.from([0, 1]);
    const tables = CellTables.create(2, slotOf)!;
    const seen = [new Map<string, number>(), new Map<string, number>()];
    // 9,000 rows a chunk: more than the first row room; the first column's cells all new, with long ones.
    const rowsOf = (chunk: number) => Array.from({ length: 9000 }, (_, i) => [`u${chunk}-${i}${i % 97 === 0 ? 'x'.repeat(500) : ''}`, `k${i % 13}`]);
    const textOf = (rows: string[][]) => encoder.encode(`${rows.map((r) => r.join(',')).join('\n')}\n`);
    for (let chunk = 0; chunk < 3; chunk++) {
      const rows = rowsOf(chunk);
      const bytes = textOf(rows);
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
    // Cells looked up from JavaScript alone fill and grow the tables too (the chunk moves with the memory).
    const words = Array.from({ length: 5000 }, (_, i) => `js-${i}-${'y'.repeat(i % 40)}`);
    const text = encoder.encode(words.join(','));
    tables.load(text);
    let at = 0;
    const ids = words.map((w) => {
      const end = at + encoder.encode(w).length;
      const id = tables.intern(0, at, end, hashCell(text, at, end));
      at = end + 1;
      return id;
    });
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => 27000 + i));
    expect(ids.map((id) => decoder.decode(tables.cell(0, id)))).toEqual(words);
    tables.clear(0);
    expect(tables.size(0)).toBe(0);
    tables.load(textOf(rowsOf(0)));
    expect(tables.scan(0, 0, 2, 44, -1).rows).toBe(9000);
    expect(tables.size(0)).toBe(9000);
    expect(tables.size(1)).toBe(14);
  });

  it('an append column numbers its cells by row, unhashed, through growth, the JavaScript scan and short records', () => {
    const slotOf = Int32Array.from([0, 1]);
    const tables = CellTables.create(2, slotOf)!;
    tables.setAppend(0, true);
    // Repeated cells get a number each (row order); the other column still looks its cells up.
    const rows = Array.from({ length: 9000 }, (_, i) => [`v${i % 7}${i % 211 === 0 ? 'z'.repeat(300) : ''}`, `k${i % 13}`]);
    const bytes = encoder.encode(`${rows.map((r) => r.join(',')).join('\n')}\nshort\n"q,uoted",k1\n`);
    tables.load(bytes);
    const got = tables.scan(0, 0, 2, 44, -1);
    expect(got).toEqual({ pos: bytes.length, rows: 9002, done: true });
    expect(Array.from(tables.rowsOf(0, 9002))).toEqual(Array.from({ length: 9002 }, (_, i) => i));
    expect(Array.from({ length: 9002 }, (_, id) => fieldText(tables.cell(0, id)))).toEqual([...rows.map((r) => r[0]), 'short', 'q,uoted']);
    expect(tables.size(1)).toBe(14); // k0..k12 and the short record's empty cell
    // From JavaScript: a cell seen before is a new entry too.
    const start = decoder.decode(bytes).indexOf('v3');
    expect(tables.intern(0, start, start + 2, hashCell(bytes, start, start + 2))).toBe(9002);
    // Looked up again after setAppend(false): cleared, then repeated cells share a number.
    tables.setAppend(0, false);
    expect(tables.size(0)).toBe(0);
    tables.load(bytes);
    tables.scan(0, 0, 2, 44, -1);
    expect(tables.size(0)).toBe(new Set(rows.map((r) => r[0])).size + 2);
  });

  it('reads plain numbers from the cells\' bytes as Number reads their text, an empty cell as missing, anything else left to the text', () => {
    const plain = fc.tuple(fc.constantFrom('', ' ', '\t'), fc.constantFrom('', '-', '+'), fc.stringMatching(/^[0-9]{0,17}$/), fc.constantFrom('', '.'),
      fc.stringMatching(/^[0-9]{0,6}$/), fc.constantFrom('', 'e5', 'E-3', 'e+22', 'e400'), fc.constantFrom('', ' ', '\t '))
      .map((parts) => parts.join(''));
    const other = fc.constantFrom('NA', '"12"', '1,5', '0x1F', 'Infinity', '1_000', '١٢', '12abc', '.', '-', 'e5', '\u00a012');
    fc.assert(fc.property(fc.array(fc.oneof({ weight: 4, arbitrary: plain }, { weight: 1, arbitrary: other }), { minLength: 1, maxLength: 40 }), (cells) => {
      const tables = CellTables.create(1, Int32Array.of(0))!;
      const quoted = cells.map((c) => (/[",\n\r]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c));
      tables.load(encoder.encode(`${quoted.join('\n')}\n`));
      const rows = tables.scan(0, 0, 1, 44, -1).rows;
      const ids = tables.rowsOf(0, rows);
      const { values, status } = tables.plainNumbers(0, 0, tables.size(0));
      Array.from(ids).forEach((id, i) => {
        const text = fieldText(tables.cell(0, id));
        const x = values[id]!;
        const trimmed = text.replace(/^[ \t]+|[ \t]+$/g, '');
        expect(status[id] === MISSING).toBe(trimmed === '' && quoted[i] === cells[i]);
        if (status[id] === MISSING) return;
        if (status[id] !== REFERENCE) expect(Object.is(x, Number(text))).toBe(true); // bit for bit, -0 too
        else if (/^[ \t]*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d{1,3})?[ \t]*$/i.test(cells[i]!) && !/e[-+]?\d{3}/i.test(cells[i]!)) {
          // a plain form left to Number only for more than 15 significant digits
          expect(cells[i]!.replace(/[^0-9]/g, '').replace(/^0+/, '').length).toBeGreaterThan(15);
        }
      });
    }), { numRuns: 300, seed: 5 });
  });
});
