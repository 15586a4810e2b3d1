/**
 * The rule commands' work over files, as library functions: check a rule file (against a lead file),
 * score leads with one and write the scores, draft one from history, learn a points scorecard from a
 * logistic model. `leadscore rules check|score|draft|learn` parse flags, call these and print.
 */
import { loadActivityLog } from '../data/activities/activities.ts';
import { resolveAsOf } from '../data/activities/as-of.ts';
import { type Dataset, loadDataset } from '../data/io/dataset.ts';
import { conversionByLabel, type SegmentRow } from '../data/summary.ts';
import { resolveTarget } from '../data/target.ts';
import { assertMayReplace, assertNotInput, type CellValue, outputFormat, writeFileAtomic, writeTable } from '../data/io/write.ts';
import { ConfigError } from '../errors.ts';
import { loadModel } from '../models/artifact.ts';
import { type DraftNote, draftRules } from './draft.ts';
import { bindRules, type ScoringContext, withActivityColumns } from './engine.ts';
import { learnScorecard } from './learn.ts';
import { ACTIONS, loadRuleFile, type RuleSet, ruleSetToYaml } from './rule-file.ts';
import { RuleScorer, ruleExportColumns } from './rule-scorer.ts';

/** Where the leads' activities come from, and how leads and accounts are named in it. */
export interface RuleDataOptions {
  /** Activity log for behavioural criteria. */
  activities?: string;
  /** Scoring time: an ISO date, or a date column with an offset (`created_at+30d`); default now. */
  asOf?: string;
  id?: string;
  account?: string;
  /** Extra missing-value tokens. */
  na?: string;
}

async function scoringContext(data: Dataset, options: RuleDataOptions): Promise<ScoringContext> {
  if (!options.activities) {
    if (options.asOf) throw new ConfigError('AS_OF_WITHOUT_ACTIVITIES', '--as-of is the time activities are counted at, but no --activities file was given', 'add --activities <file>, or drop --as-of');
    return options.id ? { leadId: options.id } : {};
  }
  const activities = await loadActivityLog({ path: options.activities });
  const asOf = resolveAsOf(options.asOf ?? new Date().toISOString(), data);
  return { activities, asOf, ...(options.id ? { leadId: options.id } : {}), ...(options.account ? { account: options.account } : {}) };
}

/**
 * Reads and validates a rule file; with `data`, also checks its columns and value types against a lead file.
 *
 * @example
 * const rules = await checkRules('data/rules/sample.yaml', { data: 'leads.csv' });
 */
export async function checkRules(file: string, options: { data?: string; activities?: string; na?: string } = {}): Promise<RuleSet> {
  const ruleSet = await loadRuleFile(file);
  if (options.data) {
    const data = await loadDataset({ path: options.data }, options.na ? { na: options.na } : {});
    const context = options.activities ? { activities: await loadActivityLog({ path: options.activities }), asOf: Date.now() } : {};
    bindRules(ruleSet, withActivityColumns(ruleSet, data, context), context);
  }
  return ruleSet;
}

export interface ScoreRulesOptions extends RuleDataOptions {
  rules: string;
  input: string;
  output: string;
  /** csv, ndjson or parquet (default from the output's extension). */
  format?: string;
  /** Reasons per lead (0 for none); default 5. */
  reasons?: number;
  /** Labelled leads: also count the conversions each action holds. */
  target?: string;
  positive?: string;
  /** Replace `output` if it exists. */
  force?: boolean;
}

export interface ScoreRulesSummary {
  output: string;
  rules: string;
  rows: number;
  tiers: Record<string, number>;
  grades: Record<string, number>;
  actions: Record<string, number>;
  actionConversions?: SegmentRow[];
  asOf?: string;
}

/**
 * Scores leads with a rule file and writes rule_score, rule_tier, grade, action and reasons.
 *
 * @example
 * const summary = await scoreRules({ rules: 'data/rules/sample.yaml', input: 'leads.csv', output: 'rule-scores.csv' });
 * summary.tiers; // { hot: 812, warm: 5120, cold: 14068 }
 */
export async function scoreRules(options: ScoreRulesOptions): Promise<ScoreRulesSummary> {
  assertNotInput(options.output, [options.input, options.rules, ...(options.activities ? [options.activities] : [])]);
  await assertMayReplace(options.output, options.force, '--output');
  const format = outputFormat(options.output, options.format);
  const ruleSet = await loadRuleFile(options.rules);
  const data = await loadDataset({ path: options.input }, options.na ? { na: options.na } : {});
  const context = await scoringContext(data, options);
  const scores = new RuleScorer(ruleSet).score(data, context);
  const table = ruleExportColumns(data, scores, { ...(options.id ? { id: options.id } : {}), reasons: options.reasons ?? 5 });
  await writeTable(options.output, table.names, table.columns as Array<ArrayLike<CellValue>>, format);
  const count = (values: string[]) => values.reduce<Record<string, number>>((m, v) => ((m[v] = (m[v] ?? 0) + 1), m), {});
  // On labelled leads: what each action would have done with the buyers (a disqualify that holds many is costly).
  let conversions: SegmentRow[] | undefined;
  if (options.target) {
    const target = resolveTarget(data, options.target, options.positive ? { positive: options.positive } : {});
    const unlabelled = new Set(target.unlabelled);
    conversions = conversionByLabel(scores.action, target.y, Int32Array.from({ length: scores.score.length }, (_, i) => i).filter((i) => !unlabelled.has(i)), ACTIONS);
  }
  return { output: options.output, rules: ruleSet.name, rows: scores.score.length, tiers: count(scores.tier), grades: count(scores.grade), actions: count(scores.action),
    ...(conversions ? { actionConversions: conversions } : {}),
    ...(context.asOf !== undefined && typeof context.asOf === 'number' ? { asOf: new Date(context.asOf).toISOString() } : {}) };
}

export interface DraftRulesOptions extends RuleDataOptions {
  /** Historical leads with outcomes (every labelled row is a training row). */
  data: string;
  target: string;
  /** Where to write the drafted rule file (YAML). */
  out: string;
  exclude?: string[];
  /** At most this many criteria; default 16. */
  maxCriteria?: number;
  positive?: string;
  force?: boolean;
}

/**
 * Drafts a rule file from history (points from conversion rates, decay half-lives fitted) and writes it.
 *
 * @example
 * const { rules, notes } = await draftRuleFile({ data: 'history.csv', target: 'converted', out: 'drafted.yaml' });
 */
export async function draftRuleFile(options: DraftRulesOptions): Promise<{ rules: RuleSet; out: string; trainRows: number; baseRate: number; notes: DraftNote[] }> {
  assertNotInput(options.out, [options.data, ...(options.activities ? [options.activities] : [])]);
  await assertMayReplace(options.out, options.force, '--out');
  if (options.activities && !options.asOf) {
    throw new ConfigError('AS_OF_REQUIRED', 'drafting behavioural criteria needs the time each lead was scored', 'add --as-of, e.g. --as-of created_at+30d (30 days after each lead was created)');
  }
  const data = await loadDataset({ path: options.data }, options.na ? { na: options.na } : {});
  const target = resolveTarget(data, options.target, options.positive ? { positive: options.positive } : {});
  const unlabelled = new Set(target.unlabelled);
  const rows = Int32Array.from({ length: data.table.numRows() }, (_, i) => i).filter((r) => !unlabelled.has(r));
  const context = await scoringContext(data, options);
  const result = draftRules(data, target.y, rows, {
    target: options.target, exclude: options.exclude ?? [], maxCriteria: options.maxCriteria ?? 16,
    ...(context.activities ? { activities: context.activities, asOf: context.asOf! } : {}),
    ...(options.id ? { leadId: options.id } : {}),
  });
  result.rules.file = options.out;
  const header = `Drafted by leadscore rules draft from ${options.data} (${result.trainRows} rows, base conversion rate ${(100 * result.baseRate).toFixed(1)}%).\n` +
    'Points: a segment converting twice as often as average earns +15 (rounded to 5). Review before use.';
  await writeFileAtomic(options.out, ruleSetToYaml(result.rules, header));
  return { rules: result.rules, out: options.out, trainRows: result.trainRows, baseRate: result.baseRate, notes: result.notes };
}

/**
 * Turns a fitted logistic model into a points scorecard (0–100) the rule engine runs, and writes it.
 *
 * @example
 * const { rules } = await learnScorecardFile({ model: 'models/latest/logistic.model.json', out: 'scorecard.yaml', decimals: 0 });
 */
export async function learnScorecardFile(options: { model: string; out: string; decimals?: number; force?: boolean }): Promise<{ rules: RuleSet; out: string; notes: string[] }> {
  const decimals = options.decimals ?? 1;
  assertNotInput(options.out, [options.model]);
  await assertMayReplace(options.out, options.force, '--out');
  if (!(Number.isInteger(decimals) && decimals >= 0 && decimals <= 3)) {
    throw new ConfigError('BAD_DECIMALS', `--decimals must be 0 to 3, got ${decimals}`, 'use --decimals 0 for whole points');
  }
  const { artifact } = await loadModel(options.model);
  const learned = learnScorecard(artifact, { decimals });
  learned.rules.file = options.out;
  const header = `Scorecard learned by leadscore rules learn from ${options.model} (${artifact.contentHash.slice(0, 19)}).\n` +
    `Points are the model's contributions, ${learned.pointsPerLogit.toFixed(2)} points per unit of log-odds; each column's lowest attribute scores 0.` +
    (artifact.activities ? `\nActivity columns are computed from --activities as of ${artifact.activities.asOf}` +
      (artifact.activities.account ? `; account_* columns from other contacts of the same ${artifact.activities.account} (rules score --account ${artifact.activities.account}).` : '.') : '');
  await writeFileAtomic(options.out, ruleSetToYaml(learned.rules, header));
  return { rules: learned.rules, out: options.out, notes: learned.notes };
}
