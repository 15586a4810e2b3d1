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
import type { Dataset } from '../data/io/dataset.ts';
import { allRows, columnValues } from '../data/columns.ts';
import { DAY_MS } from '../data/types/dates.ts';
import type { Source } from '../data/io/read.ts';
import { PACKAGE_ROOT } from '../data/sample/sample-paths.ts';
import { assertFolderFree, intoFolder, timestampName, writeCsvColumns, writeFileAtomic } from '../data/io/write.ts';
import { DataError } from '../errors.ts';
import type { ModelName } from '../models/model.ts';
import { leadIdColumn } from '../rules/engine.ts';
import { ruleSetToYaml } from '../rules/rule-file.ts';
import { round } from '../train/model-metrics.ts';
import { writeBacktestReport } from '../report/backtest-report.ts';
import { backtestPeriod, newWalk, type Walk } from './period.ts';
import type { Period } from './periods.ts';
import { type BacktestSetup, prepareBacktest } from './setup.ts';

export { ROW_ORDER } from '../data/time-axis.ts';

export { MIN_OUTCOMES } from './period.ts';

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

/** validate → periods → per period: rows, labels as known then, features as of, fit, score, metrics → summary → write. */
async function run(options: BacktestOptions, outDir: string | undefined): Promise<BacktestResult> {
  const setup = await prepareBacktest(options);
  const walk = newWalk(setup);
  for (let index = 0; index < setup.periods.length; index++) await backtestPeriod(setup, walk, index);
  options.onStep?.(setup.periods.length, setup.periods.length, 'done');
  if (walk.periods.length === 0) {
    throw new DataError('NO_PERIODS', `no period has enough history to train on (${setup.periods.length} periods; ${walk.skipped[0]?.reason ?? 'no leads'})`,
      setup.axis.kind === 'date' ? 'use a shorter --maturity, a longer history, or --period quarter' : 'use a smaller --period width, or a shorter --maturity');
  }
  const json = backtestJson(setup, walk);
  const files = outDir ? await writeBacktest(outDir, setup, walk, json) : [];
  return { json, fitSeconds: walk.totalFit, ...(outDir ? { outDir } : {}), files, info: [...walk.info] };
}

/** Per model, its periods' metrics summed up: mean, spread, worst period, wins over the rules. */
function summarize(models: readonly ModelName[], out: readonly BacktestPeriod[]): BacktestSummary[] {
  return models.map((name) => {
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
}

/** What backtest.json holds. */
function backtestJson(setup: BacktestSetup, walk: Walk): BacktestJson {
  const { options, n, target, axis, outcomeName, seed, spec, maturity, label, now, nowFrom, capacity, minTrainRows } = setup;
  return {
    formatVersion: 1,
    dataset: {
      source: 'path' in options.data ? options.data.path : options.data.sql, rows: n, target: target.name, targetRule: target.rule,
      date: options.date, time: axis.kind, outcomeDate: outcomeName ?? null, activities: Boolean(options.activities), seed,
    },
    settings: {
      period: options.period ?? (spec.kind === 'calendar' ? spec.unit : String(spec.width)), window: options.window ?? 'expanding',
      maturity: axis.kind === 'date' ? maturity / DAY_MS : maturity, maturityUnit: axis.kind === 'date' ? 'days' : 'units', now: label(now), nowFrom, capacity, minTrainRows,
    },
    periods: walk.periods, skipped: walk.skipped, summary: summarize(setup.models, walk.periods), warnings: [...walk.warnings],
  };
}

/** backtest.json, backtest-scores.csv (every lead scored out of time), the report and each period's drafted rules. */
async function writeBacktest(outDir: string, setup: BacktestSetup, walk: Walk, json: BacktestJson): Promise<string[]> {
  const { options, n, leads, idName, models, seed } = setup;
  const { periodOf, statusOf, predictions, drafted } = walk;
  const files: string[] = [];
  await mkdir(outDir, { recursive: true });
  const jsonPath = join(outDir, 'backtest.json');
  await writeFileAtomic(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  files.push(jsonPath);
  // Every lead scored out of time: the period, the outcome (or pending) and each model's probability.
  const scored = allRows(n).filter((r) => periodOf[r] !== '');
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
  return files;
}
