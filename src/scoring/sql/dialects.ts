/**
 * What differs between the SQL dialects `export-sql` writes: quoting of names and text, type names, date
 * arithmetic and rounding. Each dialect is a small table of these differences; README ("Scoring in the
 * warehouse") says how each form is verified.
 */

export type DialectName = 'duckdb' | 'postgres' | 'bigquery' | 'snowflake' | 'spark';
/**
 * The SQL dialects `exportSql` writes.
 *
 * @example
 * for (const dialect of DIALECTS) console.log(exportSql(artifact, dialect, 'leads'));
 */
export const DIALECTS: readonly DialectName[] = ['duckdb', 'postgres', 'bigquery', 'snowflake', 'spark'];

export interface Dialect {
  name: DialectName;
  /** A column name as an identifier. */
  ident(name: string): string;
  /** A text value as a string literal. */
  str(value: string): string;
  /** Cast an expression to double / text. */
  double(expr: string): string;
  text(expr: string): string;
  /** Days from a timestamp expression to a fixed instant (milliseconds since 1970, UTC). */
  daysBefore(instantMs: number, expr: string): string;
  month(expr: string): string;
  /** Weekday 0 = Sunday … 6 = Saturday. */
  weekday(expr: string): string;
  /** A double rounded to one decimal. */
  round1(expr: string): string;
  /**
   * Written after a subquery whose computed columns the outer query reads more than once, so that the
   * engine computes them once instead of copying the expression into every place that reads it.
   * PostgreSQL pulls a plain subquery up into its parent: the tree sum of a 60-tree model, read by the
   * calibration, the score and the tier, was copied into each, and its features into every tree test,
   * until one query held 6 GB and ran for minutes. OFFSET 0 is PostgreSQL's documented fence.
   */
  fence: string;
}

const quoteDouble = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** Spark SQL: a backtick inside a quoted name is doubled. */
const quoteBacktickDoubled = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/** The standard literal: a quote is doubled, a backslash is an ordinary character (DuckDB, PostgreSQL). */
const standardString = (value: string) => `'${value.replaceAll("'", "''")}'`;
/**
 * Backslash escapes, as BigQuery and Spark SQL read literals (and BigQuery reads quoted names): a doubled
 * quote there is two adjacent literals, read as 'its' for 'it''s', so quotes, backslashes and line breaks
 * are escaped with a backslash.
 */
function backslashEscaped(value: string, quote: string): string {
  const escaped = value.replaceAll('\\', '\\\\').replaceAll(quote, `\\${quote}`).replaceAll('\n', '\\n').replaceAll('\r', '\\r');
  return `${quote}${escaped}${quote}`;
}
/** Snowflake: a quote is doubled, and a backslash starts an escape, so it is doubled too. */
const snowflakeString = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

const ISO = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const MS_PER_DAY = 86_400_000;
/**
 * Age and weekday from the milliseconds since 1970 (UTC) of a timestamp (`epochMs`); `integer` is the
 * dialect's 64-bit integer type (BigQuery's MOD takes integers only). The weekday is counted from Thursday
 * 1970-01-01 (day 0), which needs no week-start setting (Snowflake's DAYOFWEEK follows WEEK_START).
 */
function fromEpochMs(integer: string, epochMs: (e: string) => string): Pick<Dialect, 'daysBefore' | 'weekday'> {
  const ms = (e: string) => epochMs(`CAST(${e} AS TIMESTAMP)`);
  return {
    daysBefore: (instantMs, e) => `((${instantMs} - ${ms(e)}) / ${MS_PER_DAY}.0)`,
    weekday: (e) => `MOD(MOD(CAST(FLOOR(${ms(e)} / ${MS_PER_DAY}.0) AS ${integer}) + 4, 7) + 7, 7)`,
  };
}

export const DIALECT: Record<DialectName, Dialect> = {
  duckdb: {
    name: 'duckdb', ident: quoteDouble, str: standardString,
    double: (e) => `CAST(${e} AS DOUBLE)`, text: (e) => `CAST(${e} AS VARCHAR)`,
    daysBefore: (ms, e) => `((epoch_ms(TIMESTAMP '${ISO(ms)}') - epoch_ms(CAST(${e} AS TIMESTAMP))) / 86400000.0)`,
    month: (e) => `month(CAST(${e} AS TIMESTAMP))`, weekday: (e) => `dayofweek(CAST(${e} AS TIMESTAMP))`,
    round1: (e) => `ROUND(${e}, 1)`, fence: '',
  },
  postgres: {
    name: 'postgres', ident: quoteDouble, str: standardString,
    double: (e) => `CAST(${e} AS DOUBLE PRECISION)`, text: (e) => `CAST(${e} AS TEXT)`,
    daysBefore: (ms, e) => `(EXTRACT(EPOCH FROM (TIMESTAMP '${ISO(ms)}' - CAST(${e} AS TIMESTAMP))) / 86400.0)`,
    month: (e) => `EXTRACT(MONTH FROM CAST(${e} AS TIMESTAMP))`, weekday: (e) => `EXTRACT(DOW FROM CAST(${e} AS TIMESTAMP))`,
    // PostgreSQL rounds to a number of decimals only in NUMERIC.
    round1: (e) => `ROUND(CAST(${e} AS NUMERIC), 1)`,
    fence: ' OFFSET 0',
  },
  bigquery: {
    name: 'bigquery', ident: (name) => backslashEscaped(name, '`'), str: (v) => backslashEscaped(v, "'"),
    double: (e) => `CAST(${e} AS FLOAT64)`, text: (e) => `CAST(${e} AS STRING)`,
    ...fromEpochMs('INT64', (e) => `UNIX_MILLIS(${e})`),
    month: (e) => `EXTRACT(MONTH FROM CAST(${e} AS TIMESTAMP))`,
    round1: (e) => `ROUND(${e}, 1)`, fence: '',
  },
  snowflake: {
    name: 'snowflake', ident: quoteDouble, str: snowflakeString,
    double: (e) => `CAST(${e} AS DOUBLE)`, text: (e) => `CAST(${e} AS VARCHAR)`,
    ...fromEpochMs('BIGINT', (e) => `DATE_PART(epoch_millisecond, ${e})`),
    month: (e) => `MONTH(CAST(${e} AS TIMESTAMP))`,
    round1: (e) => `ROUND(${e}, 1)`, fence: '',
  },
  spark: {
    name: 'spark', ident: quoteBacktickDoubled, str: (v) => backslashEscaped(v, "'"),
    double: (e) => `CAST(${e} AS DOUBLE)`, text: (e) => `CAST(${e} AS STRING)`,
    ...fromEpochMs('BIGINT', (e) => `unix_millis(${e})`),
    month: (e) => `month(CAST(${e} AS TIMESTAMP))`,
    round1: (e) => `ROUND(${e}, 1)`, fence: '',
  },
};

/** A SQL numeric literal that round-trips the double exactly. */
export function sqlNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as a SQL number`);
  return String(x); // shortest text that reads back as the same double; exponent form is valid SQL too
}
