/**
 * A training run's steps (train.ts `trainInto` runs them in order): the run prepared — options checked,
 * the file read, activity features joined, the split, the leakage guard, the columns excluded, the
 * threshold strategy and the hold-out's weeks — then the rule baseline, then each model fitted, evaluated
 * on the hold-out and saved.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { joinActivityFeatures, loadActivityLog } from '../data/activities/activities.ts';
import { resolveAsOf } from '../data/activities/as-of.ts';
import { loadDataset } from '../data/io/dataset.ts';
import { allRows, bytesAt, columnValues, floatsAt } from '../data/columns.ts';
import { dateFeatureNote, dateRanges } from '../features/date-range.ts';
import { readingOf } from '../data/types/reading.ts';
import { ROW_ORDER } from '../data/time-axis.ts';
import { columnNotFound } from '../data/closest-names.ts';
import { PACKAGE_ROOT } from '../data/sample/sample-paths.ts';
import { columnSchema } from '../data/types/schema.ts';
import { splitDataset, type SplitResult } from '../data/split.ts';
import { resolveTarget } from '../data/target.ts';
import { assertFolderFree, writeCsvColumns, writeFileAtomic } from '../data/io/write.ts';
import { ConfigError } from '../errors.ts';
import { chooseThreshold, strategyLabel, thresholdForCount, type ThresholdStrategy } from '../evaluation/thresholds.ts';
import { conversionByLabel } from '../data/summary.ts';
import { DAY_MS } from '../data/types/dates.ts';
import { leakageGuard } from '../evaluation/leakage.ts';
import { expectedCalibrationError, reliabilityCurve } from '../evaluation/metrics.ts';
import { ARTIFACT_FORMAT_VERSION, artifactCreatedAt, dataFingerprint, type FeaturesJSON, type ModelArtifact, saveModel } from '../models/artifact.ts';
import { coefficientTable, type CoefficientRow } from '../models/logistic/coefficients.ts';
import type { Calibrator } from '../models/calibration.ts';
import { createRng } from '../random.ts';
import { leadIdColumn, type ScoringContext } from '../rules/engine.ts';
import { parseParams } from './params.ts';
import { DEFAULT_MODELS, fitGbdt, fitLogistic, fitMlp, fitRules, type ModelFit, modelsToFit } from './fit.ts';
import { ACTIONS, loadRuleFile, ruleSetToYaml } from '../rules/rule-file.ts';
import { DRAFTED_SOURCE } from '../rules/draft.ts';
import { evaluateScores, type ModelMetrics, round } from './model-metrics.ts';

import type { TrainOptions } from './train.ts';

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
    return thresholdForCount(floatsAt(week.scores, week.rows), Math.max(1, Math.round(strategy.perWeek * week.weeks)));
  }
  const value = chooseThreshold(scores, y, strategy, rows ? { rows } : {});
  if (value === null) {
    throw new ConfigError('THRESHOLD_UNREACHABLE', `no threshold of the ${model} scores reaches ${strategyLabel(strategy)} on the training rows`, 'lower the target, or use --threshold maxF1');
  }
  return value;
}

/** The run before any model: validate → read → activities → split → leakage guard → exclusions → threshold strategy, hold-out weeks. */
export async function prepareRun(runDir: string, finalDir: string, options: TrainOptions) {
  const step = options.onStep ?? (() => {});
  const seed = options.seed ?? 42;
  const models = modelsToFit(options.models ?? DEFAULT_MODELS);
  const params = parseParams(options.params ?? []);
  const splitKind = options.split ?? 'stratified';
  if (options.activities && !options.asOf) {
    throw new ConfigError('AS_OF_REQUIRED', 'activity features are computed as of each lead\'s scoring time, and none was given', 'add --as-of, e.g. --as-of created_at+30d (30 days after each lead was created)');
  }
  await assertFolderFree(finalDir, 'metrics.json', 'a run');
  // Before reading: a malformed SOURCE_DATE_EPOCH is refused at once.
  const createdAt = artifactCreatedAt();

  step('loading data');
  const leads = await loadDataset(options.data, options.na ? { na: options.na } : {});
  const target = resolveTarget(leads, options.target, options.positive ? { positive: options.positive } : {});
  const unlabelled = new Set(target.unlabelled);
  const labelled = allRows(leads.table.numRows()).filter((r) => !unlabelled.has(r));

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
  if ((options.exclude ?? []).includes(target.name)) {
    throw new ConfigError('TARGET_EXCLUDED', `--exclude names the target "${target.name}"`, 'the target is never a feature already; leave it out of --exclude (or choose another --target)');
  }
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
  const yTrain = bytesAt(target.y, split.train);
  const results: ModelMetrics[] = [];
  const ranks: Record<string, Float64Array> = {};
  const files: string[] = [];
  await mkdir(runDir, { recursive: true });
  const packageVersion = (JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  const trainPositives = yTrain.reduce((s, v) => s + v, 0);
  const trainFingerprint = dataFingerprint(data, split.train);
  return { runDir, finalDir, options, step, seed, models, params, splitKind, leads, target, unlabelled, labelled, data, context, asOf, rng, split, dateColumn, guard, leakage, excluded, strategy, strategyText, holdoutWeeks, sentPerWeek, excludeNames, yTrain, results, ranks, files, createdAt, packageVersion, trainPositives, trainFingerprint };
}

export type Run = Awaited<ReturnType<typeof prepareRun>>;

/** The rule baseline: its metrics on the hold-out (added to `run.results`) and rules.yaml. */
export async function fitRuleBaseline(run: Run) {
  const { runDir, options, step, seed, leads, target, context, split, strategy, strategyText, holdoutWeeks, sentPerWeek, excludeNames, results, ranks, files } = run;
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
    source: options.rules ?? DRAFTED_SOURCE, criteria: rules.criteria.length,
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
  const rulesPath = join(runDir, 'rules.yaml');
  await writeFileAtomic(rulesPath, ruleSetToYaml(rules, options.rules ? `Rules used by this run: ${options.rules}` : `Drafted from the training rows of ${'path' in options.data ? options.data.path : 'the query'} (seed ${seed}).`));
  files.push(rulesPath);

  return { rules, ruleScores, ruleProbability };
}

/** Each model asked for: fitted on the training rows, its metrics on the hold-out (added to `run.results`), its artifact saved. */
export async function fitRunModels(run: Run) {
  const { runDir, options, step, seed, models, params, leads, target, data, asOf, rng, split, dateColumn, strategy, strategyText, holdoutWeeks, sentPerWeek, excludeNames, yTrain, results, ranks, files, createdAt, packageVersion, trainPositives, trainFingerprint } = run;
  /** Each model's calibrated probability per lead (the hold-out's are read from it). */
  const holdoutProbability: Record<string, Float64Array> = {};
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
  const info: string[] = [...(leads.notes ?? []), ...(run.context.activities?.notes ?? [])];
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

  return { saved, coefficients, featureNotes, warnings, info, holdoutProbability };
}
