/**
 * The streaming scorer's byte path, an accelerator for CSV input to CSV or NDJSON output: a chunk's bytes
 * are scanned once (scan.ts, cell-tables.ts), and each cell that scoring reads is looked up in its column's
 * dictionary of distinct cells by its bytes, without making a string. Everything that depends on that one
 * cell is worked out once per distinct cell (`learn`), by the same code as the table path (`typeColumn`,
 * the pipelines' per-value encoders, `linearScores`, the rule conditions `bindRules` compiles,
 * `isWrongType`, `valueWords`): the model's numbers (model-cells.ts), each rule condition's answer, whether
 * it is an unseen category or of the wrong type, a date's out-of-range note, the text a kept column shows
 * and a logistic reason's text. What is left per row is lookups, the model's sums, the decisions
 * (decisions.ts), picking reasons (reasons.ts) and writing bytes (writer.ts).
 *
 * The table path (stream.ts `scoreChunk`) is the definition of the output, and this path writes the same
 * bytes (tested on the sample, on quoted and ragged CSV and on random cells, for every option it takes).
 * Which jobs it takes is an allow-list (allow-list.ts); a layout it cannot plan (plan.ts), or a chunk it
 * does not take — a value of the wrong type (the table path reports or rejects it), a record with more
 * fields than the header, an unterminated quote, a byte order mark — is scored the table way.
 * Dictionaries are kept across chunks and cleared when one passes 65,536 distinct cells; a column whose
 * last chunk was then mostly new cells (unique revenues, say) becomes an append column, each cell an entry
 * of its own without a hash or a look-up, cleared before each chunk. A numeric column's plain numbers are
 * read from their bytes (`plainNumber`), not from text.
 */
import { type ActivityAggregates, aggregateActivities } from '../../data/activities/activities.ts';
import { resolveAsOf } from '../../data/activities/as-of.ts';
import { csvField } from '../../data/io/csv.ts';
import type { Dataset } from '../../data/io/dataset.ts';
import { plainBytesReadable } from '../../data/types/plain-number.ts';
import { MISSING, REFERENCE } from '../../data/io/plain-numbers.ts';
import { isWrongType } from '../../data/types/reading.ts';
import { typeColumn } from '../../data/types/typing.ts';
import { spreadsheetSafe } from '../../data/io/write.ts';
import { outsideRange, outsideRangeText } from '../../features/date-range.ts';
import { applyCalibrator } from '../../models/calibration.ts';
import { codeValues } from '../../models/gbdt/predict.ts';
import { type ChunkJob, type ChunkResult, emptyChunkResult } from '../chunk.ts';
import { pickReasons, type ReasonCode, reasonText } from '../reasons.ts';
import { type Scorer, valueWords } from '../score.ts';
import { refusal, startsWithBom } from './allow-list.ts';
import { CellTables } from './cell-tables.ts';
import { DecisionSegments } from './decisions.ts';
import { cellNumbers, perCellOf, type RowFeatures, scoreRows } from './model-cells.ts';
import { cellWords, type ColumnState, type FastFormat, layoutOf, type Plan, planFor, tableView } from './plan.ts';
import { LinearReasons } from './reasons.ts';
import { RowWriter } from './row-writer.ts';
import { ChunkScan, fieldText } from './scan.ts';
import { grown } from '../../data/io/typed-arrays.ts';
import { AT, ByteSink, CellBytes, utf8, writeId } from './writer.ts';

const LF = 10;
/** A column's dictionary is cleared, at the start of a chunk, once it holds more distinct cells than this. */
const MAX_DISTINCT = 1 << 16;
/**
 * A column whose dictionary passed MAX_DISTINCT while at least this share of its last chunk's cells were
 * new appends from then on: each cell a new entry, no hash and no look-up (`CellTables.setAppend`).
 */
const APPEND_SHARE = 0.5;
/**
 * Or sooner, once it holds this many cells: when at least EARLY_APPEND_SHARE of its last chunk's cells were
 * new, and that share has not fallen below EARLY_STEADY of its share since it was cleared (unique values
 * beside a few repeated ones, such as a unique revenue or a missing one, keep their share; a column of some
 * tens of thousands of values repeating sees its share fall as the dictionary fills, and keeps it). Growing a
 * dictionary to MAX_DISTINCT first cost a 1M distinct leads' run 67 ms in memory first touched and copied.
 */
const EARLY_APPEND_CELLS = 8192;
const EARLY_APPEND_SHARE = 0.8;
const EARLY_STEADY = 0.95;

/** The activity features of a chunk's leads: their ids, scoring times and aggregates, as the table path joins them. */
interface ChunkActivity {
  ids: unknown[];
  asOf: number | Float64Array;
  aggregates: ActivityAggregates;
}

/** A scorer's byte path for one input layout (header, delimiter, schema), built on its first chunk. */
export class ByteScorer {
  private readonly layout: string;
  private seen: Pick<ChunkJob, 'schema' | 'header' | 'delimiter'>;
  /** The read columns' distinct cells (by slot) and the chunk's scan, in WebAssembly. */
  private readonly tables: CellTables;
  private readonly scan: ChunkScan;
  private readonly sink = new ByteSink();
  private readonly cells: CellBytes;
  /** NDJSON: each output column's `{"name":` / `,"name":` bytes. */
  private readonly keys: Uint8Array[];
  private readonly decisions: DecisionSegments;
  private readonly linearReasons: LinearReasons;
  /** The rows of the last chunk scanned. */
  private rows = 0;
  /** Whether the missing-value tokens let numbers be read from their bytes (`plainBytesReadable`). */
  private readonly plainNumbers: boolean;
  /** CSV rows without reasons numbered and written in WebAssembly (null where it does not take the plan's rows). */
  readonly rowWriter: RowWriter | null;

  /** The byte path for this scorer and layout, or null where it does not take it (the table path then does all). */
  static for(scorer: Scorer, job: ChunkJob, format: FastFormat): ByteScorer | null {
    if (refusal(scorer, job, format) !== null) return null;
    const plan = planFor(scorer, job, format);
    const tables = plan && CellTables.create(plan.columns.length, plan.slotOf); // null only without WebAssembly
    return plan && tables ? new ByteScorer(plan, job, tables) : null;
  }

  private constructor(readonly plan: Plan, job: ChunkJob, tables: CellTables) {
    this.layout = layoutOf(job);
    this.seen = { schema: job.schema, header: job.header, delimiter: job.delimiter };
    this.tables = tables;
    this.scan = new ChunkScan(this.tables, plan.columns, plan.slotOf, plan.idAt);
    this.cells = new CellBytes(plan.format);
    this.keys = plan.names.map((name, c) => utf8(`${c === 0 ? '{' : ','}${JSON.stringify(name)}:`));
    this.decisions = new DecisionSegments(plan, this.cells, this.keys);
    this.rowWriter = RowWriter.for(plan, tables, this.decisions);
    this.linearReasons = new LinearReasons(plan.reasonNames, plan.reasonWords, plan.reasons, this.sink);
    this.plainNumbers = plainBytesReadable(false, plan.tokens);
  }

  /** Whether this byte path was built for the layout (header, delimiter, schema) of `job`. */
  fits(job: ChunkJob, format: FastFormat): boolean {
    if (format !== this.plan.format) return false;
    // The same objects chunk after chunk on one thread; a worker receives copies and compares their text.
    if (job.schema === this.seen.schema && job.header === this.seen.header && job.delimiter === this.seen.delimiter) return true;
    if (layoutOf(job) !== this.layout) return false;
    this.seen = { schema: job.schema, header: job.header, delimiter: job.delimiter };
    return true;
  }

  /**
   * Scores a chunk of whole CSV records, or null when the table path must: scan → learn the new cells →
   * (a wrong-typed value: null) → activity features → features computed per row → model → calibration →
   * decisions → counts → rows written.
   */
  score(job: ChunkJob): ChunkResult | null {
    const { bytes } = job;
    if (startsWithBom(bytes)) return null;
    this.clearDictionaries();
    const n = this.scan.scan(bytes, job.delimiter.charCodeAt(0), job.header.length);
    if (n < 0) return null;
    this.rows = n;
    this.plan.columns.forEach((column, slot) => this.learn(slot, column));
    if (this.hasWrongType(n)) return null;
    const result = emptyChunkResult();
    if (n === 0) return result;
    const activity = this.activityOf(job, bytes, n);
    const perRow = this.rowFeatures(job, n, activity);
    if (!perRow) return null; // the table path reports the missing feature
    // The rows still to come, at this chunk's bytes per row (for the forest's leaf masks: predict.ts).
    const rowsAhead = job.bytesAhead ? Math.round((job.bytesAhead * n) / bytes.length) : 0;
    const { raw, contributions } = scoreRows(this.plan, n, perRow, job.threads, rowsAhead);
    const probability = applyCalibrator(this.plan.scorer.loaded.artifact.calibration, raw, raw); // in place: raw is this chunk's own
    const { first, second } = this.rowWriter?.decide(probability, result) ?? this.decisions.decide(probability, activity, result);
    this.countNotes(n, result);
    this.writeRows(job, probability, contributions, perRow, first, second);
    result.names = this.plan.names;
    if (typeof activity?.asOf === 'number') result.asOf = activity.asOf;
    const { bytes: encoded, release } = this.sink.lend();
    result.encoded = encoded;
    result.release = release;
    result.rows = n;
    return result;
  }

  /**
   * Clears, before a chunk, the dictionaries of append columns and those that have passed MAX_DISTINCT
   * cells; of these, a column whose last chunk was mostly new cells becomes an append column (its cells are
   * then worked out once a row, as they would be anyway, without being hashed and looked up first), as does
   * one of steadily new cells past EARLY_APPEND_CELLS.
   */
  private clearDictionaries(): void {
    for (const [slot, column] of this.plan.columns.entries()) {
      const size = this.tables.size(slot);
      const early = !column.append && size >= EARLY_APPEND_CELLS && column.added >= EARLY_APPEND_SHARE * this.rows
        && column.added * column.seen >= EARLY_STEADY * size * this.rows;
      if (!column.append && size <= MAX_DISTINCT && !early) continue;
      if (!column.append && (early || column.added >= APPEND_SHARE * this.rows)) {
        column.append = true;
        this.tables.setAppend(slot, true);
      } else this.tables.clear(slot);
      column.done = 0;
      column.seen = 0;
      column.wrongCount = 0;
      column.unseenCount = 0;
    }
  }

  /** Whether a row of the chunk holds a value of the wrong type in a checked column. */
  private hasWrongType(n: number): boolean {
    for (const column of this.plan.columns) {
      if (column.wrongCount === 0) continue;
      const wrong = column.wrongType!;
      for (let i = 0; i < n; i++) if (wrong[column.rows[i]!] === 1) return true;
    }
    return false;
  }

  /** A read column's typed value per row of the chunk. */
  private perRowValues(header: readonly string[], name: string, n: number): unknown[] {
    const column = this.plan.columns[this.plan.slotOf[header.indexOf(name)]!]!;
    return Array.from({ length: n }, (_, i) => column.typed[column.rows[i]!]);
  }

  /** Activity features: each lead's events as of its scoring time, as the table path joins them (null without). */
  private activityOf(job: ChunkJob, bytes: Uint8Array, n: number): ChunkActivity | null {
    const { plan } = this;
    if (!plan.activity) return null;
    const texts = Array.from({ length: n }, (_, i) => fieldText(bytes.subarray(this.scan.idStart[i]!, this.scan.idEnd[i]!)));
    const ids = typeColumn(texts, plan.idSchema!, plan.tokens);
    const view = { schema: job.schema, table: tableView((name: string) => this.perRowValues(job.header, name, n), n) } as unknown as Dataset;
    const asOf = resolveAsOf(plan.activity.asOf, view);
    return { ids, asOf, aggregates: aggregateActivities(plan.scorer.log!, ids as ArrayLike<string | null>, asOf) };
  }

  /** The specs computed per row (activity aggregates, dates' ages from per-lead scoring times): values and numbers; null where an aggregate is missing. */
  private rowFeatures(job: ChunkJob, n: number, activity: ChunkActivity | null): RowFeatures | null {
    const { plan } = this;
    const perRow: RowFeatures = { values: new Map(), numbers: new Map(), ...(activity ? { asOf: activity.asOf } : {}) };
    for (const k of plan.rowSpecs) {
      const name = plan.specs[k]!.column;
      let values: unknown[];
      if (plan.specs[k]!.kind === 'date' && job.header.includes(name)) values = this.perRowValues(job.header, name, n);
      else {
        const aggregate = activity?.aggregates.columns[name];
        if (!aggregate) return null;
        values = Array.from(aggregate, (v) => (Number.isNaN(v) ? null : v));
      }
      perRow.values.set(k, values);
      perRow.numbers.set(k, perCellOf(plan.scorer, k, values, undefined, activity?.asOf));
    }
    return perRow;
  }

  /** Unseen categories (in spec order, as `encode` counts them) and dates outside the training dates, per column. */
  private countNotes(n: number, result: ChunkResult): void {
    for (const column of this.plan.specColumns) {
      if (column.unseenCount === 0) continue; // no row can hold an unseen category
      let count = 0;
      for (let i = 0; i < n; i++) count += column.unseen[column.rows[i]!]!;
      if (count > 0) result.unseen[column.name] = count;
    }
    for (const column of this.plan.rangeColumns) {
      let count = 0;
      for (let i = 0; i < n; i++) if (column.outside[column.rows[i]!]) count++;
      if (count > 0) result.outOfRange[column.name] = count;
    }
  }

  /** The rows' output, row by row, column by column: a CSV field after a comma, or a JSON value after its key. */
  private writeRows(job: ChunkJob, probability: Float64Array, contributions: Float64Array | null, perRow: RowFeatures, first: Int32Array, second: Int32Array): void {
    const { plan, sink, keys } = this;
    // A CSV row without reasons, notes, reason codes or kept columns: its id, then `ByteSink.scoreRow`; in
    // WebAssembly where the row writer takes it (row-writer.ts).
    if (plan.format === 'csv' && plan.reasons === 0 && plan.rangeColumns.length === 0 && !plan.reasonCodes && plan.keepColumns.length === 0) {
      const reference = (i: number) => {
        writeId(sink, plan, this.scan, job.bytes, i, job.firstRow + i + 1);
        sink.scoreRow(probability, i, this.decisions.csvTail(first[i]!, second[i]!));
      };
      if (this.rowWriter) this.rowWriter.write(sink, probability.length, this.scan.wasmRows, probability, first, second, reference);
      else for (let i = 0; i < probability.length; i++) reference(i);
      return;
    }
    const segments = this.decisions.segments;
    const valueText = (row: number, name: string) => {
      const column = plan.reasonWords[plan.reasonNames.indexOf(name)];
      if (column) return cellWords(column, column.rows[row]!);
      return valueWords(perRow.values.get(plan.specs.findIndex((s) => s.column === name))![row], 'numeric');
    };
    const rowValue = (row: number, g: number) => valueText(row, plan.reasonNames[g]!);
    // Where every contribution is a cell's own (`plan.cellReasons`), each cell's reason text is made once and
    // no matrix of contributions is made: `pickReasons` reads the row's from its cells.
    const cellReasons = plan.reasons > 0 && plan.cellReasons;
    const pick = plan.reasons === 0 ? null : (i: number): ReasonCode[] => (contributions
      ? pickReasons({ columns: plan.reasonNames, values: contributions, valueText }, i, plan.reasons)
      : pickReasons({ columns: plan.reasonNames, values: this.linearReasons.rowContributions(i), valueText: (_row, name) => valueText(i, name) }, 0, plan.reasons));
    const json = plan.format === 'ndjson';
    const next = (c: number) => {
      if (json) sink.write(keys[c]!);
      else if (c > 0) sink.put(44);
    };
    for (let i = 0; i < probability.length; i++) {
      next(0);
      writeId(sink, plan, this.scan, job.bytes, i, job.firstRow + i + 1);
      next(AT.probability);
      sink.probability(probability[i]!);
      next(AT.score);
      sink.score(probability[i]!);
      sink.write(segments[first[i]!]!); // tier, grade, action
      next(AT.reasons);
      let codes: ReasonCode[] | null = null;
      let picked = 0;
      // A lead dated outside the training dates: its reasons end with a note saying so (as `scoreDataset` writes them).
      let note = '';
      for (const column of plan.rangeColumns) {
        const text = column.outside[column.rows[i]!]!;
        if (text) note = note ? `${note}; ${text}` : text;
      }
      if (note) {
        codes = pick ? pick(i) : null;
        const text = codes && codes.length > 0 ? `${reasonText(codes)}; ${note}` : note;
        sink.write(utf8(json ? JSON.stringify(text) : csvField(spreadsheetSafe(text))));
      } else if (json) {
        if (cellReasons) picked = this.linearReasons.json(i);
        else {
          codes = pick ? pick(i) : null;
          sink.text(JSON.stringify(codes ? reasonText(codes) : ''));
        }
      } else if (pick && !(cellReasons ? this.linearReasons.csv(i) : this.linearReasons.rowCsv(contributions!, i, rowValue))) {
        sink.write(utf8(csvField(spreadsheetSafe(reasonText(pick(i))))));
      }
      sink.write(segments[second[i]!]!); // rule score, rule tier, model
      let c = AT.model + 1;
      if (plan.reasonCodes) {
        next(c++);
        if (cellReasons && !note) this.linearReasons.codes(picked, i); // the picks of the reasons text above
        else sink.text(JSON.stringify(codes ?? []));
      }
      for (const column of plan.keepColumns) {
        next(c++);
        sink.write(column.keep![column.rows[i]!]!);
      }
      if (json) sink.put(125);
      sink.put(LF);
    }
  }

  /**
   * Cells from..to−1 of a column typed as `typeColumn` types their text, with that text; a numeric column's
   * plain numbers and empty cells (where `plainBytesReadable` allows) are read from their bytes, with no text
   * (the same double `Number` gives, or null; a plain number is never a missing-value token there, nor of the
   * wrong type, and an empty cell is missing).
   */
  private typeCells(slot: number, column: ColumnState, from: number, to: number): { typed: unknown[]; texts: Array<string | undefined> } {
    const { tokens } = this.plan;
    const texts = new Array<string | undefined>(to - from);
    if (!(column.schema.type === 'numeric' && this.plainNumbers && !column.schema.decimalComma)) {
      for (let id = from; id < to; id++) texts[id - from] = fieldText(this.tables.cell(slot, id));
      return { typed: typeColumn(texts as string[], column.schema, tokens), texts };
    }
    const { values, status } = this.tables.plainNumbers(slot, from, to);
    const typed = new Array<unknown>(to - from);
    const rest: number[] = [];
    for (let k = 0; k < values.length; k++) {
      const state = status[k]!;
      if (state === REFERENCE) {
        rest.push(k);
        texts[k] = fieldText(this.tables.cell(slot, from + k));
      } else typed[k] = state === MISSING ? null : values[k];
    }
    if (rest.length > 0) {
      const restTyped = typeColumn(rest.map((k) => texts[k]!), column.schema, tokens);
      rest.forEach((k, r) => (typed[k] = restTyped[r]));
    }
    return { typed, texts };
  }

  /** Works out what is known of the cells a column met for the first time in this chunk. */
  private learn(slot: number, column: ColumnState): void {
    const { plan } = this;
    const from = column.done;
    const to = this.tables.size(slot);
    column.added = to - from;
    column.seen += this.rows;
    if (to === from) return;
    const { typed, texts } = this.typeCells(slot, column, from, to);
    setCells(column.typed, from, typed);
    if (column.wrongType) {
      column.wrongType = grown(column.wrongType, to);
      for (let k = 0; k < typed.length; k++) {
        // A cell read as a plain number has no text here, and is not of the wrong type.
        const text = texts[k];
        const wrong = text !== undefined && isWrongType(typed[k], text, plan.tokens) ? 1 : 0;
        column.wrongType[from + k] = wrong;
        column.wrongCount += wrong;
      }
    }
    const range = column.range;
    if (range) for (let k = 0; k < typed.length; k++) column.outside[from + k] = outsideRange(range, typed[k]) ? outsideRangeText(range, typed[k] as number) : '';
    if (column.wordsNeeded) {
      // Made on first use (`cellWords`, and `LinearReasons.rowCsv`'s phrases for a tree model's reasons or
      // a logistic model's with activity features); a cleared dictionary numbers its cells afresh.
      emptyCells(column.words, from, to);
      emptyCells(column.phrases, from, to);
    }
    if (column.spec >= 0) {
      const unseen = new Uint8Array(typed.length);
      const withContribution = plan.reasons > 0 && !plan.trees;
      const { perCell, contribution } = cellNumbers(plan.scorer, column.spec, typed, { unseen, ...(withContribution ? { contributionOf: column.name } : {}) });
      perCell.forEach((values, k) => {
        column.perCell[k] = grown(column.perCell[k]!, to);
        column.perCell[k]!.set(values, from);
        const slot = plan.forest ? plan.forestSlot[column.featureOf[k]!]! : -1;
        if (slot >= 0) {
          column.codes[k] = grown(column.codes[k]!, to);
          codeValues(plan.forest!, slot, values, 0, values.length, column.codes[k]!, from);
        }
      });
      column.unseen = grown(column.unseen, to);
      column.unseen.set(unseen, from);
      for (let k = 0; k < unseen.length; k++) column.unseenCount += unseen[k]!;
      if (contribution) {
        column.contribution = grown(column.contribution, to);
        column.contribution.set(contribution, from);
        // Each cell's reason bytes are made when a row first picks it (reasons.ts `LinearReasons`).
        emptyCells(plan.format === 'ndjson' ? column.jsonItems : column.items, from, to);
        if (plan.reasonCodes) emptyCells(column.jsonCodes, from, to);
      }
    }
    for (const condition of column.conditions) {
      condition.truth = grown(condition.truth, to);
      for (let id = from; id < to; id++) condition.truth[id] = condition.predicate(id) ? 1 : 0;
    }
    plan.ruleCells?.learn(column, from, to);
    if (column.keep) {
      for (let id = from; id < to; id++) column.keep[id] = this.cells.cell(valueWords(column.typed[id], column.schema.type) || null);
    }
    column.done = to;
  }

}

/**
 * Cells from, from + 1, … of a per-cell array set to `values`: written over in place where the array
 * already reaches (a cleared dictionary numbers its cells from 0 again, and the array keeps its room: growing
 * it afresh cost a tenth of a logistic run's time in memory first touched), pushed past its end (V8 keeps an
 * array written far past its end as a slow dictionary). Cells past the last set are stale; none is read.
 */
function setCells<T>(cells: T[], from: number, values: ArrayLike<T>): void {
  const end = Math.min(cells.length, from + values.length);
  for (let id = from; id < end; id++) cells[id] = values[id - from]!;
  for (let id = Math.max(end, cells.length); id < from + values.length; id++) cells.push(values[id - from]!);
}

/** Cells from..to−1 of a per-cell cache made on first use, emptied. */
function emptyCells<T>(cache: Array<T | undefined>, from: number, to: number): void {
  const end = Math.min(cache.length, to);
  for (let id = from; id < end; id++) cache[id] = undefined;
  while (cache.length < to) cache.push(undefined);
}

const byteScorers = new WeakMap<Scorer, ByteScorer | null>();

/** Scores a chunk by the byte path when it takes it (null: score it the table way). */
export function scoreChunkBytes(scorer: Scorer, job: ChunkJob, format: FastFormat): ChunkResult | null {
  let fast = byteScorers.get(scorer);
  if (fast === undefined || (fast && !fast.fits(job, format))) {
    fast = ByteScorer.for(scorer, job, format);
    byteScorers.set(scorer, fast);
  }
  return fast ? fast.score(job) : null;
}

/** What `scorer`'s row writer did (row-writer.ts): chunks it numbered, rows it wrote and rows it left to writer.ts; null without one. */
export function rowWriterCounts(scorer: Scorer): { decided: number; written: number; leftToReference: number } | null {
  const writer = byteScorers.get(scorer)?.rowWriter;
  return writer ? { decided: writer.decided, written: writer.written, leftToReference: writer.leftToReference } : null;
}

/** The columns `scorer`'s byte path reads as append columns now (`CellTables.setAppend`), by name. */
export function appendColumns(scorer: Scorer): string[] {
  return byteScorers.get(scorer)?.plan.columns.filter((c) => c.append).map((c) => c.name) ?? [];
}
