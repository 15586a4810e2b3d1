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
import { assertMayReplace, assertNotInput, type CellValue, outputFormat, writeCsvColumns, writeFileAtomic, writeTable } from '../data/io/write.ts';
import { access, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { labelledForModel } from '../evaluation/evaluate.ts';
import { delongTest } from '../evaluation/compare.ts';
import { liftAt, rocAuc, spearman } from '../evaluation/metrics.ts';
import { readHoldout } from '../report/report.ts';
import { ConfigError } from '../errors.ts';
import { dataFingerprint, loadModel, modelLabel } from '../models/artifact.ts';
import { DRAFTED_SOURCE, type DraftNote, draftRules } from './draft.ts';
import { bindRules, type ScoringContext, scoreWithRules, withActivityColumns } from './engine.ts';
import { assertAdditive, type LearnedScorecard, learnScorecard, type ScorecardLine } from './learn.ts';
import { ACTIONS, loadRuleFile, type RuleSet, ruleSetToYaml } from './rule-file.ts';
import { RuleScorer, ruleExportColumns } from './rule-scorer.ts';
import { allRows, floatsAt } from '../data/columns.ts';

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
    conversions = conversionByLabel(scores.action, target.y, allRows(scores.score.length).filter((i) => !unlabelled.has(i)), ACTIONS);
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
  const rows = allRows(data.table.numRows()).filter((r) => !unlabelled.has(r));
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

export interface LearnScorecardOptions {
  /** A logistic.model.json in its run folder (the folder's holdout.csv names the hold-out rows). */
  model: string;
  /** Where the scorecard goes (YAML, the rule file format). */
  out: string;
  /** The marketer's copy (CSV); default `out` with the extension .csv. */
  csv?: string;
  /** The model's training file; default the file the run's metrics.json names. */
  data?: string;
  target?: string;
  positive?: string;
  activities?: string;
  asOf?: string;
  na?: string;
  id?: string;
  /** Hand-written rules to compare with; default the run folder's rules.yaml when it has one. */
  rules?: string;
  maxCriteria?: number;
  decimals?: number;
  /** Share of leads the hot tier holds (default 0.1). */
  capacity?: number;
  fitTo?: 'model' | 'outcome';
  force?: boolean;
}

/** One scorer on the hold-out rows. */
export interface HoldoutFigures {
  auc: number;
  liftAt10: number;
}

export interface ScorecardEvaluation {
  holdout: { source: string; rows: number; positives: number };
  scorecard: HoldoutFigures & { criteria: number; tiers: Record<'hot' | 'warm' | 'cold', { leads: number; share: number; conversion: number }> };
  model: HoldoutFigures & { artifact: string };
  /** The rules beside them: a rule file of the user's, or the ones train drafted (its run folder's rules.yaml). */
  rules: (HoldoutFigures & { file: string; kind: 'hand-written' | 'drafted' }) | null;
  /** Rank agreement of the scorecard's score with the model's probability on the hold-out rows. */
  spearmanWithModel: number;
  /** AUC(scorecard) − AUC(model), DeLong. */
  vsModel: { aucDiff: number; ci95: [number, number]; pValue: number };
}

export interface LearnedScorecardFile {
  rules: RuleSet;
  out: string;
  csv: string;
  lines: ScorecardLine[];
  notes: string[];
  selection: LearnedScorecard['selection'];
  pointsPerLogit: number;
  trainRows: number;
  evaluation: ScorecardEvaluation;
}

const r4 = (x: number) => Number(x.toFixed(4));

/**
 * Learns a points scorecard beside a run's logistic model (rules/learn.ts) on the model's own training rows,
 * checks it on the run's hold-out rows beside the model and the hand-written rules, and writes it as a rule
 * file (YAML) and as a CSV a marketer can copy into a marketing-automation tool.
 *
 * @example
 * const { evaluation } = await learnScorecardFile({ model: 'models/latest/logistic.model.json', out: 'scorecard.yaml', activities: 'activities.csv' });
 * evaluation.scorecard.auc; // beside evaluation.model.auc
 */
export async function learnScorecardFile(options: LearnScorecardOptions): Promise<LearnedScorecardFile> {
  const decimals = options.decimals ?? 0;
  if (!(Number.isInteger(decimals) && decimals >= 0 && decimals <= 3)) {
    throw new ConfigError('BAD_DECIMALS', `--decimals must be 0 to 3, got ${decimals}`, 'use --decimals 0 for whole points');
  }
  const capacity = options.capacity ?? 0.1;
  if (!(capacity > 0 && capacity <= 0.7)) throw new ConfigError('BAD_CAPACITY', `--capacity must be a share of leads above 0 and at most 70%, got ${capacity}`, 'e.g. --capacity 10% (the hot tier holds the top 10% of leads)');
  const csv = options.csv ?? options.out.replace(/\.(ya?ml)$/i, '') + '.csv';
  const runDir = dirname(options.model);
  const loaded = await loadModel(options.model);
  const { artifact } = loaded;
  assertAdditive(artifact, options.model);
  if (options.target !== undefined && options.target !== artifact.target.name) {
    throw new ConfigError('TARGET_CONTRADICTS_MODEL', `--target ${options.target} is not the outcome ${options.model} was trained on (${artifact.target.name})`,
      `leave out --target: the scorecard learns the model's outcome, so the two can be compared`);
  }
  const holdout = await readHoldout(runDir);
  if (!holdout) {
    throw new ConfigError('HOLDOUT_MISSING', `${runDir} has no holdout.csv, so the model's training rows cannot be told from its hold-out`, 'pass a model inside the run folder `leadscore train` wrote');
  }
  const metricsText = await readFile(join(runDir, 'metrics.json'), 'utf8').catch(() => {
    throw new ConfigError('NOT_A_RUN', `${runDir} has a holdout.csv but no readable metrics.json`, 'pass a model inside a run folder `leadscore train` wrote, whole');
  });
  const metrics = JSON.parse(metricsText) as { dataset?: { source?: string }; models?: Array<{ name: string; details?: { source?: string } }> };
  const dataPath = options.data ?? metrics.dataset?.source;
  if (!dataPath) throw new ConfigError('SOURCE_MISSING', `${runDir} does not say which file the model was trained on`, 'pass it with --data <file> (the --data of the train command)');
  const files = [options.model, dataPath, ...(options.activities ? [options.activities] : []), ...(options.rules ? [options.rules] : [])];
  for (const [path, flag] of [[options.out, '--out'], [csv, '--csv']] as const) {
    assertNotInput(path, files);
    await assertMayReplace(path, options.force, flag);
  }
  if (resolve(csv) === resolve(options.out)) throw new ConfigError('OUTPUT_IS_INPUT', `--csv and --out are the same file (${csv})`, 'give the scorecard a .yaml name, or --csv another path');

  const notes = new Set<string>();
  const read = await labelledForModel(loaded, {
    model: options.model, data: { path: dataPath }, ...(options.activities ? { activities: { path: options.activities } } : {}),
    ...(options.asOf ? { asOf: options.asOf } : {}), ...(options.target ? { target: options.target } : {}), ...(options.positive ? { positive: options.positive } : {}),
    ...(options.na ? { na: options.na } : {}), ...(options.id ? { id: options.id } : {}),
  }, notes);
  const { data, target, context } = read;
  // The training rows: every labelled row but the run's hold-out; the fingerprint says whether they are the model's.
  const held = new Uint8Array(data.table.numRows());
  for (const r of holdout.rows) {
    if (!(r >= 0 && r < held.length)) throw new ConfigError('NOT_TRAINING_FILE', `${dataPath} has ${held.length} rows, but the run's hold-out names row ${r + 1}`, `pass the file ${options.model} was trained on with --data`);
    held[r] = 1;
  }
  const trainRows = read.rows.filter((r) => !held[r]);
  const holdRows = holdout.rows;
  if (dataFingerprint(data, trainRows) !== artifact.training.dataHash) {
    throw new ConfigError('NOT_TRAINING_FILE', `${dataPath}${options.activities ? ` with ${options.activities}` : ''} is not what ${options.model} was trained on: its training rows (every labelled row but the run's hold-out) differ from the model's fingerprint`,
      `pass the --data, --activities, --as-of and --na of the train command (${join(runDir, 'model-card-logistic.md')} shows it)`);
  }
  const probability = loaded.predict(data, read.asOf !== undefined ? { asOf: read.asOf } : {});
  const learned = learnScorecard({ artifact, data, rows: trainRows, y: target.y, probability },
    { maxCriteria: options.maxCriteria ?? 20, decimals, capacity, ...(options.fitTo ? { fitTo: options.fitTo } : {}) });
  learned.rules.file = options.out;

  // The hold-out: the scorecard as the rule engine runs it, the model, and the hand-written rules.
  const card = scoreWithRules(learned.rules, data, {}, { reasons: false });
  const y = target.y;
  const figures = (scores: ArrayLike<number>): HoldoutFigures => ({ auc: r4(rocAuc(scores, y, holdRows)), liftAt10: r4(liftAt(scores, y, 0.1, holdRows)) });
  const rulesPath = options.rules ?? (await access(join(runDir, 'rules.yaml')).then(() => join(runDir, 'rules.yaml'), () => undefined));
  // The run's rules.yaml is the rule file train was given, or rules it drafted from the training rows.
  const runRules = metrics.models?.find((m) => m.name === 'rules')?.details?.source;
  const drafted = !options.rules && runRules === DRAFTED_SOURCE;
  const handScores = rulesPath ? new RuleScorer(await loadRuleFile(rulesPath)).score(read.leads, context).score : undefined;
  const delong = delongTest(card.score, probability, y, holdRows);
  const tierRows = (tier: string) => holdRows.filter((r) => card.tier[r] === tier);
  const positives = holdRows.reduce((s, r) => s + y[r]!, 0);
  const evaluation: ScorecardEvaluation = {
    holdout: { source: join(runDir, 'holdout.csv'), rows: holdRows.length, positives },
    scorecard: {
      criteria: learned.rules.criteria.length, ...figures(card.score),
      tiers: Object.fromEntries((['hot', 'warm', 'cold'] as const).map((t) => {
        const at = tierRows(t);
        return [t, { leads: at.length, share: r4(at.length / holdRows.length), conversion: r4(at.length ? at.reduce((s, r) => s + y[r]!, 0) / at.length : 0) }];
      })) as ScorecardEvaluation['scorecard']['tiers'],
    },
    model: { artifact: options.model, ...figures(probability) },
    rules: rulesPath && handScores ? { file: rulesPath, kind: drafted ? 'drafted' : 'hand-written', ...figures(handScores) } : null,
    spearmanWithModel: r4(spearman(floatsAt(probability, holdRows), floatsAt(card.score, holdRows))),
    vsModel: { aucDiff: r4(delong.diff), ci95: [r4(delong.ci95[0]), r4(delong.ci95[1])], pValue: Number(delong.pValue.toPrecision(4)) },
  };

  const header = `Scorecard learned by leadscore rules learn beside ${options.model} (${modelLabel(artifact)}), on its ${trainRows.length} training rows.\n` +
    `${learned.rules.criteria.length} criteria chosen from ${learned.selection.candidates} candidates (forward selection, refitted); ${learned.pointsPerLogit.toFixed(2)} points per unit of log-odds.\n` +
    `Hold-out (${holdRows.length} leads): AUC ${evaluation.scorecard.auc} against the model's ${evaluation.model.auc}${evaluation.rules ? ` and the ${evaluation.rules.kind} rules' ${evaluation.rules.auc}` : ''}.` +
    (artifact.activities ? `\nActivity columns are computed from --activities as of ${artifact.activities.asOf}` +
      (artifact.activities.account ? `; account_* columns from other contacts of the same ${artifact.activities.account} (rules score --account ${artifact.activities.account}).` : '.') : '');
  await writeFileAtomic(options.out, ruleSetToYaml(learned.rules, header));
  const lines = learned.lines;
  await writeCsvColumns(csv, ['criterion', 'label', 'family', 'column', 'operator', 'value', 'value_to', 'points', 'train_leads', 'train_conversion'], [
    lines.map((l) => l.criterion), lines.map((l) => l.label), lines.map((l) => l.family), lines.map((l) => l.column), lines.map((l) => l.operator),
    lines.map((l) => l.value), lines.map((l) => l.valueTo), lines.map((l) => l.points), lines.map((l) => l.trainLeads), lines.map((l) => r4(l.trainConversion)),
  ], { safe: true });
  return { rules: learned.rules, out: options.out, csv, lines, notes: [...learned.notes, ...notes], selection: learned.selection, pointsPerLogit: learned.pointsPerLogit, trainRows: trainRows.length, evaluation };
}
