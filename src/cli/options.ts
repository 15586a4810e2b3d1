/** Flag parsers shared by several commands. */
import { InvalidArgumentError } from 'commander';
import type { Source } from '../data/io/read.ts';
import { ConfigError } from '../errors.ts';

const DELIMITER_NAMES: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|' };

export function parseDelimiter(value: string): string {
  const d = DELIMITER_NAMES[value.toLowerCase()] ?? value;
  if (d.length !== 1) throw new InvalidArgumentError('use one character, or tab, comma, semicolon, pipe');
  return d;
}

export function parseInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number');
  return n;
}

export function parsePositiveInteger(value: string): number {
  const n = parseInteger(value);
  if (n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/** A count where 0 means none (`--reasons 0`); a negative number is refused. */
export function parseCount(value: string): number {
  const n = parseInteger(value);
  if (n < 0) throw new InvalidArgumentError('expected a whole number of at least 0 (0 for none)');
  return n;
}

/** A comma-separated list flag (`--exclude a, b,`): its entries trimmed, empty ones dropped. */
export function parseList(value: string): string[] {
  return value.split(',').map((entry) => entry.trim()).filter(Boolean);
}

/**
 * The flags among `values` that were given (undefined, null and '' left out), to spread into a library
 * call: `...given({ id: flags.id, asOf: flags.asOf })`.
 */
export function given<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined | null> } {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== '')) as { [K in keyof T]?: Exclude<T[K], undefined | null> };
}

/** A repeatable flag's values, in the order given (`--param a=1 --param b=2`). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function parseShare(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
}

export function parseDateOrder(value: string): 'dmy' | 'mdy' {
  if (value !== 'dmy' && value !== 'mdy') throw new InvalidArgumentError('use dmy (day first) or mdy (month first)');
  return value;
}

/** A file argument or `--sql`, exactly one of them. */
export function sourceOf(file: string | undefined, sql: string | undefined, what = 'a file'): Source {
  if (file && sql) throw new ConfigError('SOURCE_TWICE', 'give either a file or --sql, not both', 'drop one of them');
  if (sql) return { sql };
  if (file) return { path: file };
  throw new ConfigError('SOURCE_MISSING', `no input: name ${what} or pass --sql "select ..."`, 'e.g. leadscore inspect data/sample/leads.csv');
}
