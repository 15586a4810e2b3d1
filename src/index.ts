/**
 * leadscore's public library API. Every CLI command is a thin layer over one of the functions in the
 * first block (`leadscore train` → `train`, `rules score` → `scoreRules`, …); the blocks below are the
 * pieces they are made of.
 *
 * @example
 * import { train, score } from 'leadscore';
 * const { runDir, metrics } = await train({ data: { path: 'leads.csv' }, target: 'converted', out: 'run' });
 * const scored = await score({ model: `${runDir}/logistic.model.json`, input: { path: 'new-leads.csv' } });
 * console.log(metrics.models[0].name, scored.summary.tiers);
 */

// The commands, as library functions.
export { trainModels as train } from './train/train.ts';
export { evaluateModel as evaluate } from './evaluation/evaluate.ts';
export { backtest } from './backtest/backtest.ts';
export { scoreLeads as score } from './scoring/score.ts';
export { reportFolder as report } from './report/report.ts';
export { inspectSource as inspect } from './data/inspect.ts';
export { checkRules, draftRuleFile as draftRules, learnScorecardFile as learnScorecard, scoreRules, type LearnScorecardOptions, type LearnedScorecardFile, type ScorecardEvaluation,
  type DraftRulesOptions, type RuleDataOptions, type ScoreRulesOptions, type ScoreRulesSummary } from './rules/files.ts';
export { exportSql } from './scoring/sql/export-sql.ts';
export { runDemo, DEMO_STEPS, type DemoOptions, type DemoResult } from './demo/demo.ts';
export { DIALECTS, type DialectName } from './scoring/sql/dialects.ts';

export { ConfigError, DataError, LeadscoreError, ModelFormatError, NotFittedError } from './errors.ts';
export type { DataIssue, Validation } from './errors.ts';
export { createRng, type Rng } from './random.ts';
export type { ColumnType, RawValue, SplitIndices, SplitKind } from './types.ts';

export { readTable, type RawTable, type ReadOptions, type Source, type SourceFormat } from './data/io/read.ts';
export { CsvParser, detectDelimiter, parseCsv } from './data/io/csv.ts';
export { DAY_MS, detectDateFormat, parseDate, type DateFormat } from './data/types/dates.ts';
export { DEFAULT_NA_TOKENS, isMissing, naTokenSet } from './data/types/missing.ts';
export { inferSchema, type ColumnSchema, type InferOptions, type Schema } from './data/types/schema.ts';
export { applySchema, datasetWithReading, loadDataset, type Dataset, type LoadOptions } from './data/io/dataset.ts';
export { readingOf, schemaWithReading, type ColumnReading, type Reading } from './data/types/reading.ts';
export { inspectSource, type InspectReport, type InspectOptions } from './data/inspect.ts';
export { resolveTarget, type Target, type TargetOptions } from './data/target.ts';
export { groupSplit, splitDataset, stratifiedSplit, timeSplit, type SplitOptions, type SplitResult } from './data/split.ts';
export {
  aggregateActivities, buildActivityLog, joinActivities, loadActivityLog,
  type ActivityAggregates, type ActivityLog, type AggregateOptions,
} from './data/activities/activities.ts';
export { conversionByLabel, conversionBySegment, type SegmentRow, type SegmentTable } from './data/summary.ts';
export { generateSample, writeSample, TRUE_MODEL, SCORING_DELAY_DAYS, type SyntheticOptions } from './data/sample/synthetic.ts';
export { assertNotInput, writeCsvColumns, writeFileAtomic } from './data/io/write.ts';
export { SAMPLE } from './data/sample/sample-paths.ts';
export { loadModel, saveModel, type LoadedModel, type ModelArtifact } from './models/artifact.ts';
export { LogisticRegression } from './models/logistic/logistic.ts';
export { GradientBoostedTrees } from './models/gbdt/gbdt.ts';
export { FeaturePipeline } from './features/pipeline.ts';
export { denseDesign, type Design, type DesignColumn } from './features/design.ts';
export { TreeFeatures } from './features/tree-features.ts';
export { dateRanges, type DateRange } from './features/date-range.ts';
export { trainModels, type TrainOptions, type MetricsJson } from './train/train.ts';
export { evaluateModel, type EvaluateOptions } from './evaluation/evaluate.ts';
export { scoreLeads, type ScoreOptions, type ScoreResult } from './scoring/score.ts';
export { canStream, scoreFile, scoreStream, type ScoreFileOptions, type StreamOptions } from './scoring/stream.ts';
export { loadRuleFile, parseRuleFile, ruleSetToYaml } from './rules/rule-file.ts';
export { scoreWithRules } from './rules/engine.ts';
export { draftRules as draftRulesFromRows } from './rules/draft.ts';
export { learnScorecard as scorecardFromModel } from './rules/learn.ts';
export { readHoldout, reportFolder, writeReport, type Holdout, type ReportRun } from './report/report.ts';
export { decisionRows, type DecisionRow } from './report/decision-table.ts';
export { calibrationSpec, distributionSpec, gainsSpec, liftSpec, prSpec, renderSvg, rocSpec, tradeoffSpec } from './report/charts.ts';
export { rocAuc, averagePrecision, logLoss, brierScore, expectedCalibrationError, spearman } from './evaluation/metrics.ts';
export { ROW_ORDER, type BacktestJson, type BacktestOptions, type BacktestResult, type PeriodTrace } from './backtest/backtest.ts';
export { categoricalPsi, numericPsi, psiFromCounts, PSI_WARNING } from './backtest/drift.ts';
