/**
 * A large activity log read by DuckDB: the file is parsed on DuckDB's threads, each event's lead and type
 * become codes and its timestamp a number in SQL, and the events come back ordered by lead, time and file
 * row as typed vectors, with the distinct lead ids as the only texts. It gives the log `loadActivityLog`
 * gives when it reads the file in JavaScript (differential tests), and takes only files where that can be
 * shown: anything else is a misfit, which says why, and the JavaScript reading is used.
 *
 * What it handles (an allow-list):
 * - a plain CSV file (the delimiter the reference would use, UTF-8 or transcoded as the reference does) or a
 *   Parquet file, whose header needs no renaming and names the three columns (or their usual names);
 * - lead, type and detail cells without whitespace at either end (the reference trims them), whose column
 *   the reference would read as text (its own inference, run on the distinct values), or lead ids that
 *   are all whole numbers written plainly (read as numbers, then as the same text; in Parquet an integer column);
 * - in a CSV file, timestamps all written in one of the fixed ISO layouts the reference parses from bytes
 *   (`parseIsoLayout`: 2025-03-04, 2025-03-04T10:22:00, 2025-03-04 10:22:00, …Z, ….123Z), every one a
 *   real calendar instant; in a Parquet file, a DATE or TIMESTAMP column without parts finer than a
 *   millisecond, within a JavaScript date's years; at least two different (one value is a constant column).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString, withOwnDatabase } from '../io/duckdb.ts';
import { uniqueHeader } from '../io/csv.ts';
import { LevelCounts } from '../io/text-columns.ts';
import { type InferOptions, inferCounted } from '../types/schema.ts';
import type { ColumnType } from '../../types.ts';
import { thousands } from '../../thousands.ts';

/** Events ordered as the activity log holds them: by lead id (as JavaScript compares strings), time, file row. */
export interface SortedEvents {
  /** Distinct lead ids with at least one event, in order. */
  leads: string[];
  /** Per lead: [starts[k], starts[k + 1]) into the events. */
  starts: Int32Array;
  times: Float64Array;
  /** Per event: an index into `typeNames`. */
  typeCodes: Int32Array;
  /** `type` or `type:detail` per code. */
  typeNames: string[];
  /** Data rows read (events and dropped rows). */
  rows: number;
}

/** The columns to read, chosen from the header's names (null: the JavaScript reading chooses and explains). */
export type ChooseColumns = (names: string[]) => { lead: string; time: string; type: string; detail?: string } | null;

export type DuckDbLogResult = { events: SortedEvents } | { misfit: string };

/** The ISO layouts the reference parses from bytes, as whole-cell patterns and the SQL that makes epoch ms of a cell. */
const DAY = '(0[1-9][0-9][0-9]|[1-9][0-9]{3})-[0-9][0-9]-[0-9][0-9]';
const CLOCK = '([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]';
const LAYOUTS: ReadonlyArray<{ name: string; pattern: string; ms: (t: string) => string }> = [
  { name: 'date', pattern: DAY, ms: (t) => `epoch_ms(try_cast(${t} as date)::timestamp)` },
  { name: 'seconds', pattern: `${DAY}T${CLOCK}`, ms: (t) => `epoch_ms(try_cast(${t} as timestamp))` },
  { name: 'seconds-space', pattern: `${DAY} ${CLOCK}`, ms: (t) => `epoch_ms(try_cast(${t} as timestamp))` },
  { name: 'seconds-z', pattern: `${DAY}T${CLOCK}Z`, ms: (t) => `epoch_ms(try_cast(substr(${t}, 1, 19) as timestamp))` },
  { name: 'millis-z', pattern: `${DAY}T${CLOCK}\\.[0-9]{3}Z`, ms: (t) => `epoch_ms(try_cast(substr(${t}, 1, 23) as timestamp))` },
];

/** Lead ids the reference reads as numbers and writes back as the same text. */
const PLAIN_INTEGER = /^(0|-?[1-9][0-9]{0,14})$/;

const TEXT_TYPES: ReadonlySet<ColumnType> = new Set<ColumnType>(['id', 'categorical', 'text', 'constant']);

const quoteName = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Reads the activity log of a plain CSV or a Parquet file through DuckDB, or says why it does not.
 *
 * @example
 * const read = await readLogWithDuckDb({ csv: 'activities.csv', delimiter: ',' }, () => ({ lead: 'lead_id', time: 'occurred_at', type: 'type' }), tokens, {});
 */
export async function readLogWithDuckDb(source: LogSource, choose: ChooseColumns, tokens: ReadonlySet<string>, options: InferOptions): Promise<DuckDbLogResult> {
  return withOwnDatabase((conn) => read(conn, source, choose, tokens, options));
}

/** A plain CSV file (with the delimiter the reference reads it by) or a Parquet file. */
export type LogSource = { csv: string; delimiter: string } | { parquet: string };

/** The Parquet types of timestamps taken, and the SQL giving each value's epoch ms as DuckDB's JavaScript converter does (`t` a column of that type). */
const TIME_COLUMNS: Readonly<Record<string, { ms: string; exact: string }>> = {
  'TIMESTAMP': { ms: 'epoch_ms(t)', exact: 'epoch_us(t) % 1000 = 0' },
  'TIMESTAMP WITH TIME ZONE': { ms: 'epoch_ms(t)', exact: 'epoch_us(t) % 1000 = 0' },
  'TIMESTAMP_MS': { ms: 'epoch_ms(t)', exact: 'true' },
  'TIMESTAMP_S': { ms: 'epoch_ms(t)', exact: 'true' },
  'DATE': { ms: 'epoch_ms(t::timestamp)', exact: 'true' },
};
const INTEGER_COLUMNS: ReadonlySet<string> = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT']);
/** The instants a JavaScript `Date` holds (±8.64e15 ms): DuckDB's converter refuses others. */
const DATE_LIMIT = 8.64e15;

async function read(conn: DuckDBConnection, source: LogSource, choose: ChooseColumns, tokens: ReadonlySet<string>, options: InferOptions): Promise<DuckDbLogResult> {
  const from = 'csv' in source
    ? `read_csv(${sqlString(source.csv)}, delim=${sqlString(source.delimiter)}, header=true, quote='"', escape='"', all_varchar=true, strict_mode=true, null_padding=false)`
    : `read_parquet(${sqlString(source.parquet)})`;
  let columns: Map<string, string>;
  try {
    columns = new Map((await rowsOf(conn, `describe select * from ${from}`)).map((r) => [r[0] as string, r[1] as string]));
  } catch (err) {
    return { misfit: `DuckDB did not read it (${firstLine(err)})` };
  }
  const names = [...columns.keys()];
  if (uniqueHeader(names).some((name, i) => name !== names[i]) || names.some((name) => namedByDuckDb(name, names))) {
    return { misfit: 'its header has blank, repeated or padded names' };
  }
  const chosen = choose(names);
  if (!chosen) return { misfit: 'its lead, time and type columns are not all found by name' };
  const typeOf = (name: string) => columns.get(name)!;
  for (const name of [chosen.type, ...(chosen.detail === undefined ? [] : [chosen.detail])]) {
    if (typeOf(name) !== 'VARCHAR') return { misfit: `"${name}" holds ${typeOf(name)} values, not text` };
  }
  if (typeOf(chosen.lead) !== 'VARCHAR' && !INTEGER_COLUMNS.has(typeOf(chosen.lead))) return { misfit: `"${chosen.lead}" holds ${typeOf(chosen.lead)} values` };
  const timeType = typeOf(chosen.time);
  if (timeType !== 'VARCHAR' ? !TIME_COLUMNS[timeType] : !('csv' in source)) return { misfit: `"${chosen.time}" holds ${timeType} values` };

  // Each cell the reference reads as missing becomes NULL here, once; whole-number ids become their text.
  const tokenList = [...tokens].map(sqlString).join(', ');
  const present = (name: string | undefined) => {
    if (name === undefined) return 'null::varchar';
    if (typeOf(name) !== 'VARCHAR') return INTEGER_COLUMNS.has(typeOf(name)) ? `cast(${quoteName(name)} as varchar)` : quoteName(name);
    return `case when ${quoteName(name)} in (${tokenList}) then null else ${quoteName(name)} end`;
  };
  const time = await timeReading(conn, timeType, `select ${present(chosen.time)} as t from ${from}`);
  if ('misfit' in time) return time;
  // The events with each timestamp made epoch ms as the file is read (`valid`: null where the time is missing).
  try {
    await conn.run(`create temp table ev as select lead, type, detail, case when t is null then null else ${time.ms} end as ms, ` +
      `case when t is null then null else (${time.valid}) end as valid from (select ${present(chosen.lead)} as lead, ${present(chosen.time)} as t, ` +
      `${present(chosen.type)} as type, ${present(chosen.detail)} as detail from ${from})`);
  } catch (err) {
    return { misfit: `DuckDB did not read it (${firstLine(err)})` };
  }
  const [stats] = await rowsOf(conn, 'select count(*)::double, count(*) filter (where lead is not null and valid and type is not null)::double, ' +
    'count(*) filter (where not valid)::double, min(ms)::double, max(ms)::double from ev');
  const [rows, kept, unlike, earliest, latest] = stats as [number, number, number, number | null, number | null];
  if (unlike > 0) return { misfit: `${thousands(unlike)} of its timestamps ${time.unlike}` };
  if (earliest === null || earliest === latest) return { misfit: 'its timestamps hold fewer than two different values' };
  if (earliest < -DATE_LIMIT || latest! > DATE_LIMIT) return { misfit: 'its timestamps reach beyond the years a JavaScript date holds' };

  // The distinct values with their counts, as the reference's inference counts them (`inferredType`).
  // Leads are numbered in DuckDB's order of their ids, which is JavaScript's for most ids (checked below).
  await conn.run('create temp table leads as select lead, (row_number() over (order by lead) - 1)::integer as code, count(*)::double as n ' +
    'from ev where lead is not null group by lead');
  await conn.run('create temp table kinds as select type, detail, (row_number() over (order by min(rowid)) - 1)::integer as code, count(*)::double as n ' +
    'from ev where type is not null group by type, detail');
  // The ids as one text (one string per id from DuckDB costs a second at half a million), NUL between them.
  const [[joined, leadCount]] = await rowsOf(conn, "select coalesce(string_agg(lead, chr(0) order by code), ''), count(*)::double from leads") as [[string, number]];
  const leadTexts = leadCount === 0 ? [] : joined.split('\0');
  if (leadTexts.length !== leadCount) return { misfit: 'a lead id holds the character U+0000' };
  const leadCounts = await numberColumn(conn, 'select n from leads order by code', leadCount);
  const kindRows = await rowsOf(conn, 'select type, detail, n from kinds order by code');
  const detailRows = chosen.detail === undefined ? [] : await rowsOf(conn, 'select detail, count(*)::double from ev where detail is not null group by detail order by min(rowid)');
  // The reference trims a text cell (and tests it for a missing token trimmed): a value it would change is not taken.
  const padded = (values: string[]) => values.some((v) => v !== v.trim());
  const typeCounts = new Map<string, number>();
  for (const [type, , n] of kindRows) typeCounts.set(type as string, (typeCounts.get(type as string) ?? 0) + (n as number));
  const checks: Array<[string, string[], ArrayLike<number>]> = [
    [chosen.lead, leadTexts, leadCounts], [chosen.type, [...typeCounts.keys()], [...typeCounts.values()]],
    ...(chosen.detail === undefined ? [] : [[chosen.detail, detailRows.map((r) => r[0] as string), detailRows.map((r) => r[1] as number)] as [string, string[], number[]]]),
  ];
  for (const [name, texts, counts] of checks) {
    if (padded(texts)) return { misfit: `cells of "${name}" begin or end with spaces` };
    const type = inferredType(name, texts, counts, rows, 'csv' in source ? { ...options, delimiter: source.delimiter } : options);
    const plainIds = name === chosen.lead && type === 'numeric' && leadTexts.every((id) => PLAIN_INTEGER.test(id));
    if (!TEXT_TYPES.has(type) && !plainIds) return { misfit: `"${name}" reads as ${type} values, not as text` };
  }
  const typeNames = kindRows.map(([type, detail]) => (detail === null ? (type as string) : `${type as string}:${detail as string}`));

  // The events, by lead, time and file row: each one's lead and type codes in one number, its time in another.
  const leadCode = new Int32Array(kept);
  const times = new Float64Array(kept);
  const typeCodes = new Int32Array(kept);
  const kinds = typeNames.length;
  let at = 0;
  const result = await conn.stream(`select l.code::double * ${kinds} + k.code, e.ms::double from ev e join leads l on e.lead = l.lead ` +
    'join kinds k on e.type = k.type and e.detail is not distinct from k.detail where e.valid order by l.code, e.ms, e.rowid');
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const codes = chunk.getColumnVector(0);
    const instants = chunk.getColumnVector(1);
    for (let i = 0; i < chunk.rowCount; i++, at++) {
      const code = codes.getItem(i) as number;
      leadCode[at] = Math.floor(code / kinds);
      typeCodes[at] = code - leadCode[at]! * kinds;
      times[at] = instants.getItem(i) as number;
    }
  }
  if (at !== kept) throw new Error(`the activity log's events: ${at} read, ${kept} counted`);
  return { events: inJavaScriptOrder(leadTexts, leadCode, times, typeCodes, typeNames, rows) };
}

/**
 * How a timestamp `t` becomes epoch ms: a typed column's by its type; a text column's by the one ISO layout
 * its first timestamp is written in (`times`: the query giving the column as `t`, missing as NULL). `valid`
 * is the SQL a value must pass, else `unlike` says why.
 */
async function timeReading(conn: DuckDBConnection, type: string, times: string): Promise<{ ms: string; valid: string; unlike: string } | { misfit: string }> {
  const typed = TIME_COLUMNS[type];
  if (typed) return { ms: typed.ms, valid: `isfinite(t) and ${typed.exact}`, unlike: 'are infinite or finer than a millisecond' };
  let first: string | undefined;
  try {
    first = (await rowsOf(conn, `select t from (${times}) where t is not null limit 1`))[0]?.[0] as string | undefined;
  } catch (err) {
    return { misfit: `DuckDB did not read it (${firstLine(err)})` };
  }
  const sample = first;
  const layout = sample === undefined ? undefined : LAYOUTS.find((l) => new RegExp(`^${l.pattern}$`).test(sample));
  if (!layout) return { misfit: `its timestamps are not written in one fixed ISO layout (such as 2025-03-04T10:22:00Z)${sample === undefined ? '' : `: "${sample}"`}` };
  const ms = layout.ms('t');
  return { ms, valid: `regexp_full_match(t, ${sqlString(layout.pattern)}) and ${ms} is not null`, unlike: `are not written as "${first}" is, or are not real dates` };
}

/**
 * The type the reference's inference gives a column of these distinct texts (with their counts), as far as it
 * matters here: whether its values stay text. The inference tells booleans, numbers and
 * dates by predicates over the set of texts (each value a spelling of true or false, a number, a date), so
 * each distinct text is given once; the text types it chooses among after that (id, categorical, free
 * text), which weigh the texts by their counts, all keep the values as they are.
 */
function inferredType(name: string, texts: string[], counts: ArrayLike<number>, rows: number, options: InferOptions): ColumnType {
  let lookup: Map<string, number> | undefined; // made only if the inference asks for one text's count
  const levelOf = (text: string) => (lookup ??= new Map(texts.map((t, k) => [t, k]))).get(text);
  return inferCounted(name, texts, new LevelCounts(texts, counts, levelOf), rows, options).type;
}

/**
 * The events with the leads in the order JavaScript compares their ids (`<`). DuckDB numbered them in its
 * order (UTF-8 bytes), the same for ids without characters beyond U+FFFF and at or above U+E000: then each
 * lead's block is already in place; otherwise the blocks are moved (each lead's events stay in order).
 */
function inJavaScriptOrder(ids: string[], leadCode: Int32Array, times: Float64Array, typeCodes: Int32Array, typeNames: string[], rows: number): SortedEvents {
  const n = leadCode.length;
  const count = new Int32Array(ids.length);
  for (let e = 0; e < n; e++) count[leadCode[e]!]!++;
  const from = new Int32Array(ids.length + 1);
  for (let k = 0; k < ids.length; k++) from[k + 1] = from[k]! + count[k]!;
  const order: number[] = [];
  for (let k = 0; k < ids.length; k++) if (count[k]! > 0) order.push(k);
  let sorted = true;
  for (let r = 1; r < order.length && sorted; r++) sorted = ids[order[r - 1]!]! < ids[order[r]!]!;
  const starts = new Int32Array(order.length + 1);
  if (!sorted) order.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  order.forEach((k, r) => (starts[r + 1] = starts[r]! + count[k]!));
  if (sorted) return { leads: order.map((k) => ids[k]!), starts, times, typeCodes, typeNames, rows };
  const sortedTimes = new Float64Array(n);
  const sortedCodes = new Int32Array(n);
  order.forEach((k, r) => {
    sortedTimes.set(times.subarray(from[k]!, from[k + 1]!), starts[r]!);
    sortedCodes.set(typeCodes.subarray(from[k]!, from[k + 1]!), starts[r]!);
  });
  return { leads: order.map((k) => ids[k]!), starts, times: sortedTimes, typeCodes: sortedCodes, typeNames, rows };
}

/** One DOUBLE column of a query's result as a typed array of `length`. */
async function numberColumn(conn: DuckDBConnection, sql: string, length: number): Promise<Float64Array> {
  const out = new Float64Array(length);
  const result = await conn.stream(sql);
  let at = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const vector = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) out[at++] = vector.getItem(i) as number;
  }
  return out;
}

/** A name DuckDB may have given a blank header (`column2`) or a repeated one (`type_1` beside `type`), which the reference names otherwise. */
function namedByDuckDb(name: string, names: readonly string[]): boolean {
  const repeated = /^(.+)_[0-9]+$/.exec(name);
  return /^column[0-9]+$/.test(name) || (repeated !== null && names.includes(repeated[1]!));
}

async function rowsOf(conn: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await conn.runAndReadAll(sql)).getRowsJS() as unknown[][];
}

function firstLine(err: unknown): string {
  return String((err as Error).message ?? err).split('\n')[0]!;
}
