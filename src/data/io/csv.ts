/**
 * CSV/TSV parsing: RFC 4180 quoting (delimiters, quotes and newlines inside quoted fields), CRLF or LF,
 * a UTF-8 byte-order mark, and delimiter detection among `,` `;` tab `|`.
 *
 * The parser is incremental (`push` chunks, then `end`) so the same code reads a whole file at once or
 * streams one in pieces; `parseCsv` is the whole-text convenience over it.
 */
import { DataError } from '../../errors.ts';

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

const QUOTE = 34; // "
const LF = 10;
const CR = 13;

/** Removes a leading UTF-8 byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Guesses the delimiter from the start of a file: the candidate that splits the first lines into the same
 * number (> 1) of fields most consistently, preferring more fields; quoted text is ignored.
 *
 * @example
 * detectDelimiter('a;b;c\n1;2,5;3\n'); // ';'
 */
export function detectDelimiter(sample: string): Delimiter {
  const text = stripBom(sample).slice(0, 65536);
  const perDelimiter = fieldCountsPerLine(text, 50);
  let best: { delimiter: Delimiter; score: number } | null = null;
  for (let d = 0; d < DELIMITERS.length; d++) {
    const counts = perDelimiter[d]!;
    if (counts.length === 0) continue;
    const header = counts[0]!;
    if (header < 2) continue;
    const consistent = counts.filter((c) => c === header).length / counts.length;
    const score = consistent * 1000 + Math.min(header, 999);
    if (best === null || score > best.score) best = { delimiter: DELIMITERS[d]!, score };
  }
  return best?.delimiter ?? ',';
}

/**
 * Field counts of the first `maxLines` complete records, honouring quotes, for each of DELIMITERS (in its
 * order): one pass for all four, as quotes and line ends do not depend on the delimiter (four passes cost a
 * file's start ~4 ms of a cold loop).
 */
function fieldCountsPerLine(text: string, maxLines: number): number[][] {
  const counts: number[][] = DELIMITERS.map(() => []);
  const fields = DELIMITERS.map(() => 1);
  let lines = 0;
  let inQuotes = false;
  let lineHasContent = false;
  for (let i = 0; i < text.length && lines < maxLines; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === QUOTE) {
        if (text.charCodeAt(i + 1) === QUOTE) i++;
        else inQuotes = false;
      }
      continue;
    }
    if (c === QUOTE) {
      inQuotes = true;
      lineHasContent = true;
    } else if (c === LF || c === CR) {
      if (c === CR && text.charCodeAt(i + 1) === LF) i++;
      if (lineHasContent) {
        for (let d = 0; d < DELIMITERS.length; d++) counts[d]!.push(fields[d]!);
        lines++;
      }
      fields.fill(1);
      lineHasContent = false;
    } else {
      // A delimiter (`,` `;` tab `|`: DELIMITERS' order) adds a field to its own count; any character is content.
      const d = c === 44 ? 0 : c === 59 ? 1 : c === 9 ? 2 : c === 124 ? 3 : -1;
      if (d >= 0) fields[d]!++;
      lineHasContent = true;
    }
  }
  return counts;
}

export interface CsvParserOptions {
  delimiter: Delimiter | string;
  /** Called with each record's fields and the 1-based line number where it starts. */
  onRecord: (fields: string[], line: number) => void;
  /** Line number of the text's first line (default 1): for a piece cut from a larger file. */
  firstLine?: number;
}

/**
 * Incremental CSV parser. Feed text with `push`, finish with `end`; records come out through `onRecord`.
 * Blank lines are skipped. An unterminated quote at the end is a `DataError` naming its line.
 *
 * @example
 * const parser = new CsvParser({ delimiter: ',', onRecord: (fields) => rows.push(fields) });
 * parser.push('id,score\nL1,80\n');
 * parser.end();
 */
export class CsvParser {
  private readonly delim: number;
  private readonly onRecord: CsvParserOptions['onRecord'];
  private pending = '';
  private line = 1;
  private started = false;

  constructor(options: CsvParserOptions) {
    if (options.delimiter.length !== 1) throw new RangeError('delimiter must be one character');
    this.delim = options.delimiter.charCodeAt(0);
    this.onRecord = options.onRecord;
    this.line = options.firstLine ?? 1;
  }

  push(chunk: string): void {
    if (!this.started) {
      chunk = stripBom(chunk);
      this.started = true;
    }
    this.pending = this.pending.length > 0 ? this.pending + chunk : chunk;
    this.pending = this.parse(this.pending, false);
  }

  end(): void {
    const rest = this.parse(this.pending, true);
    this.pending = '';
    if (rest.length > 0) throw new Error('internal: CSV parser left text after end');
  }

  /** Parses complete records of `text`; returns the unparsed tail (an incomplete record) unless final. */
  private parse(text: string, final: boolean): string {
    const n = text.length;
    const delim = this.delim;
    let pos = 0;
    while (pos < n) {
      const recordStart = pos;
      const recordLine = this.line;
      let newlines = 0;
      const fields: string[] = [];
      let complete = false;
      // One record: fields until an unquoted line break. Fields without quotes are sliced directly.
      for (;;) {
        if (pos >= n) {
          if (final) {
            fields.push('');
            complete = true;
          }
          break;
        }
        if (text.charCodeAt(pos) === QUOTE) {
          let value = '';
          let segment = pos + 1;
          let i = pos + 1;
          let closed = false;
          while (i < n) {
            const c = text.charCodeAt(i);
            if (c === QUOTE) {
              if (i + 1 < n && text.charCodeAt(i + 1) === QUOTE) {
                value += text.slice(segment, i + 1);
                i += 2;
                segment = i;
                continue;
              }
              if (i + 1 >= n && !final) break; // cannot tell "" from " yet
              value += text.slice(segment, i);
              closed = true;
              i++;
              break;
            }
            if (c === LF) newlines++;
            i++;
          }
          if (!closed) {
            if (!final) break;
            throw new DataError(
              'CSV_UNTERMINATED_QUOTE',
              `unterminated quoted field starting on line ${recordLine}`,
              'check that every opening quote (") has a closing one; a literal quote inside a quoted field is written ""',
            );
          }
          // Text between the closing quote and the delimiter is kept, as most readers do.
          let j = i;
          while (j < n && text.charCodeAt(j) !== delim && text.charCodeAt(j) !== LF && text.charCodeAt(j) !== CR) j++;
          if (j > i) value += text.slice(i, j);
          pos = j;
          fields.push(value);
        } else {
          let j = pos;
          while (j < n) {
            const c = text.charCodeAt(j);
            if (c === delim || c === LF || c === CR) break;
            j++;
          }
          if (j >= n && !final) break;
          fields.push(text.slice(pos, j));
          pos = j;
        }
        if (pos >= n) {
          if (final) complete = true;
          break;
        }
        const c = text.charCodeAt(pos);
        if (c === delim) {
          pos++;
          continue;
        }
        if (c === CR) {
          if (pos + 1 >= n && !final) break; // a LF may follow in the next chunk
          pos += text.charCodeAt(pos + 1) === LF ? 2 : 1;
        } else {
          pos++;
        }
        newlines++;
        complete = true;
        break;
      }
      if (!complete) return text.slice(recordStart);
      this.line = recordLine + newlines;
      if (!(fields.length === 1 && fields[0] === '')) this.onRecord(fields, recordLine);
    }
    return '';
  }
}

/** Parsed CSV: header names and one string array per column. */
export interface CsvColumns {
  names: string[];
  columns: string[][];
  delimiter: string;
  /** Columns whose header was blank or repeated, by the name they were given: why (`headerRenames`). */
  renamed: Record<string, string>;
}

/**
 * Parses a whole CSV text into columns. The first record is the header. Short rows are padded with empty
 * fields; a row with more fields than the header is a `DataError` naming its line.
 *
 * @example
 * parseCsv('id,name\n1,"Smith, J"\n').columns[1]; // ['Smith, J']
 */
export function parseCsv(text: string, delimiter?: string): CsvColumns {
  const delim = delimiter ?? detectDelimiter(text);
  const collector = new CsvColumnCollector(delim);
  const parser = new CsvParser({ delimiter: delim, onRecord: (f, line) => collector.add(f, line) });
  parser.push(text);
  parser.end();
  return collector.result();
}

/** Turns records into columns, checking widths against the header. */
export class CsvColumnCollector {
  private names: string[] | null = null;
  private columns: string[][] = [];
  private renamed: Record<string, string> = {};
  constructor(private readonly delimiter: string) {}

  add(fields: string[], line: number): void {
    if (this.names === null) {
      this.names = uniqueHeader(fields);
      this.renamed = headerRenames(fields);
      this.columns = this.names.map(() => []);
      return;
    }
    const width = this.names.length;
    if (fields.length > width) throw tooManyFields(line, fields.length, width, this.delimiter);
    for (let c = 0; c < width; c++) this.columns[c]!.push(c < fields.length ? fields[c]! : '');
  }

  result(): CsvColumns {
    if (this.names === null) {
      throw noHeader();
    }
    return { names: this.names, columns: this.columns, delimiter: this.delimiter, renamed: this.renamed };
  }
}

/** A record with more fields than the header, as the readers refuse it. */
export function tooManyFields(line: number, fields: number, width: number, delimiter: string): DataError {
  return new DataError('CSV_TOO_MANY_FIELDS', `line ${line} has ${fields} fields but the header has ${width}`,
    `check the delimiter (detected ${JSON.stringify(delimiter)}; pass --delimiter to override) and quoting on that line`,
    [{ row: line, message: `${fields} fields, expected ${width}` }]);
}

/** A file without even a header row. */
export function noHeader(): DataError {
  return new DataError('CSV_EMPTY', 'the file has no header row', 'the first line must name the columns');
}

/** Trims header names, names blank ones `column_N` and makes duplicates unique (`a`, `a_2`). */
export function uniqueHeader(fields: string[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((raw, i) => {
    let name = raw.trim() || `column_${i + 1}`;
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    if (count > 0) name = `${name}_${count + 1}`;
    return name;
  });
}

/**
 * The columns `uniqueHeader` named itself, by their new name: why (a blank header, or one that repeats an
 * earlier column's), as the warning their schema carries.
 *
 * @example
 * headerRenames(['id', 'a', 'a', '']); // { a_2: 'the header repeats "a" (column 2): renamed a_2', column_4: 'the header is blank: named column_4' }
 */
export function headerRenames(fields: string[]): Record<string, string> {
  const names = uniqueHeader(fields);
  const renamed: Record<string, string> = {};
  fields.forEach((raw, i) => {
    const name = names[i]!;
    const given = raw.trim();
    if (given === '') renamed[name] = `the header is blank: named ${name}`;
    else if (name !== given) renamed[name] = `the header repeats "${given}" (column ${fields.findIndex((f) => f.trim() === given) + 1}): renamed ${name}`;
  });
  return renamed;
}

/**
 * Formats one CSV field: quoted when it holds the delimiter, a quote or a line break.
 */
export function csvField(value: string, delimiter = ','): string {
  if (value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r')) {
    return `"${value.replaceAll('"', '""')}"`;
  }
  return value;
}

/** Where a scanned piece of CSV bytes ends, and what it holds. */
export interface ScannedRecords {
  /** Byte offset just past the last complete record taken. */
  end: number;
  /** Records taken (blank lines are not records, as CsvParser skips them). */
  records: number;
  /** Lines they span (line breaks inside quoted fields count, as CsvParser counts them). */
  lines: number;
}

/**
 * Finds record boundaries in UTF-8 bytes without decoding or splitting fields, with CsvParser's rules: a
 * field is quoted only when a quote opens it, `""` inside quotes is a quote, records end at an unquoted LF,
 * CR or CRLF, and a record whose text is empty or `""` is a blank line (not counted as a record). Takes
 * records from `start` until `maxRecords` are taken or the bytes run out; a record cut off by the end
 * of `bytes` is left for the next call unless `final`. Streaming uses it to cut a file into chunks of
 * whole records (and to number their rows and lines) while other threads parse them.
 */
export function scanRecords(bytes: Uint8Array, start: number, delimiter: string, maxRecords: number, final: boolean): ScannedRecords {
  return scanPlainRecords(bytes, start, maxRecords, final) ?? scanQuotedRecords(bytes, start, delimiter, maxRecords, final);
}

/**
 * `scanRecords` where the records taken hold no quote, and carriage returns only as the first byte of a CRLF
 * line end (most files, Windows exports included): each record ends at the next LF, found by the native byte
 * search, and a CR just before it is not part of the record's text. Null when the bytes it would take hold a
 * quote or a CR that is not followed by a LF, for the byte-by-byte scan (`scanQuotedRecords`, its reference
 * in the tests) to take them instead. Exported for the tests.
 */
export function scanPlainRecords(bytes: Uint8Array, start: number, maxRecords: number, final: boolean): ScannedRecords | null {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = bytes.length;
  let pos = start;
  let records = 0;
  let lines = 0;
  while (records < maxRecords && pos < n) {
    let terminator = buffer.indexOf(LF, pos);
    let next = terminator + 1;
    if (terminator < 0) {
      if (!final) break;
      terminator = n;
      next = n;
    } else {
      lines++;
    }
    const textEnd = terminator > pos && bytes[terminator - 1] === CR ? terminator - 1 : terminator;
    if (textEnd > pos) records++; // an empty line (LF or CRLF alone) is not a record
    pos = next;
  }
  const taken = buffer.subarray(start, pos);
  if (taken.indexOf(QUOTE) >= 0) return null;
  for (let cr = taken.indexOf(CR); cr >= 0; cr = taken.indexOf(CR, cr + 2)) if (taken[cr + 1] !== LF) return null;
  return { end: pos, records, lines };
}

/** `scanRecords` byte by byte: quotes, and a record ended by a LF, a CR or a CRLF. Exported for the tests. */
export function scanQuotedRecords(bytes: Uint8Array, start: number, delimiter: string, maxRecords: number, final: boolean): ScannedRecords {
  const delim = delimiter.charCodeAt(0);
  const n = bytes.length;
  let pos = start;
  let records = 0;
  let lines = 0;
  let end = start;
  while (records < maxRecords && pos < n) {
    const recordStart = pos;
    let quotedLines = 0;
    let fieldStart = true;
    let quoted = false;
    let terminator = -1; // where the record's text ends
    let next = -1; // where the next record starts
    while (pos < n) {
      const c = bytes[pos]!;
      if (quoted) {
        if (c === QUOTE) {
          if (pos + 1 >= n && !final) break; // "" or a closing quote: the next byte tells
          if (bytes[pos + 1] === QUOTE) {
            pos += 2;
            continue;
          }
          quoted = false;
        } else if (c === LF) quotedLines++;
        pos++;
        continue;
      }
      if (c === LF || c === CR) {
        if (c === CR && pos + 1 >= n && !final) break; // a LF may follow
        terminator = pos;
        next = c === CR && bytes[pos + 1] === LF ? pos + 2 : pos + 1;
        break;
      }
      if (fieldStart && c === QUOTE) quoted = true;
      fieldStart = c === delim;
      pos++;
    }
    if (terminator < 0) {
      if (!final || quoted) break; // incomplete (an unterminated quote is CsvParser's error to report)
      terminator = n;
      next = n;
    }
    const length = terminator - recordStart;
    const blank = length === 0 || (length === 2 && bytes[recordStart] === QUOTE && bytes[recordStart + 1] === QUOTE);
    if (!blank) records++;
    lines += quotedLines + (next > terminator ? 1 : 0);
    pos = next;
    end = next;
  }
  return { end, records, lines };
}
