/**
 * The byte path's scan of a chunk: records cut into fields as CsvParser (data/csv.ts) cuts them, each read
 * cell looked up in its column's dictionary (`CellTables`) — in WebAssembly (src/wasm/cell-scan.wat) up to
 * the first record it leaves to JavaScript (a quote left open, more fields than the header), then here —
 * giving each column's cell number per row and the id field's span per row. `fieldText` reads a cell's
 * bytes as the parser reads the field.
 */
import { CellTables, hashCell } from './cell-tables.ts';
import { grown } from '../../data/io/typed-arrays.ts';

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Where an unquoted field (or the text after a closing quote) that continues at `j` ends: at the delimiter, LF, CR or the end. */
function fieldEnd(bytes: Uint8Array, j: number, delim: number): number {
  const n = bytes.length;
  while (j < n) {
    const c = bytes[j]!;
    if (c === delim || c === LF || c === CR) break;
    j++;
  }
  return j;
}

const decoder = new TextDecoder();

/** UTF-8 bytes as text (ASCII without the decoder). */
function decodeBytes(bytes: Uint8Array): string {
  if (bytes.length > 32) return decoder.decode(bytes);
  let text = '';
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k]!;
    if (b >= 0x80) return decoder.decode(bytes);
    text += String.fromCharCode(b);
  }
  return text;
}

/**
 * A field's text as CsvParser reads it from the bytes between two delimiters: a field opened by a quote
 * loses its quotes (`""` inside is one quote) and keeps any text after the closing quote.
 */
export function fieldText(bytes: Uint8Array): string {
  const text = decodeBytes(bytes);
  if (text.charCodeAt(0) !== QUOTE) return text;
  let value = '';
  let segment = 1;
  let i = 1;
  while (i < text.length) {
    if (text.charCodeAt(i) === QUOTE) {
      if (text.charCodeAt(i + 1) === QUOTE) {
        value += text.slice(segment, i + 1);
        i += 2;
        segment = i;
        continue;
      }
      return value + text.slice(segment, i) + text.slice(i + 1);
    }
    i++;
  }
  throw new Error('internal: fieldText on an unterminated quoted field');
}

/** A chunk's cell numbers per row (in each column's `rows`) and its id spans, as the last scan left them. */
export class ChunkScan {
  /** The id field's start and end per row (offsets in the chunk). */
  idStart = new Int32Array(0);
  idEnd = new Int32Array(0);
  /** The rows of the last scan read in WebAssembly (the first ones; their id spans are in the tables' memory too). */
  wasmRows = 0;

  /**
   * Over `tables` (the read columns' dictionaries by slot), `columns` (their `rows`, replaced as they
   * grow), `slotOf` (header position → slot, −1 for a column not read) and the id's header position.
   */
  constructor(private readonly tables: CellTables, private readonly columns: Array<{ rows: Int32Array }>, private readonly slotOf: Int32Array, private readonly idAt: number) {}

  /**
   * Cuts the records into fields as CsvParser does and looks each read cell up in its column's table
   * (`CellTables`): in WebAssembly up to the first record it leaves to JavaScript (a quote left open, more
   * fields than the header), then here. Returns the number of records, or −1 for a record the table path
   * must handle.
   */
  scan(bytes: Uint8Array, delim: number, width: number): number {
    const tables = this.tables;
    tables.load(bytes);
    const fast = tables.scan(0, 0, width, delim, this.idAt);
    this.wasmRows = fast.rows;
    this.reserveRows(fast.rows);
    this.columns.forEach((column, slot) => column.rows.set(tables.rowsOf(slot, fast.rows)));
    if (this.idAt >= 0) {
      const spans = tables.idSpans(fast.rows);
      this.idStart.set(spans.starts);
      this.idEnd.set(spans.ends);
    }
    return fast.done ? fast.rows : this.scanRest(bytes, fast.pos, fast.rows, delim, width);
  }

  /** Room for `rows` rows in each column's `rows` and the id spans. */
  private reserveRows(rows: number): void {
    if (this.idStart.length >= rows) return;
    const capacity = Math.max(2048, rows, this.idStart.length * 2);
    this.idStart = grown(this.idStart, capacity);
    this.idEnd = grown(this.idEnd, capacity);
    for (const column of this.columns) column.rows = grown(column.rows, capacity);
  }

  /** The JavaScript scan, from record start `pos` (row `row`) to the chunk's end: see `scan`. */
  private scanRest(bytes: Uint8Array, pos: number, row: number, delim: number, width: number): number {
    const n = bytes.length;
    const slotOf = this.slotOf;
    const idAt = this.idAt;
    const tables = this.tables;
    while (pos < n) {
      this.reserveRows(row + 1);
      let field = 0;
      let start = pos;
      let end = pos;
      for (;;) {
        if (field >= width) return -1;
        start = pos;
        const slot = slotOf[field]!;
        let j = pos;
        if (bytes[j] === QUOTE) {
          // Past the closing quote (a doubled quote is one quote inside); any text after it is the field's too.
          j++;
          for (;;) {
            if (j >= n) return -1;
            if (bytes[j] === QUOTE) {
              if (bytes[j + 1] === QUOTE) {
                j += 2;
                continue;
              }
              j++;
              break;
            }
            j++;
          }
        }
        j = fieldEnd(bytes, j, delim);
        if (slot >= 0) this.columns[slot]!.rows[row] = tables.intern(slot, pos, j, hashCell(bytes, pos, j));
        end = j;
        if (field === idAt) {
          this.idStart[row] = pos;
          this.idEnd[row] = j;
        }
        pos = j;
        if (pos >= n) break;
        const c = bytes[pos]!;
        if (c === delim) {
          pos++;
          field++;
          continue;
        }
        pos += c === CR && bytes[pos + 1] === LF ? 2 : 1;
        break;
      }
      // A blank line (nothing, or just "") is not a record.
      const length = end - start;
      if (field === 0 && (length === 0 || (length === 2 && bytes[start] === QUOTE && bytes[start + 1] === QUOTE))) continue;
      // Short records read as empty fields.
      for (let f = field + 1; f < width; f++) {
        const slot = slotOf[f]!;
        if (slot >= 0) this.columns[slot]!.rows[row] = tables.intern(slot, 0, 0, hashCell(bytes, 0, 0));
        if (f === idAt) this.idStart[row] = this.idEnd[row] = 0;
      }
      row++;
    }
    return row;
  }
}
