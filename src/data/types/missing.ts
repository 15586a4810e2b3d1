/**
 * Missing-value tokens. A cell is missing when it is null, NaN, or text that (trimmed) equals one of the
 * tokens. Defaults: empty, NA, N/A, null, NaN (with their common spellings), infinities as programs write
 * them (`Infinity`, `inf`: a ratio divided by zero has no value), and the error values a spreadsheet leaves
 * in an export (`#N/A`, `#DIV/0!`, `#VALUE!`); users add their own (`--na Select` for web forms whose
 * placeholder was exported as a value).
 */
import type { RawValue } from '../../types.ts';

/**
 * The tokens read as missing unless `--na` adds more.
 *
 * @example
 * DEFAULT_NA_TOKENS.includes('N/A'); // true
 */
export const DEFAULT_NA_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'n/a', 'na', 'null', 'NULL', 'Null', 'NaN', 'nan',
  'Infinity', '-Infinity', 'inf', '-inf', '#N/A', '#DIV/0!', '#VALUE!'];

/**
 * The token set for a run: defaults plus user tokens (a comma-separated string or a list).
 *
 * @example
 * naTokenSet('-,unknown').has('unknown'); // true, beside the defaults
 */
export function naTokenSet(extra: string | readonly string[] = []): Set<string> {
  const more = typeof extra === 'string' ? extra.split(',').map((t) => t.trim()).filter((t) => t !== '') : extra;
  return new Set([...DEFAULT_NA_TOKENS, ...more]);
}

let lastTokens: ReadonlySet<string> | null = null;
let longestToken = 0;

/**
 * True when a raw cell counts as missing.
 *
 * @example
 * isMissing('N/A', naTokenSet()); // true
 * isMissing('0', naTokenSet()); // false
 */
export function isMissing(value: RawValue | undefined, tokens: ReadonlySet<string>): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') {
    // Most cells are longer than every token and start and end with a printable ASCII character (so
    // trimming cannot shorten them): not missing, without trimming or hashing (this runs on every cell).
    if (tokens !== lastTokens) {
      lastTokens = tokens;
      longestToken = Math.max(0, ...[...tokens].map((t) => t.length));
    }
    const n = value.length;
    if (n > longestToken) {
      const first = value.charCodeAt(0);
      const last = value.charCodeAt(n - 1);
      if (first > 32 && first < 127 && last > 32 && last < 127) return false;
    }
    return tokens.has(value.trim());
  }
  if (typeof value === 'number') return Number.isNaN(value);
  if (value instanceof Date) return Number.isNaN(value.getTime());
  return false;
}
