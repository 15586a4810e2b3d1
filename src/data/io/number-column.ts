/**
 * A numeric column gathered as it streams, the part the typed readers share: the CSV reader's columns its
 * sample calls numeric (columnar.ts) and a query's numeric columns (query-columnar.ts). Values go into a
 * `Float64Array` (NaN where missing) with the facts the reference inference reads, gathered over every row:
 * missing count, range, whether all are integers, and each value's text counted exactly until the column has
 * shown `DISTINCT_CAP` different texts; past that, `distinct` counts distinct numbers (`distinctNumbers`),
 * `examples` are the most frequent in the rows counted until then (over every row where each number has one
 * text, `countNumbers`), and only the sentinel texts are still counted (their warning needs their share of
 * every row).
 */
import { countNumbers, distinctNumbers } from '../types/distinct.ts';
import { presentNumbers } from '../columns.ts';
import { type ColumnSchema, fewIntegersWarning, leakWarning, numericSchema, schemaBase, SENTINEL_TEXTS } from '../types/schema.ts';

/** Distinct texts counted exactly per numeric column. */
export const DISTINCT_CAP = 5_000;

/** A numeric schema's `distinct` left for its caller to count (`NumberColumn.baseFacts`). */
export const UNCOUNTED = -1;

/**
 * A schema whose `distinct` was left `UNCOUNTED`, made whole: the distinct numbers among `present` counted
 * (`distinctNumbers`, as `baseFacts` counts them), and the few-integers warning `numericSchema` would then
 * have added last.
 */
export function countedDistinct(schema: ColumnSchema, present: ArrayLike<number>, integers: boolean): ColumnSchema {
  const distinct = distinctNumbers(present);
  const few = fewIntegersWarning(schema.name, distinct, integers);
  return { ...schema, distinct, warnings: few ? [...schema.warnings, few] : schema.warnings };
}

/** The texts the sentinel warning looks for, counted even past the cap. */
const SENTINELS = new Set(SENTINEL_TEXTS);

export class NumberColumn {
  protected values = new Float64Array(1 << 16);
  protected missing = 0;
  protected min = Infinity;
  protected max = -Infinity;
  protected integers = true;
  protected readonly counts = new Map<string, number>();
  /** Whether the column has shown more than `DISTINCT_CAP` different texts (and `counts` stopped growing). */
  protected overflow = false;
  /** Sentinel texts counted past the cap. */
  private readonly sentinels = new Map<string, number>();

  /**
   * `textOf`: a value's text where each number has exactly one (a query's numbers, `String`; its times, ISO),
   * so that past the cap the examples are still counted over every row; without it (a CSV file's cells,
   * where `1.5` and `1.50` are one number) they come from the rows counted until the cap.
   */
  constructor(readonly name: string, private readonly textOf?: (x: number) => string) {}

  /** Room for this many rows (an estimate; more still grow by doubling). */
  reserve(rows: number): void {
    if (rows > this.values.length) this.grow(rows - 1);
  }

  private grow(row: number): void {
    const grown = new Float64Array(Math.max(row + 1, this.values.length * 2));
    grown.set(this.values);
    this.values = grown;
  }

  protected takeMissing(row: number): void {
    if (row >= this.values.length) this.grow(row);
    this.values[row] = Number.NaN;
    this.missing++;
  }

  protected take(x: number, row: number): void {
    if (row >= this.values.length) this.grow(row);
    this.values[row] = x;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.integers && !Number.isInteger(x)) this.integers = false;
  }

  /**
   * Rows `first` on: `values` (NaN where missing), `missing` of them missing, the others ranging from `min`
   * to `max` (the first met of each, as `take` keeps them), all integers or not: what `take` and
   * `takeMissing` row by row make of them.
   */
  protected takeBatch(values: Float64Array, first: number, facts: { missing: number; min: number; max: number; integers: boolean }): void {
    if (first + values.length > this.values.length) this.grow(first + values.length - 1);
    this.values.set(values, first);
    this.missing += facts.missing;
    if (facts.min < this.min) this.min = facts.min;
    if (facts.max > this.max) this.max = facts.max;
    if (!facts.integers) this.integers = false;
  }

  /** A present value's trimmed text: counted while fewer than the cap are known; past it, only the sentinels. */
  protected count(text: string): void {
    if (!this.overflow) {
      const count = this.counts.get(text);
      if (count !== undefined) this.counts.set(text, count + 1);
      else if (this.counts.size < DISTINCT_CAP) this.counts.set(text, 1);
      else this.overflow = true;
    }
    if (this.overflow && text.length <= 4 && SENTINELS.has(text)) this.sentinels.set(text, (this.sentinels.get(text) ?? 0) + 1);
  }

  /**
   * The schema the numeric branch of the reference inference gives these `rows` values (numeric, or an
   * identifier when its integers say so), and the values, NaN where missing.
   */
  protected numericFacts(rows: number, decimalComma: boolean, countDistinct = true): { schema: ColumnSchema; all: Float64Array } {
    const all = this.values.subarray(0, rows);
    const nums = this.missing === 0 ? all : presentNumbers(all);
    const { base, warnings } = this.baseFacts(rows, nums, countDistinct);
    // Sentinel counts over every row: what the capped counts hold plus what came past the cap.
    const counts = new Map(this.counts);
    for (const [text, n] of this.sentinels) counts.set(text, (counts.get(text) ?? 0) + n);
    const schema = numericSchema(base, warnings, counts, { nums, min: this.min, max: this.max, integers: this.integers, decimalComma }, rows);
    return { schema, all };
  }

  /**
   * What every column's schema starts from (`schemaBase`: missing count and share, distinct values, examples,
   * the warning for a column mostly missing), `distinct` counted over every row past the cap, and the
   * leakage warning its name may call for. `nums`: the present values, if already gathered. Without
   * `countDistinct`, a count past the cap that would be `distinctNumbers`' is left `UNCOUNTED`, for the
   * caller to count (`countedDistinct`).
   */
  protected baseFacts(rows: number, nums?: ArrayLike<number>, countDistinct = true): ReturnType<typeof schemaBase> {
    const { base, warnings } = schemaBase(this.name, rows, this.missing, this.counts);
    if (this.overflow) {
      const present = nums ?? presentNumbers(this.values.subarray(0, rows));
      if (this.textOf) {
        // One text per number: the examples over every row, as the reference's counts rank them.
        const { distinct, top } = countNumbers(present, base.examples.length);
        base.distinct = distinct;
        base.examples = top.map(this.textOf);
      } else {
        base.distinct = countDistinct ? distinctNumbers(present) : UNCOUNTED;
      }
    }
    const leak = leakWarning(this.name);
    if (leak) warnings.push(leak);
    return { base, warnings };
  }

  /**
   * The values as a dataset holds a numeric column (`numericColumnValues`). `all` is this column's own array
   * up to its rows; with none missing it is handed over as it is where little of the array is spare (a
   * builder's `finish` is its last call, so nothing writes to it after): no copy of every column at the end
   * of a read, while the originals are still held (BENCHMARKS.md, session 11).
   */
  typed(all: Float64Array): ArrayLike<number | null> {
    if (this.missing === 0 && all.buffer === this.values.buffer && this.values.length <= 1.25 * all.length) return all;
    return numericColumnValues(all, this.missing);
  }
}

/**
 * Numbers (NaN where missing, `missing` of them) as a dataset holds a numeric column: a `Float64Array` copy
 * when none is missing, else an array of numbers and nulls.
 *
 * @example
 * numericColumnValues(Float64Array.of(1, Number.NaN), 1); // [1, null]
 */
export function numericColumnValues(all: Float64Array, missing: number): ArrayLike<number | null> {
  if (missing === 0) return Float64Array.from(all);
  const values = new Array<number | null>(all.length);
  for (let r = 0; r < all.length; r++) values[r] = Number.isNaN(all[r]!) ? null : all[r]!;
  return values;
}
