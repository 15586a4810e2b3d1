/**
 * Schema inference: for every column, its type (numeric, boolean, categorical, date, datetime, id, free
 * text, constant), whether it is a feature by default, missing share, cardinality, examples and warnings
 * an analyst should read before training (id-like, constant, sentinel values, leakage suspects,
 * ambiguous dates, high cardinality).
 */
import type { ColumnType, RawValue } from '../../types.ts';
import { type DateFormat, detectDateFormat, mixedDateFormats } from './dates.ts';
import { isMissing, naTokenSet } from './missing.ts';
import { shellWord } from '../../shell-word.ts';
import type { RawTable } from '../io/read.ts';

export interface ColumnSchema {
  name: string;
  type: ColumnType;
  /** Used as a model feature by default (ids, free text and constants are not). */
  feature: boolean;
  missing: number;
  missingShare: number;
  distinct: number;
  /** Most frequent values, as text, most frequent first. */
  examples: string[];
  warnings: string[];
  /** Numeric written with decimal commas (`3,5`). */
  decimalComma?: boolean;
  /** Raw spellings of true and false, for boolean columns read from text. */
  booleanTokens?: { true: string[]; false: string[] };
  dateFormat?: DateFormat;
  /** Numeric range, for numeric columns. */
  min?: number;
  max?: number;
}

export interface Schema {
  rows: number;
  columns: ColumnSchema[];
  naTokens: string[];
}

/**
 * A column's present texts and how often each occurs, in the order first met: a `Map`, or a reader's own
 * view of the levels it counted (columnar.ts).
 */
export interface TextCounts extends Iterable<[string, number]> {
  readonly size: number;
  get(text: string): number | undefined;
  keys(): Iterable<string>;
}

export interface InferOptions {
  /** Extra missing-value tokens. */
  na?: string | readonly string[];
  /** The CSV delimiter, which decides whether decimal commas are allowed (only with `;`). */
  delimiter?: string;
  /** How to read day/month when no value decides. Default day-first. */
  dateOrder?: 'dmy' | 'mdy';
}

const BOOLEAN_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['yes', 'no'],
  ['true', 'false'],
  ['y', 'n'],
  ['1', '0'],
];

/** A number as a numeric column holds it, and with a decimal comma (`;`-separated files only). */
export const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
export const DECIMAL_COMMA = /^[+-]?\d+(?:,\d+)?$/;
/** Values that stand for "none" when frequent at a numeric column's end (the sentinel warning). */
export const SENTINEL_TEXTS: readonly string[] = ['-1', '999', '9999', '-999'];
const MONTHS = new Set(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'june', 'jul', 'july', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  'january', 'february', 'march', 'april', 'august', 'september', 'october', 'november', 'december']);
const ID_NAME = /(^id$|_id$|id$|^uuid|_key$|_num$|^key$|number$|_no$)/i;
const LEAK_NAME = /(^|_)(converted|conversion|won|lost|closed|outcome|status|result|churned?|deal_stage|opportunity|signed|purchased)(_|$)|^(call_)?duration$/i;

/**
 * Infers the schema of a raw table.
 *
 * @example
 * const raw = await readTable({ path: 'data/sample/leads.csv' });
 * const schema = inferSchema(raw, { na: ['Select'], delimiter: raw.delimiter });
 * schema.columns.find((c) => c.name === 'lead_id')?.type; // 'id'
 */
export function inferSchema(raw: RawTable, options: InferOptions = {}): Schema {
  const tokens = naTokenSet(options.na ?? []);
  const columns = withHeaderWarnings(raw.names.map((name, c) => inferColumn(name, raw.columns[c]!, raw.rows, tokens, options)), raw.renamed);
  return { rows: raw.rows, columns, naTokens: [...tokens] };
}

/** Columns renamed from a blank or repeated header say so first among their warnings. */
export function withHeaderWarnings(columns: ColumnSchema[], renamed: Readonly<Record<string, string>> | undefined): ColumnSchema[] {
  if (!renamed) return columns;
  return columns.map((c) => (renamed[c.name] ? { ...c, warnings: [renamed[c.name]!, ...c.warnings] } : c));
}

function textOf(value: RawValue): string {
  if (typeof value === 'string') return value.trim();
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * One column's schema from all its values (`inferSchema` runs it on every column; columnar.ts on the columns
 * it keeps as text).
 */
export function inferColumn(name: string, values: readonly RawValue[], rows: number, tokens: ReadonlySet<string>, options: InferOptions): ColumnSchema {
  const present: RawValue[] = [];
  const counts = new Map<string, number>();
  for (const v of values) {
    if (isMissing(v, tokens)) continue;
    present.push(v);
    const key = textOf(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return inferCounted(name, present, counts, rows, options);
}

/**
 * `inferColumn` from a column's present values (in row order) and their texts' counts (`textOf`, in the
 * order first met), for a reader that counted them as it read (columnar.ts).
 */
export function inferCounted(name: string, present: readonly RawValue[], counts: TextCounts, rows: number, options: InferOptions): ColumnSchema {
  const missing = rows - present.length;
  const { base, warnings } = schemaBase(name, rows, missing, counts);
  const { distinct, examples } = base;

  if (present.length === 0) {
    return { ...base, type: 'constant', feature: false, warnings: ['every value is missing'] };
  }
  if (distinct === 1) {
    const note = missing > 0 ? `one value (${examples[0]}) besides missing: excluded` : `one value (${examples[0]}): excluded`;
    return { ...base, type: 'constant', feature: false, warnings: [note, ...warnings] };
  }
  const leak = leakWarning(name);
  if (leak) warnings.push(leak);

  const boolean = booleanTokens(present, counts);
  if (boolean) return { ...base, type: 'boolean', feature: true, warnings, ...(boolean === true ? {} : { booleanTokens: boolean }) };

  const facts = numericFactsOf(present, options.delimiter === ';');
  if (facts) return numericSchema(base, warnings, counts, facts, rows);

  const dateFormat = dateFormatOf(present, counts, options.dateOrder);
  if (dateFormat) {
    if (dateFormat.ambiguous) {
      warnings.push(`day and month cannot be told apart (no part above 12): read as ${dateFormat.label}; pass --date-order ${dateFormat.order === 'dmy' ? 'mdy' : 'dmy'} if that is wrong`);
    }
    const type: ColumnType = dateFormat.hasTime ? 'datetime' : 'date';
    return { ...base, type, feature: true, warnings, dateFormat };
  }

  const unique = distinct === present.length;
  // Averages over the present values, summed per distinct text (whole numbers: the sums are exact in any order).
  let words = 0;
  let length = 0;
  for (const [text, count] of counts) {
    words += count * wordsOf(text);
    length += count * text.length;
  }
  const avgWords = words / present.length;
  const avgLength = length / present.length;
  if (unique && missing === 0 && rows >= 10 && avgWords < 2) {
    return { ...base, type: 'id', feature: false, warnings: ['unique per row: an identifier, excluded from features', ...warnings] };
  }
  if (ID_NAME.test(name) && distinct > Math.max(50, 0.2 * present.length) && avgWords < 2) {
    return { ...base, type: 'id', feature: false,
      warnings: [`identifier shared by several rows (${distinct} values): excluded from features; usable as a group key (--split group --group ${shellWord(name)})`, ...warnings] };
  }
  if (distinct > 0.5 * present.length && (avgWords >= 4 || avgLength >= 40)) {
    return { ...base, type: 'text', feature: false, warnings: ['free text: excluded from features', ...warnings] };
  }
  if ([...counts.keys()].every((k) => MONTHS.has(k.toLowerCase()))) {
    warnings.push('month names without a year: categorical; they give no time order');
  }
  const dateWays = mixedDateFormats(counts.keys());
  if (dateWays) warnings.push(`dates written in ${dateWays.length} ways (${dateWays.map((d) => `"${d}"`).join(', ')}): read as categorical, not as dates; export them in one format (yyyy-mm-dd) to use them as dates`);
  if (distinct > 100) warnings.push(`high cardinality (${distinct} values): rare levels will be pooled`);
  return { ...base, type: 'categorical', feature: true, warnings };
}

/**
 * `text.split(/\s+/).length` without the array: one more than the runs of whitespace (as `\s` matches it).
 * A column of a million distinct ids counts the words of each (property test against the split).
 *
 * @example
 * wordsOf(' two  words'); // 3, as ['', 'two', 'words']
 */
export function wordsOf(text: string): number {
  let words = 1;
  let inSpace = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || (c >= 128 && SPACE.test(text[i]!));
    if (space && !inSpace) words++;
    inSpace = space;
  }
  return words;
}

const SPACE = /\s/;

/**
 * Whether `inferColumn` calls these values numeric (and whether with a decimal comma), decided without
 * counting every distinct text: null where it would give any other type. The typed CSV reader (columnar.ts)
 * asks only this of its sample, since it infers each column's whole schema over every row at the end. The
 * same steps as `inferColumn` up to its numeric branch, with the distinct texts followed only as far as its
 * decisions look (one; up to four for booleans); a property test holds the two together.
 */
export function numericInference(name: string, values: readonly RawValue[], rows: number, tokens: ReadonlySet<string>, options: InferOptions): { decimalComma: boolean } | null {
  const present: RawValue[] = [];
  // The first five distinct texts, in the order first seen: five say "more than four".
  const texts: string[] = [];
  for (const v of values) {
    if (isMissing(v, tokens)) continue;
    present.push(v);
    if (texts.length < 5) {
      const key = textOf(v);
      if (!texts.includes(key)) texts.push(key);
    }
  }
  return numericDecision(name, present.length, present.length > 0 && present.every((v) => typeof v === 'boolean'), texts, rows, () => numericFactsOf(present, options.delimiter === ';'));
}

/**
 * `numericInference`'s decision from what it gathers: the `present` values' count, whether they are all
 * booleans, their first five distinct texts in the order first seen, and their numeric facts (asked for only
 * when the texts leave the question open). The typed CSV reader gathers these from a sample's bytes
 * (sample-facts.ts), and asks the same decision.
 */
export function numericDecision(name: string, present: number, allBoolean: boolean, texts: readonly string[], rows: number, factsOf: () => NumericFacts | null): { decimalComma: boolean } | null {
  if (present === 0 || texts.length === 1) return null;
  if (allBoolean || booleanSpellings(new Map(texts.map((t) => [t, 1])))) return null;
  const facts = factsOf();
  if (!facts) return null;
  if (facts.integers && numericIdReason(name, facts.nums, rows, rows - present, facts.min, facts.max)) return null;
  return { decimalComma: facts.decimalComma };
}

/**
 * What every column's schema starts from: its missing count and share, its distinct values and the five
 * most frequent (ties in first-seen order) from `counts` (present values' texts), and the warning for a
 * column more than half missing.
 */
export function schemaBase(name: string, rows: number, missing: number, counts: TextCounts):
  { base: Pick<ColumnSchema, 'name' | 'missing' | 'missingShare' | 'distinct' | 'examples'>; warnings: string[] } {
  const examples = mostFrequent(counts, 5);
  const warnings: string[] = [];
  if (rows > 0 && missing / rows > 0.5 && missing < rows) warnings.push(`${pct(missing / rows)} missing`);
  return { base: { name, missing, missingShare: rows === 0 ? 0 : missing / rows, distinct: counts.size, examples }, warnings };
}

/**
 * The `k` most frequent keys, ties in the map's order (what a stable sort by count would put first), in
 * one pass: a column of a million distinct values is not sorted to find five.
 */
export function mostFrequent(counts: TextCounts, k: number): string[] {
  const top: Array<[string, number]> = [];
  for (const entry of counts) {
    if (top.length === k && entry[1] <= top[k - 1]![1]) continue;
    let at = top.length;
    while (at > 0 && top[at - 1]![1] < entry[1]) at--;
    top.splice(at, 0, entry);
    if (top.length > k) top.pop();
  }
  return top.map(([key]) => key);
}

/** The warning for a name that suggests a value known only after the outcome (`status`, `duration` …), or null. */
export function leakWarning(name: string): string | null {
  return LEAK_NAME.test(name) ? 'name suggests it is known only after the outcome: check for leakage' : null;
}

/** What the numeric branch of inference reads, gathered in one pass over a column (here) or as a file streams (columnar.ts). */
export interface NumericFacts {
  /** The present values; in row order when none is missing (the id checks read them only then). */
  nums: ArrayLike<number>;
  min: number;
  max: number;
  integers: boolean;
  decimalComma: boolean;
}

/**
 * A numeric column's schema from its facts: an identifier when its integers say so, else numeric with the
 * sentinel and few-integers warnings. `counts` are the present values' texts and counts (`distinct` and
 * `examples` in `base` come from them).
 */
export function numericSchema(base: Pick<ColumnSchema, 'name' | 'missing' | 'missingShare' | 'distinct' | 'examples'>, warnings: string[],
  counts: TextCounts, facts: NumericFacts, rows: number): ColumnSchema {
  const { nums, min, max, integers, decimalComma } = facts;
  const name = base.name;
  const summary = { min, max, ...(decimalComma ? { decimalComma: true } : {}) };
  const idReason = integers ? numericIdReason(name, nums, rows, base.missing, min, max) : null;
  if (idReason) return { ...base, type: 'id', feature: false, warnings: [idReason, ...warnings], ...summary };
  const sentinel = sentinelWarning(counts, nums.length, min, max);
  if (sentinel) warnings.push(sentinel);
  const few = fewIntegersWarning(name, base.distinct, integers);
  if (few) warnings.push(few);
  return { ...base, type: 'numeric', feature: true, warnings, ...summary };
}

/** The warning for a numeric column of a few integers (codes, maybe), its last one; null when it has none. */
export function fewIntegersWarning(name: string, distinct: number, integers: boolean): string | null {
  if (!integers || distinct > 12 || distinct < 3 || /(count|num|days|age|pages|visits|views)/i.test(name)) return null;
  return `only ${distinct} integer values: numeric here; if they are codes, treat the column as categorical`;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
}

/** `true` for typed booleans; the spelling pair for text booleans; null otherwise. */
function booleanTokens(present: readonly RawValue[], counts: TextCounts): true | { true: string[]; false: string[] } | null {
  if (present.every((v) => typeof v === 'boolean')) return true;
  return booleanSpellings(counts);
}

/** The spellings of true and false when the distinct texts are one pair of them (any case), else null. */
function booleanSpellings(counts: TextCounts): { true: string[]; false: string[] } | null {
  if (counts.size > 4) return null;
  const lower = new Set([...counts.keys()].map((k) => k.toLowerCase()));
  if (lower.size !== 2) return null;
  for (const [t, f] of BOOLEAN_PAIRS) {
    if (lower.has(t) && lower.has(f)) {
      const keys = [...counts.keys()];
      return { true: keys.filter((k) => k.toLowerCase() === t), false: keys.filter((k) => k.toLowerCase() === f) };
    }
  }
  return null;
}

/** Whether a text reads as a number (with a decimal comma, where allowed): else its column is not numeric. */
function mayBeNumber(text: string, allowDecimalComma: boolean): boolean {
  const t = text.trim();
  return NUMBER.test(t) || (allowDecimalComma && DECIMAL_COMMA.test(t));
}

/**
 * `numericFactsOf` for a column of texts, `first` being the first present one: all of them (`all`) are
 * asked for only when it reads as a number (a reader that decodes texts from bytes decodes a column of ids
 * no further than its first).
 */
export function textNumericFacts(first: string, all: () => readonly string[], allowDecimalComma: boolean): NumericFacts | null {
  return mayBeNumber(first, allowDecimalComma) ? numericFactsOf(all(), allowDecimalComma) : null;
}

function numericValues(present: readonly RawValue[], allowDecimalComma: boolean): { values: number[]; decimalComma: boolean } | null {
  // A text column fails on its first value, mostly: no array as long as the column for it (a million ids).
  const first = present[0];
  if (typeof first === 'string' && !mayBeNumber(first, allowDecimalComma)) return null;
  const values: number[] = new Array(present.length);
  let dot = true;
  for (let i = 0; i < present.length; i++) {
    const v = present[i]!;
    if (typeof v === 'number') {
      values[i] = v;
      continue;
    }
    if (typeof v !== 'string') return null;
    const t = v.trim();
    if (!NUMBER.test(t)) {
      dot = false;
      break;
    }
    values[i] = Number(t);
  }
  if (dot) return { values, decimalComma: false };
  if (!allowDecimalComma) return null;
  let sawComma = false;
  for (let i = 0; i < present.length; i++) {
    const v = present[i]!;
    if (typeof v !== 'string') return null;
    const t = v.trim();
    if (!DECIMAL_COMMA.test(t)) return null;
    if (t.includes(',')) sawComma = true;
    values[i] = Number(t.replace(',', '.'));
  }
  return sawComma ? { values, decimalComma: true } : null;
}

/** The numeric branch's facts when every present value is a number (`numericValues`), else null. */
function numericFactsOf(present: readonly RawValue[], allowDecimalComma: boolean): NumericFacts | null {
  const numbers = numericValues(present, allowDecimalComma);
  if (!numbers) return null;
  const { values: nums, decimalComma } = numbers;
  let min = Infinity;
  let max = -Infinity;
  let integers = true;
  for (const x of nums) {
    if (x < min) min = x;
    if (x > max) max = x;
    if (!Number.isInteger(x)) integers = false;
  }
  return { nums, min, max, integers, decimalComma };
}

/** Parses a numeric cell of a column whose schema says numeric. */
export function toNumber(value: RawValue, decimalComma = false): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return Number.NaN;
  const t = value.trim();
  return Number(decimalComma ? t.replace(',', '.') : t);
}

function numericIdReason(name: string, nums: ArrayLike<number>, rows: number, missing: number, min: number, max: number): string | null {
  if (missing > 0 || rows < 10) return null;
  // Nothing is missing, so the values are in row order.
  let increasing = true;
  for (let i = 1; i < nums.length; i++) {
    if (!(nums[i]! > nums[i - 1]!)) {
      increasing = false;
      break;
    }
  }
  if (increasing) return 'integers increasing row by row: an identifier, excluded from features';
  const unique = new Set(Array.from(nums)).size === nums.length;
  if (!unique) return null;
  if (max - min + 1 <= 1.1 * nums.length) return 'unique integers covering a contiguous range: an identifier, excluded from features';
  if (ID_NAME.test(name)) return 'unique per row and named like an identifier: excluded from features';
  return null;
}

/** A value such as -1 or 999 that stands for "none" in a large share of rows. */
function sentinelWarning(counts: TextCounts, present: number, min: number, max: number): string | null {
  for (const candidate of SENTINEL_TEXTS) {
    const n = counts.get(candidate) ?? 0;
    const value = Number(candidate);
    if (n / present >= 0.05 && (value === min || value === max)) {
      return `${candidate} in ${pct(n / present)} of rows looks like a code for "none", not a quantity`;
    }
  }
  return null;
}

/**
 * The date format of a column's present values, given their trimmed texts' counts in the order first met.
 * For text the format is decided on the distinct texts: whether each fits, and whether any has a time or
 * tells day from month, does not depend on how often it occurs, and the first distinct text is the first
 * value's.
 */
function dateFormatOf(present: readonly RawValue[], counts: TextCounts, order: 'dmy' | 'mdy' = 'dmy'): DateFormat | null {
  if (present.every((v) => v instanceof Date)) {
    const hasTime = present.some((v) => (v as Date).getTime() % 86_400_000 !== 0);
    return { order: 'ymd', separator: '-', hasTime, ambiguous: false, label: hasTime ? 'timestamp' : 'date' };
  }
  if (!present.every((v) => typeof v === 'string')) return null;
  const texts = counts.keys();
  return detectDateFormat(Array.isArray(texts) ? texts : [...texts], order); // a reader's levels are already an array
}

/** Finds a column's schema by name. */
export function columnSchema(schema: Schema, name: string): ColumnSchema | undefined {
  return schema.columns.find((c) => c.name === name);
}
