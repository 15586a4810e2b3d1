/**
 * Writers. Every write is atomic: the file is written beside its destination under a temporary name and
 * renamed into place at the end, so an interrupted run leaves no partial file. An input file is never
 * overwritten (`assertNotInput`).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { ConfigError, DataError } from '../../errors.ts';
import { csvField } from './csv.ts';
import { queryColumns, sqlString } from './duckdb.ts';

/**
 * Creates the folder a file is written into (and its parents), or says why it cannot: a part of the path
 * that is a file, or a folder this user may not write.
 */
export async function makeParentFolder(path: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new DataError('OUTPUT_NOT_WRITABLE', `cannot write ${path}: a part of its folder path is a file, not a folder`, 'choose an output path whose folders are folders');
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new DataError('OUTPUT_NOT_WRITABLE', `cannot write ${path}: permission denied (${code})`, 'choose a folder you can write to');
    }
    throw err;
  }
}

/** A sibling path to write to before renaming onto `path`. */
export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Writes text to a file atomically, creating its folder.
 *
 * @example
 * await writeFileAtomic('out/metrics.json', JSON.stringify(metrics, null, 2) + '\n');
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await makeParentFolder(path);
  await removeAbandoned(dirname(path));
  const tmp = tempPath(path);
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Refuses to replace a file the user named unless they said so (`--force`): the one rule for every command
 * that writes a file (scores, rule files, scorecards).
 */
export async function assertMayReplace(path: string, force: boolean | undefined, flag: string): Promise<void> {
  if (force) return;
  if (await access(path).then(() => true, () => false)) {
    throw new ConfigError('WOULD_OVERWRITE', `${path} already exists`, `pass --force to replace it, or choose another ${flag}`);
  }
}

/**
 * Refuses an output folder that already holds what a command writes (`marker`: a run's metrics.json, an
 * evaluation.json, a backtest.json): the one rule for every command that writes a folder.
 */
export async function assertFolderFree(folder: string, marker: string, what: string, shown: string = folder): Promise<void> {
  if (await access(join(folder, marker)).then(() => true, () => false)) {
    throw new ConfigError('WOULD_OVERWRITE', `${shown} already holds ${what} (${marker})`, 'choose another --out folder');
  }
}

/**
 * Refuses to write over a file the run reads.
 *
 * @example
 * assertNotInput('scores.csv', ['leads.csv']); // passes
 * assertNotInput('leads.csv', ['leads.csv']); // throws: the output would overwrite an input
 */
export function assertNotInput(output: string, inputs: readonly string[]): void {
  const out = resolve(output);
  if (inputs.some((i) => resolve(i) === out)) {
    throw new ConfigError('OUTPUT_IS_INPUT', `refusing to overwrite the input file ${output}`, 'choose another --output path');
  }
}

export type CellValue = string | number | boolean | null | undefined;

function cellText(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'object') return JSON.stringify(v); // a list such as reason_codes, as JSON text
  return String(v);
}

/**
 * Streams `rows` lines (each from `lineOf`, without its line break) into a file atomically, in 64 KB
 * writes, so a large table is never held as one string.
 */
async function writeLinesAtomic(path: string, header: string | null, rows: number, lineOf: (r: number) => string): Promise<void> {
  await makeParentFolder(path);
  await removeAbandoned(dirname(path));
  const tmp = tempPath(path);
  const out = createWriteStream(tmp, { encoding: 'utf8' });
  try {
    let buffer = header === null ? '' : `${header}\n`;
    for (let r = 0; r < rows; r++) {
      buffer += `${lineOf(r)}\n`;
      if (buffer.length > 1 << 16) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    out.end(buffer);
    await once(out, 'finish');
    await rename(tmp, path);
  } catch (err) {
    out.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * A text cell a spreadsheet would read as a formula (starting with =, +, -, @, tab or carriage return) gets
 * a leading apostrophe; numbers are left alone, also when they arrive as text (a kept or rejected `-1`).
 */
export function spreadsheetSafe(v: CellValue): string {
  if (typeof v !== 'string') return cellText(v);
  if (!startsFormula(v.charCodeAt(0))) return v;
  return PLAIN_NUMBER.test(v) ? v : `'${v}`;
}

/** Whether a cell starting with this character code (= + - @ tab CR) could run as a formula in a spreadsheet. */
export function startsFormula(first: number): boolean {
  return first === 61 || first === 43 || first === 45 || first === 64 || first === 9 || first === 13;
}

/** Text that is just a number (`-1`, `+2.5`, `-3e4`): a spreadsheet reads it as that number, nothing runs. */
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The formatter of CSV cells: spreadsheet-safe or plain. */
export function cellFormatter(safe: boolean): (v: CellValue) => string {
  return safe ? spreadsheetSafe : cellText;
}

/** Row `r` of the columns as one CSV line (RFC 4180 quoting, no line break). */
export function csvLine(columns: ReadonlyArray<ArrayLike<CellValue>>, r: number, cell: (v: CellValue) => string): string {
  let line = '';
  for (let c = 0; c < columns.length; c++) {
    if (c > 0) line += ',';
    line += csvField(cell(columns[c]![r]));
  }
  return line;
}

/** Row `r` of the columns as one JSON object (keys in column order; non-finite numbers as null). */
export function ndjsonLine(names: readonly string[], columns: ReadonlyArray<ArrayLike<unknown>>, r: number): string {
  const record: Record<string, unknown> = {};
  names.forEach((name, c) => {
    const v = columns[c]![r];
    record[name] = typeof v === 'number' && !Number.isFinite(v) ? null : v ?? null;
  });
  return JSON.stringify(record);
}

/**
 * Writes columns as CSV (header first, `\n` line ends, RFC 4180 quoting) atomically. With `safe`, text cells
 * are neutralised against spreadsheet formula injection (`spreadsheetSafe`).
 *
 * @example
 * await writeCsvColumns('leads.csv', ['lead_id', 'score'], [['L1', 'L2'], [80, 12]]);
 */
export function writeCsvColumns(path: string, names: readonly string[], columns: ReadonlyArray<ArrayLike<CellValue>>, options: { safe?: boolean } = {}): Promise<void> {
  const cell = cellFormatter(Boolean(options.safe));
  return writeLinesAtomic(path, names.map((n) => csvField(cell(n))).join(','), columns[0]?.length ?? 0, (r) => csvLine(columns, r, cell));
}

/** Writes a table as NDJSON atomically: one JSON object per line, keys in column order. */
export function writeNdjsonColumns(path: string, names: readonly string[], columns: ReadonlyArray<ArrayLike<unknown>>): Promise<void> {
  return writeLinesAtomic(path, null, columns[0]?.length ?? 0, (r) => ndjsonLine(names, columns, r));
}

/** A folder name for a run started now: `2026-11-24T12-00-00Z`. */
export function timestampName(): string {
  return new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
}

/**
 * Runs `work` that writes into `dir`; when it fails, the folder goes too if it did not exist before, so a
 * failed run leaves nothing behind.
 *
 * @example
 * await intoFolder('models/backtests/x', () => run(options, 'models/backtests/x'));
 */
export async function intoFolder<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const existed = await access(dir).then(() => true, () => false);
  try {
    return await work();
  } catch (err) {
    if (!existed) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Writes a folder so that it appears whole or not at all, even if the process is killed (kill -9, a power
 * cut): `work` writes into a staging folder beside it (`.<name>.partial-<pid>-<hex>`), renamed onto `dir`
 * at the end. Where `dir` already exists (an empty folder, or one holding other files), the staged entries
 * are moved into it one by one with `marker` (the file that makes the folder what it is, a run's
 * metrics.json) last. On an error the staging folder is removed; staging folders a killed process left are
 * removed by the next call writing beside them (their process no longer runs).
 *
 * @example
 * await stagedFolder('models/runs/q3', 'metrics.json', async (staging) => writeFileAtomic(join(staging, 'metrics.json'), '{}'));
 */
export async function stagedFolder<T>(dir: string, marker: string, work: (staging: string) => Promise<T>): Promise<T> {
  await removeAbandoned(dirname(dir));
  const staging = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  await makeParentFolder(join(staging, marker));
  let result: T;
  try {
    result = await work(staging);
    const existing = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (existing === null) {
      await rename(staging, dir);
    } else {
      const entries = (await readdir(staging)).sort((a, b) => Number(a === marker) - Number(b === marker));
      for (const entry of entries) await rename(join(staging, entry), join(dir, entry));
      await rm(staging, { recursive: true, force: true });
    }
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw withPathShown(err, staging, dir);
  }
  return result;
}

/** An error about a file in the staging folder names it where the user will look for it: in `dir`. */
function withPathShown(err: unknown, staging: string, dir: string): unknown {
  if (!(err instanceof Error)) return err;
  err.message = err.message.replaceAll(staging, dir);
  const shown = err as Error & { hint?: string; issues?: Array<{ file?: string }> };
  if (typeof shown.hint === 'string') (shown as { hint: string }).hint = shown.hint.replaceAll(staging, dir);
  for (const issue of shown.issues ?? []) if (typeof issue.file === 'string') issue.file = issue.file.replaceAll(staging, dir);
  return err;
}

/** A staging folder or temporary file a killed process left: `<name>.partial-<pid>-<hex>` or `<name>.tmp-<pid>-<hex>`, its pid no longer running. */
const ABANDONED = /\.(?:partial|tmp)-(\d+)-[0-9a-f]{8}$/;

/** Removes what killed leadscore processes left half-written in a folder (see `ABANDONED`). */
export async function removeAbandoned(folder: string): Promise<void> {
  const entries = await readdir(folder).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[]; // nothing written there yet
    throw err;
  });
  for (const entry of entries) {
    const pid = ABANDONED.exec(entry)?.[1];
    if (pid !== undefined && !processRuns(Number(pid))) await rm(join(folder, entry), { recursive: true, force: true });
  }
}

function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type OutputFormat = 'csv' | 'ndjson' | 'parquet';

/** The output format named by a flag, or by the file's extension (CSV when it says nothing). */
export function outputFormat(path: string, flag?: string): OutputFormat {
  const f = (flag ?? (path.endsWith('.parquet') ? 'parquet' : /\.(ndjson|jsonl)$/.test(path) ? 'ndjson' : 'csv')).toLowerCase();
  if (f !== 'csv' && f !== 'ndjson' && f !== 'parquet') {
    throw new ConfigError('BAD_FORMAT', `unknown output format "${flag}"`, 'use --format csv, ndjson or parquet');
  }
  return f;
}

/**
 * Writes a table as CSV, NDJSON or Parquet, atomically. Parquet goes through DuckDB from a temporary
 * NDJSON file, with the column types DuckDB infers from the values.
 *
 * @example
 * await writeTable('scores.parquet', ['lead_id', 'rule_score'], [ids, scores]);
 */
export async function writeTable(path: string, names: readonly string[], columns: ReadonlyArray<ArrayLike<CellValue>>, format = outputFormat(path), options: { safe?: boolean } = {}): Promise<void> {
  if (format === 'csv') return writeCsvColumns(path, names, columns, options);
  if (format === 'ndjson') return writeNdjsonColumns(path, names, columns);
  const json = tempPath(path) + '.ndjson';
  try {
    await writeNdjsonColumns(json, names, columns);
    await ndjsonToParquet(json, path);
  } finally {
    await rm(json, { force: true });
  }
}

/**
 * Converts an NDJSON file to Parquet at `path`, atomically, through DuckDB (column types as DuckDB infers
 * them from the values; nested values become lists and structs). The NDJSON file is left in place.
 *
 * @example
 * await ndjsonToParquet('scores.ndjson', 'scores.parquet');
 */
export async function ndjsonToParquet(json: string, path: string): Promise<void> {
  const parquet = tempPath(path);
  try {
    await queryColumns(`copy (select * from read_json(${sqlString(json)}, format='newline_delimited')) to ${sqlString(parquet)} (format parquet)`, path);
    await rename(parquet, path);
  } finally {
    await rm(parquet, { force: true });
  }
}
