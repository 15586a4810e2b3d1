/**
 * The streaming scorer's byte path for CSV → CSV: a chunk's bytes are scanned once, and each cell that
 * scoring reads is looked up in its column's dictionary of distinct cells by its bytes, without making a
 * string (the scan and the dictionaries are WebAssembly: wasm-cells.ts; rule points per cell: rule-cells.ts). Everything that depends on that one cell is worked out once per distinct cell, by the same code
 * as the table path (`typeColumn`, `FeaturePipeline.encodeValues` / `TreeFeatures.transformValues`,
 * `linearScores`, the rule conditions `bindRules` compiles, `isWrongType`, `valueWords`): a logistic
 * model's addend per encoded feature and each column's contribution for reasons, a tree model's feature
 * values, each rule condition's answer, whether it is an unseen category or of the wrong type, and the
 * text a kept column shows. What is left per row is lookups, the linear model's sums in the same order as
 * `linearScores` (or the forest walk and TreeSHAP on the rebuilt feature columns), picking reasons, and
 * writing bytes, so the output is byte-identical to `scoreChunk`'s (tested on the sample, on quoted and
 * ragged CSV, and on random cells).
 *
 * It takes logistic and tree models for CSV and NDJSON output (NDJSON with `reason_codes` for NDJSON and
 * Parquet files: the same values as JSON, ids as strings, reasons picked per row), without --previous or
 * account-level activity features. With lead-level activity features, the aggregates (and dates' ages, when each lead has its
 * own scoring time) vary per row: they are counted per chunk as the table path counts them and encoded
 * per row, and their sums are interleaved with the per-cell ones in design order.
 * A lead dated outside the training dates (a date feature counted from a fixed day) gets the same note
 * at the end of its reasons as the table path writes, worked out once per distinct date cell.
 * A chunk it does not take — a value of the wrong type (the table path reports or rejects it), a record
 * with more fields than the header, an unterminated quote — returns null and is scored the table way.
 * Dictionaries are kept across chunks and cleared when one passes 65,536 distinct cells (a column of
 * unique values then costs what the table path costs, no more).
 */
import { type ActivityAggregates, aggregateActivities, isActivityAggregateName } from '../data/activities.ts';
import { resolveAsOf } from '../data/as-of.ts';
import type { ColumnSchema, Schema } from '../data/schema.ts';
import { csvField } from '../data/csv.ts';
import type { Dataset } from '../data/dataset.ts';
import { typeColumn } from '../data/typing.ts';
import { CHECKED_TYPES, isWrongType } from '../data/reading.ts';
import { spreadsheetSafe, startsFormula } from '../data/write.ts';
import type { FeaturePipeline } from '../features/pipeline.ts';
import type { TreeDesign, TreeFeatures } from '../features/tree-features.ts';
import type { GradientBoostedTrees } from '../models/gbdt/gbdt.ts';
import { codeValues, type Forest, predictCoded } from '../models/gbdt/predict.ts';
import { sigmoid } from '../models/loss.ts';
import { applyCalibrator } from '../models/calibration.ts';
import type { LogisticRegression } from '../models/logistic/logistic.ts';
import { linearScores } from '../models/logistic/coefficients.ts';
import { shapValuesParallel } from '../models/gbdt/parallel-shap.ts';
import { shapByColumn } from '../models/gbdt/shap.ts';
import { MIN_REASON, pickReasons, type ReasonCode, reasonContribution, reasonItem, reasonText } from './reasons.ts';
import { type BoundCriterion, bindRules, scoreBound } from '../rules/engine.ts';
import type { Grade } from '../rules/rule-file.ts';
import { routeLead } from '../rules/routing.ts';
import { gradeOf, tierOf } from '../rules/tiers.ts';
import { RuleCells } from './rule-cells.ts';
import { type DateRange, outsideRange, outsideRangeText } from '../features/date-range.ts';
import { CellTables, hashCell } from './wasm-cells.ts';
import type { Predicate } from '../rules/conditions.ts';
import { actionWithoutRules, addCounts, decisions, EXPORT_COLUMNS, exportIdColumn, MODEL_TIERS, modelTiers, narrowToNeeded, type Scorer, valueWords } from './score.ts';
import { type ChunkJob, type ChunkResult, emptyChunkResult } from './stream.ts';

const QUOTE = 34;
const LF = 10;
const CR = 13;
/** A column's dictionary is cleared, at the start of a chunk, once it holds more distinct cells than this. */
const MAX_DISTINCT = 1 << 16;

/**
 * The part of an arquero table that scoring reads (`columnValues` and `array`), over columns this file holds:
 * each column's values in row order, neither filtered nor ordered.
 */
function tableView(column: (name: string) => unknown, rows: number) {
  return { array: column, column, numRows: () => rows, isFiltered: () => false, isOrdered: () => false };
}

function grown<T extends Float64Array | Uint8Array | Int32Array>(array: T, need: number): T {
  if (array.length >= need) return array;
  const bigger = new (array.constructor as new (n: number) => T)(Math.max(need, array.length * 2, 64));
  bigger.set(array);
  return bigger;
}

/** Where an unquoted field (or the text after a closing quote) that continues at `j` ends: at the delimiter, LF, CR or the end. */
function fieldEnd(bytes: Uint8Array, j: number, delim: number): number {
  const n = bytes.length;
  while (j < n) {
    const c = bytes[j]!;
    if (c === delim || c === LF || c === CR) break;
    j++;
  }
  return j;
}

const decoder = new TextDecoder();

/** UTF-8 bytes as text (ASCII without the decoder). */
function decodeBytes(bytes: Uint8Array): string {
  if (bytes.length > 32) return decoder.decode(bytes);
  let text = '';
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k]!;
    if (b >= 0x80) return decoder.decode(bytes);
    text += String.fromCharCode(b);
  }
  return text;
}

/**
 * A field's text as CsvParser reads it from the bytes between two delimiters: a field opened by a quote
 * loses its quotes (`""` inside is one quote) and keeps any text after the closing quote.
 */
export function fieldText(bytes: Uint8Array): string {
  const text = decodeBytes(bytes);
  if (text.charCodeAt(0) !== QUOTE) return text;
  let value = '';
  let segment = 1;
  let i = 1;
  while (i < text.length) {
    if (text.charCodeAt(i) === QUOTE) {
      if (text.charCodeAt(i + 1) === QUOTE) {
        value += text.slice(segment, i + 1);
        i += 2;
        segment = i;
        continue;
      }
      return value + text.slice(segment, i) + text.slice(i + 1);
    }
    i++;
  }
  throw new Error('internal: fieldText on an unterminated quoted field');
}

const encoder = new TextEncoder();

/** A column scoring reads, with what is known of each distinct cell. */
interface ColumnState {
  name: string;
  schema: ColumnSchema;
  /** Each distinct cell's typed value, as `typeColumn` types it. */
  typed: unknown[];
  /** Cells worked out so far (the rest were added by the chunk being scanned). */
  done: number;
  /** A checked column of the model (number, date, yes/no): 1 where the cell does not read as its type. */
  wrongType: Uint8Array | null;
  wrongCount: number;
  /** A date feature's training range, and per distinct cell the reasons note of a date outside it ('' inside). */
  range: DateRange | null;
  outside: string[];
  /** The column's feature spec in the pipeline (−1: none), and 1 for categories unseen in training. */
  spec: number;
  unseen: Uint8Array;
  /**
   * The model's number per encoded feature of this column, per distinct cell: for a logistic model the
   * feature's addend to the linear score (coefficient × value), for trees the feature's value.
   */
  perCell: Float64Array[];
  /** For a tree model scored by codes (`ByteScorer.forest`): each `perCell` feature's forest code per distinct cell (empty where the forest does not split on it). */
  codes: Uint8Array[];
  /** The model feature each `perCell` entry is (its index in the design). */
  featureOf: number[];
  /** The answer of each rule condition on this column, per distinct cell. */
  conditions: Array<{ predicate: Predicate; truth: Uint8Array }>;
  /** With reasons, for a logistic model: the column's contribution to the log-odds per distinct cell (as `linearScores` gives it). */
  contribution: Float64Array;
  /** With reasons, for a column reasons may name: each distinct cell's value as reasons show it. */
  words: string[];
  wordsNeeded: boolean;
  /**
   * With reasons, for a logistic model (whose contribution is the cell's alone): each distinct cell's
   * reason as text bytes (`reasonItem`), and 1 where that text can go into a CSV field as it is.
   */
  items: Uint8Array[];
  plainItem: Uint8Array;
  /** The same for NDJSON: the reason's text escaped for a JSON string, and its `reason_codes` object. */
  jsonItems: Uint8Array[];
  jsonCodes: Uint8Array[];
  /** As a kept column: the output cell's bytes per distinct cell. */
  keep: Uint8Array[] | null;
  /** This chunk's cell number per row. */
  rows: Int32Array;
}

/** A scorer's byte path for one input layout (header, delimiter, schema), built on its first chunk. */
export class ByteScorer {
  private readonly columns: ColumnState[] = [];
  /** Header position → index into `columns` (−1: not read). */
  private readonly slotOf: Int32Array;
  private readonly idAt: number;
  private readonly idTyped: boolean;
  private readonly idSchema: ColumnSchema | null;
  private readonly bound: BoundCriterion[] | null;
  /** Per rule criterion with conditions: the columns and conditions it reads. */
  private readonly criteria: Array<Array<{ column: ColumnState; condition: number }>>;
  /**
   * The model's encoded features in design order (`linearScores` order for a logistic model): the k-th of
   * a column's `perCell`, or (column null) the k-th feature of spec `spec`, computed per row.
   */
  private readonly features: Array<{ column: ColumnState | null; k: number; spec: number }> = [];
  private readonly trees: boolean;
  /**
   * A tree model without reasons is scored from one-byte codes (predict.ts `predictCoded`): each distinct
   * cell's code is worked out once, rows gather them. Null for logistic models, reasons (TreeSHAP reads the
   * feature values) and trees too deep to compile.
   */
  private readonly forest: Forest | null;
  /** Per model feature: the used-feature slot of `forest` that splits on it (−1: none). */
  private readonly forestSlot: Int32Array;
  /** Reasons per lead (0: none). */
  private readonly reasons: number;
  /** Reasons' columns (design order): where each one's words come from (null: an activity aggregate, per row), and whether its contribution is per row. */
  private reasonNames: string[] = [];
  private reasonWords: Array<ColumnState | null> = [];
  private reasonPerRow: boolean[] = [];
  /** With activity features: the scoring-time expression; specs computed per row. */
  private readonly activity: { asOf: string } | null;
  private readonly rowSpecs = new Set<number>();
  private readonly chosen: Int32Array;
  private readonly names: string[];
  private readonly keepColumns: ColumnState[];
  /** The model's date features, in `scorer.dateRanges` order (notes for dates outside the training dates). */
  private readonly rangeColumns: ColumnState[];
  /** The model's columns in spec order (unseen categories are counted in this order, as `encode` counts them). */
  private readonly specColumns: ColumnState[];
  private readonly layout: string;
  private seen: Pick<ChunkJob, 'schema' | 'header' | 'delimiter'>;
  private readonly usable: boolean;
  private readonly tokens: ReadonlySet<string>;
  private readonly longestToken: number;
  private readonly cellCache = new Map<unknown, Uint8Array>();
  private readonly modelCell: Uint8Array;
  /** Rule scores from per-cell points where they equal `scoreBound`'s (null: `scoreBound` per chunk). */
  private readonly ruleCells: RuleCells | null = null;
  /**
   * The decision columns' bytes, each with the separators (or JSON keys) before its fields: the model
   * tier, grade and action as one segment, the rule score, rule tier and model label as another. Numbered
   * as first written; `segmentAt` finds them by their values.
   */
  private readonly segments: Uint8Array[] = [];
  private readonly segmentAt = new Map<string, number>();
  private readonly segmentValues: Array<Array<string | number | null>> = [];
  /** NDJSON only: whether records carry `reason_codes`, and each output column's `{"name":` / `,"name":` bytes. */
  private readonly reasonCodes: boolean;
  private readonly keys: Uint8Array[];
  /** The read columns' distinct cells (by slot) and the chunk's scan, in WebAssembly. */
  private readonly tables: CellTables;
  private idStart = new Int32Array(0);
  private idEnd = new Int32Array(0);
  private readonly sink = new ByteSink();

  /** The byte path for this scorer and layout, or null where it does not apply (the table path then does all). */
  static for(scorer: Scorer, job: ChunkJob, format: 'csv' | 'ndjson'): ByteScorer | null {
    const { options, loaded } = scorer;
    if ((loaded.artifact.model.kind !== 'logistic' && loaded.artifact.model.kind !== 'gbdt') || loaded.artifact.activities?.account || scorer.previous || options.account
      || job.delimiter.length !== 1) return null;
    const built = new ByteScorer(scorer, job, format);
    return built.usable ? built : null;
  }

  private static layoutOf(job: ChunkJob): string {
    return JSON.stringify([job.header, job.delimiter, job.schema]);
  }

  private constructor(private readonly scorer: Scorer, job: ChunkJob, readonly format: 'csv' | 'ndjson') {
    const { options, loaded } = scorer;
    const { header, schema } = job;
    const narrow = narrowToNeeded(scorer, { names: header, columns: header.map(() => []), rows: 0, format: 'csv', source: job.source }, schema);
    const needed: Schema = narrow.schema;
    this.tokens = new Set(schema.naTokens);
    this.longestToken = Math.max(0, ...[...this.tokens].map((t) => t.length));
    this.slotOf = new Int32Array(header.length).fill(-1);
    this.trees = loaded.artifact.model.kind === 'gbdt';
    this.reasons = options.reasons ?? 3;
    this.forest = this.trees && this.reasons === 0 ? (loaded.model as unknown as GradientBoostedTrees).scoringForest() : null;
    this.forestSlot = new Int32Array(this.trees ? (loaded.model as unknown as GradientBoostedTrees).fitted.featureNames.length : 0).fill(-1);
    this.forest?.used.forEach((feature, slot) => (this.forestSlot[feature] = slot));
    this.chosen = new Int32Array(Math.max(1, this.reasons));
    const specs = (loaded.pipeline as FeaturePipeline | TreeFeatures).specs as ReadonlyArray<{ column: string; kind: string }>;
    const inHeader = new Set(header);
    const idName = exportIdColumn(scorer, needed);
    this.idSchema = needed.columns.find((c) => c.name === idName) ?? null;
    this.activity = loaded.artifact.activities && scorer.log && this.idSchema ? { asOf: options.asOf ?? loaded.artifact.activities.asOf } : null;
    // Activity aggregates are computed per row, and so are dates' ages when the scoring time is per lead.
    specs.forEach((spec, k) => {
      if (!inHeader.has(spec.column) || (this.activity && spec.kind === 'date')) this.rowSpecs.add(k);
    });
    // A column is looked up per cell when the model (its input columns and scoring-time column), the rules
    // or --keep read it; the id alone is not (its cells are unique, and written from their bytes).
    const read = new Set([...scorer.required, ...(options.keep ?? []), ...(scorer.rules?.criteria ?? []).flatMap((c) => (c.when ?? []).map((w) => w.column))]);
    for (const column of needed.columns) {
      if (!read.has(column.name)) continue;
      const at = header.indexOf(column.name);
      this.slotOf[at] = this.columns.length;
      const want = scorer.types.get(column.name);
      this.columns.push({
        name: column.name, schema: column, typed: [], done: 0,
        wrongType: want && CHECKED_TYPES.has(want) ? new Uint8Array(64) : null, wrongCount: 0,
        range: scorer.dateRanges.find((r) => r.column === column.name) ?? null, outside: [],
        spec: specs.findIndex((s, k) => s.column === column.name && !this.rowSpecs.has(k)), unseen: new Uint8Array(64), perCell: [], codes: [], featureOf: [], contribution: new Float64Array(64), words: [], wordsNeeded: false, items: [], plainItem: new Uint8Array(64), jsonItems: [], jsonCodes: [], conditions: [],
        keep: (options.keep ?? []).includes(column.name) ? [] : null, rows: new Int32Array(0),
      });
    }
    const state = (name: string) => this.columns[this.slotOf[header.indexOf(name)]!]!;
    this.keepColumns = (options.keep ?? []).map(state);
    this.rangeColumns = scorer.dateRanges.map((r) => state(r.column));
    this.specColumns = specs.filter((_, k) => !this.rowSpecs.has(k)).map((s) => state(s.column));
    this.layout = ByteScorer.layoutOf(job);
    this.seen = { schema: job.schema, header: job.header, delimiter: job.delimiter };
    // The encoded features, spec by spec as `encode` / `transform` lay them out (a linear model's features
    // with a zero coefficient add nothing and are left out).
    specs.forEach((spec, k) => {
      const count = this.perCellOf(k, []).length;
      if (this.rowSpecs.has(k)) {
        for (let f = 0; f < count; f++) this.features.push({ column: null, k: f, spec: k });
        return;
      }
      const column = state(spec.column);
      for (let f = count; f > 0; f--) {
        column.featureOf.push(this.features.length);
        this.features.push({ column, k: column.perCell.length, spec: k });
        column.perCell.push(new Float64Array(64));
        column.codes.push(new Uint8Array(64));
      }
    });
    // Contributions are grouped by original column in design order (`linearScores`, `shapByColumn`).
    this.reasonNames = [...new Set(this.trees ? this.features.map((f) => specs[f.spec]!.column) : (loaded.pipeline as FeaturePipeline).featureNames().groups)];
    this.reasonWords = this.reasonNames.map((name) => (inHeader.has(name) ? state(name) : null));
    this.reasonPerRow = this.reasonNames.map((name) => specs.some((s, k) => s.column === name && this.rowSpecs.has(k)));
    for (const column of this.reasonWords) if (column && this.reasons > 0) column.wordsNeeded = true;
    // Rule conditions compiled by the engine against each column's distinct typed values.
    this.bound = null;
    this.criteria = [];
    if (scorer.rules) {
      const view = { schema: needed, table: tableView((name: string) => state(name).typed, 0) } as unknown as Dataset;
      this.bound = bindRules(scorer.rules, view, this.activity ? { activities: scorer.log!, asOf: 0, leadId: idName! } : {});
      for (const { criterion, conditions } of this.bound) {
        this.criteria.push((conditions ?? []).map((predicate, c) => {
          const column = state(criterion.when![c]!.column);
          column.conditions.push({ predicate, truth: new Uint8Array(64) });
          return { column, condition: column.conditions.length - 1 };
        }));
      }
    }
    this.idAt = idName ? header.indexOf(idName) : -1;
    const idType = this.idSchema?.type;
    this.idTyped = idType === 'numeric' || idType === 'boolean' || idType === 'date' || idType === 'datetime';
    // NDJSON (for NDJSON and Parquet output) carries the reasons as data too, as the table path does.
    this.reasonCodes = format === 'ndjson' && Boolean(options.reasonCodes) && this.reasons > 0;
    this.names = [idName ?? 'row', ...EXPORT_COLUMNS, ...(this.reasonCodes ? ['reason_codes'] : []), ...(options.keep ?? [])];
    this.keys = this.names.map((name, c) => encoder.encode(`${c === 0 ? '{' : ','}${JSON.stringify(name)}:`));
    this.modelCell = this.cell(scorer.modelLabel);
    if (this.bound) this.ruleCells = RuleCells.plan(scorer.rules!, this.bound, this.criteria, this.activity !== null);
    // Not here: an --id the input lacks, a model with activities and no id, rule conditions on activity
    // aggregates (the table path computes those columns), or input columns named like aggregates.
    const tables = CellTables.create(this.columns.length, this.slotOf);
    this.tables = tables as CellTables; // null only without WebAssembly, and then this path is not used
    this.usable = tables !== null && (!idName || this.idAt >= 0) && (!loaded.artifact.activities || this.activity !== null)
      && !(scorer.rules?.criteria ?? []).some((c) => (c.when ?? []).some((w) => !inHeader.has(w.column)))
      && !(loaded.artifact.activities && header.some((name) => isActivityAggregateName(name)));
  }

  /** Whether this byte path was built for the layout (header, delimiter, schema) of `job`. */
  fits(job: ChunkJob, format: 'csv' | 'ndjson'): boolean {
    if (format !== this.format) return false;
    // The same objects chunk after chunk on one thread; a worker receives copies and compares their text.
    if (job.schema === this.seen.schema && job.header === this.seen.header && job.delimiter === this.seen.delimiter) return true;
    if (ByteScorer.layoutOf(job) !== this.layout) return false;
    this.seen = { schema: job.schema, header: job.header, delimiter: job.delimiter };
    return true;
  }

  /** Scores a chunk of whole CSV records, or null when the table path must (see the module comment). */
  score(job: ChunkJob): ChunkResult | null {
    const { bytes } = job;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return null;
    for (const [slot, column] of this.columns.entries()) {
      if (this.tables.size(slot) > MAX_DISTINCT) {
        this.tables.clear(slot);
        column.typed.length = 0;
        column.done = 0;
        column.wrongCount = 0;
      }
    }
    const n = this.scan(bytes, job.delimiter.charCodeAt(0), job.header.length);
    if (n < 0) return null;
    for (const [slot, column] of this.columns.entries()) this.learn(slot, column);
    for (const column of this.columns) {
      if (column.wrongCount === 0) continue;
      const wrong = column.wrongType!;
      for (let i = 0; i < n; i++) if (wrong[column.rows[i]!] === 1) return null;
    }
    const result = emptyChunkResult();
    if (n === 0) return result;

    const { loaded } = this.scorer;
    // Activity features: each lead's events as of its scoring time, as the table path joins them.
    let activity: { ids: unknown[]; asOf: number | Float64Array; aggregates: ActivityAggregates } | null = null;
    const perRow = (name: string): unknown[] => {
      const column = this.columns[this.slotOf[job.header.indexOf(name)]!]!;
      return Array.from({ length: n }, (_, i) => column.typed[column.rows[i]!]);
    };
    if (this.activity) {
      const texts = Array.from({ length: n }, (_, i) => fieldText(bytes.subarray(this.idStart[i]!, this.idEnd[i]!)));
      const ids = typeColumn(texts, this.idSchema!, this.tokens);
      const view = { schema: job.schema, table: tableView(perRow, n) } as unknown as Dataset;
      const asOf = resolveAsOf(this.activity.asOf, view);
      activity = { ids, asOf, aggregates: aggregateActivities(this.scorer.log!, ids as ArrayLike<string | null>, asOf) };
    }
    // Per-row specs' values and numbers (see `perCellOf`), one list per spec.
    const rowValues = new Map<number, unknown[]>();
    const rowNumbers = new Map<number, Float64Array[]>();
    const specs = (loaded.pipeline as FeaturePipeline | TreeFeatures).specs as ReadonlyArray<{ column: string; kind: string }>;
    for (const k of this.rowSpecs) {
      const name = specs[k]!.column;
      let values: unknown[];
      if (specs[k]!.kind === 'date' && job.header.includes(name)) values = perRow(name);
      else {
        const aggregate = activity?.aggregates.columns[name];
        if (!aggregate) return null; // the table path reports the missing feature
        values = Array.from(aggregate, (v) => (Number.isNaN(v) ? null : v));
      }
      rowValues.set(k, values);
      rowNumbers.set(k, this.perCellOf(k, values, undefined, activity?.asOf));
    }
    const featureColumn = ({ column, k, spec }: { column: ColumnState | null; k: number; spec: number }): Float64Array => {
      if (!column) return rowNumbers.get(spec)![k]!;
      const values = column.perCell[k]!;
      const rows = column.rows;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = values[rows[i]!]!;
      return out;
    };
    let raw: Float64Array;
    let contributions: Float64Array | null = null;
    if (this.forest) {
      const forest = this.forest;
      const width = forest.used.length;
      const model = loaded.model as unknown as GradientBoostedTrees;
      raw = new Float64Array(n).fill(model.fitted.baseScore);
      predictCoded(forest, n, raw, (start, count, codes) => {
        for (let slot = 0; slot < width; slot++) {
          const { column, k, spec } = this.features[forest.used[slot]!]!;
          if (!column) {
            codeValues(forest, slot, rowNumbers.get(spec)![k]!, start, count, codes, slot, width);
            continue;
          }
          const cells = column.codes[k]!;
          const rows = column.rows;
          for (let r = 0; r < count; r++) codes[r * width + slot] = cells[rows[start + r]!]!;
        }
      });
      for (let i = 0; i < n; i++) raw[i] = sigmoid(raw[i]!); // as predictProba
    } else if (this.trees) {
      const columns = this.features.map(featureColumn);
      const model = loaded.model as unknown as GradientBoostedTrees;
      const design = { columns, n, p: columns.length, groups: this.features.map((f) => specs[f.spec]!.column) };
      raw = model.predictProba(design as TreeDesign);
      if (this.reasons > 0) contributions = shapByColumn(model.trees, model.fitted.baseScore, design, shapValuesParallel).values;
    } else {
      if (this.reasons > 0) {
        const width = this.reasonNames.length;
        contributions = new Float64Array(n * width);
        this.reasonNames.forEach((name, g) => {
          if (this.reasonPerRow[g]) {
            const k = specs.findIndex((s) => s.column === name);
            const values = this.contributionsOf(k, name, rowValues.get(k)!, activity?.asOf);
            for (let i = 0; i < n; i++) contributions![i * width + g] = values[i]!;
            return;
          }
          const column = this.reasonWords[g]!;
          const rows = column.rows;
          for (let i = 0; i < n; i++) contributions![i * width + g] = column.contribution[rows[i]!]!;
        });
      }
      raw = new Float64Array(n).fill((loaded.model as unknown as LogisticRegression).fitted.beta[0]!);
      for (const feature of this.features) {
        if (!feature.column) {
          const addend = rowNumbers.get(feature.spec)![feature.k]!;
          for (let i = 0; i < n; i++) raw[i]! += addend[i]!;
          continue;
        }
        const addend = feature.column.perCell[feature.k]!;
        const rows = feature.column.rows;
        for (let i = 0; i < n; i++) raw[i]! += addend[rows[i]!]!;
      }
      for (let i = 0; i < n; i++) raw[i] = sigmoid(raw[i]!);
    }
    const probability = applyCalibrator(loaded.artifact.calibration, raw);
    const { first, second } = this.decide(probability, activity, result);

    for (const column of this.specColumns) {
      let count = 0;
      for (let i = 0; i < n; i++) count += column.unseen[column.rows[i]!]!;
      if (count > 0) result.unseen[column.name] = count;
    }
    for (const column of this.rangeColumns) {
      let count = 0;
      for (let i = 0; i < n; i++) if (column.outside[column.rows[i]!]) count++;
      if (count > 0) result.outOfRange[column.name] = count;
    }

    const sink = this.sink;
    const segments = this.segments;
    const reasons = contributions && {
      columns: this.reasonNames, values: contributions,
      valueText: (row: number, name: string) => {
        const g = this.reasonNames.indexOf(name);
        const column = this.reasonWords[g];
        if (column) return column.words[column.rows[row]!]!;
        const k = specs.findIndex((s) => s.column === name);
        return valueWords(rowValues.get(k)![row], 'numeric');
      },
    };
    // Each reason's text per distinct cell is known only when every contribution is a cell's own.
    const cellReasons = !this.trees && this.rowSpecs.size === 0;
    // Row by row, column by column: a CSV field after a comma, or a JSON value after its key.
    const json = this.format === 'ndjson';
    const keys = this.keys;
    const next = (c: number) => {
      if (json) sink.write(keys[c]!);
      else if (c > 0) sink.put(44);
    };
    for (let i = 0; i < n; i++) {
      next(0);
      this.idCell(bytes, i, job.firstRow + i + 1);
      next(1);
      sink.probability(probability[i]!);
      next(2);
      sink.score(probability[i]!);
      sink.write(segments[first[i]!]!);
      next(6);
      let codes: ReasonCode[] | null = null;
      let picked = 0;
      // A lead dated outside the training dates: its reasons end with a note saying so (as `scoreDataset` writes them).
      let note = '';
      for (const column of this.rangeColumns) {
        const text = column.outside[column.rows[i]!]!;
        if (text) note = note ? `${note}; ${text}` : text;
      }
      if (note) {
        codes = reasons ? pickReasons(reasons, i, this.reasons) : null;
        const text = codes && codes.length > 0 ? `${reasonText(codes)}; ${note}` : note;
        sink.write(encoder.encode(json ? JSON.stringify(text) : csvField(spreadsheetSafe(text))));
      } else if (json) {
        if (reasons && cellReasons) picked = this.linearJsonReasons(contributions!, i);
        else {
          codes = reasons ? pickReasons(reasons, i, this.reasons) : null;
          sink.text(JSON.stringify(codes ? reasonText(codes) : ''));
        }
      } else if (reasons && !(cellReasons && this.linearReasons(contributions!, i))) {
        sink.write(encoder.encode(csvField(spreadsheetSafe(reasonText(pickReasons(reasons, i, this.reasons))))));
      }
      sink.write(segments[second[i]!]!);
      let c = 10;
      if (this.reasonCodes) {
        next(c++);
        if (reasons && cellReasons && !note) this.jsonCodes(picked, i); // the picks of the reasons text above
        else sink.text(JSON.stringify(codes ?? []));
      }
      for (const column of this.keepColumns) {
        next(c++);
        sink.write(column.keep![column.rows[i]!]!);
      }
      if (json) sink.put(125);
      sink.put(LF);
    }
    result.names = this.names;
    if (typeof activity?.asOf === 'number') result.asOf = activity.asOf;
    result.encoded = sink.take();
    result.rows = n;
    return result;
  }

  /**
   * Each row's decision columns, as `decisions` gives them: the numbers of their two byte segments
   * (`segments`), with the chunk's tier and action counts added to `result` (in order of first appearance).
   */
  private decide(probability: Float64Array, activity: { ids: unknown[]; asOf: number | Float64Array } | null, result: ChunkResult): { first: Int32Array; second: Int32Array } {
    const n = probability.length;
    const first = new Int32Array(n);
    const second = new Int32Array(n);
    const rules = this.scorer.rules;
    if (rules && !this.ruleCells) {
      const ruleScores = scoreBound(rules, this.chunkCriteria(), n, activity ? { log: this.scorer.log!, ids: activity.ids, asOf: activity.asOf } : {}, { reasons: false });
      const { tier, grade, action, ruleScore, ruleTier } = decisions(this.scorer, probability, ruleScores);
      for (let i = 0; i < n; i++) {
        first[i] = this.segment(tier[i]!, grade[i]!, action[i]!);
        second[i] = this.segment(ruleScore[i]!, ruleTier[i]!);
      }
      addCounts(result.tiers, tier);
      addCounts(result.actions, action);
      return { first, second };
    }
    const modelTier = modelTiers(this.scorer);
    const ruleRows = this.ruleCells?.rows(n);
    // Per chunk: the segments met, by tier (0 hot, 1 warm, 2 cold) × grade (0 A … 3 D, or none) × disqualified.
    const GRADES: Grade[] = ['A', 'B', 'C', 'D'];
    const firstOf = new Int32Array(24).fill(-1);
    const counts = new Int32Array(24);
    const order: number[] = [];
    const secondOf = new Int32Array(102).fill(-1);
    for (let i = 0; i < n; i++) {
      const t = modelTier(probability[i]!);
      let key = t * 8;
      let score = 0;
      let disqualified = 0;
      if (ruleRows) {
        const grade = gradeOf(ruleRows.fit[i]!, rules!.grades).charCodeAt(0) - 65; // A–D as 0–3
        score = ruleRows.score[i]!;
        disqualified = ruleRows.disqualified[i]!;
        key += grade * 2 + disqualified;
      }
      const seen = counts[key]!;
      counts[key] = seen + 1;
      if (seen === 0) {
        order.push(key);
        const tier = MODEL_TIERS[t]!;
        const grade = GRADES[(key >> 1) & 3]!;
        firstOf[key] = rules
          ? this.segment(tier, grade, routeLead(rules.routing, tier, grade, { strongAction: false, disqualified: disqualified === 1 }))
          : this.segment(tier, '', actionWithoutRules(tier));
      }
      first[i] = firstOf[key]!;
      const at = disqualified ? 101 : score; // integer scores 0–100
      if (secondOf[at] === -1) secondOf[at] = rules ? this.segment(score, disqualified ? 'cold' : tierOf(score, rules.tiers)) : this.segment(null, '');
      second[i] = secondOf[at]!;
    }
    for (const key of order) {
      const segment = this.segmentValues[firstOf[key]!]!;
      const count = counts[key]!;
      result.tiers[segment[0] as string] = (result.tiers[segment[0] as string] ?? 0) + count;
      result.actions[segment[2] as string] = (result.actions[segment[2] as string] ?? 0) + count;
    }
    return { first, second };
  }

  /**
   * The number of the byte segment of three decision values (tier, grade, action: columns 3–5) or two
   * (rule score and rule tier, then the model label: columns 7–9), made on first use.
   */
  private segment(...values: Array<string | number | null>): number {
    const key = JSON.stringify(values);
    let at = this.segmentAt.get(key);
    if (at === undefined) {
      const from = values.length === 3 ? 3 : 7;
      const cells = [...values.map((v) => this.cell(v)), ...(from === 7 ? [this.modelCell] : [])];
      const parts = cells.flatMap((cell, k) => [this.format === 'ndjson' ? this.keys[from + k]! : Uint8Array.of(44), cell]);
      const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
      let offset = 0;
      for (const part of parts) {
        bytes.set(part, offset);
        offset += part.length;
      }
      at = this.segments.length;
      this.segments.push(bytes);
      this.segmentValues.push(values);
      this.segmentAt.set(key, at);
    }
    return at;
  }

  /**
   * Cuts the records into fields as CsvParser does and looks each read cell up in its column's table
   * (`CellTables`): in WebAssembly up to the first record it leaves to JavaScript (a quote left open, more
   * fields than the header), then here. Returns the number of records, or −1 for a record the table path
   * must handle.
   */
  private scan(bytes: Uint8Array, delim: number, width: number): number {
    const tables = this.tables;
    tables.load(bytes);
    const fast = tables.scan(0, 0, width, delim, this.idAt);
    this.reserveRows(fast.rows);
    this.columns.forEach((column, slot) => column.rows.set(tables.rowsOf(slot, fast.rows)));
    if (this.idAt >= 0) {
      const spans = tables.idSpans(fast.rows);
      this.idStart.set(spans.starts);
      this.idEnd.set(spans.ends);
    }
    return fast.done ? fast.rows : this.scanRest(bytes, fast.pos, fast.rows, delim, width);
  }

  /** Room for `rows` rows in each column's `rows` and the id spans. */
  private reserveRows(rows: number): void {
    if (this.idStart.length >= rows) return;
    const capacity = Math.max(2048, rows, this.idStart.length * 2);
    this.idStart = grown(this.idStart, capacity);
    this.idEnd = grown(this.idEnd, capacity);
    for (const column of this.columns) column.rows = grown(column.rows, capacity);
  }

  /** The JavaScript scan, from record start `pos` (row `row`) to the chunk's end: see `scan`. */
  private scanRest(bytes: Uint8Array, pos: number, row: number, delim: number, width: number): number {
    const n = bytes.length;
    const slotOf = this.slotOf;
    const idAt = this.idAt;
    const tables = this.tables;
    while (pos < n) {
      this.reserveRows(row + 1);
      let field = 0;
      let start = pos;
      let end = pos;
      for (;;) {
        if (field >= width) return -1;
        start = pos;
        const slot = slotOf[field]!;
        let j = pos;
        if (bytes[j] === QUOTE) {
          // Past the closing quote (a doubled quote is one quote inside); any text after it is the field's too.
          j++;
          for (;;) {
            if (j >= n) return -1;
            if (bytes[j] === QUOTE) {
              if (bytes[j + 1] === QUOTE) {
                j += 2;
                continue;
              }
              j++;
              break;
            }
            j++;
          }
        }
        j = fieldEnd(bytes, j, delim);
        if (slot >= 0) this.columns[slot]!.rows[row] = tables.intern(slot, pos, j, hashCell(bytes, pos, j));
        end = j;
        if (field === idAt) {
          this.idStart[row] = pos;
          this.idEnd[row] = j;
        }
        pos = j;
        if (pos >= n) break;
        const c = bytes[pos]!;
        if (c === delim) {
          pos++;
          field++;
          continue;
        }
        pos += c === CR && bytes[pos + 1] === LF ? 2 : 1;
        break;
      }
      // A blank line (nothing, or just "") is not a record.
      const length = end - start;
      if (field === 0 && (length === 0 || (length === 2 && bytes[start] === QUOTE && bytes[start + 1] === QUOTE))) continue;
      // Short records read as empty fields.
      for (let f = field + 1; f < width; f++) {
        const slot = slotOf[f]!;
        if (slot >= 0) this.columns[slot]!.rows[row] = tables.intern(slot, 0, 0, hashCell(bytes, 0, 0));
        if (f === idAt) this.idStart[row] = this.idEnd[row] = 0;
      }
      row++;
    }
    return row;
  }

  /** Works out what is known of the cells a column met for the first time in this chunk. */
  private learn(slot: number, column: ColumnState): void {
    const from = column.done;
    const to = this.tables.size(slot);
    if (to === from) return;
    const texts: string[] = [];
    for (let id = from; id < to; id++) texts.push(fieldText(this.tables.cell(slot, id)));
    const typed = typeColumn(texts, column.schema, this.tokens);
    for (const v of typed) column.typed.push(v);
    if (column.wrongType) {
      column.wrongType = grown(column.wrongType, to);
      for (let k = 0; k < typed.length; k++) {
        const wrong = isWrongType(typed[k], texts[k]!, this.tokens) ? 1 : 0;
        column.wrongType[from + k] = wrong;
        column.wrongCount += wrong;
      }
    }
    const range = column.range;
    if (range) for (let k = 0; k < typed.length; k++) column.outside[from + k] = outsideRange(range, typed[k]) ? outsideRangeText(range, typed[k] as number) : '';
    if (column.wordsNeeded) for (let id = from; id < to; id++) column.words[id] = valueWords(column.typed[id], column.schema.type);
    if (column.spec >= 0) {
      const unseen = new Uint8Array(typed.length);
      this.perCellOf(column.spec, typed, unseen).forEach((values, k) => {
        column.perCell[k] = grown(column.perCell[k]!, to);
        column.perCell[k]!.set(values, from);
        const slot = this.forest ? this.forestSlot[column.featureOf[k]!]! : -1;
        if (slot >= 0) {
          column.codes[k] = grown(column.codes[k]!, to);
          codeValues(this.forest!, slot, values, 0, values.length, column.codes[k]!, from);
        }
      });
      column.unseen = grown(column.unseen, to);
      column.unseen.set(unseen, from);
      if (this.reasons > 0 && !this.trees) {
        column.contribution = grown(column.contribution, to);
        column.contribution.set(this.contributionsOf(column.spec, column.name, typed), from);
        if (this.rowSpecs.size === 0) {
          column.plainItem = grown(column.plainItem, to);
          for (let id = from; id < to; id++) {
            const code = { column: column.name, value: column.words[id]!, contribution: reasonContribution(column.contribution[id]!) };
            const item = reasonItem(code);
            if (this.format === 'ndjson') {
              column.jsonItems[id] = encoder.encode(JSON.stringify(item).slice(1, -1));
              column.jsonCodes[id] = encoder.encode(JSON.stringify(code));
              continue;
            }
            column.items[id] = encoder.encode(item);
            column.plainItem[id] = /[",\n\r]/.test(item) ? 0 : 1;
          }
        }
      }
    }
    for (const condition of column.conditions) {
      condition.truth = grown(condition.truth, to);
      for (let id = from; id < to; id++) condition.truth[id] = condition.predicate(id) ? 1 : 0;
    }
    this.ruleCells?.learn(column, from, to);
    if (column.keep) {
      for (let id = from; id < to; id++) column.keep[id] = this.cell(valueWords(column.typed[id], column.schema.type) || null);
    }
    column.done = to;
  }

  /**
   * The model's numbers for a list of typed values of spec `spec`'s column, one array per encoded feature
   * (see `ColumnState.perCell`); unseen categories marked in `unseen` if given.
   */
  private perCellOf(spec: number, typed: unknown[], unseen?: Uint8Array, asOf?: number | ArrayLike<number>): Float64Array[] {
    const { loaded } = this.scorer;
    if (this.trees) {
      const encoded = (loaded.pipeline as TreeFeatures).transformValues(spec, typed, asOf);
      unseen?.set(encoded.unseen);
      return encoded.columns;
    }
    const { beta } = (loaded.model as unknown as LogisticRegression).fitted;
    const encoded = (loaded.pipeline as FeaturePipeline).encodeValues(spec, typed, asOf);
    unseen?.set(encoded.unseen);
    const out: Float64Array[] = [];
    for (const part of encoded.parts) {
      if (part.kind === 'value') {
        const b = beta[part.offset + 1]!;
        if (b !== 0) out.push(part.values.map((v) => b * v));
      } else {
        out.push(Float64Array.from(part.index, (level) => (level >= 0 ? beta[part.offset + level + 1]! : 0)));
      }
    }
    return out;
  }

  /**
   * Writes row `i`'s reasons for a logistic model from each cell's reason bytes: the strongest
   * contributions first, ties by column name, as `pickReasons` orders them. False (nothing written) where
   * the text would need quoting or a spreadsheet guard: the caller then writes it the string way.
   */
  private linearReasons(contributions: Float64Array, i: number): boolean {
    const columns = this.reasonWords as ColumnState[];
    const chosen = this.chosen;
    const count = this.chooseLinear(contributions, i);
    if (count === 0) return true;
    const first = columns[chosen[0]!]!;
    if (startsFormula(first.items[first.rows[i]!]![0]!)) return false;
    for (let k = 0; k < count; k++) {
      const column = columns[chosen[k]!]!;
      if (column.plainItem[column.rows[i]!] !== 1) return false;
    }
    for (let k = 0; k < count; k++) {
      const column = columns[chosen[k]!]!;
      if (k > 0) {
        this.sink.put(59);
        this.sink.put(32);
      }
      this.sink.write(column.items[column.rows[i]!]!);
    }
    return true;
  }

  /**
   * As `linearReasons`, for NDJSON: row `i`'s `reasons` string from each picked cell's JSON-escaped text;
   * returns how many were picked (they stay in `chosen` for `jsonCodes`).
   */
  private linearJsonReasons(contributions: Float64Array, i: number): number {
    const columns = this.reasonWords as ColumnState[];
    const chosen = this.chosen;
    const count = this.chooseLinear(contributions, i);
    const sink = this.sink;
    sink.put(QUOTE);
    for (let k = 0; k < count; k++) {
      const column = columns[chosen[k]!]!;
      if (k > 0) {
        sink.put(59);
        sink.put(32);
      }
      sink.write(column.jsonItems[column.rows[i]!]!);
    }
    sink.put(QUOTE);
    return count;
  }

  /** Row `i`'s `reason_codes` list: the `count` reasons `linearJsonReasons` picked, from each cell's JSON object. */
  private jsonCodes(count: number, i: number): void {
    const columns = this.reasonWords as ColumnState[];
    const sink = this.sink;
    sink.put(91);
    for (let k = 0; k < count; k++) {
      const column = columns[this.chosen[k]!]!;
      if (k > 0) sink.put(44);
      sink.write(column.jsonCodes[column.rows[i]!]!);
    }
    sink.put(93);
  }

  /** Picks row `i`'s reasons into `chosen` as `pickReasons` orders them (strongest first, ties by column name); returns how many. */
  private chooseLinear(contributions: Float64Array, i: number): number {
    const columns = this.reasonWords as ColumnState[];
    const width = columns.length;
    const chosen = this.chosen;
    let count = 0;
    while (count < this.reasons) {
      let best = -1;
      let bestAbs = 0;
      for (let g = 0; g < width; g++) {
        const a = Math.abs(contributions[i * width + g]!);
        if (!(a >= MIN_REASON) || a < bestAbs) continue;
        if (a === bestAbs && best >= 0 && !(columns[g]!.name < columns[best]!.name)) continue;
        let taken = false;
        for (let k = 0; k < count; k++) if (chosen[k] === g) taken = true;
        if (taken) continue;
        best = g;
        bestAbs = a;
      }
      if (best < 0) break;
      chosen[count++] = best;
    }
    return count;
  }

  /** A logistic model's contribution of a column for a list of its typed values, by `linearScores` on that column's features alone. */
  private contributionsOf(spec: number, name: string, typed: unknown[], asOf?: number | ArrayLike<number>): Float64Array {
    const pipeline = this.scorer.loaded.pipeline as FeaturePipeline;
    const { names, groups } = pipeline.featureNames();
    const { parts } = pipeline.encodeValues(spec, typed, asOf);
    const linear = linearScores(this.scorer.loaded.model as unknown as LogisticRegression, { parts, n: typed.length, p: names.length, names, groups, unseen: {} }, { contributions: true });
    const width = linear.columns.length;
    const g = linear.columns.indexOf(name);
    return Float64Array.from({ length: typed.length }, (_, i) => linear.values![i * width + g]!);
  }

  /** This chunk's rule criteria: each condition answered by its column's cell number per row. */
  private chunkCriteria(): BoundCriterion[] {
    return this.bound!.map((b, c) => {
      const reads = this.criteria[c]!;
      if (reads.length === 0) return b;
      const tables = reads.map((r) => ({ truth: r.column.conditions[r.condition]!.truth, rows: r.column.rows }));
      const predicate: Predicate = tables.length === 1
        ? (i) => tables[0]!.truth[tables[0]!.rows[i]!] === 1
        : (i) => tables.every((t) => t.truth[t.rows[i]!] === 1);
      return { criterion: b.criterion, predicate };
    });
  }

  /**
   * A text or number value's output bytes in this scorer's format, cached: a CSV field as the CSV writer
   * writes it (spreadsheet-safe, quoted when needed), or a JSON value as `ndjsonLine` writes it.
   */
  private cell(v: string | number | null): Uint8Array {
    let cell = this.cellCache.get(v);
    if (!cell) {
      const json = v === null || (typeof v === 'number' && !Number.isFinite(v)) ? 'null' : JSON.stringify(v);
      cell = encoder.encode(this.format === 'csv' ? csvField(spreadsheetSafe(v)) : json);
      if (this.cellCache.size < 4096) this.cellCache.set(v, cell);
    }
    return cell;
  }

  /** The lead's id: its bytes as they are where they need no change, else typed and written as the table path does. */
  private idCell(bytes: Uint8Array, i: number, rowNumber: number): void {
    if (this.idAt < 0) {
      this.sink.ascii(String(rowNumber));
      return;
    }
    const start = this.idStart[i]!;
    const end = this.idEnd[i]!;
    // The id's text: the field, or inside its quotes (when none is inside, the quotes are all there is to drop).
    const quoted = end - start >= 2 && bytes[start] === QUOTE && bytes[end - 1] === QUOTE;
    const from = quoted ? start + 1 : start;
    const to = quoted ? end - 1 : end;
    if (this.format === 'ndjson') {
      // A JSON string of the id's text (plain ASCII with no quote or backslash as it is), null where missing.
      let plain = !this.idTyped && to - from > this.longestToken;
      for (let k = from; plain && k < to; k++) {
        const b = bytes[k]!;
        plain = b > 32 && b < 127 && b !== QUOTE && b !== 92;
      }
      if (plain) {
        this.sink.put(QUOTE);
        this.sink.range(bytes, from, to);
        this.sink.put(QUOTE);
        return;
      }
      const v = typeColumn([fieldText(bytes.subarray(start, end))], this.idSchema!, this.tokens)[0];
      this.sink.text(v === null || v === undefined ? 'null' : JSON.stringify(String(v)));
      return;
    }
    if (!this.idTyped && to - from > this.longestToken) {
      let plain = !startsFormula(bytes[from]!);
      for (let k = from; plain && k < to; k++) {
        const b = bytes[k]!;
        plain = b > 32 && b < 127 && b !== QUOTE && b !== 44;
      }
      if (plain) {
        this.sink.range(bytes, from, to);
        return;
      }
    }
    const text = fieldText(bytes.subarray(start, end));
    const v = typeColumn([text], this.idSchema!, this.tokens)[0];
    this.sink.write(encoder.encode(csvField(spreadsheetSafe(v === null || v === undefined ? null : String(v)))));
  }
}

/** An output buffer of CSV bytes, grown as needed, with the writers of the score columns. */
export class ByteSink {
  out = new Uint8Array(1 << 16);
  used = 0;

  /** The bytes written since the last `take`, as their own array. */
  take(): Uint8Array {
    const bytes = this.out.slice(0, this.used);
    this.used = 0;
    return bytes;
  }

  /** `Number(p.toFixed(6))` as text (the probability column), from integer digits where no tie is near. */
  probability(p: number): void {
    const x = p * 1e6;
    const k = Math.round(x);
    if (!(p >= 0 && p <= 1) || Math.abs(x - Math.floor(x) - 0.5) < 1e-6) {
      this.ascii(String(Number(p.toFixed(6))));
      return;
    }
    if (k === 0 || k === 1e6) {
      this.put(k === 0 ? 48 : 49);
      return;
    }
    this.reserve(8);
    const out = this.out;
    out[this.used++] = 48;
    out[this.used++] = 46;
    let digits = 6;
    let rest = k;
    while (rest % 10 === 0) {
      rest /= 10;
      digits--;
    }
    for (let d = digits - 1; d >= 0; d--) {
      out[this.used + d] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.used += digits;
  }

  /** `Math.round(p * 1000) / 10` as text (the score column): tenths of a point. */
  score(p: number): void {
    const m = Math.round(p * 1000);
    if (!(m >= 0 && m <= 1000)) {
      this.ascii(String(m / 10));
      return;
    }
    const whole = Math.floor(m / 10);
    const tenth = m - whole * 10;
    if (whole >= 100) this.put(48 + Math.floor(whole / 100));
    if (whole >= 10) this.put(48 + (Math.floor(whole / 10) % 10));
    this.put(48 + (whole % 10));
    if (tenth > 0) {
      this.put(46);
      this.put(48 + tenth);
    }
  }

  reserve(bytes: number): void {
    if (this.used + bytes > this.out.length) this.out = grown(this.out, this.used + bytes);
  }

  put(byte: number): void {
    if (this.used >= this.out.length) this.reserve(1);
    this.out[this.used++] = byte;
  }

  write(cell: Uint8Array): void {
    this.range(cell, 0, cell.length);
  }

  /** `bytes[start, end)` (short ones copied byte by byte: cheaper than a typed-array copy or a subarray). */
  range(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.reserve(length);
    const out = this.out;
    let used = this.used;
    if (length <= 32) for (let k = start; k < end; k++) out[used++] = bytes[k]!;
    else {
      out.set(bytes.subarray(start, end), used);
      used += length;
    }
    this.used = used;
  }

  ascii(text: string): void {
    this.reserve(text.length);
    for (let k = 0; k < text.length; k++) this.out[this.used++] = text.charCodeAt(k);
  }

  /** Any text, as UTF-8. */
  text(text: string): void {
    if (/^[\x00-\x7f]*$/.test(text)) this.ascii(text);
    else this.write(encoder.encode(text));
  }
}

const byteScorers = new WeakMap<Scorer, ByteScorer | null>();

/** Scores a chunk by the byte path when it applies (null: score it the table way). */
export function scoreChunkBytes(scorer: Scorer, job: ChunkJob, format: 'csv' | 'ndjson'): ChunkResult | null {
  let fast = byteScorers.get(scorer);
  if (fast === undefined || (fast && !fast.fits(job, format))) {
    fast = ByteScorer.for(scorer, job, format);
    byteScorers.set(scorer, fast);
  }
  return fast ? fast.score(job) : null;
}
