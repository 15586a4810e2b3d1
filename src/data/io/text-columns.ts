/**
 * The typed CSV reader's columns that are not read as numbers (columnar.ts decides which from its sample):
 * text kept as each cell's level with the levels counted as they come (`TextBuilder`), and times written one
 * fixed ISO way parsed from their bytes into epoch milliseconds (`TimeBuilder`), which hands itself to the
 * text path at a time written otherwise. Both end in the reference inference's schema and the reference
 * typing's values (test/data/io/columnar.test.ts holds them to the reference reading).
 */
import { ByteDictionary, hashBytes } from './byte-dictionary.ts';
import { type ColumnBuilder, Misfit, type RecordBatch } from './column-builder.ts';
import { DISTINCT_CAP, NumberColumn } from './number-column.ts';
import { detectDateFormat, formatIsoLayout, ISO_LAYOUT_LABELS, type IsoLayout, isoLayoutOf, parseIsoLayout } from '../types/dates.ts';
import { typeColumn } from '../types/typing.ts';
import { firstOfEqual } from '../types/distinct.ts';
import { grown } from './typed-arrays.ts';
import { isMissing } from '../types/missing.ts';
import { CHECKED_TYPES, type ColumnReading, columnWithReading, isWrongType } from '../types/reading.ts';
import { type ColumnSchema, inferColumn, inferCounted, type InferOptions, type TextCounts } from '../types/schema.ts';
import { thousands } from '../../thousands.ts';

/** Distinct cells per text column whose strings are shared (and, met as bytes, looked up rather than decoded). */
const SHARED_CELLS = 1 << 16;

/**
 * A text column's levels and their counts seen as the map of counts the reference inference reads (in the
 * order first met), without copying a million levels into a new map.
 */
export class LevelCounts implements TextCounts {
  constructor(private readonly levels: readonly string[], private readonly counts: ArrayLike<number>, private readonly levelOf: (text: string) => number | undefined) {}

  get size(): number {
    return this.levels.length;
  }

  get(text: string): number | undefined {
    const level = this.levelOf(text);
    return level === undefined ? undefined : this.counts[level];
  }

  keys(): Iterable<string> {
    return this.levels;
  }

  /** The levels and counts in order, by a plain iterator: a generator's resumption cost ~0.1 s over a million levels. */
  [Symbol.iterator](): Iterator<[string, number]> {
    const { levels, counts } = this;
    let k = 0;
    return {
      next: (): IteratorResult<[string, number]> => (k < levels.length ? { done: false, value: [levels[k]!, counts[k++]!] } : { done: true, value: undefined }),
    };
  }
}

/**
 * Levels after which a column of a new level per row (an id) of a long file stops looking its cells up and
 * takes each as a new level, its repeats found at the end (`newLevel`, `finish`).
 */
export const ID_LEVELS = 50_000;

/** A text column's cell that is missing. */
const MISSING = -1;

/**
 * Any other column: each cell's level (its trimmed text; missing as `MISSING`) as it comes, the levels in the
 * order first met with their counts, so that the reference inference (`inferCounted`) reads the column's
 * schema without counting its rows again. Cells met as bytes are looked up in a dictionary of the column's
 * cells seen so far (up to `SHARED_CELLS` of them), so a level is decoded once, not once per row. At the end
 * a text column's rows share one string per level; a typed one (boolean, date) is typed level by level by
 * the reference typing (`typeColumn`), exact since a cell's typed value depends on its trimmed text alone.
 *
 * A column whose first `ID_LEVELS` rows were all new levels, in a file expected to hold more rows (an id),
 * then takes each cell as a new level without looking it up: in a table of a million levels nearly every
 * lookup missed the processor's cache (a quarter of a second of a million-row read, BENCHMARKS.md session
 * 16). `finish` finds any repeats among the levels at once (`firstOfEqual`) and merges them, so the levels,
 * their order first met, their counts and every row's level are what the lookups would have given.
 */
export class TextBuilder implements ColumnBuilder {
  /** Each row's level, or MISSING. */
  private codes = new Int32Array(1 << 16);
  private rows = 0;
  /** The levels in the order first met, their counts, and each one's place by its text's UTF-8 bytes. */
  private levels: string[] = [];
  private levelCounts: number[] = [];
  /** The number of levels (the arrays above hold room for more once `appending`, until `finish`). */
  private size = 0;
  private readonly levelOf = new ByteDictionary<number>(Infinity);
  /** Each level's `hashBytes` hash of its text's UTF-8 bytes. */
  private levelHashes: Int32Array = new Int32Array(256);
  /** Whether levels are taken as new without a lookup (an id column: see the class's comment). */
  private appending = false;
  private missing = 0;
  /** A cell's bytes → its level (or MISSING), for cells that are not their own text (see `addBytes`). */
  private readonly cells = new ByteDictionary<number>(SHARED_CELLS);
  /** The longest missing-value token: a longer cell is missing only if trimming shortens it. */
  private readonly longestToken: number;
  /** The rows the reader expects (`reserve`). */
  private expected = 0;
  /** Room for a text's UTF-8 bytes, to look it up in `levelOf`. */
  private scratch = Buffer.allocUnsafe(256);

  /** `trained`: the column as the training file read it (type, yes/no words, date format). */
  constructor(private readonly name: string, private readonly tokens: ReadonlySet<string>, private readonly options: InferOptions, private readonly trained?: ColumnReading) {
    this.longestToken = Math.max(0, ...[...tokens].map((t) => t.length));
  }

  add(raw: string, _row?: number): void {
    this.push(this.levelIndex(raw));
  }

  /**
   * A cell of printable ASCII that starts and ends with a visible character and is longer than every
   * missing-value token is its own level's text, byte for byte: its level is found by its bytes, and decoded
   * only when new (a column of a million distinct ids makes a string per id and no map entry). Any other cell
   * is looked up among the cells met so far (up to `SHARED_CELLS` of them), else read as text.
   */
  addBytes(bytes: Buffer, start: number, end: number, _row?: number): void {
    if (end - start > this.longestToken && ownText(bytes, start, end)) {
      const hash = hashBytes(bytes, start, end);
      let level = this.appending ? undefined : this.levelOf.find(hash, bytes, start, end);
      if (level === undefined) level = this.newLevel(bytes.toString('latin1', start, end), bytes, start, end, hash);
      this.push(level);
      return;
    }
    let level = this.cells.get(bytes, start, end);
    if (level === undefined) {
      level = this.levelIndex(bytes.toString('utf8', start, end));
      this.cells.set(bytes, start, end, level);
    }
    this.push(level);
  }

  addBatch(bytes: Buffer, batch: RecordBatch, c: number): void {
    const { starts, ends, texts, width, count, firstRow } = batch;
    for (let r = 0, at = c; r < count; r++, at += width) {
      const start = starts[at]!;
      if (start < 0) this.add(texts[-1 - start]!, firstRow + r);
      else this.addBytes(bytes, start, ends[at]!, firstRow + r);
    }
  }

  /** A raw cell's level, added when new; MISSING when missing. */
  private levelIndex(raw: string): number {
    if (isMissing(raw, this.tokens)) return MISSING;
    const text = raw.trim();
    const n = this.encode(text);
    return (this.appending ? undefined : this.levelOf.get(this.scratch, 0, n)) ?? this.newLevel(text, this.scratch, 0, n);
  }

  /**
   * A text's level, or undefined (the inference's view of the counts, asked for a few texts). Past the
   * lookups (`appending`), the levels' hashes are scanned: a millisecond for a million.
   */
  private levelOfText(text: string): number | undefined {
    const n = this.encode(text);
    if (!this.appending) return this.levelOf.get(this.scratch, 0, n);
    const hash = hashBytes(this.scratch, 0, n);
    for (let k = 0; k < this.size; k++) if (this.levelHashes[k] === hash && this.levels[k] === text) return k;
    return undefined;
  }

  /** Writes a text's UTF-8 bytes into `scratch`; their length. */
  private encode(text: string): number {
    if (3 * text.length > this.scratch.length) this.scratch = Buffer.allocUnsafe(3 * text.length);
    return this.scratch.write(text, 0, 'utf8');
  }

  /**
   * Adds a level: its text, and its text's UTF-8 bytes `b[start, end)` (of `hashBytes` `hash`). A column whose
   * every row so far was a new level, in a file expected to hold more rows than `ID_LEVELS` (an id), takes
   * its later cells as new levels without looking them up (`appending`).
   */
  private newLevel(text: string, b: Uint8Array, start: number, end: number, hash = hashBytes(b, start, end)): number {
    const level = this.size++;
    this.levels[level] = text;
    this.levelCounts[level] = 0;
    this.levelHashes = grown(this.levelHashes, level + 1);
    this.levelHashes[level] = hash;
    if (!this.appending) this.levelOf.insert(hash, b, start, end, level);
    if (level === ID_LEVELS && this.rows === level && this.expected > level) {
      this.appending = true;
      this.levelHashes = grown(this.levelHashes, this.expected);
      // Room for a level a row at once: pushed one by one, a million levels and counts grew their arrays step
      // by step, each step a copy into memory touched for the first time (0.1-0.2 s; BENCHMARKS.md session 17).
      this.levels = withRoom(this.levels, this.expected);
      this.levelCounts = withRoom(this.levelCounts, this.expected);
    }
    return level;
  }

  /** Merges repeated levels (taken as new while `appending`) into the first of each: levels, counts and rows' codes. */
  private mergeRepeats(): void {
    const first = firstOfEqual(this.levelHashes.subarray(0, this.levels.length), this.levels);
    if (!first) return;
    const n = this.size;
    const renumbered = new Int32Array(n);
    const levels: string[] = [];
    const counts: number[] = [];
    const hashes = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      if (first[k] === k) {
        renumbered[k] = levels.length;
        hashes[levels.length] = this.levelHashes[k]!;
        levels.push(this.levels[k]!);
        counts.push(this.levelCounts[k]!);
      } else {
        renumbered[k] = renumbered[first[k]!]!; // first[k] < k: renumbered already
        counts[renumbered[k]!]! += this.levelCounts[k]!;
      }
    }
    for (let r = 0; r < this.rows; r++) if (this.codes[r] !== MISSING) this.codes[r] = renumbered[this.codes[r]!]!;
    this.levels = levels;
    this.levelCounts = counts;
    this.levelHashes = hashes;
    this.size = levels.length;
  }

  reserve(rows: number): void {
    this.expected = Math.max(this.expected, rows);
    if (rows <= this.codes.length) return;
    const grown = new Int32Array(rows);
    grown.set(this.codes);
    this.codes = grown;
  }

  private push(level: number): void {
    if (this.rows === this.codes.length) this.reserve(2 * this.codes.length);
    this.codes[this.rows++] = level;
    if (level === MISSING) this.missing++;
    else this.levelCounts[level]!++;
  }

  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    const { schema, typedLevels, present, inOrder, text } = this.finishLevels(rows);
    // A text column with none missing: the present texts (made for the inference) are its values, row by row.
    const values = inOrder ? typedLevels : text && this.missing === 0 ? present : codedValues({ codes: this.codes.subarray(0, rows), levels: typedLevels });
    this.release();
    return { schema, values };
  }

  /**
   * The finished column as its levels (typed) and each row's level, without laying the values out row by
   * row (`codedValues` does, on the thread that receives them: column-crossing.ts): a column of few levels
   * crosses between threads as a list of levels and an array of codes rather than a million texts.
   */
  finishCoded(rows: number): CodedColumn {
    const { schema, typedLevels, inOrder } = this.finishLevels(rows);
    const coded = { schema, levels: typedLevels, codes: inOrder ? null : this.codes.subarray(0, rows) };
    this.release();
    return coded;
  }

  /**
   * The column's schema (inferred over every row, from its levels) and its levels typed by it; `present`:
   * the present texts row by row (made for the inference, unless every row is a level of its own, in order).
   */
  private finishLevels(rows: number): { schema: ColumnSchema; typedLevels: unknown[]; present: string[]; inOrder: boolean; text: boolean } {
    // The levels' arrays without their spare room, then any repeats merged.
    this.levels.length = this.size;
    this.levelCounts.length = this.size;
    if (this.appending) this.mergeRepeats();
    const { codes, levels } = this;
    // Every row a level of its own (an id column): row r's level is level r, so the levels are the rows.
    const inOrder = this.missing === 0 && levels.length === rows;
    let present: string[] = levels;
    if (!inOrder) {
      present = new Array(rows - this.missing);
      for (let r = 0, k = 0; r < rows; r++) if (codes[r] !== MISSING) present[k++] = levels[codes[r]!]!;
    }
    const inferred = inferCounted(this.name, present, new LevelCounts(levels, this.levelCounts, (text) => this.levelOfText(text)), rows, this.options);
    const schema = this.trained ? columnWithReading(inferred, this.trained) : inferred;
    const text = schema.type === 'categorical' || schema.type === 'id' || schema.type === 'text' || schema.type === 'constant';
    const typedLevels: unknown[] = text ? levels : typeColumn(levels, schema, this.tokens);
    if (!text && this.trained && CHECKED_TYPES.has(schema.type)) {
      const wrong = typedLevels.map((typed, k) => isWrongType(typed, levels[k]!, this.tokens));
      for (let r = 0; r < rows; r++) {
        const level = codes[r]!;
        if (level !== MISSING && wrong[level]) throw new Misfit(`${this.name}: "${levels[level]!.slice(0, 40)}" on data row ${thousands(r + 1)} does not read as ${schema.type} the way the training file did`);
      }
    }
    return { schema, typedLevels, present, inOrder, text };
  }

  /** Lets go of the rows' codes and the levels (a finished builder is not read again). */
  private release(): void {
    this.codes = new Int32Array(0);
    this.levels = [];
    this.levelCounts = [];
    this.size = 0;
    this.levelHashes = new Int32Array(0);
  }
}

/** A finished text column as levels and codes (`TextBuilder.finishCoded`); `codes` null: row r is level r. */
export interface CodedColumn {
  schema: ColumnSchema;
  levels: unknown[];
  codes: Int32Array | null;
}

/** A coded column's values row by row: each row's level, null where missing. */
export function codedValues({ codes, levels }: Pick<CodedColumn, 'codes' | 'levels'>): unknown[] {
  if (codes === null) return levels;
  const values = new Array<unknown>(codes.length);
  for (let r = 0; r < codes.length; r++) {
    const level = codes[r]!;
    values[r] = level === MISSING ? null : levels[level];
  }
  return values;
}

/** Whether a cell's bytes are printable ASCII starting and ending with a visible character (its text is its bytes, untrimmed). */
export function ownText(b: Uint8Array, start: number, end: number): boolean {
  const first = b[start]!;
  const last = b[end - 1]!;
  if (first <= 32 || first >= 127 || last <= 32 || last >= 127) return false;
  for (let i = start + 1; i < end - 1; i++) {
    const c = b[i]!;
    if (c < 32 || c >= 127) return false;
  }
  return true;
}

/**
 * The `IsoLayout` every present value of a sampled column is written in, when they show more than
 * `DISTINCT_CAP` different texts (below that a text column's dictionary of levels reads them faster); else null.
 */
export function sampledTimeLayout(values: Iterable<string>, tokens: ReadonlySet<string>): IsoLayout | null {
  const scratch = new Uint8Array(MAX_TIME_TEXT);
  const texts = new Set<string>();
  let layout: IsoLayout | null = null;
  for (const value of values) {
    if (isMissing(value, tokens)) continue;
    const n = asciiInto(scratch, value);
    layout ??= n < 0 ? null : isoLayoutOf(scratch, 0, n);
    if (layout === null || Number.isNaN(parseIsoLayout(scratch, 0, n, layout))) return null;
    if (texts.size <= DISTINCT_CAP) texts.add(value);
  }
  return texts.size > DISTINCT_CAP ? layout : null;
}

/** The longest text of an `IsoLayout`. */
const MAX_TIME_TEXT = 24;

/** Writes a short ASCII text's codes into `into`; its length, or −1 when it is longer or not ASCII. */
function asciiInto(into: Uint8Array, text: string): number {
  const n = text.length;
  if (n > into.length) return -1;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code > 127) return -1;
    into[i] = code;
  }
  return n;
}

/**
 * A column of times written one fixed ISO way (`sampledTimeLayout`): each cell parsed from its bytes into
 * epoch ms (`parseIsoLayout`, as the reference's `parseDate` reads it), its text counted while under the cap
 * (`NumberColumn`). Since each instant has one text in the layout (`formatIsoLayout`), past the cap the
 * distinct texts and the most frequent ones are counted on the numbers, exactly. Its schema is the
 * reference's for text that is all ISO times: a datetime unless the layout is a bare date. A cell written
 * any other way (spaces, a zone, a leap second, a short row's text) hands the column to a `TextBuilder`,
 * with the rows before it rewritten from their instants (the same texts), which reads it the reference way.
 */
export class TimeBuilder extends NumberColumn implements ColumnBuilder {
  private text: TextBuilder | null = null;
  /** Why the column went to the text path, if it did. */
  note: string | null = null;
  private readonly scratch = new Uint8Array(MAX_TIME_TEXT);

  constructor(name: string, private readonly layout: IsoLayout, private readonly tokens: ReadonlySet<string>, private readonly options: InferOptions) {
    super(name, (ms) => formatIsoLayout(ms, layout));
  }

  add(raw: string, row: number): void {
    if (this.text) {
      this.text.add(raw, row);
      return;
    }
    if (isMissing(raw, this.tokens)) {
      this.takeMissing(row);
      return;
    }
    const n = asciiInto(this.scratch, raw);
    const ms = n < 0 ? Number.NaN : parseIsoLayout(this.scratch, 0, n, this.layout);
    if (Number.isNaN(ms)) this.textBuilder(raw, row).add(raw, row);
    else this.takeTime(ms, raw, row);
  }

  addBytes(bytes: Buffer, start: number, end: number, row: number): void {
    if (this.text) {
      this.text.addBytes(bytes, start, end, row);
      return;
    }
    const ms = parseIsoLayout(bytes, start, end, this.layout);
    if (Number.isNaN(ms)) this.add(bytes.toString('utf8', start, end), row);
    else this.takeTime(ms, this.overflow ? '' : bytes.toString('latin1', start, end), row);
  }

  addBatch(bytes: Buffer, batch: RecordBatch, c: number): void {
    const { starts, ends, texts, width, count, firstRow } = batch;
    for (let r = 0, at = c; r < count; r++, at += width) {
      const start = starts[at]!;
      if (start < 0) this.add(texts[-1 - start]!, firstRow + r);
      else this.addBytes(bytes, start, ends[at]!, firstRow + r);
    }
  }

  /** A time and its text (read only while the texts are counted). */
  private takeTime(ms: number, text: string, row: number): void {
    this.take(ms, row);
    if (!this.overflow) this.count(text);
  }

  /**
   * The text path, from `row` (whose cell is `raw`) on: the rows before it handed over as their texts
   * (missing as an empty cell), and a note saying so.
   */
  private textBuilder(raw: string, row: number): TextBuilder {
    this.note = `${this.name}: "${raw.trim().slice(0, 40)}" on data row ${thousands(row + 1)} is not written as the times before it (${ISO_LAYOUT_LABELS[this.layout]}), so the column was read as text from there (slower)`;
    const text = new TextBuilder(this.name, this.tokens, this.options);
    const all = this.values;
    for (let r = 0; r < row; r++) text.add(Number.isNaN(all[r]!) ? '' : formatIsoLayout(all[r]!, this.layout), r);
    this.text = text;
    return text;
  }

  finish(rows: number): { schema: ColumnSchema; values: ArrayLike<unknown> } {
    if (this.text) return this.text.finish(rows);
    const all = this.values.subarray(0, rows);
    if (!this.overflow) {
      // Few different times after all: the reference inference and typing on their texts.
      const raw = Array.from(all, (ms) => (Number.isNaN(ms) ? null : formatIsoLayout(ms, this.layout)));
      const schema = inferColumn(this.name, raw, rows, this.tokens, this.options);
      return { schema, values: typeColumn(raw, schema, this.tokens) };
    }
    // Past the cap: `inferCounted`'s branch for text that is all ISO times, whose format (`detectDateFormat`)
    // every text of one layout shares, so that any one of them gives it.
    const { base, warnings } = this.baseFacts(rows);
    const dateFormat = detectDateFormat([base.examples[0]!])!;
    const schema: ColumnSchema = { ...base, type: dateFormat.hasTime ? 'datetime' : 'date', feature: true, warnings, dateFormat };
    return { schema, values: Array.from(all, (ms) => (Number.isNaN(ms) ? null : ms)) };
  }
}

/** A copy of `items` in an array with room for `capacity` of them, written by index (its length is `capacity` until cut back). */
function withRoom<T>(items: T[], capacity: number): T[] {
  const room = new Array<T>(Math.max(capacity, items.length));
  for (let k = 0; k < items.length; k++) room[k] = items[k]!;
  return room;
}
