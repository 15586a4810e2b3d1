/**
 * Walk-forward backtest: for each period P, the models and the rule baseline are fitted on what was known
 * at the start of P, then rank the leads created in P, and are judged once those leads' outcomes are in.
 *
 * - Training rows: leads created at least `maturity` before P starts (their outcome window has closed),
 *   within the window (expanding, or the last N periods). A conversion dated at or after P's start is not
 *   yet known, so it is a non-conversion in that period's training labels.
 * - Features: activity aggregates use only events before each lead's scoring time, and for training
 *   rows never past P's start.
 * - Evaluation: leads of P whose outcome window has not closed by `now` (--now, else the newest outcome date
 *   where one is known, else the newest lead date)
 *   are `pending`: counted, never scored as non-converted.
 * - Drift: PSI of each model's score and of the strongest features between the training rows and P.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type ActivityLog, joinActivityFeatures, loadActivityLog } from '../data/activities.ts';
import { resolveAsOf } from '../data/as-of.ts';
import { type Dataset, loadDataset } from '../data/dataset.ts';
import { columnValues } from '../data/columns.ts';
import { DAY_MS, formatDate } from '../data/dates.ts';
import type { Source } from '../data/read.ts';
import { PACKAGE_ROOT } from '../data/sample-paths.ts';
import { columnSchema } from '../data/schema.ts';
import { resolveTarget } from '../data/target.ts';
import { assertFolderFree, intoFolder, timestampName, writeCsvColumns, writeFileAtomic } from '../data/write.ts';
import { ConfigError, DataError } from '../errors.ts';
import { leakageGuard } from '../evaluation/leakage.ts';
import { averagePrecision, brierScore, liftAt, logLoss, rocAuc } from '../evaluation/metrics.ts';
import type { ModelName } from '../models/model.ts';
import { createRng } from '../random.ts';
import { C_GRID } from '../models/logistic/cv.ts';
import { leadIdColumn, type ScoringContext } from '../rules/engine.ts';
import { loadRuleFile, type RuleSet, ruleSetToYaml } from '../rules/rule-file.ts';
import { fitGbdt, fitLogistic, fitMlp, fitRules, modelsToFit } from '../train/fit.ts';
import { round } from '../train/model-metrics.ts';
import { parseParams } from '../train/params.ts';
import { ROW_ORDER, timeAxis } from '../data/time-axis.ts';
import { columnNotFound } from '../data/closest-names.ts';
import { writeBacktestReport } from '../report/backtest-report.ts';
import { categoricalPsi, numericPsi, PSI_WARNING } from './drift.ts';
import { makePeriods, parsePeriod, parseWindow, type Period, type PeriodSpec, windowStart } from './periods.ts';

export { ROW_ORDER } from '../data/time-axis.ts';

/** Fewest known conversions (and non-conversions) among a period's leads before it is judged. */
export const MIN_OUTCOMES = 10;

export interface BacktestOptions {
  data: Source;
  target: string;
  positive?: string;
  /** Date column, a numeric ordinal column, or `@row`. */
  date: string;
  /** When each conversion happened (default: the target itself when it is a date column). */
  outcomeDate?: string;
  id?: string;
  activities?: Source;
  /** Each lead's scoring time, e.g. `created_at+7d`; default the --date column. */
  asOf?: string;
  account?: string;
  /** week, month, quarter; or a width in the ordinal column's units. Default month (dates) or a twelfth of the range. */
  period?: string;
  /** expanding or sliding:N. */
  window?: string;
  /** Days (dates) or units (ordinal) after creation when the outcome is known. Default 90 days / 0 units. */
  maturity?: number;
  /** The evaluation date ("today"); default the newest --date value. */
  now?: string;
  models?: ModelName[];
  rules?: string;
  exclude?: string[];
  na?: string;
  seed?: number;
  params?: string[];
  /** Share of leads sales can work, for precision at capacity. Default 0.1. */
  capacity?: number;
  /** Fewest training rows (and 10 of each class) before a period is backtested. Default 200. */
  minTrainRows?: number;
  /** How many of the strongest columns get a drift (PSI) figure. Default 5. */
  driftFeatures?: number;
  out?: string;
  /** Writes nothing when false (library use, tests). Default true. */
  write?: boolean;
  onPeriod?: (trace: PeriodTrace) => void;
  onStep?: (done: number, total: number, label: string) => void;
}

/** What a period saw, for tests and notebooks: the exact training labels, features and scores. */
export interface PeriodTrace {
  index: number;
  period: Period;
  data: Dataset;
  train: Int32Array;
  yTrain: Uint8Array;
  test: Int32Array;
  scores: Record<string, Float64Array>;
}

export interface PeriodModelMetrics {
  name: ModelName;
  auc: number | null;
  prAuc: number | null;
  liftAt10: number | null;
  precisionAtCapacity: number | null;
  logLoss: number | null;
  brier: number | null;
  /** PSI of this model's score, training rows vs the period. */
  scorePsi: number;
}

export interface BacktestPeriod {
  start: string;
  end: string;
  trainRows: number;
  trainPositives: number;
  testRows: number;
  evaluated: number;
  positives: number;
  pending: number;
  models: PeriodModelMetrics[];
  featureDrift: Array<{ column: string; psi: number }>;
  /** The rule file this period's baseline used: the given --rules, or the file its drafted rules were saved to (relative to the backtest folder). */
  rules: string;
  warnings: string[];
}

export interface SummaryStat {
  mean: number | null;
  sd: number | null;
  worst: number | null;
  worstPeriod: string | null;
}

export interface BacktestSummary {
  name: ModelName;
  periods: number;
  auc: SummaryStat;
  prAuc: SummaryStat;
  liftAt10: SummaryStat;
  precisionAtCapacity: SummaryStat;
  /** Periods where this model's AUC beat the rules' (null for the rules themselves). */
  beatRules: { wins: number; of: number } | null;
  maxScorePsi: number;
}

export interface BacktestJson {
  formatVersion: 1;
  dataset: { source: string; rows: number; target: string; targetRule: string; date: string; time: 'date' | 'ordinal';
    outcomeDate: string | null; activities: boolean; seed: number };
  settings: { period: string; window: string; maturity: number; maturityUnit: 'days' | 'units'; now: string;
    /** Where `now` came from: --now, the newest outcome date, or the newest lead date. */
    nowFrom: string; capacity: number; minTrainRows: number };
  periods: BacktestPeriod[];
  skipped: Array<{ start: string; end: string; reason: string }>;
  summary: BacktestSummary[];
  warnings: string[];
}

export interface BacktestResult {
  /** What backtest.json holds: the same input and seed give the same bytes (timings are kept apart). */
  json: BacktestJson;
  /** Seconds spent fitting each model, summed over the periods. */
  fitSeconds: Record<string, number>;
  outDir?: string;
  files: string[];
  /** Said in passing: the network's TensorFlow.js backend when tfjs-node is absent. */
  info: string[];
}

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

function summaryStat(values: Array<{ v: number | null; period: string }>): SummaryStat {
  const present = values.filter((x): x is { v: number; period: string } => x.v !== null && Number.isFinite(x.v));
  const m = mean(present.map((x) => x.v));
  if (m === null) return { mean: null, sd: null, worst: null, worstPeriod: null };
  const sd = present.length > 1 ? Math.sqrt(present.reduce((s, x) => s + (x.v - m) ** 2, 0) / (present.length - 1)) : 0;
  const worst = present.reduce((w, x) => (x.v < w.v ? x : w));
  return { mean: round(m), sd: round(sd), worst: round(worst.v), worstPeriod: worst.period };
}

/** Precision among the top `share` of rows by score (ties broken by row order, as liftAt does). */
function precisionAtShare(scores: Float64Array, y: Uint8Array, share: number, rows: Int32Array): number {
  const base = rows.reduce((s, r) => s + y[r]!, 0) / rows.length;
  return liftAt(scores, y, share, rows) * base;
}

/**
 * Runs the walk-forward backtest and (unless `write: false`) writes backtest.json and backtest-scores.csv.
 *
 * @example
 * const { json } = await backtest({ data: { path: 'leads.csv' }, target: 'converted', date: 'created_at', period: 'month' });
 * json.summary.find((s) => s.name === 'logistic')?.beatRules; // { wins: 17, of: 19 }
 */
export async function backtest(options: BacktestOptions): Promise<BacktestResult> {
  const write = options.write !== false;
  if (!write) return run(options, undefined);
  const outDir = resolve(options.out ?? join(PACKAGE_ROOT, 'models', 'backtests', timestampName()));
  await assertFolderFree(outDir, 'backtest.json', 'a backtest');
  return intoFolder(outDir, () => run(options, outDir));
}

async function run(options: BacktestOptions, outDir: string | undefined): Promise<BacktestResult> {
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
  const out: BacktestPeriod[] = [];
  const drafted: Array<{ file: string; rules: RuleSet; trainRows: number; start: string }> = [];
  const skipped: BacktestJson['skipped'] = [];
  const warnings = new Set<string>();
  const info = new Set<string>(leads.notes ?? []);
  const predictions = new Map<string, Float64Array>(models.map((m) => [m, new Float64Array(n).fill(Number.NaN)]));
  const periodOf = new Array<string>(n).fill('');
  const statusOf = new Array<string>(n).fill('');
  const rootRng = createRng(seed);
  let previousC: number | undefined;
  const totalFit: Record<string, number> = {};

  for (let index = 0; index < periods.length; index++) {
    const period = periods[index]!;
    options.onStep?.(index, periods.length, label(period.start));
    const from = windowStart(period, spec, window) - maturity;
    const cut = period.start - maturity;
    const trainList: number[] = [];
    const testList: number[] = [];
    for (let r = 0; r < n; r++) {
      const t = axis.times[r]!;
      if (t > now) continue;
      if (t >= period.start && t < period.end) testList.push(r);
      else if (t < cut && t >= from && !unlabelled[r]) trainList.push(r);
    }
    const train = Int32Array.from(trainList);
    const test = Int32Array.from(testList);
    if (test.length === 0) continue;
    // Labels as known at the period's start.
    const y = Uint8Array.from(target.y);
    if (outcomeTimes) {
      for (const r of train) {
        const t = outcomeTimes[r];
        if (y[r] === 1 && typeof t === 'number' && t >= period.start) y[r] = 0;
      }
    }
    const trainPositives = train.reduce((s, r) => s + y[r]!, 0);
    const periodLabel = { start: label(period.start), end: label(period.end) };
    if (train.length < minTrainRows || trainPositives < 10 || train.length - trainPositives < 10) {
      skipped.push({ ...periodLabel, reason: `too little history: ${train.length} training leads, ${trainPositives} converted (needs ${minTrainRows} and 10 of each outcome)` });
      continue;
    }
    // Pending: outcome window not closed by now, or no outcome recorded.
    const evaluatedList: number[] = [];
    let pending = 0;
    for (const r of test) {
      if (unlabelled[r] || axis.times[r]! + maturity > now) pending++;
      else evaluatedList.push(r);
    }
    const evaluated = Int32Array.from(evaluatedList);
    for (const r of test) {
      periodOf[r] = periodLabel.start;
      statusOf[r] = unlabelled[r] || axis.times[r]! + maturity > now ? 'pending' : String(known[r]);
    }

    // Features as of each lead's scoring time; for training rows never past the period's start.
    let data = leads;
    let context: ScoringContext = options.id ? { leadId: options.id } : {};
    let asOf: Float64Array | undefined;
    if (log && scoreTime) {
      asOf = Float64Array.from(scoreTime);
      for (const r of train) asOf[r] = Math.min(asOf[r]!, period.start);
      // Replaying as of --now: no event after it is known, even within a lead's scoring window.
      if (options.now !== undefined) for (const r of test) asOf[r] = Math.min(asOf[r]!, now);
      data = joinActivityFeatures(leads, log, idName!, asOf, options.account);
      context = { activities: log, asOf, leadId: idName!, ...(options.account ? { account: options.account } : {}) };
    }
    const guard = leakageGuard(data, y, train, { exclude });
    const certain = guard.flags.filter((f) => f.severity === 'certain').map((f) => f.column);
    for (const f of guard.flags) if (f.severity === 'suspect') warnings.add(`leakage suspect: ${f.reason}`);
    const periodExclude = [...exclude, ...certain];
    const rng = rootRng.fork(`period:${periodLabel.start}`);

    const scores: Record<string, Float64Array> = {};
    const fitSeconds: Record<string, number> = {};
    const probabilities: Record<string, Float64Array> = {};
    let t0 = performance.now();
    const ruleFit = fitRules(leads, y, train, { ...(givenRules ? { rules: givenRules } : {}), target: target.name, exclude: periodExclude, context });
    scores.rules = ruleFit.result.score;
    probabilities.rules = ruleFit.probability;
    fitSeconds.rules = (performance.now() - t0) / 1000;
    const fitInput = { data, y, train, exclude: periodExclude, rng, ...(asOf ? { asOf } : {}) };
    if (models.includes('logistic')) {
      t0 = performance.now();
      // C: the full grid in the first period, then the previous period's choice and its grid neighbours
      // (chosen on earlier data only, so still honest; 3 candidates instead of 7).
      const at = previousC === undefined ? -1 : C_GRID.indexOf(previousC as (typeof C_GRID)[number]);
      const fit = fitLogistic(fitInput, params.logistic, at < 0 ? {} : { grid: C_GRID.slice(Math.max(0, at - 1), at + 2) });
      previousC = fit.details.C as number;
      scores.logistic = probabilities.logistic = fit.probability;
      fitSeconds.logistic = (performance.now() - t0) / 1000;
    }
    if (models.includes('gbdt')) {
      t0 = performance.now();
      const fit = fitGbdt(fitInput, params.gbdt);
      scores.gbdt = probabilities.gbdt = fit.probability;
      fitSeconds.gbdt = (performance.now() - t0) / 1000;
    }
    if (models.includes('mlp')) {
      t0 = performance.now();
      const fit = await fitMlp(fitInput, params.mlp, { onNote: (note) => info.add(note) });
      scores.mlp = probabilities.mlp = fit.probability;
      fitSeconds.mlp = (performance.now() - t0) / 1000;
    }
    for (const [k, v] of Object.entries(fitSeconds)) totalFit[k] = (totalFit[k] ?? 0) + v;

    // Ranking metrics on a handful of outcomes are noise: a period is judged with at least 10 of each.
    const evaluatedPositives = evaluated.reduce((s, r) => s + known[r]!, 0);
    const canEvaluate = evaluatedPositives >= MIN_OUTCOMES && evaluated.length - evaluatedPositives >= MIN_OUTCOMES;
    const periodWarnings: string[] = [];
    const metrics: PeriodModelMetrics[] = models.map((name) => {
      const s = scores[name]!;
      const p = probabilities[name]!;
      for (const r of test) predictions.get(name)![r] = p[r]!;
      const psi = numericPsi(Float64Array.from(train, (r) => s[r]!), Float64Array.from(test, (r) => s[r]!));
      if (psi > PSI_WARNING) periodWarnings.push(`${name} score drifted: PSI ${psi.toFixed(2)} against its training rows`);
      return {
        name,
        auc: canEvaluate ? round(rocAuc(s, known, evaluated)) : null,
        prAuc: canEvaluate ? round(averagePrecision(s, known, evaluated)) : null,
        liftAt10: canEvaluate ? round(liftAt(s, known, 0.1, evaluated)) : null,
        precisionAtCapacity: canEvaluate ? round(precisionAtShare(s, known, capacity, evaluated)) : null,
        logLoss: canEvaluate ? round(logLoss(p, known, evaluated)) : null,
        brier: canEvaluate ? round(brierScore(p, known, evaluated)) : null,
        scorePsi: round(psi),
      };
    });
    // Drift of the strongest columns (single-feature AUC on the training rows).
    const featureDrift = guard.aucs.filter((a) => !periodExclude.includes(a.column)).slice(0, options.driftFeatures ?? 5).map(({ column }) => {
      const values = columnValues(data.table, column) as ArrayLike<unknown>;
      const type = columnSchema(data.schema, column)!.type;
      const psi = type === 'numeric' || type === 'date' || type === 'datetime'
        ? numericPsi(Float64Array.from(train, (r) => (typeof values[r] === 'number' ? values[r] as number : Number.NaN)), Float64Array.from(test, (r) => (typeof values[r] === 'number' ? values[r] as number : Number.NaN)))
        : categoricalPsi(Array.from(train, (r) => (values[r] === null || values[r] === undefined ? null : String(values[r]))), Array.from(test, (r) => (values[r] === null || values[r] === undefined ? null : String(values[r]))));
      if (psi > PSI_WARNING) periodWarnings.push(`${column} drifted: PSI ${psi.toFixed(2)} against the training rows`);
      return { column, psi: round(psi) };
    });
    if (!canEvaluate) {
      periodWarnings.push(evaluated.length === 0 ? 'all leads pending: outcome windows still open'
        : `not judged: ${evaluatedPositives} conversions and ${evaluated.length - evaluatedPositives} non-conversions known (needs ${MIN_OUTCOMES} of each)${pending ? `; ${pending} pending` : ''}`);
    }
    // Drafted rules differ period by period (each from its own training rows): each is saved, and named here.
    const rulesFile = options.rules ?? `rules/${periodLabel.start.replace(/[^\w.-]+/g, '_')}.yaml`;
    if (!givenRules) drafted.push({ file: rulesFile, rules: ruleFit.rules, trainRows: train.length, start: periodLabel.start });
    out.push({
      ...periodLabel, trainRows: train.length, trainPositives, testRows: test.length, evaluated: evaluated.length,
      positives: evaluatedPositives, pending, models: metrics, featureDrift, rules: rulesFile, warnings: periodWarnings,
    });
    options.onPeriod?.({ index, period, data, train, yTrain: Uint8Array.from(train, (r) => y[r]!), test, scores: Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, Float64Array.from(test, (r) => v[r]!)])) });
  }
  options.onStep?.(periods.length, periods.length, 'done');
  if (out.length === 0) {
    throw new DataError('NO_PERIODS', `no period has enough history to train on (${periods.length} periods; ${skipped[0]?.reason ?? 'no leads'})`,
      axis.kind === 'date' ? 'use a shorter --maturity, a longer history, or --period quarter' : 'use a smaller --period width, or a shorter --maturity');
  }

  const summary: BacktestSummary[] = models.map((name) => {
    const rows = out.map((p) => ({ p, m: p.models.find((m) => m.name === name)! }));
    const stat = (key: 'auc' | 'prAuc' | 'liftAt10' | 'precisionAtCapacity') => summaryStat(rows.map(({ p, m }) => ({ v: m[key], period: p.start })));
    const compared = rows.filter(({ p, m }) => m.auc !== null && p.models.find((x) => x.name === 'rules')!.auc !== null);
    return {
      name, periods: rows.filter(({ m }) => m.auc !== null).length,
      auc: stat('auc'), prAuc: stat('prAuc'), liftAt10: stat('liftAt10'), precisionAtCapacity: stat('precisionAtCapacity'),
      beatRules: name === 'rules' ? null : { wins: compared.filter(({ p, m }) => m.auc! > p.models.find((x) => x.name === 'rules')!.auc!).length, of: compared.length },
      maxScorePsi: round(Math.max(...rows.map(({ m }) => (Number.isFinite(m.scorePsi) ? m.scorePsi : 0)))),
    };
  });
  const json: BacktestJson = {
    formatVersion: 1,
    dataset: {
      source: 'path' in options.data ? options.data.path : options.data.sql, rows: n, target: target.name, targetRule: target.rule,
      date: options.date, time: axis.kind, outcomeDate: outcomeName ?? null, activities: Boolean(options.activities), seed,
    },
    settings: {
      period: options.period ?? (spec.kind === 'calendar' ? spec.unit : String(spec.width)), window: options.window ?? 'expanding',
      maturity: axis.kind === 'date' ? maturity / DAY_MS : maturity, maturityUnit: axis.kind === 'date' ? 'days' : 'units', now: label(now), nowFrom, capacity, minTrainRows,
    },
    periods: out, skipped, summary, warnings: [...warnings],
  };
  const files: string[] = [];
  if (outDir) {
    await mkdir(outDir, { recursive: true });
    const jsonPath = join(outDir, 'backtest.json');
    await writeFileAtomic(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
    files.push(jsonPath);
    // Every lead scored out of time: the period, the outcome (or pending) and each model's probability.
    const scored = Int32Array.from({ length: n }, (_, r) => r).filter((r) => periodOf[r] !== '');
    const ids = idName ?? leadIdColumn(leads, options.id);
    const idValues = ids ? columnValues(leads.table, ids) as ArrayLike<unknown> : undefined;
    const csvPath = join(outDir, 'backtest-scores.csv');
    await writeCsvColumns(csvPath, [ids ?? 'row', 'period', 'outcome', ...models.map((m) => `${m}_probability`)], [
      Array.from(scored, (r) => (idValues ? idValues[r] as string | number | null : r + 1)), Array.from(scored, (r) => periodOf[r]), Array.from(scored, (r) => statusOf[r]),
      ...models.map((m) => Array.from(scored, (r) => round(predictions.get(m)![r]!))),
    ]);
    files.push(csvPath);
    // The backtest report: period by period, beside the JSON it is drawn from.
    files.push((await writeBacktestReport(outDir)).path);
    for (const d of drafted) {
      const path = join(outDir, d.file);
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, ruleSetToYaml(d.rules, `Drafted by leadscore backtest from the ${d.trainRows} training leads known before ${d.start} (seed ${seed}).`));
      files.push(path);
    }
  }
  return { json, fitSeconds: totalFit, ...(outDir ? { outDir } : {}), files, info: [...info] };
}
