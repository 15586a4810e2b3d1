/**
 * The whole pipeline on the bundled sample, as `leadscore demo` runs it: load and infer the schema, read
 * the target, split three ways, aggregate the activity log as of each lead's scoring time, conversion by
 * segment, the hand-written and drafted rule baselines, the models trained beside them (run folder with
 * its report), the learned scorecard, the scored export, the scoring SELECT for a warehouse and a
 * quarterly backtest. Each capability joins here as it lands.
 */
import { readdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { joinActivityFeatures, loadActivityLog } from '../data/activities/activities.ts';
import { loadDataset } from '../data/io/dataset.ts';
import { columnValues } from '../data/columns.ts';
import { DAY_MS } from '../data/types/dates.ts';
import { PACKAGE_ROOT, SAMPLE } from '../data/sample/sample-paths.ts';
import { splitDataset } from '../data/split.ts';
import { conversionByLabel, conversionBySegment, type SegmentTable } from '../data/summary.ts';
import type { SourceFormat } from '../data/io/read.ts';
import { SCORING_DELAY_DAYS } from '../data/sample/synthetic.ts';
import { resolveTarget } from '../data/target.ts';
import { type CellValue, writeFileAtomic, writeTable } from '../data/io/write.ts';
import { ConfigError } from '../errors.ts';
import { rocAuc } from '../evaluation/metrics.ts';
import { createRng } from '../random.ts';
import { backtest, type BacktestJson } from '../backtest/backtest.ts';
import { draftRules } from '../rules/draft.ts';
import { learnScorecardFile } from '../rules/files.ts';
import { loadRuleFile, ruleSetToYaml } from '../rules/rule-file.ts';
import { RuleScorer, ruleExportColumns } from '../rules/rule-scorer.ts';
import { scoreLeads } from '../scoring/score.ts';
import { type MetricsJson, trainModels } from '../train/train.ts';

import { DEFAULT_DEMO_OUT, DEMO_STEPS } from './settings.ts';
import { warehouseStep } from './warehouse.ts';

export { DEFAULT_DEMO_OUT, DEMO_STEPS };

const SEGMENTS = ['channel', 'seniority', 'email_type', 'company_size', 'budget_confirmed', 'pricing_page_view_30d', 'engagement_decayed'];


export interface DemoOptions {
  /** Random seed (default 42). */
  seed?: number;
  /** Output folder (default models/demo, replaced on each run); a folder of the user's that is not empty needs `force`. */
  out?: string;
  force?: boolean;
  /** Called as each step starts. */
  onStep?: (step: (typeof DEMO_STEPS)[number]) => void;
}

export interface DemoResult {
  /** What summary.json holds. */
  summary: Awaited<ReturnType<typeof buildDemo>>['summary'];
  /** The run's metrics (leaderboard, comparisons) and the backtest, for printing. */
  metrics: MetricsJson;
  backtest: BacktestJson;
  input: { format: SourceFormat; delimiter: string };
  /** Said in passing (the neural network's backend when tfjs-node is absent). */
  info: string[];
  files: { summary: string; scores: string; ruleScores: string; draftedRules: string; run: string; report: string; scorecard: string; scorecardCsv: string; warehouse: string; backtest: string };
}

/**
 * Runs the whole pipeline on the bundled sample and writes its outputs.
 *
 * @example
 * const { files, metrics } = await runDemo({ out: '/tmp/demo', seed: 42 });
 * console.log(metrics.models[0].name, files.report);
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const outDir = options.out ?? DEFAULT_DEMO_OUT;
  // The default folder is the demo's own and is replaced on each run; a folder the user names is theirs.
  if (resolve(outDir) !== DEFAULT_DEMO_OUT && !options.force && (await readdir(outDir).catch(() => [])).length > 0) {
    throw new ConfigError('WOULD_OVERWRITE', `${outDir} is not empty: the demo would replace its files (run/, backtest/, scores.csv, …)`,
      `choose a new folder for --out, or pass --force to replace the demo outputs in it`);
  }
  const built = await buildDemo(outDir, { seed: options.seed ?? 42, step: options.onStep ?? (() => {}) });
  return built.result;
}

async function buildDemo(outDir: string, options: { seed: number; step: (s: (typeof DEMO_STEPS)[number]) => void }) {
  const { step } = options;
  const rng = createRng(options.seed);

  step('loading the sample');
  const leads = await loadDataset({ path: SAMPLE.leads });
  const target = resolveTarget(leads, SAMPLE.target);
  step('reading activities');

  // Behaviour as a score made 30 days after each lead's creation would have seen it.
  const log = await loadActivityLog({ path: SAMPLE.activities });
  const created = columnValues(leads.table, SAMPLE.date) as ArrayLike<number>;
  const scoredAt = Float64Array.from(created, (t) => t + SCORING_DELAY_DAYS * DAY_MS);
  const data = joinActivityFeatures(leads, log, SAMPLE.id, scoredAt, SAMPLE.account);
  step('splitting');

  const stratified = splitDataset(data, target.y, { kind: 'stratified', testSize: 0.2, rng: rng.fork('split') });
  const time = splitDataset(data, target.y, { kind: 'time', date: SAMPLE.date, testSize: 0.2, rng: rng.fork('split') });
  const group = splitDataset(data, target.y, { kind: 'group', group: SAMPLE.account, testSize: 0.2, rng: rng.fork('split') });
  step('segments');

  const segments: SegmentTable[] = SEGMENTS.map((c) => conversionBySegment(data, target.y, c, stratified.train));
  const byMonth = conversionBySegmentMonth(created, target.y);
  step('rule baseline');

  // The points baseline: the hand-written sample rules, and rules drafted from the training rows only.
  const context = { activities: log, asOf: scoredAt, account: SAMPLE.account };
  const handWritten = new RuleScorer(await loadRuleFile(SAMPLE.rules));
  const handScores = handWritten.score(leads, context);
  const drafted = draftRules(leads, target.y, stratified.train, { target: SAMPLE.target, exclude: ['converted_at'], activities: log, asOf: scoredAt });
  const draftedScores = new RuleScorer(drafted.rules).score(leads, context);
  const rulesSummary = {
    file: relative(PACKAGE_ROOT, SAMPLE.rules),
    holdoutAuc: { handWritten: rocAuc(handScores.score, target.y, stratified.test), drafted: rocAuc(draftedScores.score, target.y, stratified.test) },
    scoreBands: scoreBands(handScores.score, target.y, stratified.test),
    tiers: conversionByLabel(handScores.tier, target.y, stratified.test, ['hot', 'warm', 'cold']),
    grades: conversionByLabel(handScores.grade, target.y, stratified.test, ['A', 'B', 'C', 'D']),
    actions: conversionByLabel(handScores.action, target.y, stratified.test, ['sales', 'review', 'nurture', 'disqualify']),
    drafted: { criteria: drafted.rules.criteria.length, halfLives: Object.fromEntries(drafted.notes.filter((n) => n.halfLifeDays).map((n) => [n.criterion, n.halfLifeDays])) },
  };
  step('training');

  // Models beside the hand-written rules, on the same hold-out rows; then the model as a points scorecard.
  const runDir = join(outDir, 'run');
  await rm(runDir, { recursive: true, force: true });
  const trained = await trainModels({
    data: { path: SAMPLE.leads }, target: SAMPLE.target, activities: { path: SAMPLE.activities }, asOf: `${SAMPLE.date}+${SCORING_DELAY_DAYS}d`,
    date: SAMPLE.date, account: SAMPLE.account, rules: SAMPLE.rules, seed: options.seed, out: runDir, models: ['rules', 'logistic', 'gbdt', 'mlp'],
  });
  step('scorecard');
  // A scorecard marketing can paste into its tool, learned beside the logistic model on its training rows
  // and checked on the run's hold-out beside the model and the hand-written rules.
  const scorecardPath = join(outDir, 'scorecard.yaml');
  const learned = await learnScorecardFile({
    model: join(runDir, 'logistic.model.json'), out: scorecardPath, csv: join(outDir, 'scorecard.csv'), data: SAMPLE.leads, activities: SAMPLE.activities, force: true,
  });
  // The export the sales team sees: every sample lead scored with the logistic model beside the rules.
  const exported = await scoreLeads({ model: join(runDir, 'logistic.model.json'), input: { path: SAMPLE.leads }, activities: { path: SAMPLE.activities }, rules: SAMPLE.rules });
  const exportPath = join(outDir, 'scores.csv');
  await writeTable(exportPath, exported.names, exported.columns, 'csv', { safe: true });
  const modelsSummary = {
    leaderboard: trained.metrics.models.map(({ fitSeconds: _f, details: _d, ...m }) => m),
    comparisons: trained.metrics.comparisons,
    excluded: trained.metrics.dataset.excluded,
    scorecard: {
      criteria: learned.rules.criteria.length, candidates: learned.selection.candidates, tiers: learned.rules.tiers, basePoints: learned.rules.basePoints,
      holdoutAuc: { scorecard: learned.evaluation.scorecard.auc, model: learned.evaluation.model.auc, rules: learned.evaluation.rules?.auc ?? null },
      aucDiffToModel: learned.evaluation.vsModel, spearmanWithModel: learned.evaluation.spearmanWithModel, hotTier: learned.evaluation.scorecard.tiers.hot,
    },
    export: { rows: exported.summary.rows, model: exported.summary.model, tiers: exported.summary.tiers, actions: exported.summary.actions },
  };
  step('warehouse SQL');
  const warehouse = await warehouseStep(outDir, options.seed, leads);
  step('backtest');
  // A short walk-forward backtest: each quarter scored by models trained on what was known before it.
  const backtestDir = join(outDir, 'backtest');
  await rm(backtestDir, { recursive: true, force: true });
  const walked = await backtest({
    data: { path: SAMPLE.leads }, target: SAMPLE.target, date: SAMPLE.date, outcomeDate: 'converted_at', activities: { path: SAMPLE.activities },
    asOf: `${SAMPLE.date}+${SCORING_DELAY_DAYS}d`, account: SAMPLE.account, period: 'quarter', maturity: 90, rules: SAMPLE.rules, seed: options.seed, out: backtestDir,
  });
  step('writing');
  const scoresPath = join(outDir, 'rule-scores.csv');
  const ruleExport = ruleExportColumns(leads, handScores);
  await writeTable(scoresPath, ruleExport.names, ruleExport.columns as Array<ArrayLike<CellValue>>);
  const draftPath = join(outDir, 'rules-drafted.yaml');
  await writeFileAtomic(draftPath, ruleSetToYaml(drafted.rules, `Drafted by leadscore demo from the training rows of the bundled sample (seed ${options.seed}).`));

  const rate = (rows: Int32Array) => rows.reduce((s, r) => s + target.y[r]!, 0) / rows.length;
  const splits = [stratified, time, group].map((s) => ({
    kind: s.kind, trainRows: s.train.length, testRows: s.test.length, trainRate: rate(s.train), testRate: rate(s.test),
    ...(s.cutoff !== undefined ? { cutoff: new Date(s.cutoff).toISOString() } : {}),
  }));
  const summary = {
    formatVersion: 1,
    dataset: { source: relative(PACKAGE_ROOT, SAMPLE.leads), rows: leads.raw.rows, positives: target.positives, rate: target.positives / leads.raw.rows, seed: options.seed },
    activities: { events: log.times.length, types: log.typeNames, features: data.schema.columns.length - leads.schema.columns.length, asOf: `created_at + ${SCORING_DELAY_DAYS} days` },
    schema: leads.schema.columns,
    splits,
    conversionByMonth: byMonth,
    segments,
    rules: rulesSummary,
    models: modelsSummary,
    warehouse: warehouse.summary,
    backtest: { settings: walked.json.settings, summary: walked.json.summary },
  };
  const summaryPath = join(outDir, 'summary.json');
  await writeFileAtomic(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  step('done');
  const files = { summary: summaryPath, scores: exportPath, ruleScores: scoresPath, draftedRules: draftPath, run: runDir, report: join(runDir, 'report.html'), scorecard: scorecardPath, scorecardCsv: learned.csv, warehouse: warehouse.folder, backtest: join(backtestDir, 'backtest.json') };
  return { summary, result: { summary, metrics: trained.metrics, backtest: walked.json, input: { format: leads.raw.format, delimiter: leads.raw.delimiter ?? ',' }, info: trained.info, files } };
}

function conversionBySegmentMonth(created: ArrayLike<number>, y: Uint8Array): Array<{ month: string; leads: number; conversions: number; rate: number }> {
  const months = new Map<string, { leads: number; conversions: number }>();
  for (let i = 0; i < created.length; i++) {
    const month = new Date(created[i]!).toISOString().slice(0, 7);
    const m = months.get(month) ?? { leads: 0, conversions: 0 };
    m.leads++;
    m.conversions += y[i]!;
    months.set(month, m);
  }
  return [...months.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, m]) => ({ month, ...m, rate: m.conversions / m.leads }));
}

/** Conversion per 10-point band of the rule score, over the given rows. */
function scoreBands(score: Float64Array, y: Uint8Array, rows: Int32Array): Array<{ band: string; leads: number; conversions: number; rate: number }> {
  const bands = Array.from({ length: 10 }, (_, k) => ({ band: k === 9 ? '90–100' : `${k * 10}–${k * 10 + 9}`, leads: 0, conversions: 0, rate: 0 }));
  for (const r of rows) {
    const b = bands[Math.min(9, Math.floor(score[r]! / 10))]!;
    b.leads++;
    b.conversions += y[r]!;
  }
  for (const b of bands) b.rate = b.leads ? b.conversions / b.leads : 0;
  return bands.filter((b) => b.leads > 0);
}
