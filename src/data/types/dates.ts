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

/**
 * The fixed ways of writing an ISO time that a reader may parse from a cell's bytes: each has one text per
 * instant (fixed widths, no zone other than `Z`, seconds up to 59), so counting instants counts texts, and an
 * instant's text is found again by `formatIsoLayout`.
 */
export type IsoLayout = 'date' | 'seconds' | 'seconds-space' | 'seconds-z' | 'millis-z';

const LAYOUT_LENGTHS: Readonly<Record<IsoLayout, number>> = { 'date': 10, 'seconds': 19, 'seconds-space': 19, 'seconds-z': 20, 'millis-z': 24 };

/** How each layout is written, for messages. */
export const ISO_LAYOUT_LABELS: Readonly<Record<IsoLayout, string>> = {
  'date': 'yyyy-mm-dd', 'seconds': 'yyyy-mm-ddThh:mm:ss', 'seconds-space': 'yyyy-mm-dd hh:mm:ss', 'seconds-z': 'yyyy-mm-ddThh:mm:ssZ', 'millis-z': 'yyyy-mm-ddThh:mm:ss.sssZ',
};

/** The layout of `b[start, end)` judged by its length and separators alone (its digits are checked by `parseIsoLayout`), or null. */
export function isoLayoutOf(b: Uint8Array, start: number, end: number): IsoLayout | null {
  const n = end - start;
  if (n < 10 || b[start + 4] !== DASH || b[start + 7] !== DASH) return null;
  if (n === 10) return 'date';
  const sep = b[start + 10];
  if (n === 19) return sep === LETTER_T ? 'seconds' : sep === SPACE ? 'seconds-space' : null;
  if (n === 20 && sep === LETTER_T && b[start + 19] === LETTER_Z) return 'seconds-z';
  if (n === 24 && sep === LETTER_T && b[start + 19] === POINT && b[start + 23] === LETTER_Z) return 'millis-z';
  return null;
}

const DASH = 45;
const COLON = 58;
const POINT = 46;
const SPACE = 32;
const LETTER_T = 84;
const LETTER_Z = 90;
const ZERO = 48;

/**
 * Epoch ms of `b[start, end)` written exactly in `layout`, as `parseDate` reads it, or NaN when it is not
 * (another layout, a non-digit, a day the month lacks, an hour past 23, a leap second, a year before 100,
 * which `Date.UTC` would move to the 1900s). Whole days by the civil calendar (Hinnant's `days_from_civil`),
 * so no `Date` is made per cell.
 */
export function parseIsoLayout(b: Uint8Array, start: number, end: number, layout: IsoLayout): number {
  if (end - start !== LAYOUT_LENGTHS[layout]) return Number.NaN;
  const y = digits(b, start, 4);
  const m = digits(b, start + 5, 2);
  const d = digits(b, start + 8, 2);
  if (b[start + 4] !== DASH || b[start + 7] !== DASH || !(y >= 100) || !(m >= 1 && m <= 12) || !(d >= 1 && d <= daysInMonth(y, m))) return Number.NaN;
  let ms = daysFromCivil(y, m, d) * DAY_MS;
  if (layout === 'date') return ms;
  const hh = digits(b, start + 11, 2);
  const mi = digits(b, start + 14, 2);
  const ss = digits(b, start + 17, 2);
  if (b[start + 13] !== COLON || b[start + 16] !== COLON || !(hh <= 23 && mi <= 59 && ss <= 59)) return Number.NaN;
  if (b[start + 10] !== (layout === 'seconds-space' ? SPACE : LETTER_T)) return Number.NaN;
  ms += ((hh * 60 + mi) * 60 + ss) * 1000;
  if (layout === 'seconds-z' && b[start + 19] !== LETTER_Z) return Number.NaN;
  if (layout === 'millis-z') {
    const frac = digits(b, start + 20, 3);
    if (b[start + 19] !== POINT || b[start + 23] !== LETTER_Z || !(frac >= 0)) return Number.NaN;
    ms += frac;
  }
  return ms;
}

/** The text of an instant in `layout`: the inverse of `parseIsoLayout` on the instants it accepts. */
export function formatIsoLayout(ms: number, layout: IsoLayout): string {
  const iso = new Date(ms).toISOString();
  switch (layout) {
    case 'date':
      return iso.slice(0, 10);
    case 'seconds':
      return iso.slice(0, 19);
    case 'seconds-space':
      return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    case 'seconds-z':
      return `${iso.slice(0, 19)}Z`;
    case 'millis-z':
      return iso;
  }
}

/** The number written by `count` ASCII digits at `b[at]`, or NaN at a byte that is not a digit. */
function digits(b: Uint8Array, at: number, count: number): number {
  let x = 0;
  for (let i = at; i < at + count; i++) {
    const c = b[i]! - ZERO;
    if (c < 0 || c > 9) return Number.NaN;
    x = x * 10 + c;
  }
  return x;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
