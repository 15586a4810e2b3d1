/**
 * The target: which rows converted. Accepted as booleans (0/1, yes/no, true/false), as a two-valued
 * column with a named positive value, or as a date column (converted when a date is present, as with
 * `converted_at`). Every way a target can be unusable is a `DataError` with a hint.
 */
import { DataError } from '../errors.ts';
import { closestNames } from './closest-names.ts';
import type { Dataset } from './io/dataset.ts';
import { columnSchema } from './types/schema.ts';
import { columnValues } from './columns.ts';
import { thousands } from '../thousands.ts';

export const MIN_POSITIVES = 10;

export interface Target {
  name: string;
  /** 1 converted, 0 not; 0 also for unlabelled rows, which `unlabelled` lists. */
  y: Uint8Array;
  positives: number;
  negatives: number;
  /** Rows whose target is missing (not usable for training or evaluation). */
  unlabelled: Int32Array;
  /** How the target was read, for reports: e.g. `yes = converted`, `date present = converted`. */
  rule: string;
}

export interface TargetOptions {
  /** For a two-valued text column: the value that means converted. */
  positive?: string;
  /** Minimum positives needed; default 10. */
  minPositives?: number;
}

/**
 * Reads the target column of a dataset.
 *
 * @example
 * const t = resolveTarget(data, 'converted');
 * t.positives; // conversions among labelled rows
 */
export function resolveTarget(data: Dataset, name: string, options: TargetOptions = {}): Target {
  const column = columnSchema(data.schema, name);
  const names = data.schema.columns.map((c) => c.name);
  if (!column) {
    const near = closestNames(name, names);
    throw new DataError('TARGET_MISSING', `target column "${name}" not found`,
      near.length > 0 ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : `the columns are: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}`);
  }
  const values = columnValues(data.table, name) as ArrayLike<unknown>;
  const n = values.length;
  if (n === 0) throw new DataError('CSV_EMPTY', 'the data has no rows: a header alone', 'pass the file with its leads (the export may have been cut off or filtered to nothing)');
  const y = new Uint8Array(n);
  const unlabelled: number[] = [];
  let rule: string;

  if (column.type === 'date' || column.type === 'datetime') {
    for (let i = 0; i < n; i++) y[i] = values[i] === null ? 0 : 1;
    rule = `a date in ${name} = converted`;
  } else if (column.type === 'boolean') {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null) unlabelled.push(i);
      else y[i] = v ? 1 : 0;
    }
    const spelled = column.booleanTokens?.true[0];
    rule = spelled ? `${name} = ${spelled} means converted` : `${name} true = converted`;
  } else {
    const levels = [...new Set(Array.from(values).filter((v) => v !== null).map(String))].sort();
    if (levels.length <= 1 || column.type === 'constant') {
      throw new DataError('TARGET_ONE_CLASS', `target "${name}" has only one class${levels[0] !== undefined ? ` (${levels[0]})` : ''}`,
        'a model needs both converted and non-converted rows; check the filter that produced this file');
    }
    if (levels.length > 2) {
      const shown = levels.slice(0, 10).map((l) => `"${l}"`).join(', ');
      throw new DataError('TARGET_NOT_BINARY', `target "${name}" has ${levels.length} values, not two: ${shown}${levels.length > 10 ? ', …' : ''}`,
        'use a column that says converted or not (0/1, yes/no, true/false) or a conversion date column');
    }
    // A numeric 0/1 target in any formatting (`0.0`/`1.0`, as pandas and spreadsheets write it) means 1 = converted.
    const numeric = column.type === 'numeric';
    const zeroOne = numeric && levels.every((l) => l === '0' || l === '1');
    // --positive names a level as the file writes it; for a numeric column, `1.0` names the value 1.
    const positive = zeroOne && options.positive === undefined ? '1' : numeric && options.positive !== undefined && Number.isFinite(Number(options.positive)) ? String(Number(options.positive)) : options.positive;
    if (positive === undefined || !levels.includes(positive)) {
      const counts = new Map<string, number>();
      for (let i = 0; i < n; i++) if (values[i] !== null) counts.set(String(values[i]), (counts.get(String(values[i])) ?? 0) + 1);
      const listed = levels.map((l) => `"${l}" ${thousands(counts.get(l)!)} rows`).join(', ');
      throw new DataError('TARGET_POSITIVE_UNKNOWN', positive === undefined
        ? `target "${name}" has two values (${listed}) and it is not clear which one means converted`
        : `--positive "${options.positive}" is not a value of target "${name}" (${listed})`,
      `name the value that means converted with --positive, e.g. --positive "${levels[1]}"`);
    }
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null) unlabelled.push(i);
      else y[i] = String(v) === positive ? 1 : 0;
    }
    rule = zeroOne && options.positive === undefined ? `${name} = 1 means converted` : `${name} = ${options.positive ?? positive} means converted`;
  }

  const unlabelledSet = new Set(unlabelled);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i]!;
  const negatives = n - unlabelledSet.size - positives;
  if (positives === 0 || negatives === 0) {
    throw new DataError('TARGET_ONE_CLASS', `target "${name}" has only one class (${positives === 0 ? 'no conversions' : 'every row converted'})`,
      'a model needs both converted and non-converted rows; check the filter that produced this file');
  }
  const min = options.minPositives ?? MIN_POSITIVES;
  if (positives < min) {
    throw new DataError('TOO_FEW_POSITIVES', `target "${name}" has ${positives} conversions; at least ${min} are needed to train and evaluate`,
      'use a longer history or a broader conversion definition (e.g. opportunity created instead of deal won)');
  }
  return { name, y, positives, negatives, unlabelled: Int32Array.from(unlabelled), rule };
}
