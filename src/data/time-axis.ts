/**
 * The time a split or a backtest orders leads by: a date column, a numeric column that orders the rows (a
 * running lead number, even where schema inference calls it an id), or `@row` (the file's row order, for
 * exports written in time order without a date).
 */
import { DataError } from '../errors.ts';
import { closestNames } from './closest-names.ts';
import type { Dataset } from './io/dataset.ts';
import { columnSchema } from './types/schema.ts';
import { columnValues } from './columns.ts';

/**
 * `--date @row`: the row order is the time (files exported in time order without a date).
 *
 * @example
 * await backtest({ data: { path: 'leads.csv' }, target: 'converted', date: ROW_ORDER, period: '1000' });
 */
export const ROW_ORDER = '@row';

export interface TimeAxis {
  times: Float64Array;
  kind: 'date' | 'ordinal';
}

/**
 * The --date column as numbers: epoch ms for dates, values for a numeric column (or a running number
 * inferred as an id), the row number for `@row`. A row without a time is an error, or with `allowMissing`
 * NaN (`train`'s time split sets such rows aside).
 *
 * @example
 * timeAxis(data, '@row').times; // 1, 2, 3, …
 */
export function timeAxis(data: Dataset, name: string, options: { allowMissing?: boolean } = {}): TimeAxis {
  const n = data.table.numRows();
  if (name === ROW_ORDER) return { times: Float64Array.from({ length: n }, (_, i) => i + 1), kind: 'ordinal' }; // row numbers, 1-based
  const column = columnSchema(data.schema, name);
  if (!column) {
    const near = closestNames(name, data.schema.columns.map((c) => c.name));
    throw new DataError('COLUMN_MISSING', `--date column "${name}" not found`, near.length ? `did you mean ${near.map((x) => `"${x}"`).join(' or ')}? (or --date ${ROW_ORDER} when the rows are in time order)` : `name the lead creation date, or --date ${ROW_ORDER} when the rows are in time order`);
  }
  const values = columnValues(data.table, name) as ArrayLike<unknown>;
  // A running number inferred as an id (Cust_num 1, 2, 3, …) is an ordinal time too.
  const numberedId = column.type === 'id' && Array.prototype.every.call(values, (v: unknown) => v === null || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)));
  if (column.type !== 'date' && column.type !== 'datetime' && column.type !== 'numeric' && !numberedId) {
    throw new DataError('NOT_A_DATE', `--date column "${name}" is ${column.type}, not a date or a number`, `name the lead creation date, or --date ${ROW_ORDER} when the rows are in time order`);
  }
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = numberedId && typeof values[i] === 'string' ? Number(values[i]) : values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      if (options.allowMissing) {
        times[i] = Number.NaN;
        continue;
      }
      throw new DataError('DATE_MISSING', `row ${i + 1} has no ${name}, so it belongs to no period`, `fill ${name} for every lead, or drop the rows without it`);
    }
    times[i] = v;
  }
  return { times, kind: column.type === 'date' || column.type === 'datetime' ? 'date' : 'ordinal' };
}
