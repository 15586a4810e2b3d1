/**
 * Conditions on lead columns, compiled once per column into a predicate over row indices.
 *
 * Semantics, stated for analysts: text comparisons (`eq`, `neq`, `in`, `not_in`, `contains`, `matches`)
 * ignore case and surrounding spaces; `gt`/`gte`/`lt`/`lte`/`between` work on numeric and date columns
 * (dates written as ISO text in the rule file; `between` includes both ends). A missing value satisfies
 * only `is_missing`: every other operator, `neq` and `not_in` included, is false on it, as in SQL.
 */
import { parseDate } from '../data/types/dates.ts';
import { compilePattern } from './pattern.ts';
import type { ColumnSchema } from '../data/types/schema.ts';
import type { Condition } from './rule-file.ts';

export type Predicate = (row: number) => boolean;

/** Why a condition cannot apply to a column (wrong type of value); null when it can. */
export type CompileResult = { ok: true; predicate: Predicate } | { ok: false; message: string };

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0']);

function asBoolean(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  const t = String(v).trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return null;
}

function asNumber(v: unknown, column: ColumnSchema): number | null {
  if (column.type === 'date' || column.type === 'datetime') {
    if (typeof v === 'number') return v;
    const t = parseDate(String(v), { order: 'ymd' });
    return t;
  }
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

const norm = (v: unknown): string => String(v).trim().toLowerCase();

/**
 * Compiles a condition against a typed column (as `loadDataset` types it).
 *
 * @example
 * const r = compileCondition({ column: 'seniority', op: 'in', value: ['VP', 'C-level'] }, values, schema);
 * if (r.ok) r.predicate(0);
 */
export function compileCondition(cond: Condition, values: ArrayLike<unknown>, column: ColumnSchema): CompileResult {
  const missing = (i: number) => values[i] === null || values[i] === undefined;
  const { op } = cond;
  if (op === 'is_missing') return { ok: true, predicate: missing };
  if (op === 'not_missing') return { ok: true, predicate: (i) => !missing(i) };
  const value = cond.value!;
  const list = Array.isArray(value) ? value : [value];
  const ordered = column.type === 'numeric' || column.type === 'date' || column.type === 'datetime';

  if (op === 'contains' || op === 'matches') {
    const text = (i: number) => (typeof values[i] === 'number' && (column.type === 'date' || column.type === 'datetime')
      ? new Date(values[i] as number).toISOString() : String(values[i]));
    if (op === 'contains') {
      const needle = norm(value);
      return { ok: true, predicate: (i) => !missing(i) && text(i).toLowerCase().includes(needle) };
    }
    const re = compilePattern(String(value)); // linear time: a rule file's pattern cannot hang scoring
    return { ok: true, predicate: (i) => !missing(i) && re.test(text(i)) };
  }

  if (op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte' || op === 'between') {
    if (!ordered) return { ok: false, message: `${op} needs a numeric or date column; "${cond.column}" is ${column.type}` };
    const bounds = list.map((v) => asNumber(v, column));
    if (bounds.some((b) => b === null)) {
      return { ok: false, message: `${op} compares with ${JSON.stringify(value)}, which is not a ${column.type === 'numeric' ? 'number' : 'date (yyyy-mm-dd)'}` };
    }
    const [a, b] = bounds as number[];
    const x = (i: number) => values[i] as number;
    const predicate: Predicate =
      op === 'gt' ? (i) => !missing(i) && x(i) > a! :
      op === 'gte' ? (i) => !missing(i) && x(i) >= a! :
      op === 'lt' ? (i) => !missing(i) && x(i) < a! :
      op === 'lte' ? (i) => !missing(i) && x(i) <= a! :
      (i) => !missing(i) && x(i) >= a! && x(i) <= b!;
    return { ok: true, predicate };
  }

  // eq, neq, in, not_in
  let member: (i: number) => boolean;
  if (column.type === 'boolean') {
    const wanted = list.map(asBoolean);
    if (wanted.some((w) => w === null)) return { ok: false, message: `"${cond.column}" is yes/no; ${JSON.stringify(value)} is not a yes/no value` };
    member = (i) => wanted.includes(values[i] as boolean);
  } else if (ordered) {
    const wanted = list.map((v) => asNumber(v, column));
    if (wanted.some((w) => w === null)) return { ok: false, message: `"${cond.column}" is ${column.type}; ${JSON.stringify(value)} is not a ${column.type === 'numeric' ? 'number' : 'date'}` };
    const set = new Set(wanted as number[]);
    member = (i) => set.has(values[i] as number);
  } else {
    // Text compared trimmed and case-blind; the answer kept per distinct value (levels repeat row after
    // row), up to 4,096 of them.
    const set = new Set(list.map(norm));
    const seen = new Map<unknown, boolean>();
    member = (i) => {
      const v = values[i];
      let hit = seen.get(v);
      if (hit === undefined) {
        hit = set.has(norm(v));
        if (seen.size < 4096) seen.set(v, hit);
      }
      return hit;
    };
  }
  const negate = op === 'neq' || op === 'not_in';
  return { ok: true, predicate: negate ? (i) => !missing(i) && !member(i) : (i) => !missing(i) && member(i) };
}
