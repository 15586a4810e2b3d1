/**
 * How a model's training file was read, kept in its artifact so that every later file is read the same
 * way, whatever else a batch holds: each column's type and, for yes/no columns, the words meaning true and
 * false; date formats (day/month order); decimal commas; the missing-value tokens (`--na`); the delimiter.
 * Inferring these again from a batch of new leads is what made a column holding only "No" read as "yes":
 * a lead's score would depend on the other leads in its file.
 *
 * Columns the training file did not have (pass-through columns) are still inferred from the batch.
 */
import type { ColumnTable } from 'arquero';
import { ConfigError, DataError } from '../../errors.ts';
import type { ColumnType, RawValue } from '../../types.ts';
import type { DateFormat } from './dates.ts';
import { isMissing, naTokenSet } from './missing.ts';
import type { RawTable } from '../io/read.ts';
import { type ColumnSchema, inferSchema, type Schema } from './schema.ts';

/** How one column was read in training. */
export interface ColumnReading {
  name: string;
  type: ColumnType;
  /** Spellings of true and false (absent: typed booleans, read from Parquet or a database). */
  booleanTokens?: { true: string[]; false: string[] };
  dateFormat?: DateFormat;
  decimalComma?: boolean;
}

/** How a training file was read. */
export interface Reading {
  /** Every token that meant "missing" (the defaults plus `--na`). */
  naTokens: string[];
  /** The CSV delimiter (null for Parquet, NDJSON and SQL). */
  delimiter: string | null;
  columns: ColumnReading[];
}

/**
 * The reading settings of a training schema.
 *
 * @example
 * const reading = readingOf(leads.schema, leads.raw.delimiter);
 * reading.columns.find((c) => c.name === 'newsletter_opt_in')?.booleanTokens; // { true: ['yes'], false: ['no'] }
 */
export function readingOf(schema: Schema, delimiter?: string | null): Reading {
  return {
    naTokens: [...schema.naTokens],
    delimiter: delimiter ?? null,
    columns: schema.columns.map((c) => ({
      name: c.name, type: c.type,
      ...(c.booleanTokens ? { booleanTokens: { true: [...c.booleanTokens.true], false: [...c.booleanTokens.false] } } : {}),
      ...(c.dateFormat ? { dateFormat: { ...c.dateFormat } } : {}),
      ...(c.decimalComma ? { decimalComma: true } : {}),
    })),
  };
}

/**
 * A batch's schema with every column the training file had read as it was then (type, yes/no words, date
 * format, decimal comma) and the training missing-value tokens; other columns keep what the batch inferred.
 * Counts and examples stay the batch's own.
 *
 * @example
 * const schema = schemaWithReading(inferred, reading);
 */
export function schemaWithReading(inferred: Schema, reading: Reading): Schema {
  const trained = new Map(reading.columns.map((c) => [c.name, c]));
  return {
    ...inferred,
    naTokens: [...reading.naTokens],
    columns: inferred.columns.map((c) => {
      const t = trained.get(c.name);
      return t ? columnWithReading(c, t) : c;
    }),
  };
}

/**
 * One column's inferred schema read as the training file read it (type, yes/no words, date format, decimal
 * comma); its counts and examples stay its own.
 *
 * @example
 * columnWithReading(inferred, { name: 'opt_in', type: 'boolean', booleanTokens: { true: ['Yes'], false: ['No'] } });
 */
export function columnWithReading(inferred: ColumnSchema, trained: ColumnReading): ColumnSchema {
  const { booleanTokens: _b, dateFormat: _d, decimalComma: _c, ...rest } = inferred;
  return {
    ...rest, type: trained.type,
    ...(trained.booleanTokens ? { booleanTokens: trained.booleanTokens } : {}),
    ...(trained.dateFormat ? { dateFormat: trained.dateFormat } : {}),
    ...(trained.decimalComma ? { decimalComma: true } : {}),
  };
}

/**
 * A training column's schema from its reading alone, for a batch to score: its type, yes/no words, date
 * format and decimal comma are the reading's whatever the batch holds (`columnWithReading`), so inferring it
 * from the batch first only adds counts, which scoring never reads (left empty here: 0 missing, no
 * examples). Used for model inputs it is a feature as `inferColumn` would say of its type.
 *
 * @example
 * columnFromReading({ name: 'opt_in', type: 'boolean', booleanTokens: { true: ['Yes'], false: ['No'] } });
 */
export function columnFromReading(trained: ColumnReading): ColumnSchema {
  const feature = trained.type !== 'id' && trained.type !== 'text' && trained.type !== 'constant';
  return columnWithReading({ name: trained.name, type: trained.type, feature, missing: 0, missingShare: 0, distinct: 0, examples: [], warnings: [] }, trained);
}

/**
 * A batch's schema as the training file was read: its columns built from the reading (`columnFromReading`),
 * the others inferred from the batch with the training missing-value tokens; the training tokens as its own.
 * Inferring the training columns too and then reading them (`readSchema`) gives the same types, at ~20 ms of a
 * streamed file's start.
 *
 * @example
 * const schema = batchSchema(firstChunk, artifact.reading, ',');
 */
export function batchSchema(raw: RawTable, reading: Reading, delimiter?: string | null): Schema {
  const trained = new Map(reading.columns.map((c) => [c.name, c]));
  const rest = raw.names.flatMap((name, c) => (trained.has(name) ? [] : [c]));
  const inferred = inferSchema({ ...raw, names: rest.map((c) => raw.names[c]!), columns: rest.map((c) => raw.columns[c]!) }, { na: reading.naTokens, ...(delimiter ? { delimiter } : {}) });
  const others = new Map(inferred.columns.map((c) => [c.name, c]));
  return { ...inferred, naTokens: [...reading.naTokens], columns: raw.names.map((name) => (trained.has(name) ? columnFromReading(trained.get(name)!) : others.get(name)!)) };
}

/** Whether a batch with these columns has one the training file did not have (inferred from the batch's values by `batchSchema`). */
export function infersColumns(reading: Reading, names: readonly string[]): boolean {
  const trained = new Set(reading.columns.map((c) => c.name));
  return names.some((name) => !trained.has(name));
}

/**
 * A new file's schema as the training file was read: inferred with the training missing-value tokens, then
 * every training column read as it was then (`schemaWithReading`).
 *
 * @example
 * const schema = readSchema(await readTable({ path: 'new.csv' }), artifact.reading);
 */
export function readSchema(raw: RawTable, reading: Reading, delimiter = raw.delimiter): Schema {
  return schemaWithReading(inferSchema(raw, { na: reading.naTokens, ...(delimiter ? { delimiter } : {}) }), reading);
}

/**
 * Refuses a `--na` given again that differs from the tokens the model was trained with (a model reads
 * missing values one way only).
 *
 * @example
 * assertNaAgrees(reading, 'Select'); // throws unless the model was trained with --na Select
 */
export function assertNaAgrees(reading: Reading, na: string | undefined, model: string): void {
  if (na === undefined) return;
  const given = naTokenSet(na);
  const trained = new Set(reading.naTokens);
  const same = given.size === trained.size && [...given].every((t) => trained.has(t));
  if (same) return;
  const extra = (set: Set<string>) => [...set].filter((t) => !naTokenSet().has(t));
  const shown = (list: string[]) => (list.length ? list.map((t) => JSON.stringify(t)).join(', ') : 'none beyond the defaults');
  throw new ConfigError('NA_CONTRADICTS_MODEL', `--na ${JSON.stringify(na)} differs from the missing-value tokens ${model} was trained with (${shown(extra(trained))})`,
    'leave out --na: a model reads new files with its training settings (retrain to change them)');
}

/** Spellings of booleans a typed (Parquet, database) boolean column accepts when a file gives them as text. */
const PLAIN_BOOLEANS = { true: ['true', 'yes', 'y', '1', 't'], false: ['false', 'no', 'n', '0', 'f'] };

/**
 * A yes/no cell as true or false, by the column's spellings (case-insensitive); null when it is neither
 * (a bad value, reported as such by the scorer, never read as "yes").
 *
 * @example
 * booleanValue('No', { true: ['Yes'], false: ['No'] }); // false
 * booleanValue('maybe', { true: ['Yes'], false: ['No'] }); // null
 */
export function booleanValue(v: RawValue, tokens: { true: string[]; false: string[] } | undefined): boolean | null {
  if (typeof v === 'boolean') return v;
  const text = String(v).trim().toLowerCase();
  const words = tokens ?? PLAIN_BOOLEANS;
  if (words.true.some((t) => t.toLowerCase() === text)) return true;
  if (words.false.some((t) => t.toLowerCase() === text)) return false;
  return null;
}

/** Types whose cells must read as such (a number, a date, one of the column's yes/no words): anything else is a bad value. */
export const CHECKED_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>(['numeric', 'date', 'datetime', 'boolean']);


/** A cell that does not read with the training settings. */
export interface BadValue {
  /** Index of the row in its table. */
  index: number;
  column: string;
  value: string;
  expected: ColumnType;
  /** For a yes/no column: the words it accepts, e.g. `yes/no`. */
  accepted?: string;
}

/**
 * Cells of the given columns that do not read as their training type (a number, a date, one of the yes/no
 * words), row by row.
 *
 * @example
 * findBadValues(new Map([['annual_revenue', 'numeric']]), raw, schema, table); // [{ index: 4, column: 'annual_revenue', value: 'forty', … }]
 */
export function findBadValues(types: ReadonlyMap<string, ColumnType>, raw: RawTable, schema: Schema, table: ColumnTable): BadValue[] {
  const tokens = new Set(schema.naTokens);
  const errors: BadValue[] = [];
  for (const column of schema.columns) {
    const want = types.get(column.name);
    if (!want || !CHECKED_TYPES.has(want)) continue;
    const accepted = want === 'boolean' ? acceptedWords(column) : undefined;
    const rawValues = raw.columns[raw.names.indexOf(column.name)]!;
    const typed = table.array(column.name) as ArrayLike<unknown>;
    for (let i = 0; i < rawValues.length; i++) {
      if (isWrongType(typed[i], rawValues[i]!, tokens)) {
        errors.push({ index: i, column: column.name, value: String(rawValues[i]), expected: want, ...(accepted ? { accepted } : {}) });
      }
    }
  }
  return errors.sort((a, b) => a.index - b.index);
}

/** A cell of a checked column that did not read as its type (and is not a missing-value token). */
export function isWrongType(typed: unknown, raw: RawValue, tokens: ReadonlySet<string>): boolean {
  return (typed === null || (typeof typed === 'number' && Number.isNaN(typed))) && !isMissing(raw, tokens);
}

/** `"forty" is not a number`. */
export function describeBadValue(e: BadValue): string {
  if (e.expected === 'boolean') return `${JSON.stringify(e.value)} is not ${e.accepted ?? 'yes or no'} (the words this column held in training)`;
  return `${JSON.stringify(e.value)} is not ${e.expected === 'numeric' ? 'a number' : 'a date'}`;
}

/** A yes/no column's words as a message names them: `Yes or No`. */
function acceptedWords(column: ColumnSchema): string {
  const t = column.booleanTokens;
  return t ? `${t.true.join('/')} or ${t.false.join('/')}` : 'true or false';
}

/** The exit-2 error for values of the wrong type: the first in the message, up to 100 in its issues. */
export function badValuesError(errors: BadValue[], rowNumber: (index: number) => number,
  hint = 'fix those rows, or pass --on-error skip to score the rest and write the bad rows to a rejects file beside the output'): DataError {
  const first = errors[0]!;
  const rows = new Set(errors.map((e) => e.index)).size;
  const more = errors.length > 1 ? `; ${errors.length - 1} more value${errors.length === 2 ? '' : 's'}${errors.length > 100 ? ', the first 100 listed' : ' listed'}` : '';
  return new DataError('WRONG_TYPE', `${rows} ${rows === 1 ? 'row holds' : 'rows hold'} values of the wrong type (row ${rowNumber(first.index)}: ${first.column} = ${describeBadValue(first)}${more})`,
    hint, errors.slice(0, 100).map((e) => ({ row: rowNumber(e.index), column: e.column, message: describeBadValue(e) })));
}
