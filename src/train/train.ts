/**
 * `train`: every model named is fitted on the training rows and evaluated on the same hold-out rows as the
 * rule baseline; the run folder gets metrics.json, one artifact per model, the rules used and the
 * logistic coefficient table. Randomness comes from named forks of one seed (split, folds).
 */
import { lstat, mkdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { joinActivityFeatures, loadActivityLog } from '../data/activities.ts';
import { resolveAsOf } from '../data/as-of.ts';
import { loadDataset } from '../data/dataset.ts';
import { columnValues } from '../data/columns.ts';
import { dateFeatureNote, dateRanges } from '../features/date-range.ts';
import { modelCard, trainCommand } from '../report/model-card.ts';
import { writeExamples } from '../report/examples.ts';
import { bestModel, writeHoldout, writeReport } from '../report/report.ts';
import { readingOf } from '../data/reading.ts';
import { ROW_ORDER } from '../data/time-axis.ts';
import { columnNotFound } from '../data/closest-names.ts';
import type { Source } from '../data/read.ts';
import { PACKAGE_ROOT } from '../data/sample-paths.ts';
import { columnSchema } from '../data/schema.ts';
import { splitDataset, type SplitResult } from '../data/split.ts';
import { resolveTarget } from '../data/target.ts';
import { assertFolderFree, intoFolder, timestampName, writeCsvColumns, writeFileAtomic } from '../data/write.ts';
import { ConfigError } from '../errors.ts';
import { delongTest, pairedBootstrap } from '../evaluation/compare.ts';
import { chooseThreshold, strategyLabel, thresholdForCount, type ThresholdStrategy } from '../evaluation/thresholds.ts';
import { conversionByLabel } from '../data/summary.ts';
import { DAY_MS } from '../data/dates.ts';
import { type LeakageFlag, type LeakageOptions, leakageGuard } from '../evaluation/leakage.ts';
import { expectedCalibrationError, reliabilityCurve } from '../evaluation/metrics.ts';
import { ARTIFACT_FORMAT_VERSION, dataFingerprint, type FeaturesJSON, type ModelArtifact, saveModel } from '../models/artifact.ts';
import { coefficientTable, type CoefficientRow } from '../models/logistic/coefficients.ts';
import type { Calibrator } from '../models/calibration.ts';
import type { ModelName } from '../models/model.ts';
import { createRng } from '../random.ts';
import { leadIdColumn, type ScoringContext } from '../rules/engine.ts';
import type { SplitKind } from '../types.ts';
import { parseParams } from './params.ts';
import { fitGbdt, fitLogistic, fitMlp, fitRules, type ModelFit, modelsToFit } from './fit.ts';
import { ACTIONS, loadRuleFile, ruleSetToYaml } from '../rules/rule-file.ts';
import { evaluateScores, LOWER_IS_BETTER, type ModelMetrics, type PrimaryMetric, round } from './model-metrics.ts';

export { PRIMARY_METRICS, type ModelMetrics, type PrimaryMetric, type ThresholdMetrics } from './model-metrics.ts';

export const DEFAULT_MODELS: ModelName[] = ['rules', 'logistic', 'gbdt'];

export interface TrainOptions {
  data: Source;
  target: string;
  positive?: string;
  id?: string;
  date?: string;
  activities?: Source;
  asOf?: string;
  /** Account column: adds account-level activity features (other contacts' engagement as of the scoring time). */
  account?: string;
  models?: ModelName[];
  rules?: string;
  exclude?: string[];
  na?: string;
  split?: SplitKind;
  group?: string;
  testSize?: number;
  seed?: number;
  out?: string;
  params?: string[];
  /** Leakage-guard thresholds and name list. */
  leakage?: LeakageOptions;
  /** Drop the columns the leakage guard suspects (certain leaks are always dropped). */
  dropLeaky?: boolean;
  /** How the "send to sales" threshold is chosen on the training rows. Default max F1. */
  threshold?: ThresholdStrategy;
  /** The leaderboard's order. Default prAuc. */
  primary?: PrimaryMetric;
  /** Called as each step starts. */
  onStep?: (step: string) => void;
}

export interface MetricsJson {
  formatVersion: 1;
  dataset: { source: string; rows: number; trainRows: number; testRows: number; positives: number; split: SplitKind; seed: number;
    target: string; targetRule: string; excluded: Array<{ column: string; reason: string }>; unlabelled: number; cutoff?: string;
    /** Weeks the hold-out spans, from a --date column: weekly capacities are set on them. */
    holdoutWeeks?: number };
  leakage: Array<LeakageFlag & { dropped: boolean }>;
  models: ModelMetrics[];
  comparisons: Array<{
    model: string; baseline: string; aucDiff: number; ci95: [number, number]; pValue: number;
    /** Paired bootstrap over the hold-out rows: lift and precision among the top `capacityShare` of leads. */
    liftDiff: number; liftCi95: [number, number]; precisionAtCapacityDiff: number; precisionAtCapacityCi95: [number, number];
    capacityShare: number; bootstrapResamples: number;
  }>;
  primaryMetric: PrimaryMetric;
  /** What the run warns about (a date used as a feature with no scoring time). */
  warnings: string[];
}

export interface TrainResult {
  runDir: string;
  metrics: MetricsJson;
  files: string[];
  coefficients?: CoefficientRow[];
  featureNotes: string[];
  /** Said in passing: which TensorFlow.js backend the network ran on when tfjs-node is absent. */
  info: string[];
  warnings: string[];
}


/**
 * The threshold a strategy picks on the training rows, or a clear error when none qualifies. A weekly
 * capacity (`capacity:50/week`) is different: it is a number of leads, so it is set on the scored leads' own
 * weeks — the score the hold-out's N × weeks most likely leads reach (no outcome is read) — so that the
 * hold-out's weeks get the capacity whatever their volume, as a team sending its best 50 leads a week would.
 */
function pickThreshold(scores: ArrayLike<number>, y: ArrayLike<number>, strategy: ThresholdStrategy, rows: ArrayLike<number> | undefined, model: string,
  week: { scores: ArrayLike<number>; rows: ArrayLike<number>; weeks: number | undefined }): number {
  if (strategy.kind === 'capacity' && 'perWeek' in strategy) {
    if (week.weeks === undefined) {
      throw new ConfigError('CAPACITY_NEEDS_DATE', `capacity:${strategy.perWeek}/week needs the leads' dates to count weeks`, 'add --date <date column>, or give a share: --threshold capacity:10%');
    }
    return thresholdForCount(Float64Array.from(week.rows, (r) => week.scores[r]!), Math.max(1, Math.round(strategy.perWeek * week.weeks)));
  }
  const value = chooseThreshold(scores, y, strategy, rows ? { rows } : {});
  if (value === null) {
    throw new ConfigError('THRESHOLD_UNREACHABLE', `no threshold of the ${model} scores reaches ${strategyLabel(strategy)} on the training rows`, 'lower the target, or use --threshold maxF1');
  }
  return value;
}

/**
 * The steps a training run takes, in order, as `onStep` names them: a progress bar's total counts only
 * the models asked for.
 *
 * @example
 * trainSteps({ data, target: 'converted', models: ['rules', 'logistic'] }); // ['loading data', 'splitting', 'rules', 'logistic regression', 'writing']
 */
export function trainSteps(options: Pick<TrainOptions, 'activities' | 'models'>): string[] {
  const models = modelsToFit(options.models ?? DEFAULT_MODELS);
  return ['loading data', ...(options.activities ? ['aggregating activities'] : []), 'splitting', 'rules',
    ...(models.includes('logistic') ? ['logistic regression'] : []), ...(models.includes('gbdt') ? ['gradient-boosted trees'] : []),
    ...(models.includes('mlp') ? ['neural network'] : []), 'writing'];
}

/**
 * Trains the named models and writes the run folder.
 *
 * @example
 * const { runDir, metrics } = await trainModels({ data: { path: 'leads.csv' }, target: 'converted' });
 */
export async function trainModels(options: TrainOptions): Promise<TrainResult> {
  const runDir = resolve(options.out ?? join(PACKAGE_ROOT, 'models', 'runs', timestampName()));
  return intoFolder(runDir, () => trainInto(runDir, options));
}

async function trainInto(runDir: string, options: TrainOptions): Promise<TrainResult> {
  const step = options.onStep ?? (() => {});
  const seed = options.seed ?? 42;
  const models = modelsToFit(options.models ?? DEFAULT_MODELS);
  const params = parseParams(options.params ?? []);
  const splitKind = options.split ?? 'stratified';
  if (options.activities && !options.asOf) {
    throw new ConfigError('AS_OF_REQUIRED', 'activity features are computed as of each lead\'s scoring time, and none was given', 'add --as-of, e.g. --as-of created_at+30d (30 days after each lead was created)');
  }
  await assertFolderFree(runDir, 'metrics.json', 'a run');

  step('loading data');
  const leads = await loadDataset(options.data, options.na ? { na: options.na } : {});
  const target = resolveTarget(leads, options.target, options.positive ? { positive: options.positive } : {});
  const unlabelled = new Set(target.unlabelled);
  const labelled = Int32Array.from({ length: leads.table.numRows() }, (_, i) => i).filter((r) => !unlabelled.has(r));

  let data = leads;
  let context: ScoringContext = options.id ? { leadId: options.id } : {};
  let asOf: number | Float64Array | undefined;
  if (options.activities) {
    step('aggregating activities');
    const log = await loadActivityLog(options.activities);
    asOf = resolveAsOf(options.asOf!, leads);
    const idName = leadIdColumn(leads, options.id);
    if (!idName) throw new ConfigError('ID_REQUIRED', 'the activity log needs a lead id column to join on', 'name it with --id <column>');
    if (options.account && !columnSchema(leads.schema, options.account)) throw new ConfigError('COLUMN_MISSING', `account column "${options.account}" not found`, 'check --account');
    data = joinActivityFeatures(leads, log, idName, asOf, options.account);
    context = { activities: log, asOf, leadId: idName, ...(options.account ? { account: options.account } : {}) };
  }

  step('splitting');
  const rng = createRng(seed);
  const split: SplitResult = splitDataset(data, target.y, {
    kind: splitKind, testSize: options.testSize ?? 0.2, rng: rng.fork('split'), rows: labelled,
    ...(options.date ? { date: options.date } : {}), ...(options.group ? { group: options.group } : {}),
  });
  // --date and --group were checked by the split; --exclude names are checked here, with the nearest names.
  for (const column of options.exclude ?? []) if (!columnSchema(data.schema, column)) throw columnNotFound('--exclude', column, data.schema.columns.map((c) => c.name));
  // The leakage guard on the training rows: certain leaks are always excluded, suspects only with --drop-leaky.
  // The --date column orders time and is not a feature (`@row` names no column).
  const dateColumn = options.date && options.date !== ROW_ORDER ? options.date : undefined;
  const guard = leakageGuard(data, target.y, split.train, { ...options.leakage, exclude: [target.name, ...(options.exclude ?? []), ...(dateColumn ? [dateColumn] : [])] });
  const leakage = guard.flags.map((f) => ({ ...f, dropped: f.severity === 'certain' || Boolean(options.dropLeaky) }));
  const excluded: Array<{ column: string; reason: string }> = [
    ...(options.exclude ?? []).map((column) => ({ column, reason: 'excluded by --exclude' })),
    ...leakage.filter((l) => l.dropped).map((l) => ({ column: l.column, reason: l.severity === 'certain' ? 'filled only for one outcome: recorded after it' : 'flagged by the leakage guard (--drop-leaky)' })),
    ...(dateColumn ? [{ column: dateColumn, reason: 'the --date column orders time; not a feature' }] : []),
    ...(options.group ? [{ column: options.group, reason: 'the --group column; not a feature' }] : []),
    ...(options.account && options.account !== options.group ? [{ column: options.account, reason: 'the --account column; its activity is a feature, not its name' }] : []),
  ];
  const strategy: ThresholdStrategy = options.threshold ?? { kind: 'maxF1' };
  const strategyText = strategyLabel(strategy);
  // The hold-out's weeks (from a date column; an ordinal --date has no weeks): a weekly capacity is set on
  // them, and each model's leads sent per week are reported.
  let holdoutWeeks: number | undefined;
  const dateType = dateColumn ? columnSchema(data.schema, dateColumn)?.type : undefined;
  if (dateColumn && (dateType === 'date' || dateType === 'datetime')) {
    const times = columnValues(data.table, dateColumn) as ArrayLike<number | null>;
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of split.test) {
      const t = times[r];
      if (typeof t === 'number') {
        lo = Math.min(lo, t);
        hi = Math.max(hi, t);
      }
    }
    if (hi >= lo) holdoutWeeks = Math.max(1, (hi - lo) / (7 * DAY_MS));
  }
  /** Hold-out leads at or above a threshold, per hold-out week. */
  const sentPerWeek = (scores: ArrayLike<number>, threshold: number) => (holdoutWeeks === undefined ? undefined
    : round(split.test.reduce((n, r) => n + (scores[r]! >= threshold ? 1 : 0), 0) / holdoutWeeks));
  const excludeNames = [target.name, ...excluded.map((e) => e.column)];
  const yTrain = Uint8Array.from(split.train, (r) => target.y[r]!);
  const results: ModelMetrics[] = [];
  const ranks: Record<string, Float64Array> = {};
  const files: string[] = [];
  await mkdir(runDir, { recursive: true });
  const createdAt = new Date().toISOString();
  const packageVersion = (JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  const trainPositives = yTrain.reduce((s, v) => s + v, 0);
  const trainFingerprint = dataFingerprint(data, split.train);
  /** Writes <name>.model.json for a fitted model and returns its path. */
  const saved: ModelArtifact[] = [];
  const saveArtifact = async (name: 'logistic' | 'gbdt' | 'mlp', features: FeaturesJSON, model: ModelArtifact['model'], calibrator: Calibrator,
    m: ModelMetrics, seeds: Record<string, number>): Promise<string> => {
    const artifact: Omit<ModelArtifact, 'contentHash'> = {
      formatVersion: ARTIFACT_FORMAT_VERSION, kind: name, name, packageVersion, createdAt,
      seed, seeds: { split: rng.fork('split').seed, ...seeds },
      target: { name: target.name, rule: target.rule, ...(options.positive ? { positive: options.positive } : {}) },
      // How the file was read (types, yes/no words, date formats, missing tokens): new files are read the same way.
      reading: readingOf(leads.schema, leads.raw.delimiter),
      idColumn: leadIdColumn(leads, options.id) ?? null,
      activities: options.activities ? { asOf: options.asOf!, ...(options.account ? { account: options.account } : {}) } : null,
      features, model, calibration: calibrator,
      threshold: { strategy: strategyText, value: m.threshold.value },
      training: { rows: split.train.length, positives: trainPositives, dataHash: trainFingerprint },
      metrics: { auc: m.auc, prAuc: m.prAuc, logLoss: m.logLoss, brier: m.brier, ece: m.ece, liftAt10: m.liftAt10 },
    };
    const path = join(runDir, `${name}.model.json`);
    saved.push(await saveModel(path, artifact));
    return path;
  };

  // The rule baseline: the given file, or one drafted from the training rows.
  step('rules');
  let t0 = performance.now();
  // Drafted on the lead columns and the activity log itself (not the joined aggregates: one signal, once).
  const ruleFit = fitRules(leads, target.y, split.train, {
    ...(options.rules ? { rules: await loadRuleFile(options.rules) } : {}), target: target.name, exclude: excludeNames, context,
  });
  const { rules, result: ruleResult, probability: ruleProbability } = ruleFit;
  const ruleScores = ruleResult.score;
  const ruleThreshold = pickThreshold(ruleScores, target.y, strategy, split.train, 'rules', { scores: ruleScores, rows: split.test, weeks: holdoutWeeks });
  const tiers = conversionByLabel(ruleResult.tier, target.y, split.test, ['hot', 'warm', 'cold']);
  const testConversions = split.test.reduce((s, r) => s + target.y[r]!, 0);
  const tierRate = (t: string) => tiers.find((x) => x.segment === t)?.rate ?? 0;
  results.push(evaluateScores('rules', ruleScores, ruleProbability, target.y, split.test, { value: ruleThreshold, strategy: strategyText }, (performance.now() - t0) / 1000, {
    source: options.rules ?? 'drafted from the training rows', criteria: rules.criteria.length,
    ...(holdoutWeeks !== undefined ? { sentPerWeek: sentPerWeek(ruleScores, ruleThreshold) } : {}),
    probability: 'isotonic map of the rule score fitted on the training rows',
    tiers: tiers.map((t) => ({ ...t, rate: round(t.rate), captureShare: round(testConversions ? t.conversions / testConversions : 0) })),
    topTiersShare: round(tiers.filter((t) => t.segment !== 'cold').reduce((s, t) => s + t.leads, 0) / split.test.length),
    hotColdRatio: tierRate('cold') > 0 ? round(tierRate('hot') / tierRate('cold')) : null,
    grades: conversionByLabel(ruleResult.grade, target.y, split.test, ['A', 'B', 'C', 'D']).map((g) => ({ ...g, rate: round(g.rate) })),
    // What each routing action would have done with the hold-out's buyers (a disqualify that holds many is costly).
    actions: conversionByLabel(ruleResult.action, target.y, split.test, ACTIONS).map((a) => ({ ...a, rate: round(a.rate), captureShare: round(testConversions ? a.conversions / testConversions : 0) })),
  }));
  ranks.rules = ruleScores;
  const holdoutProbability: Record<string, Float64Array> = { rules: ruleProbability };
  const rulesPath = join(runDir, 'rules.yaml');
  await writeFileAtomic(rulesPath, ruleSetToYaml(rules, options.rules ? `Rules used by this run: ${options.rules}` : `Drafted from the training rows of ${'path' in options.data ? options.data.path : 'the query'} (seed ${seed}).`));
  files.push(rulesPath);

  const fitInput = { data, y: target.y, train: split.train, exclude: excludeNames, rng, ...(asOf !== undefined ? { asOf } : {}) };
  /** Metrics of a fitted model on the hold-out, with the threshold chosen on its training-side scores. */
  const modelMetrics = (name: 'logistic' | 'gbdt' | 'mlp', fit: ModelFit<unknown>, extra: Record<string, unknown>) => {
    const threshold = pickThreshold(fit.thresholdScores, fit.thresholdY, strategy, undefined, name, { scores: fit.probability, rows: split.test, weeks: holdoutWeeks });
    const perWeek = sentPerWeek(fit.probability, threshold);
    return evaluateScores(name, fit.probability, fit.probability, target.y, split.test, { value: threshold, strategy: strategyText }, fit.fitSeconds, {
      ...(perWeek !== undefined ? { sentPerWeek: perWeek } : {}),
      ...fit.details, calibration: fit.calibrationKind, ...(fit.calibrationCvLogLoss ? { calibrationCvLogLoss: fit.calibrationCvLogLoss } : {}),
      eceBeforeCalibration: round(expectedCalibrationError(fit.raw, target.y, split.test)),
      reliability: { before: reliabilityCurve(fit.raw, target.y, split.test), after: reliabilityCurve(fit.probability, target.y, split.test) },
      ...extra,
    });
  };

  let coefficients: CoefficientRow[] | undefined;
  let featureNotes: string[] = [];
  // What each date feature means, and a warning where no scoring time anchors its age.
  const warnings: string[] = [];
  /** What the run says in passing (a large file read twice; the network's backend when tfjs-node is absent). */
  const info: string[] = [...(leads.notes ?? [])];
  const said = new Set<string>();
  const dateNotes = (specs: FeaturesJSON['specs']) => {
    for (const range of dateRanges(specs as Array<{ kind: string; column: string }>)) {
      if (said.has(range.column)) continue; // both models read the same date: said once
      said.add(range.column);
      const { note, warning } = dateFeatureNote(range, { anchored: asOf !== undefined, ...(dateColumn ? { timeColumn: dateColumn } : {}) });
      featureNotes.push(note);
      if (warning) warnings.push(warning);
    }
  };

  if (models.includes('logistic')) {
    step('logistic regression');
    const fit = fitLogistic(fitInput, params.logistic);
    featureNotes = [...fit.pipeline.notes];
    const metrics = modelMetrics('logistic', fit, {});
    results.push(metrics);
    ranks.logistic = fit.probability;
    holdoutProbability.logistic = fit.probability;
    coefficients = coefficientTable(fit.model, fit.design, yTrain, fit.groups);
    files.push(await saveArtifact('logistic', fit.features, fit.model.toJSON(), fit.calibrator, metrics, { folds: rng.fork('folds').seed, calibration: rng.fork('calibration').seed }));
    dateNotes(fit.features.specs);
    const coefPath = join(runDir, 'logistic-coefficients.csv');
    await writeCsvColumns(coefPath, ['feature', 'column', 'level', 'coefficient', 'odds_ratio', 'standard_error', 'p_value'], [
      coefficients.map((c) => c.feature), coefficients.map((c) => c.column), coefficients.map((c) => c.level),
      coefficients.map((c) => round(c.coefficient)), coefficients.map((c) => round(c.oddsRatio)), coefficients.map((c) => round(c.standardError)),
      coefficients.map((c) => Number(c.pValue.toPrecision(4))),
    ]);
    files.push(coefPath);
  }


  if (models.includes('gbdt')) {
    step('gradient-boosted trees');
    const fit = fitGbdt(fitInput, params.gbdt);
    const importance = fit.model.fitted.importance;
    const metrics = modelMetrics('gbdt', fit, {
      importance: fit.names.map((name, f) => ({ feature: name, gain: round(importance.gain[f]!), splits: importance.splits[f]! }))
        .filter((x) => x.splits > 0).sort((a, b) => b.gain - a.gain),
    });
    results.push(metrics);
    ranks.gbdt = fit.probability;
    holdoutProbability.gbdt = fit.probability;
    files.push(await saveArtifact('gbdt', fit.features, fit.model.toJSON(), fit.calibrator, metrics, { validation: fit.validationSeed, gbdt: rng.fork('gbdt').seed }));
    dateNotes(fit.features.specs);
  }

  if (models.includes('mlp')) {
    step('neural network');
    const fit = await fitMlp(fitInput, params.mlp, { onNote: (note) => info.push(note) });
    const metrics = modelMetrics('mlp', fit, {});
    results.push(metrics);
    ranks.mlp = fit.probability;
    holdoutProbability.mlp = fit.probability;
    files.push(await saveArtifact('mlp', fit.features, fit.model.toJSON(), fit.calibrator, metrics, { validation: fit.validationSeed, mlp: rng.fork('mlp').seed }));
    dateNotes(fit.features.specs);
  }

  step('writing');
  // holdout.csv: one row per hold-out lead, so that any figure of the run can be checked in a spreadsheet.
  const idName = leadIdColumn(leads, options.id);
  const modelNames = results.map((m) => m.name).filter((name) => holdoutProbability[name]);
  files.push(await writeHoldout(runDir, {
    rows: split.test, y: target.y, ...(idName ? { id: { name: idName, values: columnValues(leads.table, idName) as ArrayLike<string | number | null> } } : {}),
    probability: Object.fromEntries(modelNames.map((name) => [name, holdoutProbability[name]!])), ruleScore: ruleScores,
  }));
  // Five hold-out leads of the best-ranking model, scored as `leadscore score` would, for the report.
  const exampleModel = bestModel(results);
  if (exampleModel) {
    files.push(await writeExamples(runDir, join(runDir, `${exampleModel.name}.model.json`), leads, target.y, {
      probability: holdoutProbability[exampleModel.name]!, rows: split.test, threshold: exampleModel.threshold.value,
      ...(options.activities ? { activities: options.activities } : {}), ...(options.id ? { id: options.id } : {}),
    }));
  }
  const capacityShare = strategy.kind === 'capacity' && 'share' in strategy ? strategy.share : 0.1;
  const comparisons = results.filter((m) => m.name !== 'rules').map((m) => {
    const c = delongTest(ranks[m.name]!, ranks.rules!, target.y, split.test);
    const boot = pairedBootstrap(ranks[m.name]!, ranks.rules!, target.y, split.test, { rng: rng.fork(`bootstrap:${m.name}`), share: capacityShare });
    return {
      model: m.name, baseline: 'rules', aucDiff: round(c.diff), ci95: [round(c.ci95[0]), round(c.ci95[1])] as [number, number], pValue: Number(c.pValue.toPrecision(4)),
      liftDiff: round(boot.lift.diff), liftCi95: boot.lift.ci95.map((v) => round(v)) as [number, number],
      precisionAtCapacityDiff: round(boot.precision.diff), precisionAtCapacityCi95: boot.precision.ci95.map((v) => round(v)) as [number, number],
      capacityShare, bootstrapResamples: boot.resamples,
    };
  });
  const positives = labelled.reduce((s, r) => s + target.y[r]!, 0);
  const primary = options.primary ?? 'prAuc';
  const metrics: MetricsJson = {
    formatVersion: 1,
    dataset: {
      source: 'path' in options.data ? options.data.path : options.data.sql,
      rows: labelled.length, trainRows: split.train.length, testRows: split.test.length, positives, split: splitKind, seed,
      target: target.name, targetRule: target.rule, excluded, unlabelled: unlabelled.size,
      ...(holdoutWeeks !== undefined ? { holdoutWeeks: round(holdoutWeeks) } : {}),
      ...(split.cutoff !== undefined ? { cutoff: Number.isFinite(split.cutoff) && split.cutoff > 1e11 ? new Date(split.cutoff).toISOString() : String(split.cutoff) } : {}),
    },
    leakage,
    models: results.sort((a, b) => (LOWER_IS_BETTER.has(primary) ? a[primary] - b[primary] : b[primary] - a[primary])),
    comparisons,
    primaryMetric: primary,
    warnings,
  };
  const metricsPath = join(runDir, 'metrics.json');
  await writeFileAtomic(metricsPath, `${JSON.stringify(metrics, null, 2)}\n`);
  files.unshift(metricsPath);
  // A model card beside each model: what it learned from, is for, reads, scores and costs, and how to retrain it.
  const command = trainCommand([
    ...('path' in options.data ? [['--data', options.data.path]] as Array<[string, string]> : [['--sql', options.data.sql]] as Array<[string, string]>),
    ['--target', options.target], ['--positive', options.positive], ['--id', options.id], ['--date', options.date],
    ['--activities', options.activities && 'path' in options.activities ? options.activities.path : undefined], ['--as-of', options.asOf], ['--account', options.account],
    ['--models', models.join(',')], ['--rules', options.rules], ['--exclude', options.exclude?.join(',')], ['--na', options.na],
    ['--split', splitKind], ['--group', options.group], ['--test-size', String(options.testSize ?? 0.2)], ['--seed', String(seed)],
    ...(options.params ?? []).map((p): [string, string] => ['--param', p]), ['--threshold', strategyText], ['--primary', primary],
    ['--drop-leaky', options.dropLeaky ? '' : undefined], ['--out', `${runDir}-again`],
  ]);
  for (const artifact of saved) {
    const cardPath = join(runDir, `model-card-${artifact.name}.md`);
    await writeFileAtomic(cardPath, modelCard({ metrics, artifact, command }));
    files.push(cardPath);
  }
  // The report: the leaderboard, the decision panel and the curves, from metrics.json and holdout.csv.
  files.push((await writeReport(runDir)).path);
  // models/latest follows runs written to the default place; a link it cannot update is a warning, not a silence.
  const stale = options.out ? null : await pointLatest(join(PACKAGE_ROOT, 'models', 'latest'), runDir);
  return { runDir, metrics, files, ...(coefficients ? { coefficients } : {}), featureNotes, info, warnings: [...warnings, ...(stale ? [stale] : [])] };
}

/**
 * Points `latest` (models/latest) at the newest run: a relative symlink made beside it and renamed over it,
 * so it is replaced at once. Returns a warning when it cannot be (a real file or folder of the user's stands
 * there, or the filesystem refuses): the link would otherwise go stale without a word.
 */
export async function pointLatest(latest: string, runDir: string): Promise<string | null> {
  const existing = await lstat(latest).catch(() => null);
  if (existing && !existing.isSymbolicLink()) {
    return `${latest} is a ${existing.isDirectory() ? 'folder' : 'file'}, not the link leadscore keeps there: it was left as it is and does not point at this run`;
  }
  const tmp = `${latest}.${process.pid}.tmp`;
  try {
    await symlink(relative(dirname(latest), runDir), tmp);
    await rename(tmp, latest);
    return null;
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    return `${latest} could not be pointed at this run (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): it still points at an earlier run`;
  }
}
