/**
 * The activity log: one row per event (lead id, timestamp, event type, optionally a detail such as a
 * content stage), aggregated per lead **as of a date** from earlier events only. Counts per type in
 * 7/30/90-day windows, days since the last event, a total and a decayed engagement sum. Backtests and
 * behavioural rules stand on this: an event at or after the as-of time never changes a lead's numbers.
 */
import { arquero } from '../io/arquero.ts';
import { DataError } from '../../errors.ts';
import { closestNames } from '../closest-names.ts';
import { type Dataset, type LoadOptions, loadDataset } from '../io/dataset.ts';
import { columnValues, groupRows, presentNumbers } from '../columns.ts';
import { DAY_MS } from '../types/dates.ts';
import { distinctNumbers } from '../types/distinct.ts';
import { numericColumnValues } from '../io/number-column.ts';
import { fileSize, guessFormat, plainCsvDelimiter, type Source, utf8Path } from '../io/read.ts';
import { naTokenSet } from '../types/missing.ts';
import { type DuckDbLogResult, readLogWithDuckDb, type SortedEvents } from './log-duckdb.ts';
import { type ColumnSchema, columnSchema } from '../types/schema.ts';

export interface ActivityLog {
  /** Events sorted by lead, then time. */
  leadIds: string[];
  times: Float64Array;
  /** Event type, with the detail appended as `type:detail` when a detail column is given. */
  types: string[];
  /** Distinct event types (with details), sorted. */
  typeNames: string[];
  /** Per lead id: [first, end) into the sorted event arrays. */
  index: Map<string, [number, number]>;
  /** Events dropped because their lead or time was missing. */
  dropped: number;
  /** How the file was read, where that is worth saying (a large log read in JavaScript, and why). */
  notes?: string[];
}

export interface ActivityColumns {
  lead?: string;
  time?: string;
  type?: string;
  /** Detail column whose values refine the type (content stage). Default `stage` when present. */
  detail?: string | null;
}

/**
 * Builds an activity log from parallel arrays (any order).
 *
 * @example
 * const log = buildActivityLog(['L1', 'L1'], [Date.UTC(2025, 0, 3), Date.UTC(2025, 0, 9)], ['page_view', 'demo_request']);
 */
export function buildActivityLog(leads: ArrayLike<string | null>, times: ArrayLike<number | null>,
  types: ArrayLike<string | null>, details?: ArrayLike<string | null>): ActivityLog {
  // Each kept event's lead as a number: the distinct ids in the order first met, then ranked by their order
  // as strings, so that the events are sorted by lead with a counting sort rather than a string comparison
  // per pair (the order `<` on the ids gives), and by time within each lead (stable: ties keep file order).
  const total = leads.length;
  const firstMet = new Map<string, number>();
  const ids: string[] = [];
  const leadOf = new Int32Array(total).fill(-1);
  for (let i = 0; i < total; i++) {
    const lead = leads[i];
    const t = times[i];
    if (lead === null || t === null || !Number.isFinite(t) || types[i] === null) continue;
    const id = String(lead);
    let k = firstMet.get(id);
    if (k === undefined) {
      k = ids.length;
      ids.push(id);
      firstMet.set(id, k);
    }
    leadOf[i] = k;
  }
  const byName = ids.map((_, k) => k).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  const rank = new Int32Array(ids.length);
  byName.forEach((k, r) => (rank[k] = r));
  const starts = new Int32Array(ids.length + 1);
  for (let i = 0; i < total; i++) if (leadOf[i]! >= 0) starts[rank[leadOf[i]!]! + 1]!++;
  for (let r = 0; r < ids.length; r++) starts[r + 1]! += starts[r]!;
  const n = starts[ids.length]!;
  const order = new Int32Array(n);
  const next = starts.slice(0, ids.length);
  for (let i = 0; i < total; i++) if (leadOf[i]! >= 0) order[next[rank[leadOf[i]!]!]!++] = i;
  for (let r = 0; r < ids.length; r++) sortByTime(order, starts[r]!, starts[r + 1]!, times as ArrayLike<number>);

  const leadIds = new Array<string>(n);
  const sortedTimes = new Float64Array(n);
  const sortedTypes = new Array<string>(n);
  const index = new Map<string, [number, number]>();
  for (let r = 0; r < ids.length; r++) {
    const id = ids[byName[r]!]!;
    index.set(id, [starts[r]!, starts[r + 1]!]);
    for (let k = starts[r]!; k < starts[r + 1]!; k++) leadIds[k] = id;
  }
  // `type:detail` made once per pair, not once per event.
  const joined = new Map<string, Map<string | null | undefined, string>>();
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    sortedTimes[k] = times[i]!;
    const type = String(types[i]);
    const detail = details?.[i];
    let withDetail = joined.get(type);
    if (withDetail === undefined) joined.set(type, (withDetail = new Map()));
    let name = withDetail.get(detail);
    if (name === undefined) withDetail.set(detail, (name = detail ? `${type}:${detail}` : type));
    sortedTypes[k] = name;
  }
  const typeNames = [...new Set([...joined.values()].flatMap((m) => [...m.values()]))].sort();
  return { leadIds, times: sortedTimes, types: sortedTypes, typeNames, index, dropped: total - n };
}

/** Sorts `order[from, to)` by time, ties in place (stable): insertion for a lead's few events, else the built-in stable sort. */
function sortByTime(order: Int32Array, from: number, to: number, times: ArrayLike<number>): void {
  if (to - from > 32) {
    const part = Array.from(order.subarray(from, to)).sort((a, b) => times[a]! - times[b]!);
    order.set(part, from);
    return;
  }
  for (let k = from + 1; k < to; k++) {
    const i = order[k]!;
    const t = times[i]!;
    let j = k - 1;
    while (j >= from && times[order[j]!]! > t) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = i;
  }
}

/** The names each column is looked for by when it is not given. */
const USUAL_NAMES = {
  lead: ['lead_id', 'leadId', 'lead'],
  time: ['occurred_at', 'timestamp', 'time', 'event_time'],
  type: ['type', 'event_type', 'event', 'activity'],
} as const;

/** The columns named (given, or found by their usual names) among `names`; null where one would be chosen by its type. */
function columnsByName(names: readonly string[], columns: ActivityColumns): { lead: string; time: string; type: string; detail?: string } | null {
  const has = new Set(names);
  const find = (wanted: string | undefined, usual: readonly string[]) => (wanted === undefined ? usual.find((n) => has.has(n)) : has.has(wanted) ? wanted : undefined);
  const lead = find(columns.lead, USUAL_NAMES.lead);
  const time = find(columns.time, USUAL_NAMES.time);
  const type = find(columns.type, USUAL_NAMES.type);
  if (!lead || !time || !type) return null;
  if (columns.detail === null) return { lead, time, type };
  const detail = columns.detail ?? (has.has('stage') ? 'stage' : undefined);
  if (detail !== undefined && !has.has(detail)) return null;
  return { lead, time, type, ...(detail === undefined ? {} : { detail }) };
}

function pick(data: Dataset, wanted: string | undefined, fallbacks: string[], accept: (c: ColumnSchema) => boolean, flag: string): string {
  const names = data.schema.columns.map((c) => c.name);
  if (wanted) {
    if (columnSchema(data.schema, wanted)) return wanted;
    const near = closestNames(wanted, names);
    throw new DataError('COLUMN_MISSING', `activity column "${wanted}" not found`, near.length ? `did you mean ${near.map((x) => `"${x}"`).join(' or ')}?` : `the activity file has: ${names.join(', ')}`);
  }
  for (const name of fallbacks) if (columnSchema(data.schema, name)) return name;
  const found = data.schema.columns.find(accept);
  if (found) return found.name;
  throw new DataError('ACTIVITY_COLUMN_UNKNOWN', `cannot tell which activity column holds the ${flag}`,
    `the activity file needs a lead id, a timestamp and an event type column (e.g. lead_id, occurred_at, type); it has: ${names.join(', ')}`);
}

/**
 * Reads an activity file (CSV, Parquet, NDJSON, SQL). Columns are found by name (`lead_id`, `occurred_at`,
 * `type`) or by type when not given.
 *
 * @example
 * const log = await loadActivityLog({ path: 'data/sample/activities.csv' });
 */
export async function loadActivityLog(source: Source, columns: ActivityColumns = {}, options: ActivityLoadOptions = {}): Promise<ActivityLog> {
  const throughDuckDb = await readLargeLog(source, columns, options);
  if (throughDuckDb && 'events' in throughDuckDb) return logOfEvents(throughDuckDb.events);
  const log = await readLogInJavaScript(source, columns, options);
  if (!throughDuckDb) return log;
  return { ...log, notes: [`the activity log ${(source as { path: string }).path} was read in JavaScript, not by DuckDB (slower): ${throughDuckDb.misfit}`] };
}

export interface ActivityLoadOptions extends LoadOptions {
  /**
   * Logs of at least this many bytes are read by DuckDB where it gives the same log (log-duckdb.ts). Default:
   * 8 MiB for CSV, every Parquet file (the JavaScript reading of Parquet goes through DuckDB too).
   */
  duckDbBytes?: number;
}

/** CSV logs from this size on are read by DuckDB where they can be (below it, loading DuckDB costs more than it saves: 102,602 events, 4.5 MB, took 0.72–0.77 s against 0.61–0.77 s). */
export const DUCKDB_LOG_BYTES = 8 * 1024 * 1024;

/** A large plain CSV log read by DuckDB, or why not (a misfit); null when the JavaScript reading is simply the one for it. */
async function readLargeLog(source: Source, columns: ActivityColumns, options: ActivityLoadOptions): Promise<DuckDbLogResult | null> {
  if (!('path' in source)) return null;
  const size = await fileSize(source.path); // a missing or unreadable file said as such first
  const parquet = (options.format ?? (await guessFormat(source.path))) === 'parquet';
  if (size < (options.duckDbBytes ?? (parquet ? 0 : DUCKDB_LOG_BYTES))) return null;
  const choose = (names: string[]) => columnsByName(names, columns);
  if (parquet) return readLogWithDuckDb({ parquet: source.path }, choose, naTokenSet(options.na), options);
  const delimiter = await plainCsvDelimiter(source.path, options);
  if (delimiter === null) return null;
  return readLogWithDuckDb({ csv: await utf8Path(source.path), delimiter }, choose, naTokenSet(options.na), options);
}

/** The log of events DuckDB ordered: the same arrays `buildActivityLog` makes. */
function logOfEvents(events: SortedEvents): ActivityLog {
  const n = events.times.length;
  const leadIds = new Array<string>(n);
  const types = new Array<string>(n);
  const index = new Map<string, [number, number]>();
  events.leads.forEach((id, k) => {
    const from = events.starts[k]!;
    const to = events.starts[k + 1]!;
    index.set(id, [from, to]);
    leadIds.fill(id, from, to);
  });
  const used = new Set<string>();
  for (let e = 0; e < n; e++) used.add(types[e] = events.typeNames[events.typeCodes[e]!]!);
  return { leadIds, times: events.times, types, typeNames: [...used].sort(), index, dropped: events.rows - n };
}

/** The reference reading: the file read as a dataset (schema inferred, columns typed), then its events sorted. */
async function readLogInJavaScript(source: Source, columns: ActivityColumns, options: LoadOptions): Promise<ActivityLog> {
  const data = await loadDataset(source, options);
  const lead = pick(data, columns.lead, [...USUAL_NAMES.lead], (c) => c.type === 'id' || c.type === 'categorical', 'lead id');
  const time = pick(data, columns.time, [...USUAL_NAMES.time], (c) => c.type === 'datetime' || c.type === 'date', 'timestamp');
  const type = pick(data, columns.type, [...USUAL_NAMES.type], (c) => c.type === 'categorical', 'event type');
  const timeSchema = columnSchema(data.schema, time)!;
  if (timeSchema.type !== 'date' && timeSchema.type !== 'datetime') {
    throw new DataError('NOT_A_DATE', `activity column "${time}" holds ${timeSchema.type} values, not timestamps`,
      'name the timestamp column of the activity file (e.g. occurred_at) with ISO dates such as 2025-03-04T10:22:00Z');
  }
  const detail = columns.detail === null ? undefined : columns.detail ?? (columnSchema(data.schema, 'stage') ? 'stage' : undefined);
  const str = (name: string) => (columnValues(data.table, name) as ArrayLike<unknown>);
  // A text column is already strings (one shared string per level); other types are written as text.
  const asText = (values: ArrayLike<unknown>): ArrayLike<string | null> =>
    (Array.isArray(values) && values.every((v) => v === null || typeof v === 'string') ? values : Array.from(values, (v) => (v === null ? null : String(v))));
  return buildActivityLog(asText(str(lead)), str(time) as ArrayLike<number | null>, asText(str(type)), detail ? asText(str(detail)) : undefined);
}

export interface AggregateOptions {
  /** Window lengths in days. Default 7, 30, 90. */
  windows?: number[];
  /** Half-life in days of the decayed engagement sum. Default 14. */
  halfLifeDays?: number;
  /** Weight per event type in the engagement sum; default 1 each. */
  weights?: Record<string, number>;
  /** Event types to count; default every type in the log. */
  types?: string[];
}

export interface ActivityAggregates {
  /** Column names in output order. */
  names: string[];
  /** One Float64Array per name, aligned with the lead ids asked for; NaN where undefined (no event yet). */
  columns: Record<string, Float64Array>;
}

/** True for the column names `aggregateActivities` produces (counts per window and the three summaries). */
export function isActivityAggregateName(name: string): boolean {
  return /_\d+d$/.test(name) || /^account_.*_contacts$/.test(name) || name === 'activities_total' || name === 'days_since_last_activity' || name === 'engagement_decayed';
}

/** Output column name of a type's count in a window: `pricing_page_view_30d`, `content_download_decision_90d`. */
function countColumnName(type: string, days: number): string {
  return `${type.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()}_${days}d`;
}

/**
 * Aggregates each lead's events strictly before its as-of time (one time for all, or one per lead).
 *
 * @example
 * const agg = aggregateActivities(log, ['L1', 'L2'], Date.UTC(2025, 5, 1));
 * agg.columns.pricing_page_view_30d; // Float64Array [2, 0]
 */
export function aggregateActivities(log: ActivityLog, leadIds: ArrayLike<string | null>, asOf: number | ArrayLike<number>,
  options: AggregateOptions = {}): ActivityAggregates {
  const windows = options.windows ?? [7, 30, 90];
  const halfLife = options.halfLifeDays ?? 14;
  const types = options.types ?? log.typeNames;
  const typeIndex = new Map(types.map((t, i) => [t, i]));
  const n = leadIds.length;
  const counts = types.map(() => windows.map(() => new Float64Array(n)));
  const daysSince = new Float64Array(n).fill(Number.NaN);
  const total = new Float64Array(n);
  const engagement = new Float64Array(n);
  const weights = types.map((t) => options.weights?.[t] ?? options.weights?.[t.split(':')[0]!] ?? 1);
  const decay = Math.LN2 / halfLife;

  for (let i = 0; i < n; i++) {
    const id = leadIds[i];
    const span = id === null || id === undefined ? undefined : log.index.get(String(id));
    if (!span) continue;
    const cut = typeof asOf === 'number' ? asOf : asOf[i]!;
    let last = -Infinity;
    for (let k = span[0]; k < span[1]; k++) {
      const t = log.times[k]!;
      if (!(t < cut)) break; // events are sorted by time within a lead: the rest are later
      total[i]!++;
      if (t > last) last = t;
      const ti = typeIndex.get(log.types[k]!);
      if (ti === undefined) continue;
      const age = (cut - t) / DAY_MS;
      engagement[i]! += weights[ti]! * Math.exp(-decay * age);
      const perWindow = counts[ti]!;
      for (let w = 0; w < windows.length; w++) if (age <= windows[w]!) perWindow[w]![i]!++;
    }
    if (last > -Infinity) daysSince[i] = (cut - last) / DAY_MS;
  }

  const names: string[] = [];
  const columns: Record<string, Float64Array> = {};
  types.forEach((type, ti) => windows.forEach((days, w) => {
    const name = countColumnName(type, days);
    names.push(name);
    columns[name] = counts[ti]![w]!;
  }));
  names.push('activities_total', 'days_since_last_activity', 'engagement_decayed');
  columns.activities_total = total;
  columns.days_since_last_activity = daysSince;
  columns.engagement_decayed = engagement;
  return { names, columns };
}

/**
 * Account-level behaviour, as of each lead's scoring time: per event type, how many **other** contacts of
 * the same account had such an event strictly before it, and how many events they had in the last 30 days.
 * Several engaged people in one company is a buying signal no single lead shows. Leads without an account
 * get zeros (no colleagues known).
 *
 * @example
 * aggregateAccountActivities(log, leadIds, accountIds, asOf).columns.account_pricing_page_view_contacts;
 */
export function aggregateAccountActivities(log: ActivityLog, leadIds: ArrayLike<string | null>, accountIds: ArrayLike<string | null>,
  asOf: number | ArrayLike<number>, options: { types?: string[] } = {}): ActivityAggregates {
  const types = options.types ?? [...new Set(log.typeNames.map((t) => t.split(':')[0]!))].sort();
  const typeIndex = new Map(types.map((t, k) => [t, k]));
  const n = leadIds.length;
  const members = groupRows(accountIds);
  const contacts = types.map(() => new Float64Array(n));
  const recent = new Float64Array(n);
  const seen = new Uint8Array(types.length);
  for (let i = 0; i < n; i++) {
    const a = accountIds[i];
    if (a === null || a === undefined) continue;
    const cut = typeof asOf === 'number' ? asOf : asOf[i]!;
    for (const j of members.get(String(a))!) {
      if (j === i) continue;
      const id = leadIds[j];
      const span = id === null || id === undefined ? undefined : log.index.get(String(id));
      if (!span) continue;
      seen.fill(0);
      for (let k = span[0]; k < span[1]; k++) {
        const t = log.times[k]!;
        if (!(t < cut)) break;
        const ti = typeIndex.get(log.types[k]!.split(':')[0]!);
        if (ti !== undefined) seen[ti] = 1;
        if ((cut - t) / DAY_MS <= 30) recent[i]!++;
      }
      for (let ti = 0; ti < types.length; ti++) contacts[ti]![i]! += seen[ti]!;
    }
  }
  const names: string[] = [];
  const columns: Record<string, Float64Array> = {};
  types.forEach((type, ti) => {
    const name = `account_${type.replace(/[^A-Za-z0-9]+/g, '_').toLowerCase()}_contacts`;
    names.push(name);
    columns[name] = contacts[ti]!;
  });
  names.push('account_events_30d');
  columns.account_events_30d = recent;
  return { names, columns };
}

/**
 * Adds activity aggregates to a dataset as numeric feature columns (NaN becomes missing).
 *
 * @example
 * const withActivity = joinActivities(data, aggregateActivities(log, columnValues(data.table, 'lead_id'), asOf));
 */
export function joinActivities(data: Dataset, aggregates: ActivityAggregates): Dataset {
  const clash = aggregates.names.filter((n) => columnSchema(data.schema, n));
  if (clash.length > 0) {
    throw new DataError('COLUMN_CLASH', `activity aggregates would replace existing columns: ${clash.join(', ')}`,
      'rename those columns in the lead file, or leave out --activities');
  }
  const added: Record<string, ArrayLike<number | null>> = {};
  const schemas: ColumnSchema[] = [];
  for (const name of aggregates.names) {
    const column = aggregates.columns[name]!;
    const present = presentNumbers(column);
    const missing = column.length - present.length;
    added[name] = numericColumnValues(column, missing);
    let min = present[0]!;
    let max = present[0]!;
    for (let i = 1; i < present.length; i++) {
      min = Math.min(min, present[i]!);
      max = Math.max(max, present[i]!);
    }
    schemas.push({
      name, type: 'numeric', feature: true, missing, missingShare: column.length ? missing / column.length : 0,
      distinct: distinctNumbers(present), examples: [], warnings: [],
      ...(present.length ? { min, max } : {}),
    });
  }
  return {
    ...data,
    table: data.table.assign(arquero().table(added)),
    schema: { ...data.schema, columns: [...data.schema.columns, ...schemas] },
  };
}

/**
 * The leads with their activity features as of each one's scoring time joined: per lead
 * (`aggregateActivities`), and with `account` the account-level ones (`aggregateAccountActivities`). The one
 * join `train`, `evaluate`, `backtest`, `score` and the demo use.
 */
export function joinActivityFeatures(leads: Dataset, log: ActivityLog, idName: string, asOf: number | ArrayLike<number>, account?: string | null): Dataset {
  const ids = columnValues(leads.table, idName) as ArrayLike<string | null>;
  const data = joinActivities(leads, aggregateActivities(log, ids, asOf));
  return account ? joinActivities(data, aggregateAccountActivities(log, ids, columnValues(leads.table, account) as ArrayLike<string | null>, asOf)) : data;
}
