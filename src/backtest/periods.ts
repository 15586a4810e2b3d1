/**
 * Walk-forward periods. On a date column they are calendar weeks (Monday to Monday, UTC), months or
 * quarters; on an ordinal time (a numeric column, or the row order) they are fixed-width steps in that
 * column's units. A period is the half-open interval [start, end).
 */
import { ConfigError } from '../errors.ts';
import { DAY_MS } from '../data/types/dates.ts';

export type CalendarPeriod = 'week' | 'month' | 'quarter';
export type PeriodSpec = { kind: 'calendar'; unit: CalendarPeriod } | { kind: 'width'; width: number };

export interface Period {
  start: number;
  end: number;
}

/**
 * @example
 * parsePeriod('month');  // { kind: 'calendar', unit: 'month' }
 * parsePeriod('5000');   // { kind: 'width', width: 5000 } (ordinal time: rows, or the column's units)
 */
export function parsePeriod(text: string): PeriodSpec {
  if (text === 'week' || text === 'month' || text === 'quarter') return { kind: 'calendar', unit: text };
  const width = Number(text);
  if (Number.isFinite(width) && width > 0) return { kind: 'width', width };
  throw new ConfigError('BAD_PERIOD', `unknown period "${text}"`, 'use --period week, month or quarter (dates), or a positive width for an ordinal --date such as @row');
}

/** The start of the calendar period holding `t` (UTC). */
export function periodStart(t: number, unit: CalendarPeriod): number {
  const d = new Date(t);
  if (unit === 'week') {
    const day = Math.floor(t / DAY_MS) * DAY_MS;
    const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
    return day - weekday * DAY_MS;
  }
  const month = unit === 'month' ? d.getUTCMonth() : d.getUTCMonth() - (d.getUTCMonth() % 3);
  return Date.UTC(d.getUTCFullYear(), month, 1);
}

/** `t` moved by `k` calendar periods (k may be negative); t should be a period start. */
export function addPeriods(t: number, unit: CalendarPeriod, k: number): number {
  if (unit === 'week') return t + k * 7 * DAY_MS;
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k * (unit === 'month' ? 1 : 3), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/**
 * Consecutive periods covering [min, max] of the times.
 *
 * @example
 * makePeriods(Date.UTC(2024, 0, 5), Date.UTC(2024, 2, 9), { kind: 'calendar', unit: 'month' }).length; // 3
 */
export function makePeriods(min: number, max: number, spec: PeriodSpec): Period[] {
  const out: Period[] = [];
  if (!(max >= min)) return out;
  if (spec.kind === 'calendar') {
    for (let s = periodStart(min, spec.unit); s <= max; s = addPeriods(s, spec.unit, 1)) out.push({ start: s, end: addPeriods(s, spec.unit, 1) });
    return out;
  }
  const count = Math.floor((max - min) / spec.width) + 1;
  for (let k = 0; k < count; k++) out.push({ start: min + k * spec.width, end: min + (k + 1) * spec.width });
  return out;
}

/** The start of the training window of a period: `window` periods before its start (sliding), or -∞ (expanding). */
export function windowStart(period: Period, spec: PeriodSpec, window: number | 'expanding'): number {
  if (window === 'expanding') return Number.NEGATIVE_INFINITY;
  return spec.kind === 'calendar' ? addPeriods(period.start, spec.unit, -window) : period.start - window * spec.width;
}

/**
 * @example
 * parseWindow('expanding'); // 'expanding'
 * parseWindow('sliding:6'); // 6 periods
 */
export function parseWindow(text: string): number | 'expanding' {
  if (text === 'expanding') return 'expanding';
  const m = /^sliding:(\d+)$/.exec(text);
  if (m && Number(m[1]) >= 1) return Number(m[1]);
  throw new ConfigError('BAD_WINDOW', `unknown window "${text}"`, 'use --window expanding, or sliding:N for the last N periods');
}
