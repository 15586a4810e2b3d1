/**
 * The byte path's rule scores from each distinct cell's points. A criterion on one column fires or not
 * by that column's cell alone, so the points a cell adds (total and fit) and whether it disqualifies are
 * worked out once per distinct cell; a row's score is the base plus one addend per column, and criteria
 * on several columns are added per row. `scoreBound` adds points criterion by criterion; these sums are
 * the same only where every addend is an integer (integer sums are exact in any order), so `plan`
 * answers null otherwise (fractional points, activity criteria, strong actions read from an activity log)
 * and the byte path then scores rules with `scoreBound`.
 */
import type { BoundCriterion } from '../../rules/engine.ts';
import type { RuleSet } from '../../rules/rule-file.ts';
import { grown, lent } from '../../data/io/typed-arrays.ts';

/** A column as the byte path keeps it: this chunk's cell number per row, each rule condition's answer per cell. */
export interface RuleColumn {
  rows: Int32Array;
  conditions: Array<{ truth: Uint8Array }>;
}

/** What a fired criterion adds: points (to the total, and to fit for fit criteria) or a disqualification. */
interface Effect {
  points: number;
  fit: boolean;
  disqualify: boolean;
}

/**
 * A column's single-column criteria and their sums per distinct cell: all points, the points of its
 * criteria that are not fit (null where all are: most columns) and whether the cell disqualifies (null
 * where no criterion does). A row's fit points are its points less its other points (integers: exact).
 */
interface ColumnPoints {
  column: RuleColumn;
  criteria: Array<Effect & { condition: number }>;
  total: Float64Array;
  other: Float64Array | null;
  disqualify: Uint8Array | null;
}

/** One lead's rule outcome per row of a chunk. */
export interface RuleRows {
  /** The 0–100 score as `scoreBound` gives it (0 when disqualified). */
  score: Float64Array;
  fit: Float64Array;
  disqualified: Uint8Array;
}

export class RuleCells {
  private readonly columns: ColumnPoints[] = [];
  private readonly multi: Array<Effect & { reads: Array<{ column: RuleColumn; condition: number }> }> = [];

  private constructor(private readonly base: number) {}

  /**
   * The per-cell plan for bound criteria whose conditions read `reads[c]` (a column's condition each), or
   * null where the sums could differ from `scoreBound`'s (see the module comment). `logged`: an activity
   * log is passed to `scoreBound` (its strong actions and activity criteria read it per lead).
   */
  static plan(rules: RuleSet, bound: readonly BoundCriterion[], reads: ReadonlyArray<ReadonlyArray<{ column: RuleColumn; condition: number }>>, logged: boolean): RuleCells | null {
    if (logged || !Number.isInteger(rules.basePoints)) return null;
    const plan = new RuleCells(rules.basePoints);
    for (let c = 0; c < bound.length; c++) {
      const { criterion, predicate } = bound[c]!;
      if (!predicate || !Number.isInteger(criterion.points) || Math.abs(criterion.points) > 1e9) return null;
      const effect = { points: criterion.points, fit: criterion.family === 'fit', disqualify: criterion.disqualify };
      const on = reads[c]!;
      if (on.length === 0) return null;
      if (on.length > 1) {
        plan.multi.push({ ...effect, reads: [...on] });
        continue;
      }
      const { column, condition } = on[0]!;
      let points = plan.columns.find((p) => p.column === column);
      if (!points) {
        points = { column, criteria: [], total: new Float64Array(64), other: null, disqualify: null };
        plan.columns.push(points);
      }
      points.criteria.push({ ...effect, condition });
      if (effect.disqualify) points.disqualify ??= new Uint8Array(64);
      else if (!effect.fit) points.other ??= new Float64Array(64);
    }
    plan.others = plan.columns.some((p) => p.other) || plan.multi.some((m) => !m.disqualify && !m.fit);
    return plan;
  }

  /** Works out the sums of a column's cells `[from, to)` (its conditions' answers already known). */
  learn(column: RuleColumn, from: number, to: number): void {
    const points = this.columns.find((p) => p.column === column);
    if (!points) return;
    if (points.total.length < to) {
      const size = Math.max(to, points.total.length * 2);
      points.total = grown(points.total, size);
      if (points.other) points.other = grown(points.other, size);
      if (points.disqualify) points.disqualify = grown(points.disqualify, size);
    }
    const { total, other, disqualify, criteria } = points;
    for (let id = from; id < to; id++) {
      let sum = 0;
      let notFit = 0;
      let out = 0;
      for (const criterion of criteria) {
        if (column.conditions[criterion.condition]!.truth[id] !== 1) continue;
        if (criterion.disqualify) out = 1;
        else {
          sum += criterion.points;
          if (!criterion.fit) notFit += criterion.points;
        }
      }
      total[id] = sum;
      if (other) other[id] = notFit;
      if (disqualify) disqualify[id] = out;
    }
  }

  /** Room for `rows`' arrays, kept from chunk to chunk. */
  private readonly scratch = { total: { array: new Float64Array(0) }, other: { array: new Float64Array(0) }, fit: { array: new Float64Array(0) }, disqualified: { array: new Uint8Array(0) } };
  /** Whether any criterion adds points that are not fit points. */
  private others = false;

  /** The rule outcome of the chunk's `n` rows (arrays valid until the next call). */
  rows(n: number): RuleRows {
    // Points from 0 (the base added at the end: integers, so the same sum), other points, disqualified.
    const total = lent(this.scratch.total, n).fill(0);
    const other = lent(this.scratch.other, n).fill(0);
    const fit = lent(this.scratch.fit, n);
    const disqualified = lent(this.scratch.disqualified, n).fill(0);
    for (const points of this.columns) {
      const rows = points.column.rows;
      const cellTotal = points.total;
      for (let i = 0; i < n; i++) total[i]! += cellTotal[rows[i]!]!;
      const cellOther = points.other;
      if (cellOther) for (let i = 0; i < n; i++) other[i]! += cellOther[rows[i]!]!;
      const cellDisqualify = points.disqualify;
      if (cellDisqualify) for (let i = 0; i < n; i++) disqualified[i]! |= cellDisqualify[rows[i]!]!;
    }
    for (const criterion of this.multi) {
      for (let i = 0; i < n; i++) {
        let fired = true;
        for (const { column, condition } of criterion.reads) {
          if (column.conditions[condition]!.truth[column.rows[i]!] !== 1) {
            fired = false;
            break;
          }
        }
        if (!fired) continue;
        if (criterion.disqualify) disqualified[i] = 1;
        else {
          total[i]! += criterion.points;
          if (!criterion.fit) other[i]! += criterion.points;
        }
      }
    }
    // As scoreBound: clamped to 0–100 (integers: round2 leaves them as they are), 0 when disqualified.
    const { base, others } = this;
    for (let i = 0; i < n; i++) {
      const points = total[i]!;
      fit[i] = others ? points - other[i]! : points;
      total[i] = disqualified[i] === 1 ? 0 : Math.min(100, Math.max(0, base + points));
    }
    return { score: total, fit, disqualified };
  }
}
