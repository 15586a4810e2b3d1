/**
 * CSV records cut straight from bytes (`CsvByteRecords`), for readers that keep most cells from ever
 * becoming strings; CsvParser (csv.ts) is the reference it follows, field for field.
 */
import { DataError } from '../../errors.ts';
import { ByteQueue } from './file-window.ts';

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

/**
 * Cuts UTF-8 CSV bytes into records and fields without decoding them, with CsvParser's rules (see
 * `CsvParser.parse`): a field is quoted only when a quote opens it (`""` inside is a quote, text after the
 * closing quote is kept), records end at an unquoted LF, CR or CRLF, a record of one empty field (an empty
 * line, or `""`) is skipped, and a quote left open at the end is a `DataError` naming the line it opened on.
 * The columnar reader uses it so that most cells never become JavaScript strings.
 *
 * `feed` adds bytes (the first ones may start with a UTF-8 byte-order mark); `next` cuts the next record
 * into `starts`/`ends` (byte offsets into `bytes`; a quoted field's range includes its quotes and `quoted`
 * marks it) and answers false when the bytes run out before a record ends, for the caller to feed more, or,
 * after the final bytes were fed, when there is nothing left.
 *
 * @example
 * const records = new CsvByteRecords(',');
 * records.feed(Buffer.from('id,name\nL1,"Smith, J"\n'), true);
 * while (records.next()) console.log(records.fields, records.text(1));
 */
export class CsvByteRecords {
  /** The bytes fed and not yet cut, from `pos`: a view of `fed`. */
  bytes: Buffer = Buffer.alloc(0);
  /** What the records are fed, kept in one buffer from one `feed` to the next (file-window.ts). */
  private readonly fed: ByteQueue;
  /** Fields of the record cut last. */
  fields = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  quoted = new Uint8Array(64);
  /** The line the record cut last starts on (1-based, as CsvParser numbers lines). */
  recordLine = 1;
  private line = 1;
  private pos = 0;
  private final = false;
  /** Whether the start was looked at for a byte-order mark. */
  private started = false;
  private readonly delim: number;

  /**
   * `line`: where the bytes fed start, for bytes fed from inside a file (the line the first record starts on;
   * no byte-order mark is looked for there); without it, the bytes are a file's from its start.
   */
  constructor(delimiter: string, options: { line?: number } = {}) {
    if (delimiter.length !== 1) throw new RangeError('delimiter must be one character');
    this.delim = delimiter.charCodeAt(0);
    this.fed = new ByteQueue();
    if (options.line !== undefined) {
      this.line = options.line;
      this.started = true;
    }
  }

  /** The line the next record starts on (for a reader that starts again from there: the constructor's `line`). */
  get nextLine(): number {
    return this.line;
  }

  /** Bytes fed but not yet cut into records. */
  get pending(): number {
    return this.bytes.length - this.pos;
  }

  /**
   * Adds bytes after those not yet cut; `final` when they are the file's last. They are copied, so the
   * caller may read its next bytes into the same buffer.
   */
  feed(chunk: Buffer, final: boolean): void {
    this.room(chunk.length).set(chunk);
    this.added(chunk.length, final);
  }

  /**
   * Room for `count` bytes after those not yet cut, to read a file's next bytes straight into (no copy):
   * a view to fill, then `added`. The views of earlier bytes (`bytes`, and offsets into it) are spent.
   */
  room(count: number): Buffer {
    this.fed.take(this.pos);
    this.pos = 0;
    return this.fed.room(count);
  }

  /** Counts `count` bytes written into the last `room` as fed; `final` when they are the file's last. */
  added(count: number, final: boolean): void {
    this.fed.added(count);
    this.bytes = this.fed.bytes;
    this.final = final;
  }

  /**
   * Marks the next `count` bytes as cut: `lines` records of one line each, cut by another cutter that follows
   * these rules for the records it cuts (record-cut.ts), after this one has looked at the start (`next`).
   */
  skip(count: number, lines: number): void {
    if (!this.started || count > this.pending) throw new RangeError(`cannot skip ${count} of ${this.pending} bytes${this.started ? '' : ' before the start is read'}`);
    this.pos += count;
    if (lines > 0) this.recordLine = this.line + lines - 1;
    this.line += lines;
  }

  /** Cuts the next record that is not blank; false when the bytes fed so far hold no further whole record. */
  next(): boolean {
    if (!this.started) {
      const b = this.bytes;
      if (b.length < 3 && !this.final) return false;
      if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) this.pos = 3;
      this.started = true;
    }
    for (;;) {
      const cut = this.cut();
      if (cut !== BLANK) return cut === RECORD;
    }
  }

  /** Field `f` of the record cut last as text: decoded, and unquoted when it was quoted. */
  text(f: number): string {
    const start = this.starts[f]!;
    const end = this.ends[f]!;
    return this.quoted[f] === 1 ? unquoteBytes(this.bytes, start, end) : this.bytes.toString('utf8', start, end);
  }

  private cut(): typeof RECORD | typeof BLANK | typeof MORE {
    const b = this.bytes;
    const n = b.length;
    const delim = this.delim;
    const final = this.final;
    let pos = this.pos;
    if (pos >= n) return MORE;
    let fields = 0;
    let newlines = 0;
    for (;;) {
      if (pos >= n) {
        if (!final) return MORE;
        this.field(fields++, pos, pos, 0); // after a delimiter at the very end: one more, empty field
        break;
      }
      const start = pos;
      let quoted = 0;
      if (b[pos] === QUOTE) {
        let i = pos + 1;
        let closed = false;
        while (i < n) {
          const c = b[i]!;
          if (c === QUOTE) {
            if (i + 1 < n && b[i + 1] === QUOTE) {
              i += 2;
              continue;
            }
            if (i + 1 >= n && !final) break; // "" or a closing quote: the next bytes tell
            closed = true;
            i++;
            break;
          }
          if (c === LF) newlines++;
          i++;
        }
        if (!closed) {
          if (!final) return MORE;
          throw new DataError('CSV_UNTERMINATED_QUOTE', `unterminated quoted field starting on line ${this.line}`,
            'check that every opening quote (") has a closing one; a literal quote inside a quoted field is written ""');
        }
        while (i < n && b[i] !== delim && b[i] !== LF && b[i] !== CR) i++;
        if (i >= n && !final) return MORE;
        pos = i;
        quoted = 1;
      } else {
        while (pos < n) {
          const c = b[pos]!;
          if (c === delim || c === LF || c === CR) break;
          pos++;
        }
        if (pos >= n && !final) return MORE;
      }
      this.field(fields++, start, pos, quoted);
      if (pos >= n) break;
      const c = b[pos]!;
      if (c === delim) {
        pos++;
        continue;
      }
      if (c === CR) {
        if (pos + 1 >= n && !final) return MORE; // a LF may follow in the next bytes
        pos += b[pos + 1] === LF ? 2 : 1;
      } else {
        pos++;
      }
      newlines++;
      break;
    }
    this.recordLine = this.line;
    this.line += newlines;
    this.pos = pos;
    this.fields = fields;
    const blank = fields === 1 && this.ends[0]! - this.starts[0]! === (this.quoted[0] === 1 ? 2 : 0);
    return blank ? BLANK : RECORD;
  }

  private field(f: number, start: number, end: number, quoted: number): void {
    if (f === this.starts.length) {
      const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const bigger = make(a.length * 2);
        bigger.set(a);
        return bigger;
      };
      this.starts = grow(this.starts, (k) => new Int32Array(k));
      this.ends = grow(this.ends, (k) => new Int32Array(k));
      this.quoted = grow(this.quoted, (k) => new Uint8Array(k));
    }
    this.starts[f] = start;
    this.ends[f] = end;
    this.quoted[f] = quoted;
  }
}

const RECORD = 0;
const BLANK = 1;
const MORE = 2;

/** A quoted field's text from its bytes (opening quote at `start`): `""` read as `"`, text after the closing quote kept. */
function unquoteBytes(b: Buffer, start: number, end: number): string {
  let text = '';
  let segment = start + 1;
  let i = start + 1;
  for (;;) {
    const q = b.indexOf(QUOTE, i);
    if (b[q + 1] === QUOTE && q + 1 < end) {
      text += b.toString('utf8', segment, q + 1);
      i = q + 2;
      segment = i;
      continue;
    }
    return text + b.toString('utf8', segment, q) + b.toString('utf8', q + 1, end);
  }
}
