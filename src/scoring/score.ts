/**
 * Batch scoring: a saved model on new leads. One row per lead, in input order: the id, the calibrated
 * probability, a 0–100 score, the tier (hot at the model's own threshold, warm from the training
 * conversion rate up, cold below), the grade and routing action from the rule file, the top reasons, the
 * rule score and tier beside them, and the model's name@hash, then any columns asked to be kept.
 */
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type ActivityLog, isActivityAggregateName, joinActivityFeatures, loadActivityLog } from '../data/activities/activities.ts';
import { resolveAsOf } from '../data/activities/as-of.ts';
import { applySchema, type Dataset } from '../data/io/dataset.ts';
import { columnValues } from '../data/columns.ts';
import { type RawTable, readTable } from '../data/io/read.ts';
import type { Schema } from '../data/types/schema.ts';
import { columnNotFound } from '../data/closest-names.ts';
import { assertNaAgrees, type BadValue, badValuesError, batchSchema, describeBadValue, findBadValues } from '../data/types/reading.ts';
import type { ColumnType } from '../types.ts';
import type { Source } from '../data/io/read.ts';
import { columnSchema } from '../data/types/schema.ts';
import type { CellValue } from '../data/io/write.ts';
import { ConfigError, DataError } from '../errors.ts';
import type { FeaturePipeline } from '../features/pipeline.ts';
import { sigmoid } from '../models/loss.ts';
import type { TreeDesign } from '../features/tree-features.ts';
import { type LoadedModel, loadModel, modelLabel } from '../models/artifact.ts';
import { applyCalibrator } from '../models/calibration.ts';
import type { GradientBoostedTrees } from '../models/gbdt/gbdt.ts';
import { shapOnThreads } from '../models/gbdt/parallel-shap.ts';
import { shapByColumn } from '../models/gbdt/shap-values.ts';
import { linearScores } from '../models/logistic/coefficients.ts';
import type { LogisticRegression } from '../models/logistic/logistic.ts';
import { leadIdColumn, type ScoringContext, scoreWithRules } from '../rules/engine.ts';
import { loadRuleFile, type RuleSet, type Tier } from '../rules/rule-file.ts';
import { pickReasons, type ReasonCode, reasonText } from './reasons.ts';
import { addCounts, applyCapacity, decisions } from './decisions.ts';
import { accountRollup, loadPrevious } from './batch.ts';
import type { MultilayerPerceptron } from '../models/mlp/mlp.ts';
import { type DateRange, dateRanges, outsideRange, outsideRangeText, trainingSpan } from '../features/date-range.ts';

export interface ScoreOptions {
  model: string;
  /** Use a model edited after it was written (its content hash no longer matches). */
  trust?: boolean;
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
  /** Add `reason_codes`: the reasons as a list of { column, value, contribution } (for NDJSON and Parquet). */
  reasonCodes?: boolean;
  /** Rows whose model columns hold values of the wrong type: fail (exit 2, default) or skip (left out, listed as rejects). */
  onError?: 'fail' | 'skip';
  /**
   * A team's capacity: the N (or the share of) most likely leads of this batch get `sales` in `action`, the
   * rest of those the routing would have sent become `nurture` (disqualified leads are never sent). A batch
   * decision: scored in memory, since it needs every lead of the file.
   */
  capacity?: { count: number } | { share: number };
  /**
   * Threads: 2 (the default where the machine has two cores) lets a worker score chunks of a large CSV beside
   * this thread and a worker share a tree model's TreeSHAP; 1 never starts a worker. Same output either way.
   */
  threads?: number;
}

export const EXPORT_COLUMNS = ['probability', 'score', 'tier', 'grade', 'action', 'reasons', 'rule_score', 'rule_tier', 'model'] as const;

export interface ScoreResult {
  names: string[];
  columns: CellValue[][];
  /** Rows left out with `onError: 'skip'`. */
  rejected?: Rejected;
  summary: {
    rows: number;
    /** Rows left out for values of the wrong type. */
    rejected: number;
    model: string;
    tiers: Record<Tier, number>;
    actions: Record<string, number>;
    /** Category values never seen in training, per column (scored as the pooled level). */
    unseen: Record<string, number>;
    /** Leads whose date feature lies outside the training dates, per column (named in their reasons). */
    outOfRange: Record<string, number>;
    /** What a user should read: unseen categories above 10% of leads, leads outside the training dates. */
    warnings: string[];
    /** How the activity log was read, where that is worth saying (a large log read in JavaScript, and why); absent when nothing was. */
    notes?: string[];
    /** How account_probability combines the account's leads, when --account is given. */
    accountRule?: string;
    /** With a capacity: leads marked for sales, and how many the routing alone would have sent. */
    capacity?: { sales: number; routedToSales: number };
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
      values = columnSchema(data.schema, column) ? (columnValues(data.table, column) as ArrayLike<unknown>) : [];
      cache.set(column, values);
    }
    return valueWords(values[row], columnSchema(data.schema, column)?.type);
  };
}

/** A typed value as reasons and kept columns show it: dates as yyyy-mm-dd, numbers to 4 digits, yes/no. */
export function valueWords(v: unknown, type: ColumnType | undefined): string {
  if (v === null || v === undefined) return '';
  if ((type === 'date' || type === 'datetime') && typeof v === 'number') return new Date(v).toISOString().slice(0, 10);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** Everything scoring needs besides the leads: the model, the rules, the activity log, the earlier scores. */
export interface Scorer {
  options: ScoreOptions;
  loaded: LoadedModel;
  required: string[];
  /** Training type of each column the model reads. */
  types: Map<string, ColumnType>;
  rules: RuleSet | null;
  rulesPath: string | null;
  log: ActivityLog | null;
  previous: Map<string, number> | null;
  modelLabel: string;
  /** The model's date features whose age counts from a fixed day, with their training range. */
  dateRanges: DateRange[];
}

/**
 * Loads the model and what goes with it, once for a whole file.
 *
 * @example
 * const scorer = await prepareScorer({ model: 'models/latest/logistic.model.json', input: { path: 'leads.csv' } });
 */
export async function prepareScorer(options: ScoreOptions): Promise<Scorer> {
  const loaded = await loadModel(options.model, { trust: options.trust === true });
  const { artifact } = loaded;
  const required = requiredColumns(loaded);
  // New files are read as the training file was: a --na given again must agree with it.
  assertNaAgrees(artifact.reading, options.na, options.model);
  const trained = new Map(artifact.reading.columns.map((c) => [c.name, c.type]));
  const types = new Map(required.map((c) => [c, trained.get(c) ?? 'categorical']));
  // The scoring-time column (`created_at+30d`) is read as a date too, and must be there.
  const asOfColumn = artifact.activities ? /^([A-Za-z_][\w.]*)\s*(?:[+-]|$)/.exec((options.asOf ?? artifact.activities.asOf).trim())?.[1] : undefined;
  if (asOfColumn && !/^\d{4}-/.test(options.asOf ?? artifact.activities!.asOf)) {
    if (!required.includes(asOfColumn)) required.push(asOfColumn);
    const t = trained.get(asOfColumn);
    types.set(asOfColumn, t === 'date' || t === 'datetime' ? t : 'datetime');
  }
  let rulesPath = options.rules ?? null;
  if (!rulesPath) {
    const beside = join(dirname(options.model), 'rules.yaml');
    if (await access(beside).then(() => true, () => false)) rulesPath = beside;
  }
  const rules = rulesPath ? await loadRuleFile(rulesPath) : null;
  let log: ActivityLog | null = null;
  if (artifact.activities) {
    if (!options.activities) {
      throw new ConfigError('ACTIVITIES_REQUIRED', `${options.model} was trained with activity features`, `add --activities <file> (events are counted as of ${artifact.activities.asOf})`);
    }
    log = await loadActivityLog(options.activities);
  }
  let previous: Map<string, number> | null = null;
  if (options.previous) previous = await loadPrevious(options.previous, options.id ?? artifact.idColumn ?? 'row');
  return { options, loaded, required, types, rules, rulesPath, log, previous, modelLabel: modelLabel(artifact),
    // Ages counted from a fixed day drift with the calendar; ages at each lead's scoring time (activity models) do not.
    dateRanges: artifact.activities ? [] : dateRanges(artifact.features.specs as Array<{ kind: string; column: string }>) };
}

/** Missing model columns (all named at once), and --keep / --account columns that are not there. */
export function checkColumns(scorer: Scorer, names: readonly string[]): void {
  const have = new Set(names);
  const missing = scorer.required.filter((c) => !have.has(c));
  if (missing.length > 0) {
    throw new DataError('COLUMNS_MISSING', `the input lacks ${missing.length === 1 ? 'a column' : `${missing.length} columns`} the model was trained on: ${missing.join(', ')}`,
      'score a file with the same columns as the training data (extra columns are fine)', missing.map((column) => ({ column, message: 'missing' })));
  }
  for (const k of scorer.options.keep ?? []) if (!have.has(k)) throw columnNotFound('--keep', k, names);
  if (scorer.options.id && !have.has(scorer.options.id)) throw new ConfigError('COLUMN_MISSING', `--id column "${scorer.options.id}" not found`, 'name the lead id column of the input');
  if (scorer.options.account && !have.has(scorer.options.account)) throw new ConfigError('COLUMN_MISSING', `--account column "${scorer.options.account}" not found`, 'name the account column of the input');
}

/**
 * The column that names each lead in the export (and joins the activity log): --id, else the model's
 * training id column when the input has it, else `lead_id` or the first id-like column; none: rows are
 * numbered.
 */
export function exportIdColumn(scorer: Scorer, schema: Schema): string | undefined {
  if (scorer.options.id) return scorer.options.id;
  const trained = scorer.loaded.artifact.idColumn;
  if (trained && columnSchema(schema, trained)) return trained;
  return leadIdColumn({ schema });
}

const narrowed = new WeakMap<Schema, { schema: Schema; indices: number[] }>();

/**
 * The raw columns and schema cut to what scoring reads: the model's columns (and the scoring-time column),
 * the rules' columns, the lead id, and --keep / --account columns. Kept in the input's order.
 */
export function narrowToNeeded(scorer: Scorer, raw: RawTable, schema: Schema): { raw: RawTable; schema: Schema } {
  let cut = narrowed.get(schema);
  if (!cut) {
    const { options, rules } = scorer;
    const needed = new Set<string>([...scorer.required, ...(options.keep ?? []), ...(options.account ? [options.account] : [])]);
    const id = exportIdColumn(scorer, schema);
    if (id) needed.add(id);
    for (const criterion of rules?.criteria ?? []) for (const condition of criterion.when ?? []) needed.add(condition.column);
    const indices = schema.columns.flatMap((c, i) => (needed.has(c.name) ? [i] : []));
    cut = { schema: { ...schema, columns: indices.map((i) => schema.columns[i]!) }, indices };
    narrowed.set(schema, cut);
  }
  const { indices } = cut;
  return { raw: { ...raw, names: indices.map((i) => raw.names[i]!), columns: indices.map((i) => raw.columns[i]!) }, schema: cut.schema };
}

/**
 * A batch's schema for scoring: the training file's columns as the model read them, the others inferred
 * from the batch (`batchSchema`); the scoring-time column (`created_at+30d`) read as a date even where
 * training did not.
 */
export function scoringSchema(scorer: Scorer, raw: RawTable, delimiter?: string): Schema {
  const schema = batchSchema(raw, scorer.loaded.artifact.reading, delimiter);
  return {
    ...schema,
    columns: schema.columns.map((c) => {
      const want = scorer.types.get(c.name);
      if (!want || want === c.type) return c;
      return { ...c, type: want, dateFormat: c.dateFormat ?? { order: 'ymd' as const, separator: '-' as const, hasTime: want === 'datetime', ambiguous: false, label: 'yyyy-mm-dd' } };
    }),
  };
}

export interface ScoredChunk {
  names: string[];
  columns: CellValue[][];
  probability: Float64Array;
  ids: Array<string | number | null>;
  tiers: Tier[];
  actions: string[];
  unseen: Record<string, number>;
  outOfRange: Record<string, number>;
  asOf?: number;
}

/**
 * Scores a typed table of leads (a whole file, or one chunk of a stream): the export columns, without the
 * account roll-up (which needs every lead of an account). `rowNumbers` (1-based data rows of the input)
 * name the rows when the input has no id column; default 1, 2, 3, …; `threads` overrides the scorer's
 * option for this call (a streamed chunk's `ChunkJob.threads`).
 */
export function scoreDataset(scorer: Scorer, leads: Dataset, rowNumbers?: ArrayLike<number>, threads = scorer.options.threads): ScoredChunk {
  const { loaded, options } = scorer;
  const { artifact } = loaded;
  let data = leads;
  let context: ScoringContext = options.id ? { leadId: options.id } : {};
  let asOf: number | Float64Array | undefined;
  if (artifact.activities && scorer.log) {
    asOf = resolveAsOf(options.asOf ?? artifact.activities.asOf, leads);
    const idName = exportIdColumn(scorer, leads.schema);
    if (!idName) throw new ConfigError('ID_REQUIRED', 'the activity log needs a lead id column to join on', 'name it with --id <column>');
    const account = artifact.activities.account;
    data = joinActivityFeatures(leads, scorer.log, idName, asOf, account);
    context = { activities: scorer.log, asOf, leadId: idName, ...(account ? { account } : {}) };
  }

  const reasonsWanted = options.reasons ?? 3;
  const encodeOptions = asOf !== undefined ? { asOf } : {};
  let raw: Float64Array;
  let unseen: Record<string, number>;
  let contributions: { columns: string[]; values: Float64Array } | null = null;
  if (artifact.model.kind === 'logistic') {
    // Scored from the encoded columns directly (no dense one-hot matrix), bit for bit as predictProba.
    const encoded = (loaded.pipeline as FeaturePipeline).encode(data, encodeOptions);
    const linear = linearScores(loaded.model as unknown as LogisticRegression, encoded, { contributions: reasonsWanted > 0 });
    raw = linear.raw.map(sigmoid);
    unseen = encoded.unseen;
    if (linear.values) contributions = { columns: linear.columns, values: linear.values };
  } else if (artifact.model.kind === 'mlp') {
    // The network: its typed-array forward pass, reasons by integrated gradients against the baseline lead.
    const design = loaded.pipeline.transform(data, encodeOptions) as TreeDesign;
    const model = loaded.model as unknown as MultilayerPerceptron;
    raw = model.predictProba(design);
    unseen = design.unseen;
    if (reasonsWanted > 0) contributions = model.contributions(design);
  } else {
    const design = loaded.pipeline.transform(data, encodeOptions) as TreeDesign;
    const model = loaded.model as unknown as GradientBoostedTrees;
    raw = model.predictProba(design);
    unseen = design.unseen;
    if (reasonsWanted > 0) contributions = shapByColumn(model.trees, model.fitted.baseScore, design, shapOnThreads(threads));
  }
  const probability = applyCalibrator(artifact.calibration, raw);
  const n = probability.length;
  const { tier, grade, action, ruleScore, ruleTier } = decisions(scorer, probability,
    scorer.rules ? scoreWithRules(scorer.rules, leads, context, { reasons: false }) : null);

  const reasons: string[] = new Array<string>(n).fill('');
  // The same reasons as data, for formats that hold nested values (NDJSON, Parquet).
  const reasonCodes: ReasonCode[][] | null = options.reasonCodes && reasonsWanted > 0 ? new Array<ReasonCode[]>(n) : null;
  if (contributions) {
    const text = valueText(data);
    for (let i = 0; i < n; i++) {
      const codes = pickReasons({ ...contributions, valueText: text }, i, reasonsWanted);
      reasons[i] = reasonText(codes);
      if (reasonCodes) reasonCodes[i] = codes;
    }
  }

  // A lead dated outside the training dates is scored by extrapolation: its reasons say so.
  const outOfRange: Record<string, number> = {};
  for (const range of scorer.dateRanges) {
    const values = columnValues(leads.table, range.column) as ArrayLike<unknown>;
    for (let i = 0; i < n; i++) {
      if (!outsideRange(range, values[i])) continue;
      outOfRange[range.column] = (outOfRange[range.column] ?? 0) + 1;
      const note = outsideRangeText(range, values[i] as number);
      reasons[i] = reasons[i] ? `${reasons[i]}; ${note}` : note;
    }
  }

  const idName = exportIdColumn(scorer, leads.schema);
  const ids: Array<string | number | null> = idName ? Array.from(columnValues(leads.table, idName) as ArrayLike<unknown>, (v) => (v === null || v === undefined ? null : String(v)))
    : Array.from({ length: n }, (_, i) => (rowNumbers ? rowNumbers[i]! : i + 1));
  const text = valueText(leads);
  const keep = options.keep ?? [];
  const score = Array.from(probability, (p) => Math.round(p * 1000) / 10);
  const names = exportNames(scorer, leads.schema);
  const columns: CellValue[][] = [
    ids, Array.from(probability, (p) => Number(p.toFixed(6))), score,
    tier, grade, action, reasons, ruleScore, ruleTier, new Array<string>(n).fill(scorer.modelLabel),
  ];
  if (reasonCodes) columns.push(reasonCodes as unknown as CellValue[]);
  if (scorer.previous) {
    const band = options.trendBand ?? 5;
    const prev = ids.map((id) => scorer.previous!.get(String(id)) ?? null);
    columns.push(prev, prev.map((v, i) => (v === null ? '' : score[i]! - v >= band ? 'rising' : score[i]! - v <= -band ? 'falling' : 'steady')));
  }
  columns.push(...keep.map((k) => Array.from({ length: n }, (_, i) => text(i, k) || null)));
  return { names, columns, probability, ids, tiers: tier, actions: action, unseen, outOfRange, ...(typeof asOf === 'number' ? { asOf } : {}) };
}

/**
 * The export's columns, in order: the id (or `row`), the contract's columns, `reason_codes` (NDJSON and
 * Parquet, with reasons), `previous_score` and `trend` (with --previous), then the --keep columns. The same
 * whether rows were scored or not (a header-only input gets this header too).
 */
export function exportNames(scorer: Scorer, schema: Schema): string[] {
  const { options } = scorer;
  return [exportIdColumn(scorer, schema) ?? 'row', ...EXPORT_COLUMNS, ...(options.reasonCodes && (options.reasons ?? 3) > 0 ? ['reason_codes'] : []),
    ...(scorer.previous ? ['previous_score', 'trend'] : []), ...(options.keep ?? [])];
}

/**
 * Scores a whole file in memory (any format the readers take). Rows whose model columns hold values of
 * the wrong type fail the run (exit 2 naming the first rows), or with `onError: 'skip'` are left out and
 * returned in `rejected`.
 *
 * @example
 * const { names, columns, summary } = await scoreLeads({ model: 'models/latest/logistic.model.json', input: { path: 'new-leads.csv' } });
 */
export async function scoreLeads(options: ScoreOptions, prepared?: Scorer): Promise<ScoreResult> {
  const scorer = prepared ?? await prepareScorer(options);
  const raw = await readTable(options.input);
  checkColumns(scorer, raw.names);
  const schema = scoringSchema(scorer, raw, raw.delimiter);
  // Row numbers as a user counts them: data rows from 1 (line numbers in a CSV are one more, the header).
  const { leads, kept, rejected } = typedLeads(scorer, raw, schema, (i) => i + 1);
  const rowNumbers = kept?.map((i) => i + 1);
  const chunk = scoreDataset(scorer, leads, rowNumbers);
  const { names, columns } = chunk;
  let accountRule: string | undefined;
  if (options.account) {
    const rollup = accountRollup(columnValues(leads.table, options.account) as ArrayLike<unknown>, chunk.probability, chunk.ids, options.accountAgg ?? 'any');
    accountRule = rollup.rule;
    const at = 1 + EXPORT_COLUMNS.length; // right after the contract columns, as before the trend and kept columns
    names.splice(at, 0, 'account_probability', 'account_score', 'account_top_leads');
    columns.splice(at, 0, rollup.probability, rollup.probability.map((p) => (p === null ? null : Math.round(p * 1000) / 10)), rollup.top);
  }
  // The export's action column is chunk.actions itself: the capacity rewrites it in place.
  const capacity = options.capacity ? applyCapacity(chunk.probability, chunk.actions, options.capacity) : undefined;
  const tiers: Record<string, number> = { hot: 0, warm: 0, cold: 0 };
  addCounts(tiers, chunk.tiers);
  const actions: Record<string, number> = {};
  addCounts(actions, chunk.actions);
  return {
    names, columns,
    ...(rejected ? { rejected } : {}),
    summary: {
      rows: chunk.probability.length, rejected: rejected?.rows.length ?? 0, model: scorer.modelLabel, tiers: tiers as Record<Tier, number>, actions,
      unseen: chunk.unseen, outOfRange: chunk.outOfRange, warnings: dataWarnings(scorer, chunk.probability.length, chunk.unseen, chunk.outOfRange), rules: scorer.rulesPath,
      ...(accountRule ? { accountRule } : {}),
      ...(capacity ? { capacity } : {}),
      ...(scorer.previous ? { previousMatched: chunk.ids.filter((id) => scorer.previous!.has(String(id))).length } : {}),
      ...(chunk.asOf !== undefined ? { asOf: new Date(chunk.asOf).toISOString() } : {}),
      ...(scorer.log?.notes ? { notes: scorer.log.notes } : {}),
    },
  };
}

/** Above this share of scored leads, unseen categories in a column are a warning. */
export const UNSEEN_WARNING_SHARE = 0.1;

/**
 * The warnings of a scoring run: columns where more than 10% of leads hold categories never seen in
 * training (the model scores them as its pooled level: the new data may not be what it was trained on), and
 * leads dated outside the training dates.
 */
export function dataWarnings(scorer: Scorer, rows: number, unseen: Record<string, number>, outOfRange: Record<string, number>): string[] {
  const warnings: string[] = [];
  if (rows === 0) return warnings;
  for (const [column, count] of Object.entries(unseen)) {
    if (count / rows > UNSEEN_WARNING_SHARE) {
      warnings.push(`${column}: ${(100 * count / rows).toFixed(1)}% of leads (${count}) hold categories never seen in training, scored as the pooled level: check that the column means what it meant in training, or retrain`);
    }
  }
  for (const range of scorer.dateRanges) {
    const count = outOfRange[range.column];
    if (!count) continue;
    warnings.push(`${range.column}: ${count} ${count === 1 ? 'lead is' : 'leads are'} dated outside the training dates (${trainingSpan(range)}), scored by extrapolation; their reasons say so`);
  }
  return warnings;
}

/**
 * Leads typed by `schema`, without the rows holding a value of the wrong type in a model column: the run
 * fails naming them, or with `onError: 'skip'` they come back as rejects, showing `shown`'s fields as read
 * (default `raw`'s). `rowNumber(i)` is row i's data-row number as the user counts it; `kept` the rows left
 * (null: all). The one check the in-memory scorer and each streamed chunk run.
 */
export function typedLeads(scorer: Scorer, raw: RawTable, schema: Schema, rowNumber: (index: number) => number, shown: RawTable = raw): { leads: Dataset; kept: number[] | null; rejected: Rejected | null } {
  const table = applySchema(raw, schema);
  const errors = findBadValues(scorer.types, raw, schema, table);
  if (errors.length === 0) {
    const { columns: _c, ...meta } = raw;
    return { leads: { table, schema, raw: meta }, kept: null, rejected: null };
  }
  if (scorer.options.onError !== 'skip') throw badValuesError(errors, rowNumber);
  const bad = new Set(errors.map((e) => e.index));
  const kept = Array.from({ length: raw.rows }, (_, i) => i).filter((i) => !bad.has(i));
  const filtered: RawTable = { ...raw, columns: raw.columns.map((c) => kept.map((i) => c[i]!)), rows: kept.length };
  const { columns: _c, ...meta } = filtered;
  return { leads: { table: applySchema(filtered, schema), schema, raw: meta }, kept, rejected: rejectsOf(shown, errors, rowNumber) };
}

/** Bad rows as they were read, with their row number and what was wrong. */
export interface Rejected {
  names: string[];
  rows: Array<Array<string | null>>;
}

/** The rejects table: `row`, `error`, then the input's fields as read. */
function rejectsOf(raw: RawTable, errors: BadValue[], rowNumber: (index: number) => number): Rejected {
  const byRow = new Map<number, string[]>();
  for (const e of errors) {
    const list = byRow.get(e.index) ?? [];
    list.push(`${e.column}: ${describeBadValue(e)}`);
    byRow.set(e.index, list);
  }
  return {
    names: ['row', 'error', ...raw.names],
    rows: [...byRow.entries()].map(([i, messages]) => [String(rowNumber(i)), messages.join('; '),
      ...raw.columns.map((c) => (c[i] === null || c[i] === undefined ? null : String(c[i])))]),
  };
}
