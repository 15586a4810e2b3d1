/**
 * Scoring times ("as of"), from a flag: one date for every lead (`2026-01-01`, `2026-01-01T09:00:00Z`),
 * or a date column plus an offset, per lead (`created_at+30d`, `created_at`).
 */
import { ConfigError, DataError } from '../../errors.ts';
import { closestNames } from '../closest-names.ts';
import type { Dataset } from '../io/dataset.ts';
import { DAY_MS, detectDateFormat, parseDate } from '../types/dates.ts';
import { columnSchema } from '../types/schema.ts';
import { columnValues } from '../columns.ts';

/**
 * @example
 * resolveAsOf('2026-01-01', data);        // Date.UTC(2026, 0, 1)
 * resolveAsOf('created_at+30d', data);    // Float64Array, one time per row
 */
export function resolveAsOf(spec: string, data?: Dataset): number | Float64Array {
  const text = spec.trim();
  const format = detectDateFormat([text]);
  if (format && format.order === 'ymd') return parseDate(text, format)!;
  const m = /^([A-Za-z_][\w.]*)\s*(?:([+-])\s*(\d+(?:\.\d+)?)\s*d(?:ays?)?)?$/.exec(text);
  if (!m) {
    throw new ConfigError('BAD_AS_OF', `cannot read the scoring time "${spec}"`,
      'use an ISO date (--as-of 2026-01-01) or a date column with an optional offset in days (--as-of created_at+30d)');
  }
  if (!data) throw new ConfigError('BAD_AS_OF', `"${spec}" names a column, but there is no data to read it from`, 'use an ISO date such as 2026-01-01');
  const name = m[1]!;
  const column = columnSchema(data.schema, name);
  if (!column) {
    const near = closestNames(name, data.schema.columns.map((c) => c.name));
    throw new DataError('COLUMN_MISSING', `--as-of column "${name}" not found`, near.length ? `did you mean ${near.map((x) => `"${x}"`).join(' or ')}?` : 'name a date column of the lead file');
  }
  if (column.type !== 'date' && column.type !== 'datetime') {
    throw new DataError('NOT_A_DATE', `--as-of column "${name}" is ${column.type}, not a date`, 'name a date column such as created_at');
  }
  const offset = m[3] ? (m[2] === '-' ? -1 : 1) * Number(m[3]) * DAY_MS : 0;
  const values = columnValues(data.table, name) as ArrayLike<number | null>;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      throw new DataError('AS_OF_MISSING', `row ${i + 1} has no ${name}, so it has no scoring time`, `fill ${name} for every row, or use one date for all (--as-of 2026-01-01)`);
    }
    out[i] = v + offset;
  }
  return out;
}
