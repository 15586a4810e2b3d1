/**
 * Batch scoring: a saved model on new leads. One row per lead, in input order: the id, the calibrated
 * probability, a 0–100 score, the tier (hot at the model's own threshold, warm from the training
 * conversion rate up, cold below), the grade and routing action from the rule file, the top reasons, the
 * rule score and tier beside them, and the model's name@hash, then any columns asked to be kept.
 */
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { aggregateAccountActivities, aggregateActivities, isActivityAggregateName, joinActivities, loadActivityLog } from '../data/activities.ts';
import { resolveAsOf } from '../data/as-of.ts';
import { type Dataset, loadDataset } from '../data/dataset.ts';
import type { Source } from '../data/read.ts';
import { columnSchema } from '../data/schema.ts';
import type { CellValue } from '../data/write.ts';
import { ConfigError, DataError } from '../errors.ts';
import type { EncodedDesign } from '../features/pipeline.ts';
import type { TreeDesign } from '../features/tree-features.ts';
import { type LoadedModel, loadModel } from '../models/artifact.ts';
import { applyCalibrator } from '../models/calibration.ts';
import type { GradientBoostedTrees } from '../models/gbdt/gbdt.ts';
import { shapByColumn } from '../models/gbdt/shap.ts';
import { columnContributions } from '../models/logistic/coefficients.ts';
import type { LogisticRegression } from '../models/logistic/logistic.ts';
import { leadIdColumn, type ScoringContext, scoreWithRules } from '../rules/engine.ts';
import { loadRuleFile, type Tier } from '../rules/rule-file.ts';
import { routeLead } from '../rules/routing.ts';
import { formatModelReasons } from './reasons.ts';

export interface ScoreOptions {
  model: string;
  input: Source;
  /** Rule file for grade, action and the rule score; default the rules.yaml beside the model. */
  rules?: string;
  activities?: Source;
  /** Scoring time for activity features; default the one the model was trained with. */
  asOf?: string;
  /** Reasons per lead (0 for none). Default 3. */
  reasons?: number;
  /** Input columns copied to the output after the scores. */
  keep?: string[];
  /** Account column: adds account_probability (by `accountAgg`), account_score and the account's top leads. */
  account?: string;
  /** How lead probabilities combine per account: `any` (1 − ∏(1 − p), the chance at least one converts), `max` or `mean`. */
  accountAgg?: 'any' | 'max' | 'mean';
  /** An earlier export: adds previous_score and trend (rising / steady / falling beyond ±`trendBand` points). */
  previous?: Source;
  trendBand?: number;
  id?: string;
  na?: string;
}

export const EXPORT_COLUMNS = ['probability', 'score', 'tier', 'grade', 'action', 'reasons', 'rule_score', 'rule_tier', 'model'] as const;

export interface ScoreResult {
  names: string[];
  columns: CellValue[][];
  summary: {
    rows: number;
    model: string;
    tiers: Record<Tier, number>;
    actions: Record<string, number>;
    /** Category values never seen in training, per column (scored as the pooled level). */
    unseen: Record<string, number>;
    /** How account_probability combines the account's leads, when --account is given. */
    accountRule?: string;
    /** Leads with an earlier score, when --previous is given. */
    previousMatched?: number;
    rules: string | null;
    asOf?: string;
  };
}

/** The input columns a model reads (activity aggregates are computed, not read). */
function requiredColumns(loaded: LoadedModel): string[] {
  const specs = (loaded.artifact.features as { specs: Array<{ column: string }> }).specs;
  return [...new Set(specs.map((s) => s.column))].filter((c) => !isActivityAggregateName(c));
}

function valueText(data: Dataset): (row: number, column: string) => string {
  const cache = new Map<string, ArrayLike<unknown>>();
  return (row, column) => {
    let values = cache.get(column);
    if (!values) {
      values = columnSchema(data.schema, column) ? (data.table.array(column) as ArrayLike<unknown>) : [];
      cache.set(column, values);
    }
    const v = values[row];
    if (v === null || v === undefined) return '';
    const type = columnSchema(data.schema, column)?.type;
    if ((type === 'date' || type === 'datetime') && typeof v === 'number') return new Date(v).toISOString().slice(0, 10);
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
    if (typeof v === 'boolean') return v ? 'yes' : 'no';
    return String(v);
  };
}

/**
 * @example
 * const { names, columns, summary } = await scoreLeads({ model: 'models/latest/logistic.model.json', input: { path: 'new-leads.csv' } });
 */
export async function scoreLeads(options: ScoreOptions): Promise<ScoreResult> {
  const loaded = await loadModel(options.model);
  const { artifact } = loaded;
  const leads = await loadDataset(options.input, options.na ? { na: options.na } : {});
  const missing = requiredColumns(loaded).filter((c) => !columnSchema(leads.schema, c));
  if (missing.length > 0) {
    throw new DataError('COLUMNS_MISSING', `the input lacks ${missing.length === 1 ? 'a column' : `${missing.length} columns`} the model was trained on: ${missing.join(', ')}`,
      'score a file with the same columns as the training data (extra columns are fine)', missing.map((column) => ({ column, message: 'missing' })));
  }
  for (const k of options.keep ?? []) {
    if (!columnSchema(leads.schema, k)) throw new ConfigError('COLUMN_MISSING', `--keep column "${k}" not found`, 'name columns of the input file');
  }

  let data = leads;
  let context: ScoringContext = options.id ? { leadId: options.id } : {};
  let asOf: number | Float64Array | undefined;
  if (artifact.activities) {
    if (!options.activities) {
      throw new ConfigError('ACTIVITIES_REQUIRED', `${options.model} was trained with activity features`, `add --activities <file> (events are counted as of ${artifact.activities.asOf})`);
    }
    const log = await loadActivityLog(options.activities);
    asOf = resolveAsOf(options.asOf ?? artifact.activities.asOf, leads);
    const idName = leadIdColumn(leads, options.id ?? artifact.idColumn ?? undefined);
    if (!idName) throw new ConfigError('ID_REQUIRED', 'the activity log needs a lead id column to join on', 'name it with --id <column>');
    const ids = leads.table.array(idName) as ArrayLike<string | null>;
    data = joinActivities(leads, aggregateActivities(log, ids, asOf));
    const account = artifact.activities.account;
    if (account) data = joinActivities(data, aggregateAccountActivities(log, ids, leads.table.array(account) as ArrayLike<string | null>, asOf));
    context = { activities: log, asOf, leadId: idName, ...(account ? { account } : {}) };
  }

  const design = loaded.pipeline.transform(data, asOf !== undefined ? { asOf } : {});
  const raw = loaded.model.predictProba(design as never);
  const probability = applyCalibrator(artifact.calibration, raw);
  const n = probability.length;
  const threshold = artifact.threshold.value;
  const baseRate = artifact.training.positives / artifact.training.rows;
  const tier: Tier[] = Array.from(probability, (p) => (p >= threshold ? 'hot' : p >= baseRate ? 'warm' : 'cold'));

  // The rules: the given file, else the one saved beside the model by `train`.
  let rulesPath = options.rules ?? null;
  if (!rulesPath) {
    const beside = join(dirname(options.model), 'rules.yaml');
    if (await access(beside).then(() => true, () => false)) rulesPath = beside;
  }
  const grade: string[] = new Array<string>(n).fill('');
  const action: string[] = tier.map((t) => (t === 'hot' ? 'sales' : 'nurture'));
  const ruleScore: Array<number | null> = new Array<number | null>(n).fill(null);
  const ruleTier: string[] = new Array<string>(n).fill('');
  if (rulesPath) {
    const rules = await loadRuleFile(rulesPath);
    const r = scoreWithRules(rules, leads, context);
    for (let i = 0; i < n; i++) {
      grade[i] = r.grade[i]!;
      ruleScore[i] = r.score[i]!;
      ruleTier[i] = r.tier[i]!;
      action[i] = routeLead(rules.routing, tier[i]!, r.grade[i]!, { strongAction: r.strongAction[i] === 1, disqualified: r.disqualified[i] === 1 });
    }
  }

  const reasonsWanted = options.reasons ?? 3;
  const reasons: string[] = new Array<string>(n).fill('');
  if (reasonsWanted > 0) {
    let contributions: { columns: string[]; values: Float64Array };
    if (artifact.model.kind === 'logistic') {
      const d = design as EncodedDesign;
      contributions = columnContributions(loaded.model as unknown as LogisticRegression, d, d.groups);
    } else {
      const model = loaded.model as unknown as GradientBoostedTrees;
      contributions = shapByColumn(model.trees, model.fitted.baseScore, design as TreeDesign);
    }
    const text = valueText(data);
    for (let i = 0; i < n; i++) reasons[i] = formatModelReasons({ ...contributions, valueText: text }, i, reasonsWanted);
  }

  const idName = options.id ?? leadIdColumn(leads, artifact.idColumn ?? undefined);
  const ids = idName ? Array.from(leads.table.array(idName) as ArrayLike<unknown>, (v) => (v === null || v === undefined ? null : String(v)))
    : Array.from({ length: n }, (_, i) => i + 1);
  const modelLabel = `${artifact.name}@${artifact.contentHash.slice(7, 15)}`;
  const text = valueText(leads);
  const keep = options.keep ?? [];
  const score = Array.from(probability, (p) => Math.round(p * 1000) / 10);
  const names: string[] = [idName ?? 'row', ...EXPORT_COLUMNS];
  const columns: CellValue[][] = [
    ids as CellValue[],
    Array.from(probability, (p) => Number(p.toFixed(6))),
    score,
    tier, grade, action, reasons, ruleScore, ruleTier,
    new Array<string>(n).fill(modelLabel),
  ];
  let accountRule: string | undefined;
  if (options.account) {
    if (!columnSchema(leads.schema, options.account)) throw new ConfigError('COLUMN_MISSING', `--account column "${options.account}" not found`, 'name the account column of the input');
    const rollup = accountRollup(leads.table.array(options.account) as ArrayLike<unknown>, probability, ids, options.accountAgg ?? 'any');
    accountRule = rollup.rule;
    names.push('account_probability', 'account_score', 'account_top_leads');
    columns.push(rollup.probability, rollup.probability.map((p) => (p === null ? null : Math.round(p * 1000) / 10)), rollup.top);
  }
  let previousMatched: number | undefined;
  if (options.previous) {
    const trend = await scoreTrend(options.previous, idName ?? 'row', ids, score, options.trendBand ?? 5);
    previousMatched = trend.matched;
    names.push('previous_score', 'trend');
    columns.push(trend.previous, trend.trend);
  }
  names.push(...keep);
  columns.push(...keep.map((k) => Array.from({ length: n }, (_, i) => text(i, k) || null)));
  const count = (values: readonly string[]) => values.reduce<Record<string, number>>((m, v) => ((m[v] = (m[v] ?? 0) + 1), m), {});
  return {
    names, columns,
    summary: {
      rows: n, model: modelLabel, tiers: { hot: 0, warm: 0, cold: 0, ...count(tier) } as Record<Tier, number>, actions: count(action),
      unseen: design.unseen, rules: rulesPath,
      ...(accountRule ? { accountRule } : {}), ...(previousMatched !== undefined ? { previousMatched } : {}),
      ...(typeof asOf === 'number' ? { asOf: new Date(asOf).toISOString() } : {}),
    },
  };
}

/**
 * Per account: the chance that at least one of its leads converts (1 − ∏(1 − p)), or the max or mean, and
 * its three most likely leads. Leads without an account get nulls.
 */
export function accountRollup(accounts: ArrayLike<unknown>, p: Float64Array, ids: ArrayLike<unknown>, agg: 'any' | 'max' | 'mean'):
  { probability: Array<number | null>; top: Array<string | null>; rule: string } {
  const members = new Map<string, number[]>();
  for (let i = 0; i < p.length; i++) {
    const a = accounts[i];
    if (a === null || a === undefined) continue;
    const list = members.get(String(a));
    if (list) list.push(i);
    else members.set(String(a), [i]);
  }
  const probability = new Array<number | null>(p.length).fill(null);
  const top = new Array<string | null>(p.length).fill(null);
  for (const list of members.values()) {
    let value: number;
    if (agg === 'max') value = Math.max(...list.map((i) => p[i]!));
    else if (agg === 'mean') value = list.reduce((s, i) => s + p[i]!, 0) / list.length;
    else value = 1 - list.reduce((s, i) => s * (1 - p[i]!), 1);
    const best = [...list].sort((a, b) => p[b]! - p[a]! || a - b).slice(0, 3).map((i) => String(ids[i])).join(' ');
    for (const i of list) {
      probability[i] = Number(value.toFixed(6));
      top[i] = best;
    }
  }
  const rule = agg === 'any' ? '1 − ∏(1 − p) over the account\'s leads: the chance that at least one converts'
    : agg === 'max' ? 'the highest lead probability in the account' : 'the mean lead probability in the account';
  return { probability, top, rule };
}

/** previous_score and trend from an earlier export, joined by lead id. */
async function scoreTrend(previous: Source, idName: string, ids: ArrayLike<unknown>, score: number[], band: number):
  Promise<{ previous: Array<number | null>; trend: string[]; matched: number }> {
  const earlier = await loadDataset(previous);
  if (!columnSchema(earlier.schema, idName) || !columnSchema(earlier.schema, 'score')) {
    throw new DataError('PREVIOUS_COLUMNS', `the earlier scores need the columns "${idName}" and "score"`, 'pass a file written by an earlier `leadscore score` run');
  }
  const before = new Map<string, number>();
  const prevIds = earlier.table.array(idName) as ArrayLike<unknown>;
  const prevScores = earlier.table.array('score') as ArrayLike<unknown>;
  for (let i = 0; i < prevIds.length; i++) if (typeof prevScores[i] === 'number') before.set(String(prevIds[i]), prevScores[i] as number);
  let matched = 0;
  const prev = Array.from({ length: score.length }, (_, i) => {
    const v = before.get(String(ids[i]));
    if (v === undefined) return null;
    matched++;
    return v;
  });
  const trend = prev.map((v, i) => (v === null ? '' : score[i]! - v >= band ? 'rising' : score[i]! - v <= -band ? 'falling' : 'steady'));
  return { previous: prev, trend, matched };
}
