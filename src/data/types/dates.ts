/**
 * Date and datetime recognition: ISO (`2025-03-04`, `2025-03-04T10:22:00Z`, `2025-03-04 10:22`) and
 * day/month orders with `-`, `/` or `.` (`04-03-2025`, `04/03/2025`, `03/04/2025`). Which of day and
 * month comes first is decided from the values (a first part above 12 means day-first, a second part
 * above 12 means month-first); when no value decides, the format is reported as ambiguous.
 * Times without a zone are read as UTC. Values become epoch milliseconds.
 */

export type DateOrder = 'ymd' | 'dmy' | 'mdy';

export interface DateFormat {
  order: DateOrder;
  separator: '-' | '/' | '.';
  /** Some value carries a time of day. */
  hasTime: boolean;
  /** No value told day and month apart; `order` is the assumed one. */
  ambiguous: boolean;
  /** Human form, e.g. `dd/mm/yyyy`. */
  label: string;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/;
const DAY_MONTH = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

const MONTH_WORDS = /^(?:[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2} [A-Za-z]{3,9}\.? \d{4})$/;

/**
 * When every text looks like a date but they are written in more than one way (`2024-03-05`, `05/03/2024`,
 * `March 5 2024`), one example of each way; else null. Inference reads such a column as categorical and
 * says why with these examples.
 *
 * @example
 * mixedDateFormats(['2024-03-05', '05/03/2024']); // ['2024-03-05', '05/03/2024']
 */
export function mixedDateFormats(texts: Iterable<string>): string[] | null {
  const examples = new Map<string, string>();
  for (const text of texts) {
    const dayMonth = DAY_MONTH.exec(text);
    const kind = ISO.test(text) ? 'iso' : dayMonth ? `day-month${dayMonth[2]}` : MONTH_WORDS.test(text) ? 'words' : null;
    if (kind === null) return null;
    if (!examples.has(kind)) examples.set(kind, text);
  }
  return examples.size > 1 ? [...examples.values()] : null;
}

/** Epoch ms for a calendar date and time in UTC, or null when the date does not exist (31 April). */
export function utcMillis(y: number, m: number, d: number, hh = 0, mi = 0, ss = 0, ms = 0): number | null {
  if (m < 1 || m > 12 || d < 1 || hh > 23 || mi > 59 || ss > 60) return null;
  const t = Date.UTC(y, m - 1, d, hh, mi, ss, ms);
  const check = new Date(t);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
  return t;
}

function parseIso(text: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const t = utcMillis(+m[1]!, +m[2]!, +m[3]!, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, frac);
  if (t === null) return null;
  const zone = m[8];
  if (!zone || zone === 'Z') return t;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return t - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
}

/**
 * Parses one value in a known format; null when it does not fit.
 *
 * @example
 * parseDate('04/03/2025', { order: 'dmy', separator: '/', hasTime: false, ambiguous: false, label: 'dd/mm/yyyy' });
 * // Date.UTC(2025, 2, 4)
 */
export function parseDate(text: string, format: Pick<DateFormat, 'order'>): number | null {
  const value = text.trim();
  if (format.order === 'ymd') return parseIso(value);
  const m = DAY_MONTH.exec(value);
  if (!m) return null;
  const a = +m[1]!;
  const b = +m[3]!;
  const [day, month] = format.order === 'dmy' ? [a, b] : [b, a];
  return utcMillis(+m[4]!, month, day, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, m[7] ? +m[7] : 0);
}

/**
 * Finds the one date format every value fits, or null. `preferOrder` settles an ambiguous day/month.
 *
 * @example
 * detectDateFormat(['13/01/2025', '02/01/2025'])?.label; // 'dd/mm/yyyy'
 * detectDateFormat(['01/02/2025'])?.ambiguous;           // true
 */
export function detectDateFormat(values: readonly string[], preferOrder: 'dmy' | 'mdy' = 'dmy'): DateFormat | null {
  if (values.length === 0) return null;
  const first = values[0]!.trim();
  if (ISO.test(first)) {
    let hasTime = false;
    for (const v of values) {
      const t = v.trim();
      if (parseIso(t) === null) return null;
      if (t.length > 10) hasTime = true;
    }
    return { order: 'ymd', separator: '-', hasTime, ambiguous: false, label: hasTime ? 'yyyy-mm-ddThh:mm:ss' : 'yyyy-mm-dd' };
  }
  const head = DAY_MONTH.exec(first);
  if (!head) return null;
  const separator = head[2] as DateFormat['separator'];
  let firstOver12 = false;
  let secondOver12 = false;
  let hasTime = false;
  for (const v of values) {
    const m = DAY_MONTH.exec(v.trim());
    if (!m || m[2] !== separator) return null;
    if (+m[1]! > 12) firstOver12 = true;
    if (+m[3]! > 12) secondOver12 = true;
    if (m[5] !== undefined) hasTime = true;
  }
  if (firstOver12 && secondOver12) return null;
  const ambiguous = !firstOver12 && !secondOver12;
  const order: DateOrder = firstOver12 ? 'dmy' : secondOver12 ? 'mdy' : preferOrder;
  for (const v of values) if (parseDate(v, { order }) === null) return null;
  const parts = order === 'dmy' ? ['dd', 'mm', 'yyyy'] : ['mm', 'dd', 'yyyy'];
  return { order, separator, hasTime, ambiguous, label: parts.join(separator) + (hasTime ? ' hh:mm:ss' : '') };
}

/** ISO text of epoch ms: a date when midnight UTC and `dateOnly`, else a full timestamp. */
export function formatDate(ms: number, dateOnly = false): string {
  const iso = new Date(ms).toISOString();
  return dateOnly ? iso.slice(0, 10) : iso;
}

/**
 * Milliseconds in a day: dates are epoch milliseconds throughout.
 *
 * @example
 * const scoredAt = Float64Array.from(created, (t) => t + 30 * DAY_MS);
 */
export const DAY_MS = 86_400_000;
