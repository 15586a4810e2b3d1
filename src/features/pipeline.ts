/**
 * The feature pipeline: fitted on training rows only, then applied to any rows, serialisable as JSON.
 * - numeric: median imputation with a missing indicator where training rows had missing values, log1p for
 *   heavy-tailed non-negative counts (chosen on train), standardisation; constant columns dropped with a note;
 * - categorical: one-hot; levels rarer than `minFrequency` in training pooled into `__other__`; missing as
 *   its own level; a level never seen in training goes to `__other__` when that exists (else all zeros)
 *   and is counted per column;
 * - boolean: 0/1, missing imputed with the training mode plus an indicator;
 * - date: age in days relative to the scoring time, month and weekday (one-hot).
 * The output is a design matrix by columns (features/design.ts) with, for every encoded feature, the original column it
 * came from (for coefficient tables and per-column reasons).
 */
import type { Dataset } from '../data/io/dataset.ts';
import { DAY_MS } from '../data/types/dates.ts';
import { columnSchema } from '../data/types/schema.ts';
import { DataError } from '../errors.ts';
import { allRows, columnValues, numbersAt, presentNumbers } from '../data/columns.ts';
import { type Design, type DesignColumn, designColumn, oneHotColumns } from './design.ts';

export interface NumericStats {
  median: number;
  indicator: boolean;
  log1p: boolean;
  mean: number;
  sd: number;
  /** Up to 20 training-quantile bins: lower edges (the first is −∞ as null) and the mean value in each. */
  bins: { lower: Array<number | null>; mean: number[] };
}

export type FeatureSpec =
  | ({ kind: 'numeric'; column: string } & NumericStats)
  | { kind: 'boolean'; column: string; mode: 0 | 1; indicator: boolean }
  | { kind: 'categorical'; column: string; levels: string[]; other: boolean; missing: boolean; pooled: string[] }
  | { kind: 'date'; column: string; reference: number; /** The earliest training date (the range scoring checks leads against). */ earliest: number;
      age: NumericStats; months: number[]; weekdays: number[] };

export interface FeatureOptions {
  /** Columns never used. */
  exclude?: string[];
  /** Categorical levels with fewer training rows are pooled into `__other__`. Default 10. */
  minFrequency?: number;
  /** log1p for heavy-tailed counts: `auto` (default) decides on train; false never. */
  log1p?: 'auto' | false;
}

/** A block of encoded features: one value column, or a one-hot block given by each row's level (−1: none). */
export type EncodedPart =
  | { kind: 'value'; offset: number; values: Float64Array }
  | { kind: 'oneHot'; offset: number; width: number; index: Int32Array };

export interface EncodedParts {
  parts: EncodedPart[];
  n: number;
  p: number;
  names: string[];
  groups: string[];
  unseen: Record<string, number>;
}

export interface EncodedDesign extends Design {
  /** Original column of each encoded feature. */
  groups: string[];
  /** Categorical values never seen in training, per column. */
  unseen: Record<string, number>;
}

export const OTHER = '__other__';
export const MISSING = '__missing__';

/**
 * Median, log1p choice, mean and sd of a training column: the scaler's statistics include the imputed rows,
 * as scikit-learn's SimpleImputer → StandardScaler gives. Null when the column is constant on train.
 */
function numericStats(values: ArrayLike<number> & Iterable<number>, missing: number, options: FeatureOptions): NumericStats | null {
  const sorted = Float64Array.from(values).sort();
  const k = sorted.length;
  const median = k === 0 ? 0 : k % 2 ? sorted[(k - 1) / 2]! : (sorted[k / 2 - 1]! + sorted[k / 2]!) / 2;
  let log1p = false;
  if (options.log1p !== false && k > 0 && sorted[0]! >= 0 && allIntegers(values)) {
    let m = 0;
    for (const v of values) m += v;
    m /= k;
    let ss = 0;
    for (const v of values) ss += (v - m) ** 2;
    const sd = Math.sqrt(ss / k);
    let cubes = 0;
    if (sd !== 0) for (const v of values) cubes += ((v - m) / sd) ** 3;
    const skew = sd === 0 ? 0 : cubes / k;
    log1p = skew > 3;
  }
  const f = (v: number) => (log1p ? Math.log1p(v) : v);
  const fill = f(median);
  const total = k + missing;
  let sum = missing * fill;
  for (const v of values) sum += f(v);
  const mean = sum / Math.max(1, total);
  let ss = missing * (fill - mean) ** 2;
  for (const v of values) ss += (f(v) - mean) ** 2;
  const sd = Math.sqrt(ss / Math.max(1, total));
  if (!(sd > 1e-12)) return null;
  return { median, indicator: missing > 0, log1p, mean, sd, bins: quantileBins(sorted, 20) };
}

function allIntegers(values: Iterable<number>): boolean {
  for (const v of values) if (!Number.isInteger(v)) return false;
  return true;
}

/** Bins at training quantiles (distinct edges only) or one per value, each with the mean of the values in it. */
function quantileBins(sorted: Float64Array, count: number): NumericStats['bins'] {
  // Few distinct values (counts such as 0, 1, 2): one bin per value; otherwise quantile edges.
  const distinct: number[] = [];
  for (const v of sorted) if (distinct.length === 0 || v !== distinct[distinct.length - 1]) distinct.push(v);
  const edges = distinct.length <= count ? distinct.slice(1)
    : [...new Set(Array.from({ length: count - 1 }, (_, k) => sorted[Math.floor(((k + 1) / count) * sorted.length)]!))].filter((e) => e > sorted[0]!);
  const lower: Array<number | null> = [null, ...edges];
  const sums = new Float64Array(lower.length);
  const counts = new Float64Array(lower.length);
  let b = 0;
  for (const v of sorted) {
    while (b + 1 < lower.length && v >= (lower[b + 1] as number)) b++;
    sums[b]! += v;
    counts[b]!++;
  }
  return { lower, mean: Array.from(sums, (s, k) => (counts[k] ? s / counts[k]! : (lower[k] ?? sorted[0]!))) };
}

function scaled(v: number | null, s: NumericStats): number {
  const x = v === null || Number.isNaN(v) ? s.median : v;
  // The same arithmetic written out in each branch: `(s.log1p ? Math.log1p(…) : x) - s.mean` joined a double
  // with a value read from an array, and V8 boxed every result (16 MB and twice the time a million values).
  return s.log1p ? (Math.log1p(Math.max(x, 0)) - s.mean) / s.sd : (x - s.mean) / s.sd;
}

const monthOf = (t: number) => new Date(t).getUTCMonth() + 1;
const weekdayOf = (t: number) => new Date(t).getUTCDay();

/** How many encoded features a spec gives (as `featureNames` lists them). */
function specWidth(s: FeatureSpec): number {
  switch (s.kind) {
    case 'numeric':
    case 'boolean':
      return 1 + (s.indicator ? 1 : 0);
    case 'categorical':
      return s.levels.length + (s.other ? 1 : 0) + (s.missing ? 1 : 0);
    case 'date':
      return 1 + (s.age.indicator ? 1 : 0) + s.months.length + s.weekdays.length;
  }
}

/**
 * One spec's encoded parts for `rows` of its column's typed values, starting at feature `offset`: value
 * columns and one-hot blocks in feature order. `asOf` is the scoring time for date ages (one for all rows
 * or one per row of `values`). Unseen categories are counted, and marked per row in `unseenAt` if given.
 */
function encodeSpec(s: FeatureSpec, values: ArrayLike<unknown>, rows: Int32Array, asOf: number | ArrayLike<number> | undefined, offset: number, unseenAt?: Uint8Array):
  { parts: EncodedPart[]; next: number; unseen: number } {
  const n = rows.length;
  const parts: EncodedPart[] = [];
  let j = offset;
  let unseen = 0;
  const value = (fill: (out: Float64Array) => void) => {
    const out = new Float64Array(n);
    fill(out);
    parts.push({ kind: 'value', offset: j++, values: out });
  };
  const oneHot = (width: number, fill: (index: Int32Array) => void) => {
    const index = new Int32Array(n).fill(-1);
    fill(index);
    parts.push({ kind: 'oneHot', offset: j, width, index });
    j += width;
  };
  const missingIndicator = () => value((ind) => {
    for (let i = 0; i < n; i++) {
      const v = values[rows[i]!];
      ind[i] = v === null || v === undefined ? 1 : 0;
    }
  });
  switch (s.kind) {
    case 'numeric':
      value((x) => {
        for (let i = 0; i < n; i++) x[i] = scaled(values[rows[i]!] as number | null, s);
      });
      if (s.indicator) missingIndicator();
      break;
    case 'boolean':
      value((x) => rows.forEach((r, i) => {
        const v = values[r];
        x[i] = v === null || v === undefined ? s.mode : v ? 1 : 0;
      }));
      if (s.indicator) missingIndicator();
      break;
    case 'categorical': {
      const levelIndex = new Map(s.levels.map((l, k) => [l, k]));
      const pooled = new Set(s.pooled);
      const otherAt = s.other ? s.levels.length : -1;
      const missingAt = s.missing ? s.levels.length + (s.other ? 1 : 0) : -1;
      oneHot(s.levels.length + (s.other ? 1 : 0) + (s.missing ? 1 : 0), (index) => rows.forEach((r, i) => {
        const v = values[r];
        if (v === null || v === undefined) index[i] = missingAt;
        else {
          const level = String(v);
          const k = levelIndex.get(level) ?? otherAt;
          if (k === otherAt && !pooled.has(level)) {
            unseen++;
            if (unseenAt) unseenAt[i] = 1;
          }
          index[i] = k;
        }
      }));
      break;
    }
    case 'date': {
      value((age) => rows.forEach((r, i) => {
        const t = values[r] as number | null;
        const ref = asOf === undefined ? s.reference : typeof asOf === 'number' ? asOf : asOf[r]!;
        age[i] = scaled(t === null || t === undefined ? null : (ref - t) / DAY_MS, s.age);
      }));
      if (s.age.indicator) missingIndicator();
      const monthIndex = new Map(s.months.map((m, k) => [m, k]));
      const dayIndex = new Map(s.weekdays.map((d, k) => [d, k]));
      const at = (lookup: Map<number, number>, of: (t: number) => number) => (index: Int32Array) => rows.forEach((r, i) => {
        const t = values[r] as number | null;
        if (t !== null && t !== undefined) index[i] = lookup.get(of(t)) ?? -1;
      });
      if (s.months.length) oneHot(s.months.length, at(monthIndex, monthOf));
      if (s.weekdays.length) oneHot(s.weekdays.length, at(dayIndex, weekdayOf));
      break;
    }
  }
  return { parts, next: j, unseen };
}

/**
 * @example
 * const pipeline = FeaturePipeline.fit(data, split.train, { exclude: ['converted_at'] });
 * const train = pipeline.transform(data, { rows: split.train });
 * const test = pipeline.transform(data, { rows: split.test });
 */
export class FeaturePipeline {
  private constructor(readonly specs: FeatureSpec[], readonly notes: string[], readonly minFrequency: number) {}

  static fit(data: Dataset, rows: Int32Array, options: FeatureOptions = {}): FeaturePipeline {
    const exclude = new Set(options.exclude ?? []);
    const minFrequency = options.minFrequency ?? 10;
    const specs: FeatureSpec[] = [];
    const notes: string[] = [];
    for (const column of data.schema.columns) {
      if (!column.feature || exclude.has(column.name)) continue;
      const values = columnValues(data.table, column.name) as ArrayLike<unknown>;
      if (column.type === 'numeric') {
        // Typed, without a JavaScript value per row: the training rows' numbers, NaN (missing) left out.
        const numbers = numbersAt(values, rows);
        const present = presentNumbers(numbers);
        const stats = numericStats(present, numbers.length - present.length, options);
        if (stats) specs.push({ kind: 'numeric', column: column.name, ...stats });
        else notes.push(`${column.name}: constant on the training rows, dropped`);
        continue;
      }
      const present: unknown[] = [];
      for (let k = 0; k < rows.length; k++) {
        const v = values[rows[k]!];
        if (v !== null && v !== undefined) present.push(v);
      }
      const missing = rows.length - present.length;
      switch (column.type) {
        case 'boolean': {
          const ones = present.filter((v) => v === true).length;
          if (ones === 0 || ones === present.length) {
            notes.push(`${column.name}: one value on the training rows, dropped`);
            break;
          }
          specs.push({ kind: 'boolean', column: column.name, mode: ones * 2 >= present.length ? 1 : 0, indicator: missing > 0 });
          break;
        }
        case 'categorical': {
          const counts = new Map<string, number>();
          for (const v of present) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
          const levels = [...counts.entries()].filter(([, c]) => c >= minFrequency).map(([l]) => l).sort();
          const other = levels.length < counts.size;
          if (levels.length + (other ? 1 : 0) + (missing > 0 ? 1 : 0) < 2) {
            notes.push(`${column.name}: fewer than two levels with ${minFrequency}+ training rows, dropped`);
            break;
          }
          if (other) notes.push(`${column.name}: ${counts.size - levels.length} rare levels (< ${minFrequency} rows) pooled into ${OTHER}`);
          const pooled = [...counts.keys()].filter((l) => !levels.includes(l)).sort();
          specs.push({ kind: 'categorical', column: column.name, levels, other, missing: missing > 0, pooled });
          break;
        }
        case 'date':
        case 'datetime': {
          const times = present as number[];
          const reference = times.reduce((m, t) => Math.max(m, t), -Infinity);
          const earliest = times.reduce((m, t) => Math.min(m, t), Infinity);
          const ages = times.map((t) => (reference - t) / DAY_MS);
          const age = numericStats(ages, missing, { log1p: false });
          const months = [...new Set(times.map(monthOf))].sort((a, b) => a - b);
          const weekdays = [...new Set(times.map(weekdayOf))].sort((a, b) => a - b);
          if (!age) {
            notes.push(`${column.name}: one date on the training rows, dropped`);
            break;
          }
          specs.push({ kind: 'date', column: column.name, reference, earliest, age, months: months.length > 1 ? months : [], weekdays: weekdays.length > 1 ? weekdays : [] });
          break;
        }
        default:
          break;
      }
    }
    if (specs.length === 0) {
      throw new DataError('NO_FEATURES', 'no usable feature columns on the training rows', 'check `leadscore inspect` on the file: ids, free text and constant columns are excluded');
    }
    return new FeaturePipeline(specs, notes, minFrequency);
  }

  /** Encoded feature names, in design-matrix order, with their original columns. */
  featureNames(): { names: string[]; groups: string[] } {
    const names: string[] = [];
    const groups: string[] = [];
    const add = (name: string, group: string) => {
      names.push(name);
      groups.push(group);
    };
    for (const s of this.specs) {
      switch (s.kind) {
        case 'numeric':
          add(s.column, s.column);
          if (s.indicator) add(`${s.column}${MISSING}`, s.column);
          break;
        case 'boolean':
          add(s.column, s.column);
          if (s.indicator) add(`${s.column}${MISSING}`, s.column);
          break;
        case 'categorical':
          for (const l of s.levels) add(`${s.column}=${l}`, s.column);
          if (s.other) add(`${s.column}=${OTHER}`, s.column);
          if (s.missing) add(`${s.column}=${MISSING}`, s.column);
          break;
        case 'date':
          add(`${s.column}__age_days`, s.column);
          if (s.age.indicator) add(`${s.column}__age_days${MISSING}`, s.column);
          for (const m of s.months) add(`${s.column}__month=${m}`, s.column);
          for (const d of s.weekdays) add(`${s.column}__weekday=${d}`, s.column);
          break;
      }
    }
    return { names, groups };
  }

  /**
   * Encodes rows (default all) without building the matrix: each spec's features as value columns (numbers,
   * missing indicators, date ages) and one-hot blocks as the index of the row's level (−1 for none), in
   * feature order. `transform` lays these out as a dense matrix; a linear model can score them directly
   * (`linearScores`), which for one-hot columns costs one lookup a row instead of a column of zeros a level.
   */
  encode(data: Dataset, options: { rows?: Int32Array; asOf?: number | ArrayLike<number> } = {}): EncodedParts {
    const rows = options.rows ?? allRows(data.table.numRows());
    const { names, groups } = this.featureNames();
    const parts: EncodedPart[] = [];
    const unseen: Record<string, number> = {};
    let offset = 0;
    for (const s of this.specs) {
      if (!columnSchema(data.schema, s.column)) {
        throw new DataError('FEATURE_MISSING', `column "${s.column}" that the model was trained on is missing`, 'score a file with the same columns as the training data');
      }
      const encoded = encodeSpec(s, columnValues(data.table, s.column) as ArrayLike<unknown>, rows, options.asOf, offset);
      parts.push(...encoded.parts);
      offset = encoded.next;
      if (encoded.unseen > 0) unseen[s.column] = encoded.unseen;
    }
    return { parts, n: rows.length, p: names.length, names, groups, unseen };
  }

  /**
   * One spec's parts for a list of its column's typed values (each value a row; `asOf` one scoring time
   * or one per value), with the offsets they have in the full design, and which values are categories
   * never seen in training. The streaming
   * scorer encodes each distinct cell of a column once this way (the same code as `encode`, so the same
   * numbers).
   */
  encodeValues(spec: number, values: ArrayLike<unknown>, asOf?: number | ArrayLike<number>): { parts: EncodedPart[]; unseen: Uint8Array } {
    let offset = 0;
    for (let k = 0; k < spec; k++) offset += specWidth(this.specs[k]!);
    const unseenAt = new Uint8Array(values.length);
    const rows = allRows(values.length);
    return { parts: encodeSpec(this.specs[spec]!, values, rows, asOf, offset, unseenAt).parts, unseen: unseenAt };
  }

  /**
   * Encodes rows (default all) into a design matrix by columns: value columns as they are (0/1 columns that
   * are mostly zeros as their rows of ones), each one-hot level as the rows in that level. `asOf` is the
   * scoring time for date ages (one for all rows or one per row of the dataset); without it, ages count
   * from the latest training date.
   */
  transform(data: Dataset, options: { rows?: Int32Array; asOf?: number | ArrayLike<number> } = {}): EncodedDesign {
    const { parts, n, p, names, groups, unseen } = this.encode(data, options);
    const columns = new Array<DesignColumn>(p);
    for (const part of parts) {
      if (part.kind === 'value') columns[part.offset] = designColumn(part.values);
      else oneHotColumns(part.index, part.width).forEach((column, l) => (columns[part.offset + l] = column));
    }
    return { columns, n, p, names, groups, unseen };
  }

  toJSON(): { formatVersion: 1; minFrequency: number; specs: FeatureSpec[]; notes: string[] } {
    return { formatVersion: 1, minFrequency: this.minFrequency, specs: structuredClone(this.specs), notes: [...this.notes] };
  }

  static fromJSON(json: { formatVersion: number; minFrequency: number; specs: FeatureSpec[]; notes: string[] }): FeaturePipeline {
    if (json.formatVersion !== 1) throw new RangeError(`feature pipeline format ${json.formatVersion} is not supported`);
    return new FeaturePipeline(structuredClone(json.specs), [...json.notes], json.minFrequency);
  }
}
