/**
 * The backtest's setup, before any period is fitted: the options read and checked, the time axis, the
 * periods, when each outcome became known and the time the backtest stands at (`now`), the activity log and
 * each lead's scoring time, the rule file, and the columns never used as features.
 */
import { type ActivityLog, loadActivityLog } from '../data/activities/activities.ts';
import { resolveAsOf } from '../data/activities/as-of.ts';
import { columnNotFound } from '../data/closest-names.ts';
import { columnValues } from '../data/columns.ts';
import { type Dataset, loadDataset } from '../data/io/dataset.ts';
import { DAY_MS, formatDate } from '../data/types/dates.ts';
import { columnSchema } from '../data/types/schema.ts';
import { resolveTarget, type Target } from '../data/target.ts';
import { ROW_ORDER, type TimeAxis, timeAxis } from '../data/time-axis.ts';
import { ConfigError, DataError } from '../errors.ts';
import type { ModelName } from '../models/model.ts';
import { leadIdColumn } from '../rules/engine.ts';
import { loadRuleFile, type RuleSet } from '../rules/rule-file.ts';
import { modelsToFit } from '../train/fit.ts';
import { parseParams } from '../train/params.ts';
import type { BacktestOptions } from './backtest.ts';
import { makePeriods, parsePeriod, parseWindow, type Period, type PeriodSpec } from './periods.ts';

export interface BacktestSetup {
  options: BacktestOptions;
  seed: number;
  models: ModelName[];
  params: ReturnType<typeof parseParams>;
  window: ReturnType<typeof parseWindow>;
  capacity: number;
  minTrainRows: number;
  leads: Dataset;
  target: Target;
  axis: TimeAxis;
  n: number;
  spec: PeriodSpec;
  /** Outcome window, in the axis' units. */
  maturity: number;
  /** A time as shown (a date, or an ordinal value). */
  label: (t: number) => string;
  outcomeName: string | undefined;
  outcomeTimes: ArrayLike<number | null> | undefined;
  /** The time the backtest stands at, and where it came from. */
  now: number;
  nowFrom: string;
  log: ActivityLog | undefined;
  scoreTime: Float64Array | undefined;
  idName: string | undefined;
  givenRules: RuleSet | undefined;
  exclude: string[];
  /** 1 where a lead has no outcome recorded. */
  unlabelled: Uint8Array;
  periods: Period[];
  /** The labels as known at `now` (a conversion dated after it is not known yet). */
  known: Uint8Array;
}

/** Reads and checks what the backtest walks over (see the header). */
export async function prepareBacktest(options: BacktestOptions): Promise<BacktestSetup> {
  const seed = options.seed ?? 42;
  const models = modelsToFit(options.models);
  const params = parseParams(options.params ?? []);
  const window = parseWindow(options.window ?? 'expanding');
  const capacity = options.capacity ?? 0.1;
  const minTrainRows = options.minTrainRows ?? 200;

  const leads = await loadDataset(options.data, options.na ? { na: options.na } : {});
  const target = resolveTarget(leads, options.target, options.positive ? { positive: options.positive } : {});
  const axis = timeAxis(leads, options.date);
  const n = leads.table.numRows();
  const spec: PeriodSpec = options.period ? parsePeriod(options.period) : axis.kind === 'date' ? { kind: 'calendar', unit: 'month' } : { kind: 'width', width: 1 };
  if (axis.kind === 'date' && spec.kind === 'width') throw new ConfigError('BAD_PERIOD', `--date ${options.date} holds dates: a period is week, month or quarter`, 'use --period month');
  if (axis.kind === 'ordinal' && spec.kind === 'calendar') throw new ConfigError('BAD_PERIOD', `--date ${options.date} is an ordinal time (not dates): --period ${spec.unit} has no meaning there`, `give a width in its units, e.g. --period ${Math.ceil(n / 12)} for twelve periods of rows`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of axis.times) {
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  if (spec.kind === 'width' && !options.period) spec.width = Math.max(1, Math.ceil((hi - lo + 1) / 12));
  const maturity = (options.maturity ?? (axis.kind === 'date' ? 90 : 0)) * (axis.kind === 'date' ? DAY_MS : 1);
  if (!(maturity >= 0)) throw new ConfigError('BAD_MATURITY', 'the maturity must be zero or more', 'e.g. --maturity 90 (days until an outcome is known)');
  const label = (t: number) => (axis.kind === 'date' ? formatDate(t, true) : String(t));

  // When each conversion became known: the outcome-date column, or the target itself when it is a date.
  let outcomeTimes: ArrayLike<number | null> | undefined;
  const outcomeName = options.outcomeDate ?? (['date', 'datetime'].includes(columnSchema(leads.schema, target.name)?.type ?? '') ? target.name : undefined);
  if (outcomeName) {
    const c = columnSchema(leads.schema, outcomeName);
    if (!c) throw new DataError('COLUMN_MISSING', `--outcome-date column "${outcomeName}" not found`, 'name the column holding the conversion date, e.g. converted_at');
    if (c.type !== 'date' && c.type !== 'datetime') throw new DataError('NOT_A_DATE', `--outcome-date column "${outcomeName}" is ${c.type}, not a date`, 'name the column holding the conversion date, e.g. converted_at');
    if (axis.kind !== 'date') throw new ConfigError('OUTCOME_DATE_ORDINAL', '--outcome-date needs --date to be a date column', `leave out --outcome-date with --date ${options.date}`);
    outcomeTimes = columnValues(leads.table, outcomeName) as ArrayLike<number | null>;
  }

  // The time the backtest stands at: --now, else the newest date anything is known (an outcome date can run
  // months past the last lead: standing at the last lead would leave recent periods pending for no reason).
  let newestOutcome = -Infinity;
  if (outcomeTimes) for (let i = 0; i < n; i++) if (typeof outcomeTimes[i] === 'number') newestOutcome = Math.max(newestOutcome, outcomeTimes[i] as number);
  const now = options.now === undefined ? Math.max(hi, newestOutcome) : (() => {
    const text = options.now.trim();
    if (axis.kind === 'ordinal') {
      const t = Number(text);
      if (text === '' || !Number.isFinite(t)) throw new ConfigError('BAD_NOW', `cannot read --now "${options.now}" on an ordinal time`, `give a value of ${options.date}, e.g. --now ${hi}`);
      return t;
    }
    if (!/^\d{4}-\d{2}-\d{2}/.test(text)) throw new ConfigError('BAD_NOW', `cannot read --now "${options.now}"`, 'use an ISO date such as 2026-01-01');
    return resolveAsOf(text) as number;
  })();
  const nowFrom = options.now !== undefined ? '--now' : newestOutcome > hi ? `the newest outcome date (${outcomeName})` : `the newest lead date (${options.date})`;

  // Activities: the scoring time of each lead, and the log.
  let log: ActivityLog | undefined;
  let scoreTime: Float64Array | undefined;
  let idName: string | undefined;
  if (options.activities) {
    if (axis.kind !== 'date' && !options.asOf) throw new ConfigError('AS_OF_REQUIRED', 'activity features need each lead\'s scoring time, and --date is not a date', 'add --as-of <date column>[+Nd]');
    log = await loadActivityLog(options.activities);
    const t = resolveAsOf(options.asOf ?? options.date, leads);
    scoreTime = typeof t === 'number' ? new Float64Array(n).fill(t) : t;
    idName = leadIdColumn(leads, options.id);
    if (!idName) throw new ConfigError('ID_REQUIRED', 'the activity log needs a lead id column to join on', 'name it with --id <column>');
    if (options.account && !columnSchema(leads.schema, options.account)) throw new ConfigError('COLUMN_MISSING', `account column "${options.account}" not found`, 'check --account');
  }
  const givenRules: RuleSet | undefined = options.rules ? await loadRuleFile(options.rules) : undefined;
  const exclude = [target.name, ...(options.exclude ?? []), ...(options.date !== ROW_ORDER ? [options.date] : []), ...(outcomeName && outcomeName !== target.name ? [outcomeName] : []),
    ...(options.account ? [options.account] : [])];
  for (const e of options.exclude ?? []) if (!columnSchema(leads.schema, e)) throw columnNotFound('--exclude', e, leads.schema.columns.map((c) => c.name));

  const unlabelled = new Uint8Array(n);
  for (const r of target.unlabelled) unlabelled[r] = 1;
  // As of --now: later leads do not exist yet, and a conversion dated after it is not known yet.
  const periods = makePeriods(lo, Math.min(hi, now), spec);
  const known = Uint8Array.from(target.y);
  if (outcomeTimes) {
    for (let r = 0; r < n; r++) {
      const t = outcomeTimes[r];
      if (known[r] === 1 && typeof t === 'number' && t > now) known[r] = 0;
    }
  }
  return {
    options, seed, models, params, window, capacity, minTrainRows, leads, target, axis, n, spec, maturity, label, outcomeName, outcomeTimes,
    now, nowFrom, log, scoreTime, idName, givenRules, exclude, unlabelled, periods, known,
  };
}
