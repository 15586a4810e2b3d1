/**
 * Readers: CSV/TSV (delimiter detection, BOM, quoted fields), Parquet, NDJSON, JSON arrays, and SQL run in
 * DuckDB. All return a `RawTable`: column names and raw cell values, before schema inference.
 * CSV files larger than `bigFileBytes` (and gzip-compressed ones) are read by DuckDB as text columns, so a
 * file too big for one JavaScript string is never loaded as text.
 */
import { constants, createReadStream, createWriteStream, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { finished } from 'node:stream/promises';
import { access, open, readFile, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { basename, extname, join } from 'node:path';
import { DataError } from '../../errors.ts';
import type { RawValue } from '../../types.ts';
import { detectDelimiter, headerRenames, parseCsv, stripBom, uniqueHeader } from './csv.ts';
import { queryColumns, sqlString } from './duckdb.ts';

export type SourceFormat = 'csv' | 'parquet' | 'ndjson' | 'json' | 'sql';

/** Where rows come from: a file, or a SQL query run in DuckDB. */
export type Source = { path: string } | { sql: string };

export interface RawTable {
  names: string[];
  columns: RawValue[][];
  rows: number;
  format: SourceFormat;
  /** The CSV delimiter used (detected or given). */
  delimiter?: string;
  /** A file path or the SQL text. */
  source: string;
  /** Columns whose header was blank or repeated in the file, by the name they were given: why (a warning of their schema). */
  renamed?: Record<string, string>;
}

export interface ReadOptions {
  /** CSV delimiter; detected when absent. */
  delimiter?: string;
  /** Force a format instead of guessing from the extension. */
  format?: Exclude<SourceFormat, 'sql'>;
  /** CSV files above this size are read through DuckDB. Default 256 MiB. */
  bigFileBytes?: number;
}

export const DEFAULT_BIG_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Reads a table from a file or a SQL query.
 *
 * @example
 * const raw = await readTable({ path: 'data/sample/leads.csv' });
 * const viaSql = await readTable({ sql: "select * from read_parquet('leads.parquet') where channel = 'webinar'" });
 */
export async function readTable(source: Source, options: ReadOptions = {}): Promise<RawTable> {
  if ('sql' in source) {
    const { names, columns } = await queryColumns(source.sql);
    return rawTable(names, columns, 'sql', source.sql);
  }
  const path = source.path;
  const size = await fileSize(path);
  const format = options.format ?? (await guessFormat(path));
  switch (format) {
    case 'parquet': {
      const { names, columns } = await queryColumns(parquetQuery(path), path);
      return rawTable(names, columns, 'parquet', path);
    }
    case 'ndjson':
    case 'json':
      return readJsonFile(path, format);
    case 'csv': {
      const delimiter = await csvDelimiter(path, options);
      const bytesPath = await utf8Path(path);
      if (size > (options.bigFileBytes ?? DEFAULT_BIG_FILE_BYTES) || path.endsWith('.gz')) {
        return { ...(await readCsvWithDuckDb(bytesPath, delimiter)), source: path };
      }
      const parsed = parseCsv(await readFile(bytesPath, 'utf8'), delimiter);
      return { ...rawTable(parsed.names, parsed.columns, 'csv', path, delimiter), ...renamedOf(parsed.renamed) };
    }
  }
}

/**
 * The delimiter of a CSV file about to be read, once it is known not to be a spreadsheet in disguise:
 * the given one (checked) or the one its first lines suggest.
 */
async function csvDelimiter(path: string, options: ReadOptions): Promise<string> {
  await assertNotSpreadsheet(path);
  const delimiter = options.delimiter ?? detectDelimiter(await readHead(path));
  checkDelimiter(delimiter);
  return delimiter;
}

/**
 * The delimiter when a file is an uncompressed CSV file (by its name or its first bytes), after the checks
 * `readTable` makes (it exists and can be read, it is not a spreadsheet, the delimiter is usable); null for
 * any other format.
 *
 * @example
 * await plainCsvDelimiter('leads.csv', {}); // ','
 */
export async function plainCsvDelimiter(path: string, options: ReadOptions = {}): Promise<string | null> {
  await fileSize(path);
  if (path.endsWith('.gz') || (options.format ?? (await guessFormat(path))) !== 'csv') return null;
  return csvDelimiter(path, options);
}

/** The query a Parquet file is read by. */
export function parquetQuery(path: string): string {
  return `select * from read_parquet(${sqlString(path)})`;
}

/** A table of raw columns as the readers return it. */
export function rawTable(names: string[], columns: RawValue[][], format: SourceFormat, source: string, delimiter?: string): RawTable {
  return { names, columns, rows: columns[0]?.length ?? 0, format, source, ...(delimiter ? { delimiter } : {}) };
}

/**
 * A file's size in bytes, once it is known to be a file this process can read: a missing path, a folder, or
 * a file without read permission is a `DataError` saying which, with the path.
 */
export async function fileSize(path: string): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
    if (!info.isDirectory()) await access(path, constants.R_OK);
  } catch (err) {
    throw unreadable(path, err as NodeJS.ErrnoException);
  }
  if (info.isDirectory()) {
    throw new DataError('NOT_A_FILE', `${path} is a folder, not a file`, 'name a CSV, Parquet, NDJSON or JSON file');
  }
  return info.size;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * A spreadsheet or an archive where a CSV is read is said for what it is, by its bytes (an .xlsx renamed
 * .csv too), never met with a CSV parse error. leadscore reads CSV, Parquet and NDJSON: a workbook is
 * refused with the way to export it.
 *
 * @example
 * await assertNotSpreadsheet('leads.xlsx'); // DataError: leads.xlsx is an Excel workbook (.xlsx), not a CSV file
 */
export async function assertNotSpreadsheet(path: string): Promise<void> {
  if (path.endsWith('.gz')) return;
  checkedEncoding(path, await readHeadBytes(path, SPREADSHEET_HEAD_BYTES));
}

/** Bytes of a file's head its spreadsheet and archive signatures are looked for in. */
const SPREADSHEET_HEAD_BYTES = 4096;

/** `textEncoding` of a file's head, once it is known not to be a workbook or an archive (see `assertNotSpreadsheet`). */
function checkedEncoding(path: string, head: Uint8Array): 'utf-8' | 'windows-1252' {
  const bytes = head.subarray(0, SPREADSHEET_HEAD_BYTES);
  const hint = 'open it in Excel or LibreOffice and save the sheet as "CSV UTF-8" (or run `libreoffice --headless --convert-to csv <file>`), then pass the .csv';
  if (startsWith(bytes, ZIP)) {
    const names = Buffer.from(bytes).toString('latin1');
    if (names.includes('[Content_Types].xml') || names.includes('xl/')) {
      throw new DataError('SPREADSHEET', `${path} is an Excel workbook (.xlsx), not a CSV file`, hint);
    }
    throw new DataError('ZIP_ARCHIVE', `${path} is a ZIP archive, not a CSV file`, 'unzip it and pass the CSV file inside');
  }
  if (startsWith(bytes, OLE2)) throw new DataError('SPREADSHEET', `${path} is an Excel 97–2003 workbook (.xls), not a CSV file`, hint);
  return textEncoding(path, head);
}

/**
 * How the first bytes of a file read as CSV text are encoded: UTF-8, or, where they are not UTF-8, a
 * Latin-1 / Windows-1252 export (whose accents `utf8Path` converts). UTF-16 (with a byte-order mark, or
 * NUL in every other byte) and other binary data (NUL bytes) are refused, with the way to convert.
 */
function textEncoding(path: string, bytes: Uint8Array): 'utf-8' | 'windows-1252' {
  const convert = (from: string) => `save it as "CSV UTF-8" from the program that wrote it, or convert it: iconv -f ${from} -t UTF-8 ${path} > converted.csv`;
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const order = bytes[0] === 0xff ? 'little-endian' : 'big-endian';
    throw new DataError('NOT_UTF8', `${path} is UTF-16 (${order}) text; leadscore reads UTF-8 (and Latin-1)`, convert(bytes[0] === 0xff ? 'UTF-16LE' : 'UTF-16BE'));
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) (i % 2 === 0 ? evenNul++ : oddNul++);
    const half = bytes.length / 2;
    if (oddNul > 0.4 * half && evenNul < 0.05 * half) throw new DataError('NOT_UTF8', `${path} looks like UTF-16 (little-endian) text without a byte-order mark; leadscore reads UTF-8 (and Latin-1)`, convert('UTF-16LE'));
    if (evenNul > 0.4 * half && oddNul < 0.05 * half) throw new DataError('NOT_UTF8', `${path} looks like UTF-16 (big-endian) text without a byte-order mark; leadscore reads UTF-8 (and Latin-1)`, convert('UTF-16BE'));
    throw new DataError('BINARY_FILE', `${path} holds binary data (a NUL byte at byte ${nul + 1}), not CSV text`, 'pass a CSV, Parquet or NDJSON file; if this is an export, export it again as CSV UTF-8');
  }
  return firstNonUtf8(bytes) >= 0 ? 'windows-1252' : 'utf-8';
}

/** Bytes of a file's head the encoding is judged on. */
const ENCODING_HEAD_BYTES = 1 << 16;

/** UTF-8 copies of Latin-1 files made by this process, by the original's path (removed when the process exits). */
const utf8Copies = new Map<string, Promise<string>>();

/** The UTF-8 copies' files, removed when the process exits. */
const copyFiles: string[] = [];

/**
 * The path to read a CSV file's bytes from: the file itself when its head is UTF-8 (checked with the
 * spreadsheet and binary checks of `assertNotSpreadsheet`); for a Latin-1 / Windows-1252 export (a byte
 * in its first 64 KB that is not UTF-8), a UTF-8 copy in the temporary folder, made once per process and
 * removed when it exits. Every CSV reader (the reference reader, the columnar reader, the scoring stream)
 * opens this path, so `Zürich` reads the same from either encoding; messages keep naming the user's file.
 *
 * @example
 * const bytesPath = await utf8Path('export-latin1.csv'); // /tmp/leadscore-utf8-…-export-latin1.csv
 */
export async function utf8Path(path: string): Promise<string> {
  if (path.endsWith('.gz')) return path;
  if (checkedEncoding(path, await readHeadBytes(path, ENCODING_HEAD_BYTES)) === 'utf-8') return path;
  let copy = utf8Copies.get(path);
  if (!copy) {
    copy = transcodeToUtf8(path);
    utf8Copies.set(path, copy);
  }
  return copy;
}

async function readHeadBytes(path: string, size: number): Promise<Uint8Array> {
  const handle = await open(path);
  try {
    const head = new Uint8Array(size);
    return head.subarray(0, (await handle.read(head, 0, size, 0)).bytesRead);
  } finally {
    await handle.close();
  }
}

/** Writes a UTF-8 copy of a Windows-1252 file (a superset of Latin-1's printable characters) to the temporary folder. */
async function transcodeToUtf8(path: string): Promise<string> {
  const copy = join(tmpdir(), `leadscore-utf8-${process.pid}-${randomBytes(4).toString('hex')}-${basename(path)}`);
  if (copyFiles.length === 0) process.once('exit', () => copyFiles.forEach((file) => rmSync(file, { force: true })));
  copyFiles.push(copy);
  const decoder = new TextDecoder('windows-1252');
  const out = createWriteStream(copy);
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      if (!out.write(Buffer.from(decoder.decode(chunk as Buffer, { stream: true }), 'utf8'))) await once(out, 'drain');
    }
    out.end(Buffer.from(decoder.decode(), 'utf8'));
    await finished(out);
  } catch (err) {
    out.destroy();
    rmSync(copy, { force: true });
    throw err;
  }
  return copy;
}

/**
 * Where the first byte that is not part of a well-formed UTF-8 character sits, or −1; a character cut off
 * by the end of `bytes` counts as well formed (the head of a file ends anywhere).
 */
function firstNonUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return -1;
      if ((bytes[i + k]! & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return -1;
}

/** Why a path cannot be read, as an exit-2 error naming it. */
function unreadable(path: string, err: NodeJS.ErrnoException): DataError {
  switch (err.code) {
    case 'ENOENT':
      return new DataError('FILE_NOT_FOUND', `cannot read ${path}: no such file`, 'check the path; relative paths start from the current folder');
    case 'EACCES':
    case 'EPERM':
      return new DataError('FILE_NOT_READABLE', `cannot read ${path}: permission denied`, 'give your user read access to the file (and its folders), or copy it somewhere you can read');
    case 'ENOTDIR':
      return new DataError('FILE_NOT_FOUND', `cannot read ${path}: a part of the path before the file name is a file, not a folder`, 'check the path');
    default:
      return new DataError('FILE_NOT_READABLE', `cannot read ${path}: ${err.code ?? err.message}`, 'check that the file exists and can be read');
  }
}

async function readHead(path: string, bytes = 65536): Promise<string> {
  if (path.endsWith('.gz')) {
    // The first bytes of the decompressed stream, without decompressing the rest.
    const chunks: Buffer[] = [];
    let size = 0;
    const stream = createReadStream(path).pipe(createGunzip());
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= bytes) break;
      }
    } catch {
      throw new DataError('GZIP_INVALID', `${path} is not a readable gzip file`, 'check that the file is complete and gzip-compressed');
    } finally {
      stream.destroy();
    }
    return Buffer.concat(chunks).subarray(0, bytes).toString('utf8');
  }
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Guesses a file's format from its extension, or from its first character when the extension says nothing. */
export async function guessFormat(path: string): Promise<Exclude<SourceFormat, 'sql'>> {
  const ext = extname(path.replace(/\.gz$/, '')).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt' || ext === '.psv') return 'csv';
  const head = stripBom(await readHead(path, 4096)).trimStart();
  if (head.startsWith('PAR1')) return 'parquet';
  if (head.startsWith('[')) return 'json';
  if (head.startsWith('{')) return ext === '.json' && !/}\s*\n\s*{/.test(head) ? 'json' : 'ndjson';
  return 'csv';
}

function checkDelimiter(delimiter: string): void {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new DataError('BAD_DELIMITER', `cannot use ${JSON.stringify(delimiter)} as a delimiter`,
      'pass one character such as , ; | or \\t (--delimiter tab also works)');
  }
}

async function readCsvWithDuckDb(path: string, delimiter: string): Promise<RawTable> {
  const sql = `select * from read_csv(${sqlString(path)}, delim=${sqlString(delimiter)}, header=true, ` +
    `quote='"', escape='"', all_varchar=true, null_padding=true)`;
  const { names, columns } = await queryColumns(sql, path);
  return { ...rawTable(uniqueHeader(names), columns, 'csv', path, delimiter), ...renamedOf(headerRenames(names)) };
}

/** `renamed` for a RawTable, left out when no column was renamed. */
export function renamedOf(renamed: Record<string, string>): { renamed?: Record<string, string> } {
  return Object.keys(renamed).length > 0 ? { renamed } : {};
}

async function readJsonFile(path: string, format: 'ndjson' | 'json'): Promise<RawTable> {
  const text = stripBom(await readFile(path, 'utf8'));
  const records: unknown[] = [];
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new DataError('JSON_INVALID', `${path} is not valid JSON: ${(err as Error).message}`,
        'a JSON file must hold one array of objects; for one object per line use the .ndjson extension');
    }
    if (!Array.isArray(parsed)) {
      throw new DataError('JSON_NOT_ARRAY', `${path} holds a JSON ${typeof parsed}, not an array of records`,
        'write the rows as [ {"col": value, ...}, ... ] or as NDJSON, one object per line');
    }
    records.push(...parsed);
  } else {
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch (err) {
        throw new DataError('NDJSON_INVALID', `line ${i + 1} of ${path} is not valid JSON: ${(err as Error).message}`,
          'NDJSON needs one complete JSON object per line');
      }
    }
  }
  return recordsToTable(records, format, path);
}

/** Column-wise table from an array of records; the columns are the union of keys in first-seen order. */
function recordsToTable(records: unknown[], format: SourceFormat, source: string): RawTable {
  const index = new Map<string, number>();
  const columns: RawValue[][] = [];
  records.forEach((record, row) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      throw new DataError('JSON_NOT_RECORD', `record ${row + 1} of ${source} is not an object`,
        'each row must be a JSON object such as {"lead_id": "L1", "converted": 1}');
    }
    for (const [key, value] of Object.entries(record)) {
      let c = index.get(key);
      if (c === undefined) {
        c = columns.length;
        index.set(key, c);
        columns.push(new Array<RawValue>(row).fill(null));
      }
      columns[c]![row] = jsonValue(value);
    }
    for (const column of columns) if (column.length <= row) column.push(null);
  });
  return rawTable([...index.keys()], columns, format, source);
}

function jsonValue(value: unknown): RawValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}
