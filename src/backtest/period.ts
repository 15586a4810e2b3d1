/**
 * One period of the walk-forward backtest, as named steps: its rows (training rows known at its start,
 * test rows created in it) → the training labels as known then → which test leads' outcomes are in by now
 * → features as of each lead's scoring time → the leakage guard → the rule baseline and the models fitted →
 * their metrics and score drift → the strongest features' drift. What the walk gathers over the periods is
 * the `Walk`.
 */
import { joinActivityFeatures } from '../data/activities/activities.ts';
import { bytesAt, columnValues, floatsAt } from '../data/columns.ts';
import type { Dataset } from '../data/io/dataset.ts';
import { columnSchema } from '../data/types/schema.ts';
import { leakageGuard } from '../evaluation/leakage.ts';
import { averagePrecision, brierScore, liftAt, logLoss, rocAuc } from '../evaluation/metrics.ts';
import { C_GRID } from '../models/logistic/cv.ts';
import type { ModelName } from '../models/model.ts';
import { createRng, type Rng } from '../random.ts';
import type { ScoringContext } from '../rules/engine.ts';
import type { RuleSet } from '../rules/rule-file.ts';
import { fitGbdt, fitLogistic, fitMlp, fitRules } from '../train/fit.ts';
import { round } from '../train/model-metrics.ts';
import type { BacktestJson, BacktestPeriod, PeriodModelMetrics } from './backtest.ts';
import { categoricalPsi, numericPsi, PSI_WARNING } from './drift.ts';
import { type Period, windowStart } from './periods.ts';
import type { BacktestSetup } from './setup.ts';

/** Fewest known conversions (and non-conversions) among a period's leads before it is judged. */
export const MIN_OUTCOMES = 10;

/** What the walk gathers, period by period. */
export interface Walk {
  periods: BacktestPeriod[];
  drafted: Array<{ file: string; rules: RuleSet; trainRows: number; start: string }>;
  skipped: BacktestJson['skipped'];
  warnings: Set<string>;
  info: Set<string>;
  /** Each model's out-of-time probability per lead (NaN: not scored), each lead's period and outcome status. */
  predictions: Map<string, Float64Array>;
  periodOf: string[];
  statusOf: string[];
  rootRng: Rng;
  /** The logistic model's C in the previous period. */
  previousC: number | undefined;
  /** Seconds spent fitting each model, summed over the periods. */
  totalFit: Record<string, number>;
}

export function newWalk(setup: BacktestSetup): Walk {
  return {
    periods: [], drafted: [], skipped: [], warnings: new Set(), info: new Set([...(setup.leads.notes ?? []), ...(setup.log?.notes ?? [])]),
    predictions: new Map(setup.models.map((m) => [m, new Float64Array(setup.n).fill(Number.NaN)])),
    periodOf: new Array<string>(setup.n).fill(''), statusOf: new Array<string>(setup.n).fill(''),
    rootRng: createRng(setup.seed), previousC: undefined, totalFit: {},
  };
}

/** Fits and judges period `index` (see the header); a period without test leads or enough history adds nothing, or a skip. */
export async function backtestPeriod(setup: BacktestSetup, walk: Walk, index: number): Promise<void> {
  const { options, periods, label, minTrainRows } = setup;
  const period = periods[index]!;
  options.onStep?.(index, periods.length, label(period.start));
  const { train, test } = periodRows(setup, period);
  if (test.length === 0) return;
  const y = labelsKnownAt(setup, train, period.start);
  const trainPositives = train.reduce((s, r) => s + y[r]!, 0);
  const periodLabel = { start: label(period.start), end: label(period.end) };
  if (train.length < minTrainRows || trainPositives < 10 || train.length - trainPositives < 10) {
    walk.skipped.push({ ...periodLabel, reason: `too little history: ${train.length} training leads, ${trainPositives} converted (needs ${minTrainRows} and 10 of each outcome)` });
    return;
  }
  const { evaluated, pending } = outcomesIn(setup, walk, test, periodLabel.start);
  const { data, context, asOf } = featuresAsOf(setup, period, train, test);
  const guard = leakageGuard(data, y, train, { exclude: setup.exclude });
  const certain = guard.flags.filter((f) => f.severity === 'certain').map((f) => f.column);
  for (const f of guard.flags) if (f.severity === 'suspect') walk.warnings.add(`leakage suspect: ${f.reason}`);
  const exclude = [...setup.exclude, ...certain];
  const fitted = await fitModels(setup, walk, { data, y, train, exclude, context, asOf, rng: walk.rootRng.fork(`period:${periodLabel.start}`) });

  // Ranking metrics on a handful of outcomes are noise: a period is judged with at least 10 of each.
  const evaluatedPositives = evaluated.reduce((s, r) => s + setup.known[r]!, 0);
  const canEvaluate = evaluatedPositives >= MIN_OUTCOMES && evaluated.length - evaluatedPositives >= MIN_OUTCOMES;
  const warnings: string[] = [];
  const metrics = setup.models.map((name) => modelMetrics(setup, walk, name, fitted, { train, test, evaluated }, canEvaluate, warnings));
  const featureDrift = guard.aucs.filter((a) => !exclude.includes(a.column)).slice(0, options.driftFeatures ?? 5)
    .map(({ column }) => columnDrift(data, column, train, test, warnings));
  if (!canEvaluate) {
    warnings.push(evaluated.length === 0 ? 'all leads pending: outcome windows still open'
      : `not judged: ${evaluatedPositives} conversions and ${evaluated.length - evaluatedPositives} non-conversions known (needs ${MIN_OUTCOMES} of each)${pending ? `; ${pending} pending` : ''}`);
  }
  // Drafted rules differ period by period (each from its own training rows): each is saved, and named here.
  const rulesFile = options.rules ?? `rules/${periodLabel.start.replace(/[^\w.-]+/g, '_')}.yaml`;
  if (!setup.givenRules) walk.drafted.push({ file: rulesFile, rules: fitted.rules, trainRows: train.length, start: periodLabel.start });
  walk.periods.push({
    ...periodLabel, trainRows: train.length, trainPositives, testRows: test.length, evaluated: evaluated.length,
    positives: evaluatedPositives, pending, models: metrics, featureDrift, rules: rulesFile, warnings,
  });
  options.onPeriod?.({ index, period, data, train, yTrain: bytesAt(y, train), test,
    scores: Object.fromEntries(Object.entries(fitted.scores).map(([k, v]) => [k, floatsAt(v, test)])) });
}

/** Training rows (created at least `maturity` before the period, within the window, labelled) and test rows (created in it), as of now. */
function periodRows(setup: BacktestSetup, period: Period): { train: Int32Array; test: Int32Array } {
  const { axis, maturity, now, n, unlabelled } = setup;
  const from = windowStart(period, setup.spec, setup.window) - maturity;
  const cut = period.start - maturity;
  const train: number[] = [];
  const test: number[] = [];
  for (let r = 0; r < n; r++) {
    const t = axis.times[r]!;
    if (t > now) continue;
    if (t >= period.start && t < period.end) test.push(r);
    else if (t < cut && t >= from && !unlabelled[r]) train.push(r);
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}

/** The labels as known at `start`: a training lead's conversion dated at or after it is not known yet. */
function labelsKnownAt(setup: BacktestSetup, train: Int32Array, start: number): Uint8Array {
  const y = Uint8Array.from(setup.target.y);
  const { outcomeTimes } = setup;
  if (outcomeTimes) {
    for (const r of train) {
      const t = outcomeTimes[r];
      if (y[r] === 1 && typeof t === 'number' && t >= start) y[r] = 0;
    }
  }
  return y;
}

/** The test leads whose outcome is in by now (the rest pending: window not closed, or no outcome recorded); notes each lead's period and status. */
function outcomesIn(setup: BacktestSetup, walk: Walk, test: Int32Array, periodStart: string): { evaluated: Int32Array; pending: number } {
  const { axis, maturity, now, unlabelled, known } = setup;
  const evaluated: number[] = [];
  let pending = 0;
  for (const r of test) {
    const open = unlabelled[r] || axis.times[r]! + maturity > now;
    if (open) pending++;
    else evaluated.push(r);
    walk.periodOf[r] = periodStart;
    walk.statusOf[r] = open ? 'pending' : String(known[r]);
  }
  return { evaluated: Int32Array.from(evaluated), pending };
}

/** Features as of each lead's scoring time; for training rows never past the period's start (and, replaying as of --now, no event after it). */
function featuresAsOf(setup: BacktestSetup, period: Period, train: Int32Array, test: Int32Array): { data: Dataset; context: ScoringContext; asOf?: Float64Array } {
  const { options, leads, log, scoreTime, idName, now } = setup;
  if (!log || !scoreTime) return { data: leads, context: options.id ? { leadId: options.id } : {} };
  const asOf = Float64Array.from(scoreTime);
  for (const r of train) asOf[r] = Math.min(asOf[r]!, period.start);
  if (options.now !== undefined) for (const r of test) asOf[r] = Math.min(asOf[r]!, now);
  return {
    data: joinActivityFeatures(leads, log, idName!, asOf, options.account), asOf,
    context: { activities: log, asOf, leadId: idName!, ...(options.account ? { account: options.account } : {}) },
  };
}

interface Fitted {
  /** Each model's score per lead (the rules' points; the models' probabilities) and probability. */
  scores: Record<string, Float64Array>;
  probabilities: Record<string, Float64Array>;
  rules: RuleSet;
}

/** The rule baseline (the given file, or drafted from the training rows) and each model, fitted on the training rows. */
async function fitModels(setup: BacktestSetup, walk: Walk, input: { data: Dataset; y: Uint8Array; train: Int32Array; exclude: string[]; context: ScoringContext; asOf?: Float64Array; rng: Rng }): Promise<Fitted> {
  const { models, params, givenRules, leads, target } = setup;
  const { data, y, train, exclude, context, asOf, rng } = input;
  const scores: Record<string, Float64Array> = {};
  const fitSeconds: Record<string, number> = {};
  const probabilities: Record<string, Float64Array> = {};
  let t0 = performance.now();
  const ruleFit = fitRules(leads, y, train, { ...(givenRules ? { rules: givenRules } : {}), target: target.name, exclude, context });
  scores.rules = ruleFit.result.score;
  probabilities.rules = ruleFit.probability;
  fitSeconds.rules = (performance.now() - t0) / 1000;
  const fitInput = { data, y, train, exclude, rng, ...(asOf ? { asOf } : {}) };
  if (models.includes('logistic')) {
    t0 = performance.now();
    // C: the full grid in the first period, then the previous period's choice and its grid neighbours
    // (chosen on earlier data only, so still honest; 3 candidates instead of 7).
    const at = walk.previousC === undefined ? -1 : C_GRID.indexOf(walk.previousC as (typeof C_GRID)[number]);
    const fit = fitLogistic(fitInput, params.logistic, at < 0 ? {} : { grid: C_GRID.slice(Math.max(0, at - 1), at + 2) });
    walk.previousC = fit.details.C as number;
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
    const fit = await fitMlp(fitInput, params.mlp, { onNote: (note) => walk.info.add(note) });
    scores.mlp = probabilities.mlp = fit.probability;
    fitSeconds.mlp = (performance.now() - t0) / 1000;
  }
  for (const [k, v] of Object.entries(fitSeconds)) walk.totalFit[k] = (walk.totalFit[k] ?? 0) + v;
  return { scores, probabilities, rules: ruleFit.rules };
}

/** Precision among the top `share` of rows by score (ties broken by row order, as liftAt does). */
function precisionAtShare(scores: Float64Array, y: Uint8Array, share: number, rows: Int32Array): number {
  const base = rows.reduce((s, r) => s + y[r]!, 0) / rows.length;
  return liftAt(scores, y, share, rows) * base;
}

/** A model's metrics on the period's judged leads (null where it cannot be judged), and its score's drift from its training rows. */
function modelMetrics(setup: BacktestSetup, walk: Walk, name: ModelName, fitted: Fitted, rows: { train: Int32Array; test: Int32Array; evaluated: Int32Array }, canEvaluate: boolean, warnings: string[]): PeriodModelMetrics {
  const { known, capacity } = setup;
  const { train, test, evaluated } = rows;
  const s = fitted.scores[name]!;
  const p = fitted.probabilities[name]!;
  for (const r of test) walk.predictions.get(name)![r] = p[r]!;
  const psi = numericPsi(floatsAt(s, train), floatsAt(s, test));
  if (psi > PSI_WARNING) warnings.push(`${name} score drifted: PSI ${psi.toFixed(2)} against its training rows`);
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
}

/** A column's drift (PSI) between the training rows and the period's leads. */
function columnDrift(data: Dataset, column: string, train: Int32Array, test: Int32Array, warnings: string[]): { column: string; psi: number } {
  const values = columnValues(data.table, column) as ArrayLike<unknown>;
  const type = columnSchema(data.schema, column)!.type;
  const number = (r: number) => (typeof values[r] === 'number' ? values[r] as number : Number.NaN);
  const text = (r: number) => (values[r] === null || values[r] === undefined ? null : String(values[r]));
  const psi = type === 'numeric' || type === 'date' || type === 'datetime'
    ? numericPsi(Float64Array.from(train, number), Float64Array.from(test, number))
    : categoricalPsi(Array.from(train, text), Array.from(test, text));
  if (psi > PSI_WARNING) warnings.push(`${column} drifted: PSI ${psi.toFixed(2)} against the training rows`);
  return { column, psi: round(psi) };
}
