/**
 * Reasons written from bytes made once per distinct cell, in the order `pickReasons` (reasons.ts) gives.
 * A logistic model's contribution per column is its cell's alone, so each cell's whole reason text
 * (`reasonItem`) is made once (`ColumnState.items`) and a row picks and joins them. A tree model's
 * contributions are the row's own, so each cell's phrase (`reasonPhrase`: `email_type = student`) is made
 * once (`ColumnState.phrases`) and the row's contribution written after it.
 */
import { MIN_REASON, type ReasonCode, reasonContribution, reasonItem, reasonPhrase } from '../reasons.ts';
import { startsFormula } from '../../data/io/write.ts';
import { cellWords, type ColumnState } from './plan.ts';
import { type ByteSink, utf8 } from './writer.ts';

const QUOTE = 34;
/** Characters that make a CSV field need quotes. */
const NEEDS_QUOTES = /[",\n\r]/;
/** U+2212 MINUS SIGN, as reasons write a negative contribution, in UTF-8. */
const MINUS = utf8('−');

/** A cell's reason for a logistic model (its contribution is the cell's own), as `pickReasons` makes it. */
function cellCode(column: ColumnState, id: number): ReasonCode {
  return { column: column.name, value: cellWords(column, id), contribution: reasonContribution(column.contribution[id]!) };
}

/** A cell's reason text as CSV bytes (`reasonItem`), made on first use; null where it would need quoting. */
function itemOf(column: ColumnState, id: number): Uint8Array | null {
  let bytes = column.items[id];
  if (bytes === undefined) {
    const text = reasonItem(cellCode(column, id));
    bytes = column.items[id] = NEEDS_QUOTES.test(text) ? null : utf8(text);
  }
  return bytes;
}

export class LinearReasons {
  /** The reasons picked for the row being written, and (rowCsv) their phrases' bytes. */
  private readonly chosen: Int32Array;
  /** |contribution| of each reason in `chosen`. */
  private readonly strength: Float64Array;
  /** Each reason column's place in name order. */
  private readonly nameRank: Int32Array;
  private readonly phrases: Uint8Array[] = [];
  private readonly row: Float64Array;

  /**
   * Over the reason columns (design order: their names, and where each one's words come from, null for
   * an activity aggregate computed per row), `reasons` per lead, into `sink`.
   */
  constructor(private readonly names: readonly string[], private readonly columns: ReadonlyArray<ColumnState | null>, private readonly reasons: number,
    private readonly sink: ByteSink) {
    this.chosen = new Int32Array(Math.max(1, reasons));
    this.strength = new Float64Array(Math.max(1, reasons));
    this.nameRank = new Int32Array(names.length);
    this.row = new Float64Array(names.length);
    [...names.keys()].sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : a - b)).forEach((g, rank) => (this.nameRank[g] = rank));
  }

  /**
   * Writes row `i`'s reasons for a logistic model from each cell's contribution and reason bytes: the strongest
   * contributions first, ties by column name, as `pickReasons` orders them. False (nothing written) where
   * the text would need quoting or a spreadsheet guard: the caller then writes it the string way.
   */
  csv(i: number): boolean {
    const columns = this.columns as readonly ColumnState[];
    const chosen = this.chosen;
    const count = this.chooseCells(i);
    if (count === 0) return true;
    for (let k = 0; k < count; k++) if (itemOf(columns[chosen[k]!]!, columns[chosen[k]!]!.rows[i]!) === null) return false;
    const first = columns[chosen[0]!]!;
    if (startsFormula(first.items[first.rows[i]!]![0]!)) return false;
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
   * As `csv`, for NDJSON: row `i`'s `reasons` string from each picked cell's JSON-escaped text;
   * returns how many were picked (they stay in `chosen` for `codes`).
   */
  json(i: number): number {
    const columns = this.columns as readonly ColumnState[];
    const chosen = this.chosen;
    const count = this.chooseCells(i);
    const sink = this.sink;
    sink.put(QUOTE);
    for (let k = 0; k < count; k++) {
      const column = columns[chosen[k]!]!;
      if (k > 0) {
        sink.put(59);
        sink.put(32);
      }
      const id = column.rows[i]!;
      sink.write(column.jsonItems[id] ??= utf8(JSON.stringify(reasonItem(cellCode(column, id))).slice(1, -1)));
    }
    sink.put(QUOTE);
    return count;
  }

  /** Row `i`'s `reason_codes` list: the `count` reasons `json` picked, from each cell's JSON object. */
  codes(count: number, i: number): void {
    const columns = this.columns as readonly ColumnState[];
    const sink = this.sink;
    sink.put(91);
    for (let k = 0; k < count; k++) {
      const column = columns[this.chosen[k]!]!;
      if (k > 0) sink.put(44);
      const id = column.rows[i]!;
      sink.write(column.jsonCodes[id] ??= utf8(JSON.stringify(cellCode(column, id))));
    }
    sink.put(93);
  }

  /**
   * Writes row `i`'s reasons where its contributions are its own (a tree model's, or activity aggregates'):
   * each picked column's phrase from its cell's bytes (made on first use; `valueText(row, g)` gives the
   * words of reason column g where it is computed per row), then ` (+0.82)` from the row's contribution, as `reasonItem` writes it. False
   * (nothing written) where the text would need quoting or a spreadsheet guard: the caller then writes it
   * the string way.
   */
  rowCsv(contributions: Float64Array, i: number, valueText: (row: number, g: number) => string): boolean {
    const { columns, names, phrases, chosen, sink } = this;
    const count = this.choose(contributions, i);
    for (let k = 0; k < count; k++) {
      const g = chosen[k]!;
      const column = columns[g];
      let bytes: Uint8Array | null | undefined;
      if (column) {
        const id = column.rows[i]!;
        bytes = column.phrases[id];
        if (bytes === undefined) {
          const text = reasonPhrase(names[g]!, cellWords(column, id));
          bytes = column.phrases[id] = NEEDS_QUOTES.test(text) ? null : utf8(text);
        }
      } else {
        const text = reasonPhrase(names[g]!, valueText(i, g));
        bytes = NEEDS_QUOTES.test(text) ? null : utf8(text);
      }
      if (bytes === null) return false;
      phrases[k] = bytes;
    }
    if (count > 0 && startsFormula(phrases[0]![0]!)) return false;
    const width = columns.length;
    for (let k = 0; k < count; k++) {
      if (k > 0) {
        sink.put(59);
        sink.put(32);
      }
      sink.write(phrases[k]!);
      // ` (${signed(reasonContribution(c))})`
      const c = reasonContribution(contributions[i * width + chosen[k]!]!);
      sink.put(32);
      sink.put(40);
      if (c >= 0) sink.put(43);
      else sink.write(MINUS);
      const digits = Math.abs(c).toFixed(2);
      for (let d = 0; d < digits.length; d++) sink.put(digits.charCodeAt(d));
      sink.put(41);
    }
    return true;
  }

  /**
   * Picks row `i`'s reasons into `chosen` as `pickReasons` orders them (strongest first, ties by column
   * name) from its row of `contributions` (row-major, a column each); returns how many.
   */
  private choose(contributions: Float64Array, i: number): number {
    const width = this.nameRank.length;
    const base = i * width;
    let count = 0;
    for (let g = 0; g < width; g++) count = this.place(g, Math.abs(contributions[base + g]!), count);
    return count;
  }

  /** As `choose`, from each reason column's contribution of row `i`'s cell (a logistic model's: no matrix of them is made). */
  private chooseCells(i: number): number {
    const columns = this.columns as readonly ColumnState[];
    let count = 0;
    for (let g = 0; g < columns.length; g++) {
      const column = columns[g]!;
      count = this.place(g, Math.abs(column.contribution[column.rows[i]!]!), count);
    }
    return count;
  }

  /** Row `i`'s contribution per reason column from its cells (for `pickReasons`), in a scratch array reused row after row. */
  rowContributions(i: number): Float64Array {
    const columns = this.columns as readonly ColumnState[];
    for (let g = 0; g < columns.length; g++) this.row[g] = columns[g]!.contribution[columns[g]!.rows[i]!]!;
    return this.row;
  }

  /**
   * Places reason column `g`, of strength `a` (|contribution|), among the `count` strongest so far in
   * `chosen`: after every stronger one and every as strong one whose name comes first; returns the new count.
   */
  private place(g: number, a: number, count: number): number {
    if (!(a >= MIN_REASON)) return count;
    const { chosen, strength, nameRank } = this;
    const most = this.reasons;
    let at = count;
    while (at > 0 && (a > strength[at - 1]! || (a === strength[at - 1]! && nameRank[g]! < nameRank[chosen[at - 1]!]!))) at--;
    if (at >= most) return count;
    for (let k = Math.min(count, most - 1); k > at; k--) {
      chosen[k] = chosen[k - 1]!;
      strength[k] = strength[k - 1]!;
    }
    chosen[at] = g;
    strength[at] = a;
    return count < most ? count + 1 : count;
  }
}
