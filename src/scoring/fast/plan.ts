/**
 * The byte path's plan for one scorer and one input layout (header, delimiter, schema): which columns are
 * read, what is kept of each distinct cell of each (`ColumnState`), the model's encoded features in design
 * order, the reasons' columns, the rule conditions bound to the columns' cells, and the output columns.
 * Made once, on the layout's first chunk; `planFor` answers null where this layout cannot be planned (the
 * table path then scores every chunk).
 */
import { isActivityAggregateName } from '../../data/activities/activities.ts';
import type { Dataset } from '../../data/io/dataset.ts';
import { CHECKED_TYPES } from '../../data/types/reading.ts';
import type { ColumnSchema, Schema } from '../../data/types/schema.ts';
import type { DateRange } from '../../features/date-range.ts';
import type { FeaturePipeline } from '../../features/pipeline.ts';
import type { TreeFeatures } from '../../features/tree-features.ts';
import type { GradientBoostedTrees } from '../../models/gbdt/gbdt.ts';
import type { Forest } from '../../models/gbdt/predict.ts';
import type { Predicate } from '../../rules/conditions.ts';
import { type BoundCriterion, bindRules } from '../../rules/engine.ts';
import type { ChunkJob } from '../chunk.ts';
import { EXPORT_COLUMNS, exportIdColumn, narrowToNeeded, type Scorer, valueWords } from '../score.ts';
import { perCellOf } from './model-cells.ts';
import { RuleCells } from './rule-cells.ts';

export type FastFormat = 'csv' | 'ndjson';

/** A column scoring reads, with what is known of each distinct cell (by its number in the column's dictionary). */
export interface ColumnState {
  name: string;
  schema: ColumnSchema;
  /** Each distinct cell's typed value, as `typeColumn` types it. */
  typed: unknown[];
  /** Cells worked out so far (the rest were added by the chunk being scanned). */
  done: number;
  /** The cells the last chunk added; the rows scanned since the dictionary was last cleared; whether the column appends (`CellTables.setAppend`: cleared before each chunk). */
  added: number;
  seen: number;
  append: boolean;
  /** A checked column of the model (number, date, yes/no): 1 where the cell does not read as its type. */
  wrongType: Uint8Array | null;
  wrongCount: number;
  /** A date feature's training range, and per distinct cell the reasons note of a date outside it ('' inside). */
  range: DateRange | null;
  outside: string[];
  /** The column's feature spec in the pipeline (−1: none), and 1 for categories unseen in training (`unseenCount` of them). */
  spec: number;
  unseen: Uint8Array;
  unseenCount: number;
  /**
   * The model's number per encoded feature of this column, per distinct cell: for a logistic model the
   * feature's addend to the linear score (coefficient × value), for trees the feature's value.
   */
  perCell: Float64Array[];
  /** For a tree model scored by codes (`Plan.forest`): each `perCell` feature's forest code per distinct cell (empty where the forest does not split on it). */
  codes: Uint8Array[];
  /** The model feature each `perCell` entry is (its index in the design). */
  featureOf: number[];
  /** The answer of each rule condition on this column, per distinct cell. */
  conditions: Array<{ predicate: Predicate; truth: Uint8Array }>;
  /** With reasons, for a logistic model: the column's contribution to the log-odds per distinct cell (as `linearScores` gives it). */
  contribution: Float64Array;
  /**
   * With reasons, for a column reasons may name: each distinct cell's value as reasons show it, made when a
   * reason first names the cell (`cellWords`; a column of unique values would make one a row, most unused).
   */
  words: Array<string | undefined>;
  wordsNeeded: boolean;
  /**
   * With reasons, for a logistic model (whose contribution is the cell's alone): each distinct cell's
   * reason as text bytes (`reasonItem`), made when a row first picks it; null where it would need quoting
   * in a CSV field.
   */
  items: Array<Uint8Array | null | undefined>;
  /**
   * With reasons, for contributions of the row's own (a tree model's): each distinct cell's phrase as text
   * bytes (`reasonPhrase`), made when a row first needs it; null where it would need quoting in a CSV field.
   */
  phrases: Array<Uint8Array | null | undefined>;
  /** The same for NDJSON: the reason's text escaped for a JSON string, and its `reason_codes` object. */
  jsonItems: Array<Uint8Array | undefined>;
  jsonCodes: Array<Uint8Array | undefined>;
  /** As a kept column: the output cell's bytes per distinct cell. */
  keep: Uint8Array[] | null;
  /** This chunk's cell number per row. */
  rows: Int32Array;
}

/** Cell `id`'s value as reasons show it (`valueWords`), made on first use. */
export function cellWords(column: ColumnState, id: number): string {
  return (column.words[id] ??= valueWords(column.typed[id], column.schema.type));
}

/** A model feature in design order: the k-th of a column's `perCell`, or (column null) the k-th feature of spec `spec`, computed per row. */
export interface Feature {
  column: ColumnState | null;
  k: number;
  spec: number;
}

export interface Plan {
  scorer: Scorer;
  format: FastFormat;
  /** The columns read, by slot. */
  columns: ColumnState[];
  /** Header position → slot (−1: not read). */
  slotOf: Int32Array;
  /** The id's header position (−1: none; rows are then numbered), its schema, and whether it is typed (not text). */
  idAt: number;
  idSchema: ColumnSchema | null;
  idTyped: boolean;
  /** The model reads the tree features (trees and the network); else the logistic encoding. */
  trees: boolean;
  /**
   * A tree model without reasons is scored from one-byte codes (predict.ts `predictCoded`): each distinct
   * cell's code is worked out once, rows gather them. Null for logistic models, reasons (TreeSHAP reads the
   * feature values) and trees too deep to compile.
   */
  forest: Forest | null;
  /** Per model feature: the used-feature slot of `forest` that splits on it (−1: none). */
  forestSlot: Int32Array;
  /** Reasons per lead (0: none). */
  reasons: number;
  /** Reasons' columns (design order): where each one's words come from (null: an activity aggregate, per row), and whether its contribution is per row. */
  reasonNames: string[];
  reasonWords: Array<ColumnState | null>;
  reasonPerRow: boolean[];
  /** Every reason column's contribution is its cell's own (a logistic model without features computed per row). */
  cellReasons: boolean;
  /** With activity features: the scoring-time expression; the specs computed per row. */
  activity: { asOf: string } | null;
  rowSpecs: ReadonlySet<number>;
  features: Feature[];
  /** The pipeline's feature specs. */
  specs: ReadonlyArray<{ column: string; kind: string }>;
  keepColumns: ColumnState[];
  /** The model's date features, in `scorer.dateRanges` order (notes for dates outside the training dates). */
  rangeColumns: ColumnState[];
  /** The model's columns in spec order (unseen categories are counted in this order, as `encode` counts them). */
  specColumns: ColumnState[];
  tokens: ReadonlySet<string>;
  /** The missing-value tokens as UTF-8 bytes, by their length in bytes (`tokensOfLength[n]`: those n bytes long). */
  tokensOfLength: Uint8Array[][];
  /** Rule criteria bound to the columns' distinct cells, and per criterion the columns and conditions it reads. */
  bound: BoundCriterion[] | null;
  criteria: Array<Array<{ column: ColumnState; condition: number }>>;
  /** Rule scores from per-cell points where they equal `scoreBound`'s (null: `scoreBound` per chunk). */
  ruleCells: RuleCells | null;
  /** NDJSON only: whether records carry `reason_codes`. */
  reasonCodes: boolean;
  /** The output columns: the id (or `row`), the export columns, `reason_codes` where written, the kept columns. */
  names: string[];
}

/** A layout's identity: chunks of one file share it. */
export function layoutOf(job: Pick<ChunkJob, 'header' | 'delimiter' | 'schema'>): string {
  return JSON.stringify([job.header, job.delimiter, job.schema]);
}

/**
 * The part of an arquero table that scoring reads (`columnValues` and `array`), over columns this file holds:
 * each column's values in row order, neither filtered nor ordered.
 */
export function tableView(column: (name: string) => unknown, rows: number) {
  return { array: column, column, numRows: () => rows, isFiltered: () => false, isOrdered: () => false };
}

function newColumn(schema: ColumnSchema, scorer: Scorer, spec: number, keep: boolean): ColumnState {
  const want = scorer.types.get(schema.name);
  return {
    name: schema.name, schema, typed: [], done: 0, added: 0, seen: 0, append: false,
    wrongType: want && CHECKED_TYPES.has(want) ? new Uint8Array(64) : null, wrongCount: 0,
    range: scorer.dateRanges.find((r) => r.column === schema.name) ?? null, outside: [],
    spec, unseen: new Uint8Array(64), unseenCount: 0, perCell: [], codes: [], featureOf: [], contribution: new Float64Array(64),
    words: [], wordsNeeded: false, items: [], phrases: [], jsonItems: [], jsonCodes: [], conditions: [],
    keep: keep ? [] : null, rows: new Int32Array(0),
  };
}

/** The plan for this scorer and layout, or null where the byte path cannot read it (see the conditions at the end). */
export function planFor(scorer: Scorer, job: ChunkJob, format: FastFormat): Plan | null {
  const { options, loaded } = scorer;
  const { header, schema } = job;
  const needed: Schema = narrowToNeeded(scorer, { names: header, columns: header.map(() => []), rows: 0, format: 'csv', source: job.source }, schema).schema;
  const tokens = new Set(schema.naTokens);
  const tokenBytes = [...tokens].map((t) => new TextEncoder().encode(t));
  // Trees and the network read the tree features (values and category codes, per distinct cell).
  const trees = loaded.artifact.model.kind !== 'logistic';
  const reasons = options.reasons ?? 3;
  const model = loaded.model as unknown as GradientBoostedTrees;
  const gbdt = loaded.artifact.model.kind === 'gbdt';
  const forest = gbdt && reasons === 0 ? model.scoringForest() : null;
  const forestSlot = new Int32Array(gbdt ? model.fitted.featureNames.length : 0).fill(-1);
  forest?.used.forEach((feature, slot) => (forestSlot[feature] = slot));
  const specs = (loaded.pipeline as FeaturePipeline | TreeFeatures).specs as ReadonlyArray<{ column: string; kind: string }>;
  const inHeader = new Set(header);
  const idName = exportIdColumn(scorer, needed);
  const idSchema = needed.columns.find((c) => c.name === idName) ?? null;
  const activity = loaded.artifact.activities && scorer.log && idSchema ? { asOf: options.asOf ?? loaded.artifact.activities.asOf } : null;
  // Activity aggregates are computed per row, and so are dates' ages when the scoring time is per lead.
  const rowSpecs = new Set<number>();
  specs.forEach((spec, k) => {
    if (!inHeader.has(spec.column) || (activity && spec.kind === 'date')) rowSpecs.add(k);
  });
  // A column is looked up per cell when the model (its input columns and scoring-time column), the rules
  // or --keep read it; the id alone is not (its cells are unique, and written from their bytes).
  const read = new Set([...scorer.required, ...(options.keep ?? []), ...(scorer.rules?.criteria ?? []).flatMap((c) => (c.when ?? []).map((w) => w.column))]);
  const slotOf = new Int32Array(header.length).fill(-1);
  const columns: ColumnState[] = [];
  for (const column of needed.columns) {
    if (!read.has(column.name)) continue;
    slotOf[header.indexOf(column.name)] = columns.length;
    const spec = specs.findIndex((s, k) => s.column === column.name && !rowSpecs.has(k));
    columns.push(newColumn(column, scorer, spec, (options.keep ?? []).includes(column.name)));
  }
  const state = (name: string) => columns[slotOf[header.indexOf(name)]!]!;
  // The encoded features, spec by spec as `encode` / `transform` lay them out (a linear model's features
  // with a zero coefficient add nothing and are left out).
  const features: Feature[] = [];
  specs.forEach((spec, k) => {
    const count = perCellOf(scorer, k, []).length;
    if (rowSpecs.has(k)) {
      for (let f = 0; f < count; f++) features.push({ column: null, k: f, spec: k });
      return;
    }
    const column = state(spec.column);
    for (let f = count; f > 0; f--) {
      column.featureOf.push(features.length);
      features.push({ column, k: column.perCell.length, spec: k });
      column.perCell.push(new Float64Array(64));
      column.codes.push(new Uint8Array(64));
    }
  });
  // Contributions are grouped by original column in design order (`linearScores`, `shapByColumn`).
  const reasonNames = [...new Set(trees ? features.map((f) => specs[f.spec]!.column) : (loaded.pipeline as FeaturePipeline).featureNames().groups)];
  const reasonWords = reasonNames.map((name) => (inHeader.has(name) ? state(name) : null));
  if (reasons > 0) for (const column of reasonWords) if (column) column.wordsNeeded = true;
  // Rule conditions compiled by the engine against each column's distinct typed values.
  let bound: BoundCriterion[] | null = null;
  const criteria: Plan['criteria'] = [];
  if (scorer.rules) {
    const view = { schema: needed, table: tableView((name: string) => state(name).typed, 0) } as unknown as Dataset;
    bound = bindRules(scorer.rules, view, activity ? { activities: scorer.log!, asOf: 0, leadId: idName! } : {});
    for (const { criterion, conditions } of bound) {
      criteria.push((conditions ?? []).map((predicate, c) => {
        const column = state(criterion.when![c]!.column);
        column.conditions.push({ predicate, truth: new Uint8Array(64) });
        return { column, condition: column.conditions.length - 1 };
      }));
    }
  }
  const idAt = idName ? header.indexOf(idName) : -1;
  const idType = idSchema?.type;
  // NDJSON (for NDJSON and Parquet output) carries the reasons as data too, as the table path does.
  const reasonCodes = format === 'ndjson' && Boolean(options.reasonCodes) && reasons > 0;
  // Not here: an --id the input lacks, a model with activities and no id, rule conditions on activity
  // aggregates (the table path computes those columns), or input columns named like aggregates.
  if ((idName && idAt < 0) || (loaded.artifact.activities && activity === null)
    || (scorer.rules?.criteria ?? []).some((c) => (c.when ?? []).some((w) => !inHeader.has(w.column)))
    || (loaded.artifact.activities && header.some((name) => isActivityAggregateName(name)))) return null;
  return {
    scorer, format, columns, slotOf, idAt, idSchema, idTyped: idType === 'numeric' || idType === 'boolean' || idType === 'date' || idType === 'datetime',
    trees, forest, forestSlot, reasons,
    reasonNames, reasonWords, reasonPerRow: reasonNames.map((name) => specs.some((s, k) => s.column === name && rowSpecs.has(k))),
    cellReasons: !trees && rowSpecs.size === 0,
    activity, rowSpecs, features, specs,
    keepColumns: (options.keep ?? []).map(state),
    rangeColumns: scorer.dateRanges.map((r) => state(r.column)),
    specColumns: specs.filter((_, k) => !rowSpecs.has(k)).map((s) => state(s.column)),
    tokens, tokensOfLength: byLength(tokenBytes),
    bound, criteria, ruleCells: bound ? RuleCells.plan(scorer.rules!, bound, criteria, activity !== null) : null,
    reasonCodes,
    names: [idName ?? 'row', ...EXPORT_COLUMNS, ...(reasonCodes ? ['reason_codes'] : []), ...(options.keep ?? [])],
  };
}

/** Byte strings grouped by length: entry n lists those n bytes long (empty where none is). */
function byLength(tokens: Uint8Array[]): Uint8Array[][] {
  const out: Uint8Array[][] = Array.from({ length: Math.max(0, ...tokens.map((t) => t.length)) + 1 }, () => []);
  for (const token of tokens) out[token.length]!.push(token);
  return out;
}
