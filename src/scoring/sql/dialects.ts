/**
 * What differs between the SQL dialects `export-sql` writes: type names, quoting, and date arithmetic.
 * One file per concern is overkill here; each dialect is a small table of these differences.
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
  /** Cast an expression to double / text. */
  double(expr: string): string;
  text(expr: string): string;
  /** Days from a timestamp expression to a fixed instant (ISO text). */
  daysBefore(instantIso: string, expr: string): string;
  month(expr: string): string;
  /** Weekday 0 = Sunday … 6 = Saturday. */
  weekday(expr: string): string;
}

const quoteDouble = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteBacktick = (name: string) => `\`${name.replaceAll('`', '``')}\``;

export const DIALECT: Record<DialectName, Dialect> = {
  duckdb: {
    name: 'duckdb', ident: quoteDouble,
    double: (e) => `CAST(${e} AS DOUBLE)`, text: (e) => `CAST(${e} AS VARCHAR)`,
    daysBefore: (iso, e) => `((epoch_ms(TIMESTAMP '${iso}') - epoch_ms(CAST(${e} AS TIMESTAMP))) / 86400000.0)`,
    month: (e) => `month(CAST(${e} AS TIMESTAMP))`, weekday: (e) => `dayofweek(CAST(${e} AS TIMESTAMP))`,
  },
  postgres: {
    name: 'postgres', ident: quoteDouble,
    double: (e) => `CAST(${e} AS DOUBLE PRECISION)`, text: (e) => `CAST(${e} AS TEXT)`,
    daysBefore: (iso, e) => `(EXTRACT(EPOCH FROM (TIMESTAMP '${iso}' - CAST(${e} AS TIMESTAMP))) / 86400.0)`,
    month: (e) => `EXTRACT(MONTH FROM CAST(${e} AS TIMESTAMP))`, weekday: (e) => `EXTRACT(DOW FROM CAST(${e} AS TIMESTAMP))`,
  },
  bigquery: {
    name: 'bigquery', ident: quoteBacktick,
    double: (e) => `CAST(${e} AS FLOAT64)`, text: (e) => `CAST(${e} AS STRING)`,
    daysBefore: (iso, e) => `(TIMESTAMP_DIFF(TIMESTAMP '${iso}', CAST(${e} AS TIMESTAMP), MILLISECOND) / 86400000.0)`,
    month: (e) => `EXTRACT(MONTH FROM CAST(${e} AS TIMESTAMP))`, weekday: (e) => `(EXTRACT(DAYOFWEEK FROM CAST(${e} AS TIMESTAMP)) - 1)`,
  },
  snowflake: {
    name: 'snowflake', ident: quoteDouble,
    double: (e) => `CAST(${e} AS DOUBLE)`, text: (e) => `CAST(${e} AS VARCHAR)`,
    daysBefore: (iso, e) => `(DATEDIFF(millisecond, CAST(${e} AS TIMESTAMP), TO_TIMESTAMP('${iso}')) / 86400000.0)`,
    month: (e) => `MONTH(CAST(${e} AS TIMESTAMP))`, weekday: (e) => `DAYOFWEEK(CAST(${e} AS TIMESTAMP))`,
  },
  spark: {
    name: 'spark', ident: quoteBacktick,
    double: (e) => `CAST(${e} AS DOUBLE)`, text: (e) => `CAST(${e} AS STRING)`,
    daysBefore: (iso, e) => `((unix_millis(TIMESTAMP '${iso}') - unix_millis(CAST(${e} AS TIMESTAMP))) / 86400000.0)`,
    month: (e) => `month(CAST(${e} AS TIMESTAMP))`, weekday: (e) => `(dayofweek(CAST(${e} AS TIMESTAMP)) - 1)`,
  },
};

/** A SQL string literal. */
export function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL numeric literal that round-trips the double exactly. */
export function sqlNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as a SQL number`);
  return String(x); // shortest text that reads back as the same double; exponent form is valid SQL too
}
