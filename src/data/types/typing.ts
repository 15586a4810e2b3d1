/**
 * Typing raw cells by their column's schema: numbers and dates as numbers (dates in epoch ms), booleans as
 * true/false, the rest as trimmed text; missing as null. The one definition every reader types by.
 */
import type { RawValue } from '../../types.ts';
import { parseDate } from './dates.ts';
import { isMissing } from './missing.ts';
import { booleanValue } from './reading.ts';
import { type ColumnSchema, toNumber } from './schema.ts';

/**
 * Converts one raw column by its schema.
 *
 * @example
 * typeColumn(['3', '', '4.5'], numericColumn, new Set()); // [3, null, 4.5]
 */
export function typeColumn(values: readonly RawValue[], column: ColumnSchema, tokens: ReadonlySet<string>): unknown[] {
  const out: unknown[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = isMissing(v, tokens) ? null : typeValue(v, column);
  }
  return out;
}

function typeValue(v: RawValue, column: ColumnSchema): unknown {
  switch (column.type) {
    case 'numeric':
      return toNumber(v, column.decimalComma);
    case 'boolean':
      // A value that is neither spelling is null here (and a wrong value to the scorer), never "yes".
      return booleanValue(v, column.booleanTokens);
    case 'date':
    case 'datetime':
      if (v instanceof Date) return v.getTime();
      return parseDate(String(v), column.dateFormat ?? { order: 'ymd' });
    default:
      if (v instanceof Date) return v.toISOString();
      return typeof v === 'string' ? v.trim() : String(v);
  }
}
