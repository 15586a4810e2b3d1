/**
 * A logistic model's reasons written from each distinct cell's reason bytes: a lead's contribution per
 * column is its cell's alone, so each cell's reason text (`reasonItem`) is made once (`ColumnState.items`)
 * and a row picks and joins them, in the order `pickReasons` (reasons.ts) gives.
 */
import { MIN_REASON } from '../reasons.ts';
import { startsFormula } from '../../data/io/write.ts';
import type { ColumnState } from './plan.ts';
import type { ByteSink } from './writer.ts';

const QUOTE = 34;

export class LinearReasons {
  /** The reasons picked for the row being written. */
  private readonly chosen: Int32Array;

  /** Over the reason columns (design order), `reasons` per lead, into `sink`. */
  constructor(private readonly columns: readonly ColumnState[], private readonly reasons: number, private readonly sink: ByteSink) {
    this.chosen = new Int32Array(Math.max(1, reasons));
  }

  /**
   * Writes row `i`'s reasons for a logistic model from each cell's reason bytes: the strongest
   * contributions first, ties by column name, as `pickReasons` orders them. False (nothing written) where
   * the text would need quoting or a spreadsheet guard: the caller then writes it the string way.
   */
  csv(contributions: Float64Array, i: number): boolean {
    const columns = this.columns;
    const chosen = this.chosen;
    const count = this.choose(contributions, i);
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
   * As `csv`, for NDJSON: row `i`'s `reasons` string from each picked cell's JSON-escaped text;
   * returns how many were picked (they stay in `chosen` for `codes`).
   */
  json(contributions: Float64Array, i: number): number {
    const columns = this.columns;
    const chosen = this.chosen;
    const count = this.choose(contributions, i);
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

  /** Row `i`'s `reason_codes` list: the `count` reasons `json` picked, from each cell's JSON object. */
  codes(count: number, i: number): void {
    const columns = this.columns;
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
  private choose(contributions: Float64Array, i: number): number {
    const columns = this.columns;
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
}
