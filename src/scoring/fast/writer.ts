/**
 * The byte path's output: bytes appended to a buffer (`ByteSink`) with the score columns' number formats
 * written from integer digits, each value's output cell cached (`CellBytes`), and the lead's id written from
 * its own bytes where it needs no change. The same bytes as the table path's CSV and NDJSON writers
 * (data/write.ts `csvLine`, `ndjsonLine`).
 */
import { csvField } from '../../data/io/csv.ts';
import { typeColumn } from '../../data/types/typing.ts';
import { spreadsheetSafe, startsFormula } from '../../data/io/write.ts';
import { EXPORT_COLUMNS } from '../score.ts';
import type { FastFormat, Plan } from './plan.ts';
import { type ChunkScan, fieldText } from './scan.ts';
import { grown } from '../../data/io/typed-arrays.ts';

const QUOTE = 34;
const encoder = new TextEncoder();
/** The ASCII digits of 00 … 99, two bytes each. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, k) => 48 + (k & 1 ? (k >> 1) % 10 : ((k >> 1) / 10) | 0));

/**
 * A text's UTF-8 bytes, as TextEncoder gives them: written here code by code for the Basic Multilingual Plane
 * (one byte below 0x80, two below 0x800, three above), through TextEncoder where a surrogate (a code point
 * above U+FFFF, or a lone one) appears. The byte path makes one per distinct cell it meets (reason items such as
 * `annual_revenue = 2,000,000 (−0.3)`, output cells), a million for a million distinct leads, and TextEncoder's
 * call costs 2–3× this loop for such short texts (BENCHMARKS.md, session 7). Tested against TextEncoder on any
 * text (test/scoring/fast/writer.test.ts).
 *
 * @example
 * utf8('plan = pro (+0.4)'); // Uint8Array(17) [112, 108, …]
 */
export function utf8(text: string): Uint8Array {
  const n = text.length;
  let bytes = 0;
  for (let k = 0; k < n; k++) {
    const code = text.charCodeAt(k);
    if (code >= 0xd800 && code <= 0xdfff) return encoder.encode(text);
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
  }
  const out = new Uint8Array(bytes);
  let at = 0;
  for (let k = 0; k < n; k++) {
    const code = text.charCodeAt(k);
    if (code < 0x80) out[at++] = code;
    else if (code < 0x800) {
      out[at++] = 0xc0 | (code >> 6);
      out[at++] = 0x80 | (code & 0x3f);
    } else {
      out[at++] = 0xe0 | (code >> 12);
      out[at++] = 0x80 | ((code >> 6) & 0x3f);
      out[at++] = 0x80 | (code & 0x3f);
    }
  }
  return out;
}

/** Each export column's position in an output row (the id is column 0). */
export const AT = Object.fromEntries(EXPORT_COLUMNS.map((name, k) => [name, k + 1])) as Record<(typeof EXPORT_COLUMNS)[number], number>;

/** A value's output bytes in one format, cached: a CSV field as the CSV writer writes it (spreadsheet-safe, quoted when needed), or a JSON value as `ndjsonLine` writes it. */
export class CellBytes {
  private readonly cache = new Map<unknown, Uint8Array>();
  constructor(private readonly format: FastFormat) {}

  /** A text or number value's bytes. */
  cell(v: string | number | null): Uint8Array {
    let cell = this.cache.get(v);
    if (!cell) {
      const json = v === null || (typeof v === 'number' && !Number.isFinite(v)) ? 'null' : JSON.stringify(v);
      cell = utf8(this.format === 'csv' ? csvField(spreadsheetSafe(v)) : json);
      if (this.cache.size < 4096) this.cache.set(v, cell);
    }
    return cell;
  }
}

/**
 * Whether bytes[from, to) spell a missing-value token exactly (an id of printable ASCII is not trimmed, so it
 * is missing only then): ids longer than every token cannot; shorter ones are compared with the tokens of
 * their length (lead ids as long as `-Infinity` took the string path for every row before).
 */
function spellsToken(bytes: Uint8Array, from: number, to: number, plan: Plan): boolean {
  const n = to - from;
  if (n >= plan.tokensOfLength.length) return false;
  const tokens = plan.tokensOfLength[n]!;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    let k = 0;
    while (k < n && token[k] === bytes[from + k]) k++;
    if (k === n) return true;
  }
  return false;
}

/** The lead's id (row `i` of the last scan): its bytes as they are where they need no change, else typed and written as the table path does. */
export function writeId(sink: ByteSink, plan: Plan, scan: ChunkScan, bytes: Uint8Array, i: number, rowNumber: number): void {
  if (plan.idAt < 0) {
    sink.ascii(String(rowNumber));
    return;
  }
  const start = scan.idStart[i]!;
  const end = scan.idEnd[i]!;
  // The id's text: the field, or inside its quotes (when none is inside, the quotes are all there is to drop).
  const quoted = end - start >= 2 && bytes[start] === QUOTE && bytes[end - 1] === QUOTE;
  const from = quoted ? start + 1 : start;
  const to = quoted ? end - 1 : end;
  if (plan.format === 'ndjson') {
    // A JSON string of the id's text (plain ASCII with no quote or backslash as it is), null where missing.
    let plain = !plan.idTyped && !spellsToken(bytes, from, to, plan);
    for (let k = from; plain && k < to; k++) {
      const b = bytes[k]!;
      plain = b > 32 && b < 127 && b !== QUOTE && b !== 92;
    }
    if (plain) {
      sink.put(QUOTE);
      sink.range(bytes, from, to);
      sink.put(QUOTE);
      return;
    }
    const v = typeColumn([fieldText(bytes.subarray(start, end))], plan.idSchema!, plan.tokens)[0];
    sink.text(v === null || v === undefined ? 'null' : JSON.stringify(String(v)));
    return;
  }
  if (!plan.idTyped && !spellsToken(bytes, from, to, plan) && !startsFormula(bytes[from]!)) {
    // Copied as it is checked; written only if every byte is plain ASCII, neither quote nor comma.
    sink.reserve(to - from);
    const out = sink.out;
    let used = sink.used;
    let k = from;
    for (; k < to; k++) {
      const b = bytes[k]!;
      if (!(b > 32 && b < 127 && b !== QUOTE && b !== 44)) break;
      out[used++] = b;
    }
    if (k === to) {
      sink.used = used;
      return;
    }
  }
  const text = fieldText(bytes.subarray(start, end));
  const v = typeColumn([text], plan.idSchema!, plan.tokens)[0];
  sink.write(utf8(csvField(spreadsheetSafe(v === null || v === undefined ? null : String(v)))));
}

/**
 * `Number(p.toFixed(6))` written at `at` from integer digits (`0.` and up to six, trailing zeros dropped; 8
 * bytes of room there are the caller's): its end, or −1 where that text is not such digits — p outside
 * (0, 1), rounding to 0 or 1, or a tie near (`toFixed` decides those).
 */
function probabilityDigits(out: Uint8Array, at: number, p: number): number {
  const x = p * 1e6;
  const k = Math.round(x);
  if (!(p > 0 && p < 1) || k === 0 || k === 1e6 || Math.abs(x - Math.floor(x) - 0.5) < 1e-6) return -1;
  // Six digits as three pairs (1 … 999,999: integer arithmetic), then the trailing zeros dropped.
  const high = ((k / 10000) | 0) << 1;
  const middle = (((k / 100) | 0) % 100) << 1;
  const low = (k % 100) << 1;
  out[at] = 48;
  out[at + 1] = 46;
  out[at + 2] = DIGIT_PAIRS[high]!;
  out[at + 3] = DIGIT_PAIRS[high + 1]!;
  out[at + 4] = DIGIT_PAIRS[middle]!;
  out[at + 5] = DIGIT_PAIRS[middle + 1]!;
  out[at + 6] = DIGIT_PAIRS[low]!;
  out[at + 7] = DIGIT_PAIRS[low + 1]!;
  let end = at + 8;
  while (out[end - 1] === 48) end--;
  return end;
}

/**
 * `Math.round(p * 1000) / 10` written at `at` as tenths of a point (5 bytes of room there are the caller's):
 * its end, or −1 where p is outside 0–1.
 */
function scoreDigits(out: Uint8Array, at: number, p: number): number {
  const m = Math.round(p * 1000);
  if (!(m >= 0 && m <= 1000)) return -1;
  const whole = (m / 10) | 0; // 0 … 100: integer arithmetic
  const tenth = m - whole * 10;
  if (whole >= 100) out[at++] = 48 + ((whole / 100) | 0);
  if (whole >= 10) out[at++] = 48 + (((whole / 10) | 0) % 10);
  out[at++] = 48 + (whole % 10);
  if (tenth > 0) {
    out[at++] = 46;
    out[at++] = 48 + tenth;
  }
  return at;
}

/** An output buffer of CSV bytes, grown as needed, with the writers of the score columns. */
export class ByteSink {
  out: Uint8Array = new Uint8Array(1 << 16);
  used = 0;

  /** Buffers given back by `lend`'s borrowers, for the next bytes. */
  private readonly spare: Uint8Array[] = [];

  /** The bytes written since the last `take` or `lend`, as their own array. */
  take(): Uint8Array {
    const bytes = this.out.slice(0, this.used);
    this.used = 0;
    return bytes;
  }

  /**
   * The bytes written since the last `take` or `lend`, lent: a view of the buffer they were written into and
   * the function that gives it back once they have been written out; the next bytes go into a spare buffer.
   * A copy per chunk (`take`) cost its memory first touched each time (~1 ms a MiB here); the buffers lent go
   * round. Bytes never given back stay the borrower's.
   */
  lend(): { bytes: Uint8Array; release: () => void } {
    const full = this.out;
    const bytes = full.subarray(0, this.used);
    this.out = this.spare.pop() ?? new Uint8Array(full.length);
    this.used = 0;
    let lent = true;
    return {
      bytes,
      release: () => {
        if (lent) this.spare.push(full);
        lent = false;
      },
    };
  }

  /**
   * The rest of a CSV row after its id where it has no reasons, notes or kept columns: `,probability,score`
   * then `tail`, the row's decision columns, empty reasons field and line feed (`DecisionSegments.csvTail`)
   * — the bytes of `put`, `probability`, `score` and `write`, the number columns' room reserved once.
   */
  scoreRow(probability: Float64Array, i: number, tail: Uint8Array): void {
    // Row `i`'s probability read here: a double passed to a call that is not inlined is boxed (15 MB a million rows).
    const p = probability[i]!;
    this.reserve(16); // `,0.dddddd,100.0`: 16 bytes at most
    this.out[this.used++] = 44;
    const end = probabilityDigits(this.out, this.used, p);
    if (end < 0) this.probability(p);
    else this.used = end;
    this.put(44);
    const scoreEnd = scoreDigits(this.out, this.used, p);
    if (scoreEnd < 0) this.score(p);
    else this.used = scoreEnd;
    this.write(tail);
  }

  /** `Number(p.toFixed(6))` as text (the probability column), from integer digits where no tie is near. */
  probability(p: number): void {
    this.reserve(8);
    const end = probabilityDigits(this.out, this.used, p);
    if (end < 0) this.ascii(String(Number(p.toFixed(6))));
    else this.used = end;
  }

  /** `Math.round(p * 1000) / 10` as text (the score column): tenths of a point. */
  score(p: number): void {
    this.reserve(5);
    const end = scoreDigits(this.out, this.used, p);
    if (end < 0) this.ascii(String(Math.round(p * 1000) / 10));
    else this.used = end;
  }

  reserve(bytes: number): void {
    if (this.used + bytes > this.out.length) this.out = grown(this.out, this.used + bytes);
  }

  put(byte: number): void {
    if (this.used >= this.out.length) this.reserve(1);
    this.out[this.used++] = byte;
  }

  /**
   * A whole array's bytes: up to 8 copied byte by byte, longer ones by one `set` (measured here: a byte
   * loop costs ~2 ns a byte, `set` ~14 ns whatever the length up to 32).
   */
  write(cell: Uint8Array): void {
    const length = cell.length;
    if (length <= 8) {
      this.range(cell, 0, length);
      return;
    }
    this.reserve(length);
    this.out.set(cell, this.used); // the whole array: no subarray to make
    this.used += length;
  }

  /** `bytes[start, end)` (short ones copied byte by byte: cheaper than a typed-array copy or a subarray). */
  range(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.reserve(length);
    const out = this.out;
    let used = this.used;
    if (length <= 32) for (let k = start; k < end; k++) out[used++] = bytes[k]!;
    else {
      out.set(bytes.subarray(start, end), used);
      used += length;
    }
    this.used = used;
  }

  ascii(text: string): void {
    this.reserve(text.length);
    for (let k = 0; k < text.length; k++) this.out[this.used++] = text.charCodeAt(k);
  }

  /** Any text, as UTF-8. */
  text(text: string): void {
    if (/^[\x00-\x7f]*$/.test(text)) this.ascii(text);
    else this.write(encoder.encode(text));
  }
}

