/**
 * `train`: every model named is fitted on the training rows and evaluated on the same hold-out rows as the
 * rule baseline; the run folder gets metrics.json, one artifact per model, the rules used and the
 * logistic coefficient table. Randomness comes from named forks of one seed (split, folds).
 */
import { join, relative, resolve } from 'node:path';
import type { Source } from '../data/io/read.ts';
import { PACKAGE_ROOT } from '../data/sample/sample-paths.ts';
import { stagedFolder, timestampName } from '../data/io/write.ts';
import { type ThresholdStrategy } from '../evaluation/thresholds.ts';
import { type LeakageFlag, type LeakageOptions } from '../evaluation/leakage.ts';
import { type CoefficientRow } from '../models/logistic/coefficients.ts';
import type { ModelName } from '../models/model.ts';
import type { SplitKind } from '../types.ts';
import { DEFAULT_MODELS, modelsToFit } from './fit.ts';
import { type ModelMetrics, type PrimaryMetric } from './model-metrics.ts';

import { pointLatest, writeRunFolder } from './run-folder.ts';
import { fitRuleBaseline, fitRunModels, prepareRun } from './steps.ts';

export { PRIMARY_METRICS, type ModelMetrics, type PrimaryMetric, type ThresholdMetrics } from './model-metrics.ts';

export { DEFAULT_MODELS, pointLatest };

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
  // The run folder appears whole or not at all (a killed run leaves no half-written folder).
  let staging = '';
  const staged = await stagedFolder(runDir, 'metrics.json', (folder) => {
    staging = folder;
    return trainInto(folder, runDir, options);
  });
  const result = { ...staged, runDir, files: staged.files.map((f) => join(runDir, relative(staging, f))) };
  // models/latest follows runs written to the default place; a link it cannot update is a warning, not a silence.
  const stale = options.out ? null : await pointLatest(join(PACKAGE_ROOT, 'models', 'latest'), runDir);
  return stale ? { ...result, warnings: [...result.warnings, stale] } : result;
}

/**
 * prepare (validate → read → activities → split → leakage guard) → the rule baseline → each model → the run
 * folder, written into `writeDir` (the staging folder) for the run folder `runDir`.
 */
async function trainInto(writeDir: string, runDir: string, options: TrainOptions): Promise<TrainResult> {
  const run = await prepareRun(writeDir, runDir, options);
  const baseline = await fitRuleBaseline(run);
  const fitted = await fitRunModels(run);
  return writeRunFolder(run, baseline, fitted);
}
