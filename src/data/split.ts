/**
 * Train/test splits, all seeded and all returning sorted row indices:
 * - stratified: each class split in the same proportion;
 * - time: every training row strictly earlier than every test row;
 * - group: every group (an account) on one side only.
 */
import { ConfigError, DataError } from '../errors.ts';
import type { Rng } from '../random.ts';
import type { SplitIndices, SplitKind } from '../types.ts';
import { closestNames } from './closest-names.ts';
import { ROW_ORDER, timeAxis } from './time-axis.ts';
import type { Dataset } from './io/dataset.ts';
import { columnSchema } from './types/schema.ts';
import { columnValues } from './columns.ts';

export interface SplitResult extends SplitIndices {
  kind: SplitKind;
  /** Rows left out: unlabelled, or without a date / group where the split needs one. */
  excluded: number;
  /** For a time split: the first test time (epoch ms or row-order value). */
  cutoff?: number;
}

function checkTestSize(testSize: number): void {
  if (!(testSize > 0 && testSize < 1)) {
    throw new ConfigError('BAD_TEST_SIZE', `test size must be between 0 and 1, got ${testSize}`, 'use e.g. --test-size 0.2');
  }
}

function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

const sorted = (rows: number[]): Int32Array => Int32Array.from(rows).sort();

/**
 * Stratified random split: within each class, a seeded shuffle puts `round(testSize × count)` rows in test.
 *
 * @example
 * const { train, test } = stratifiedSplit(y, { testSize: 0.2, rng: createRng(42).fork('split') });
 */
export function stratifiedSplit(y: ArrayLike<number>, options: { testSize: number; rng: Rng; rows?: Int32Array }): SplitIndices {
  checkTestSize(options.testSize);
  const rows = options.rows ?? allRows(y.length);
  const train: number[] = [];
  const test: number[] = [];
  for (const cls of [0, 1]) {
    const members = Array.from(rows).filter((r) => y[r] === cls);
    const order = options.rng.permutation(members.length);
    const nTest = Math.round(options.testSize * members.length);
    order.forEach((k, i) => (i < nTest ? test : train).push(members[k]!));
  }
  return { train: sorted(train), test: sorted(test) };
}

/**
 * Time split: the latest `testSize` share of rows (by `times`) is test; train is strictly earlier.
 * Rows at the cut-off time all go to test, so no training row shares a time with a test row.
 *
 * @example
 * timeSplit(createdAt, { testSize: 0.2 }); // train: before the cut-off date, test: from it on
 */
export function timeSplit(times: ArrayLike<number | null>, options: { testSize: number; rows?: Int32Array }): SplitIndices & { cutoff: number } {
  checkTestSize(options.testSize);
  const rows = Array.from(options.rows ?? allRows(times.length)).filter((r) => times[r] !== null && Number.isFinite(times[r]));
  const ordered = rows.map((r) => times[r] as number).sort((a, b) => a - b);
  if (ordered.length < 2 || ordered[0] === ordered[ordered.length - 1]) {
    throw new DataError('TIME_SPLIT_IMPOSSIBLE', 'every row has the same time, so there is no earlier part to train on',
      'use --split stratified, or a date column that varies');
  }
  let cutoff = ordered[Math.min(ordered.length - 1, Math.floor((1 - options.testSize) * ordered.length))]!;
  if (cutoff === ordered[0]) cutoff = ordered.find((t) => t > ordered[0]!)!;
  const train: number[] = [];
  const test: number[] = [];
  for (const r of rows) ((times[r] as number) < cutoff ? train : test).push(r);
  return { train: sorted(train), test: sorted(test), cutoff };
}

/**
 * Group split: groups are shuffled (seeded) and whole groups go to test until it holds `testSize` of the
 * rows, so no group has rows on both sides. A row with no group is a group of its own.
 *
 * @example
 * groupSplit(accountIds, { testSize: 0.2, rng }); // no account on both sides
 */
export function groupSplit(groups: ArrayLike<string | number | null>, options: { testSize: number; rng: Rng; rows?: Int32Array }): SplitIndices {
  checkTestSize(options.testSize);
  const rows = options.rows ?? allRows(groups.length);
  const members = new Map<string, number[]>();
  for (const r of rows) {
    const g = groups[r];
    const key = g === null || g === undefined ? `\u0000row:${r}` : `v:${String(g)}`;
    let list = members.get(key);
    if (!list) members.set(key, (list = []));
    list.push(r);
  }
  const keys = [...members.keys()];
  if (keys.length < 2) {
    throw new DataError('GROUP_SPLIT_IMPOSSIBLE', 'every row belongs to one group, so no group is left for the other side',
      'name a group column with several values, or use --split stratified');
  }
  options.rng.shuffle(keys);
  const want = options.testSize * rows.length;
  const train: number[] = [];
  const test: number[] = [];
  for (const key of keys) {
    const list = members.get(key)!;
    (test.length < want ? test : train).push(...list);
  }
  // One group larger than the test share can leave train empty: give that first group back to train.
  if (train.length === 0) train.push(...test.splice(0, members.get(keys[0]!)!.length));
  return { train: sorted(train), test: sorted(test) };
}

export interface SplitOptions {
  kind: SplitKind;
  testSize: number;
  rng: Rng;
  /** Date (or row-order) column for a time split. */
  date?: string;
  /** Group column for a group split. */
  group?: string;
  /** Rows that may be split (e.g. labelled rows); default all. */
  rows?: Int32Array;
}

/**
 * Splits a dataset by the named strategy, checking the columns it needs.
 *
 * @example
 * splitDataset(data, target.y, { kind: 'time', date: 'created_at', testSize: 0.2, rng });
 */
export function splitDataset(data: Dataset, y: Uint8Array, options: SplitOptions): SplitResult {
  const rows = options.rows ?? allRows(data.table.numRows());
  const names = data.schema.columns.map((c) => c.name);
  const need = (flag: string, column: string | undefined): string => {
    if (!column) throw new ConfigError('SPLIT_NEEDS_COLUMN', `--split ${options.kind} needs ${flag}`, `add ${flag} <column>`);
    if (!columnSchema(data.schema, column)) {
      const near = closestNames(column, names);
      throw new DataError('COLUMN_MISSING', `column "${column}" not found`, near.length ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : `check ${flag}`);
    }
    return column;
  };
  switch (options.kind) {
    case 'stratified':
      return { kind: 'stratified', excluded: data.table.numRows() - rows.length, ...stratifiedSplit(y, { ...options, rows }) };
    case 'time': {
      // The same times `backtest` accepts: a date, a numeric (or running-number) column, or @row.
      const axis = timeAxis(data, options.date === ROW_ORDER ? ROW_ORDER : need('--date', options.date), { allowMissing: true });
      const split = timeSplit(axis.times, { testSize: options.testSize, rows });
      return { kind: 'time', excluded: data.table.numRows() - split.train.length - split.test.length, ...split };
    }
    case 'group': {
      const column = need('--group', options.group);
      const split = groupSplit(columnValues(data.table, column) as ArrayLike<string | number | null>, { ...options, rows });
      return { kind: 'group', excluded: data.table.numRows() - rows.length, ...split };
    }
    default:
      throw new ConfigError('BAD_SPLIT', `unknown split "${String(options.kind)}"`, 'use --split stratified, time or group');
  }
}
