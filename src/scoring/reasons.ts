/**
 * Reasons in plain words: per lead, the original columns that moved its score most (log-odds
 * contributions from the logistic model or TreeSHAP), strongest first, with the lead's value:
 * `pricing page view 4× in the last 30 days (+0.82); email_type = student (−1.10)`. The text starts with
 * words, never a sign, so spreadsheets read it as text.
 */
import { isActivityAggregateName } from '../data/activities/activities.ts';

export interface ReasonInput {
  /** Original column names, one per contribution. */
  columns: readonly string[];
  /** Row-major n × columns contributions (log-odds). */
  values: Float64Array;
  /** The lead's value of a column, as text ('' when missing). */
  valueText: (row: number, column: string) => string;
}

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

/** One reason as data: the column, the lead's value ('' when missing) and its log-odds contribution. */
export interface ReasonCode {
  column: string;
  value: string;
  contribution: number;
}

/** Contributions smaller than this (in log-odds) are not reasons. */
export const MIN_REASON = 0.005;

/**
 * The lead's strongest contributions (|log-odds| ≥ 0.005), strongest first (ties by column name), at most `max`.
 *
 * @example
 * pickReasons({ columns, values, valueText }, 0, 3); // [{ column: 'email_type', value: 'student', contribution: -1.1 }, …]
 */
export function pickReasons(input: ReasonInput, row: number, max: number): ReasonCode[] {
  const k = input.columns.length;
  const picked: Array<{ column: string; c: number }> = [];
  for (let j = 0; j < k; j++) {
    const c = input.values[row * k + j]!;
    if (Math.abs(c) >= MIN_REASON) picked.push({ column: input.columns[j]!, c });
  }
  picked.sort((a, b) => Math.abs(b.c) - Math.abs(a.c) || (a.column < b.column ? -1 : 1));
  return picked.slice(0, max).map(({ column, c }) => ({ column, value: input.valueText(row, column), contribution: reasonContribution(c) }));
}

/** A contribution as a reason carries it: to 4 decimals. */
export function reasonContribution(c: number): number {
  return Number(c.toFixed(4));
}

const words = (name: string) => name.replace(/_+/g, ' ').trim();

/**
 * One reason's words. Lead columns read `column = value` (`column missing`); the activity aggregates
 * (names reserved for them, see `isActivityAggregateName`) read as what they count:
 * `pricing page view 2× in the last 7 days`, `no demo request in the last 30 days`,
 * `2 colleagues at the account with webinar attended`, `last activity 12 days ago`.
 */
export function reasonPhrase(column: string, value: string): string {
  const n = Number(value);
  const known = value !== '' && Number.isFinite(n);
  if (known && isActivityAggregateName(column)) {
    if (column === 'activities_total') return `${value} ${n === 1 ? 'activity' : 'activities'} in all`;
    if (column === 'days_since_last_activity') return `last activity ${value} ${n === 1 ? 'day' : 'days'} ago`;
    if (column === 'engagement_decayed') return `engagement ${value} (recent activity counts more)`;
    if (column === 'account_events_30d') return `${value} ${n === 1 ? 'event' : 'events'} from colleagues at the account in the last 30 days`;
    const contacts = /^account_(.+)_contacts$/.exec(column);
    if (contacts) return `${value} ${n === 1 ? 'colleague' : 'colleagues'} at the account with ${words(contacts[1]!)}`;
    const count = /^(.+)_(\d+)d$/.exec(column);
    if (count) return n === 0 ? `no ${words(count[1]!)} in the last ${count[2]} days` : `${words(count[1]!)} ${value}× in the last ${count[2]} days`;
  }
  if (column === 'days_since_last_activity' && value === '') return 'no activity yet';
  return `${column}${value === '' ? ' missing' : ` = ${value}`}`;
}

/** One reason as text: `email_type = student (−1.10)`. */
export function reasonItem({ column, value, contribution }: ReasonCode): string {
  return `${reasonPhrase(column, value)} (${signed(contribution)})`;
}

/** Reasons as text: `email_type = student (−1.10); pricing page view 2× in the last 7 days (+0.58)`. */
export function reasonText(codes: readonly ReasonCode[]): string {
  return codes.map(reasonItem).join('; ');
}

