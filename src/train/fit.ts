/**
 * Fitting one scorer on given training rows, shared by `train` (one split) and `backtest` (one fit per
 * period): the rule baseline (given or drafted), logistic regression (C by cross-validation, calibration on
 * out-of-fold predictions) and gradient-boosted trees (early stopping, calibration and threshold on a
 * stratified validation slice of the training rows). Each returns probabilities for every row of the data,
 * and the training-side scores the threshold is chosen on. Nothing here looks at rows outside `train`.
 */
import type { Dataset } from '../data/io/dataset.ts';
import type { FeaturesJSON } from '../models/artifact.ts';
import { applyCalibrator, type Calibrator, chooseCalibration, fitCalibrator } from '../models/calibration.ts';
import { chooseC } from '../models/logistic/cv.ts';
import { type Design, designRows } from '../features/design.ts';
import { LogisticRegression } from '../models/logistic/logistic.ts';
import { GradientBoostedTrees } from '../models/gbdt/gbdt.ts';
import { MultilayerPerceptron } from '../models/mlp/mlp.ts';
import { FeaturePipeline } from '../features/pipeline.ts';
import { TreeFeatures } from '../features/tree-features.ts';
import type { Rng } from '../random.ts';
import { draftRules } from '../rules/draft.ts';
import type { RuleScores, ScoringContext } from '../rules/engine.ts';
import type { RuleSet } from '../rules/rule-file.ts';
import { RuleScorer } from '../rules/rule-scorer.ts';
import type { ModelParams } from './params.ts';
import { ConfigError } from '../errors.ts';
import type { ModelName } from '../models/model.ts';
import { bytesAt, floatsAt } from '../data/columns.ts';

/**
 * The models a run fits, checked, with the rule baseline always first among them (a baseline always stands
 * beside the models).
 *
 * @example
 * modelsToFit(['logistic']); // ['rules', 'logistic']
 */
export const DEFAULT_MODELS: ModelName[] = ['rules', 'logistic', 'gbdt'];

export function modelsToFit(models: readonly ModelName[] = DEFAULT_MODELS): ModelName[] {
  for (const m of models) {
    if (m !== 'rules' && m !== 'logistic' && m !== 'gbdt' && m !== 'mlp') throw new ConfigError('UNKNOWN_MODEL', `unknown model "${m}"`, 'use --models rules,logistic,gbdt,mlp');
  }
  return models.includes('rules') ? [...models] : ['rules', ...models];
}

export interface FitInput {
  data: Dataset;
  /** Labels of every row (only the training rows' are read). */
  y: Uint8Array;
  train: Int32Array;
  /** Columns that are not features (target, ids, dates, excluded). */
  exclude: string[];
  /** Scoring times for activity-derived date features. */
  asOf?: number | ArrayLike<number>;
  rng: Rng;
}

export interface RuleFit {
  rules: RuleSet;
  result: RuleScores;
  /** The rule score mapped to a conversion rate on the training rows (isotonic). */
  probability: Float64Array;
}

/**
 * The rule baseline: `rules` as given, or drafted from the training rows of the lead columns and the
 * activity log (when the context has one).
 *
 * @example
 * const { rules, result } = fitRules(leads, y, split.train, { exclude: ['converted'], context: {} });
 */
export function fitRules(leads: Dataset, y: Uint8Array, train: Int32Array,
  options: { rules?: RuleSet; exclude: string[]; target?: string; context: ScoringContext }): RuleFit {
  const { context } = options;
  const rules = options.rules ?? draftRules(leads, y, train, {
    ...(options.target ? { target: options.target } : {}), exclude: options.exclude,
    ...(context.activities && context.asOf !== undefined ? { activities: context.activities, asOf: context.asOf } : {}),
    ...(context.leadId ? { leadId: context.leadId } : {}),
  }).rules;
  // Scores, tiers, grades and actions; the runs read no rule reasons (the export scores them per lead itself).
  const result = new RuleScorer(rules).score(leads, context, { reasons: false });
  const yTrain = bytesAt(y, train);
  const trainShares = floatsAt(result.score, train);
  for (let k = 0; k < trainShares.length; k++) trainShares[k] = trainShares[k]! / 100;
  const calibrator = fitCalibrator('isotonic', trainShares, yTrain);
  return { rules, result, probability: applyCalibrator(calibrator, result.score.map((s) => s / 100)) };
}

export interface ModelFit<M> {
  model: M;
  /** The fitted feature encoding, as the artifact saves it. */
  features: FeaturesJSON;
  calibrator: Calibrator;
  calibrationKind: Exclude<ModelParams['logistic']['calibration'], 'auto'>;
  calibrationCvLogLoss?: unknown;
  /** Calibrated probability for every row of the data. */
  probability: Float64Array;
  /** Uncalibrated model output for every row. */
  raw: Float64Array;
  /** Calibrated training-side scores (out-of-fold or validation slice) and their labels: thresholds are chosen here. */
  thresholdScores: Float64Array;
  thresholdY: Uint8Array;
  fitSeconds: number;
  details: Record<string, unknown>;
}

/**
 * Logistic regression with C chosen by stratified 5-fold CV on the training rows (over `options.grid`, default
 * the full C grid), or on one validation slice above `SLICE_ABOVE_ROWS` training rows.
 *
 * @example
 * const fit = fitLogistic({ data, y, train: split.train, exclude: ['converted'], rng }, params.logistic);
 */
export function fitLogistic(input: FitInput, params: ModelParams['logistic'], options: { grid?: readonly number[] } = {}): ModelFit<LogisticRegression> & { pipeline: FeaturePipeline; design: Design; names: string[]; groups: string[] } {
  const t0 = performance.now();
  const { data, y, train, rng } = input;
  const yTrain = bytesAt(y, train);
  const pipeline = FeaturePipeline.fit(data, train, { exclude: input.exclude });
  const { n, design, rest, restRows, names, groups } = trainingAndOtherRows(pipeline, input);
  const cv = chooseC(design, yTrain, {
    rng: rng.fork('folds'), ...(params.C !== undefined ? { grid: [params.C] } : options.grid ? { grid: options.grid } : {}), params: { classWeight: params.classWeight ?? null },
  });
  const model = new LogisticRegression({ C: cv.C, classWeight: params.classWeight ?? null }).fit(design, yTrain);
  // Calibration and the threshold see only out-of-sample probabilities: every training row's out-of-fold
  // one, or the validation slice's on a large training set.
  const choice = params.calibration === 'auto' ? chooseCalibration(cv.oof, cv.y, rng.fork('calibration')) : null;
  const calibrationKind = choice?.kind ?? (params.calibration as Exclude<typeof params.calibration, 'auto'>);
  const calibrator = fitCalibrator(calibrationKind, cv.oof, cv.y);
  // Every row's raw probability, from the two designs: each row's the same numbers as from one design of all rows.
  const raw = new Float64Array(n);
  model.predictProba(design).forEach((p, k) => (raw[train[k]!] = p));
  model.predictProba(rest).forEach((p, k) => (raw[restRows[k]!] = p));
  return {
    model, features: pipeline.toJSON(), pipeline, design, names, groups,
    calibrator, calibrationKind, ...(choice ? { calibrationCvLogLoss: choice.logLoss } : {}),
    probability: applyCalibrator(calibrator, raw), raw,
    thresholdScores: applyCalibrator(calibrator, cv.oof), thresholdY: cv.y,
    fitSeconds: (performance.now() - t0) / 1000,
    details: { C: cv.C, cvLogLoss: cv.scores, ...(cv.method === 'slice' ? { chosenOn: `a validation slice of ${cv.rows.length} training rows` } : {}), solver: model.fitted.solver, iterations: model.fitted.iterations, features: design.p },
  };
}

/**
 * The training rows' design and the other rows' (hold-out, unlabelled), copied from one design of every row
 * that is then let go: at a million leads the full design is ~250 MB, and holding it while C is chosen (its
 * fitting slice another copy) made the logistic step the run's peak.
 */
function trainingAndOtherRows(pipeline: FeaturePipeline, input: FitInput): { n: number; design: Design; rest: Design; restRows: Int32Array; names: string[]; groups: string[] } {
  const all = pipeline.transform(input.data, input.asOf !== undefined ? { asOf: input.asOf } : {});
  const inTrain = new Uint8Array(all.n);
  for (const r of input.train) inTrain[r] = 1;
  let others = 0;
  for (let r = 0; r < all.n; r++) others += 1 - inTrain[r]!;
  const restRows = new Int32Array(others);
  let k = 0;
  for (let r = 0; r < all.n; r++) if (!inTrain[r]) restRows[k++] = r;
  return { n: all.n, design: designRows(all, input.train), rest: designRows(all, restRows), restRows, names: all.names, groups: all.names.map((_, j) => all.groups[j]!) };
}

/** A stratified 10% of the training rows held aside (for early stopping, calibration and the threshold), both in row order. */
function validationSlice(train: Int32Array, y: Uint8Array, rng: Rng): { fitRows: number[]; valRows: number[] } {
  const fitRows: number[] = [];
  const valRows: number[] = [];
  for (const cls of [0, 1]) {
    const members = Array.from(train).filter((r) => y[r] === cls);
    const order = rng.permutation(members.length);
    const k = Math.round(0.1 * members.length);
    order.forEach((m, rank) => (rank < k ? valRows : fitRows).push(members[m]!));
  }
  fitRows.sort((a, b) => a - b);
  valRows.sort((a, b) => a - b);
  return { fitRows, valRows };
}

/**
 * What the trees and the network share: the tree features fitted on the training rows, every row encoded
 * with them, and the training rows split into fitting rows and the validation slice.
 */
function treeDesignWithSlice(input: FitInput): { features: TreeFeatures; all: ReturnType<TreeFeatures['transform']>; validationRng: Rng; fitRows: number[]; valRows: number[] } {
  const features = TreeFeatures.fit(input.data, input.train, { exclude: input.exclude });
  const all = features.transform(input.data, input.asOf !== undefined ? { asOf: input.asOf } : {});
  const validationRng = input.rng.fork('validation');
  return { features, all, validationRng, ...validationSlice(input.train, input.y, validationRng) };
}

/**
 * The calibration map fitted on the validation slice's raw outputs (`auto`: chosen there), and what it
 * gives: the calibrated probability of every row and the slice's calibrated scores the threshold is chosen on.
 */
function calibratedOnSlice(raw: Float64Array, valRaw: Float64Array, yVal: Uint8Array, calibration: ModelParams['gbdt']['calibration'], rng: Rng):
  Pick<ModelFit<unknown>, 'calibrator' | 'calibrationKind' | 'calibrationCvLogLoss' | 'probability' | 'raw' | 'thresholdScores' | 'thresholdY'> {
  const choice = calibration === 'auto' ? chooseCalibration(valRaw, yVal, rng) : null;
  const calibrationKind = choice?.kind ?? (calibration as Exclude<typeof calibration, 'auto'>);
  const calibrator = fitCalibrator(calibrationKind, valRaw, yVal);
  return {
    calibrator, calibrationKind, ...(choice ? { calibrationCvLogLoss: choice.logLoss } : {}),
    probability: applyCalibrator(calibrator, raw), raw, thresholdScores: applyCalibrator(calibrator, valRaw), thresholdY: yVal,
  };
}

/**
 * Gradient-boosted trees; 10% of the training rows (stratified) are held aside for early stopping,
 * calibration and the threshold.
 *
 * @example
 * const fit = fitGbdt({ data, y, train: split.train, exclude: ['converted'], rng }, params.gbdt);
 */
export function fitGbdt(input: FitInput, params: ModelParams['gbdt']): ModelFit<GradientBoostedTrees> & { names: string[]; validationSeed: number } {
  const t0 = performance.now();
  const { y, rng } = input;
  const { features, all, validationRng, fitRows, valRows } = treeDesignWithSlice(input);
  const pick = (rows: number[]) => ({ ...all, n: rows.length, columns: all.columns.map((c) => {
    const out = new Float64Array(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = c[rows[k]!]!;
    return out;
  }) });
  const { calibration, ...treeParams } = params;
  const yFit = bytesAt(y, fitRows);
  const yVal = bytesAt(y, valRows);
  const validation = pick(valRows);
  const model = new GradientBoostedTrees({ ...treeParams, seed: rng.fork('gbdt').seed })
    .fit(pick(fitRows), yFit, treeParams.earlyStopping === false ? {} : { validation: { design: validation, y: yVal } });
  const valRaw = model.predictProba(validation);
  const raw = model.predictProba(all);
  return {
    model, features: features.toJSON(), names: all.names, validationSeed: validationRng.seed,
    ...calibratedOnSlice(raw, valRaw, yVal, calibration, rng.fork('calibration:gbdt')),
    fitSeconds: (performance.now() - t0) / 1000,
    details: { trees: model.fitted.bestIteration, features: all.p, fitRows: fitRows.length, validationRows: valRows.length },
  };
}

/**
 * The neural network (TensorFlow.js); as for the trees, 10% of the training rows (stratified) are held
 * aside for early stopping, calibration and the threshold. Asynchronous: its backend loads first.
 *
 * @example
 * const fit = await fitMlp({ data, y, train: split.train, exclude: ['converted'], rng }, params.mlp);
 */
export async function fitMlp(input: FitInput, params: ModelParams['mlp'], options: { onNote?: (note: string) => void } = {}): Promise<ModelFit<MultilayerPerceptron> & { names: string[]; validationSeed: number }> {
  const t0 = performance.now();
  const { y, rng } = input;
  const { features, all, validationRng, fitRows, valRows } = treeDesignWithSlice(input);
  const { calibration, ...netParams } = params;
  const model = await new MultilayerPerceptron({ ...netParams, seed: rng.fork('mlp').seed }).fit(all, y, { train: fitRows, validation: valRows }, options);
  const raw = model.predictProba(all);
  const valRaw = floatsAt(raw, valRows);
  const yVal = bytesAt(y, valRows);
  const { fitted } = model;
  return {
    model, features: features.toJSON(), names: all.names, validationSeed: validationRng.seed,
    ...calibratedOnSlice(raw, valRaw, yVal, calibration, rng.fork('calibration:mlp')),
    fitSeconds: (performance.now() - t0) / 1000,
    details: { backend: fitted.backend, epochs: fitted.epochs, bestEpoch: fitted.bestEpoch, hidden: model.params.hidden,
      embeddings: fitted.inputs.categorical.map((c) => ({ column: all.groups[c.feature], rows: c.size, width: c.dim })),
      features: all.p, fitRows: fitRows.length, validationRows: valRows.length },
  };
}
