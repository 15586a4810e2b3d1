/**
 * The decision columns of each row — tier, grade, action, then rule score, rule tier and the model label —
 * as `decisions` (score.ts) gives them, written as two byte segments per row: each distinct combination's
 * bytes (with the separators or JSON keys before its fields) made once and numbered. With whole-point
 * rules, the rule score comes from each cell's points (`RuleCells`); otherwise from `scoreBound` per chunk.
 */
import type { Predicate } from '../../rules/conditions.ts';
import { type BoundCriterion, scoreBound } from '../../rules/engine.ts';
import { routeLead } from '../../rules/routing.ts';
import { GRADES, gradeIndex, tierOf } from '../../rules/tiers.ts';
import type { ChunkResult } from '../chunk.ts';
import { actionWithoutRules, addCounts, decisions, MODEL_TIERS, modelTiers } from '../decisions.ts';
import { EXPORT_COLUMNS } from '../score.ts';
import type { Plan } from './plan.ts';
import { lent } from '../../data/io/typed-arrays.ts';
import { AT, type CellBytes } from './writer.ts';

/** Keys of the first segment: tier (3) × 8 + grade (4) × 2 + disqualified. */
export const KEYS = 24;
/** The second segment's rule scores: 0–100, and DISQUALIFIED for a disqualified lead (its score 0, its tier cold). */
export const DISQUALIFIED = 101;
export const RULE_SCORES = 102;

// The segments are these export columns, each run consecutive in EXPORT_COLUMNS (checked when loaded).
const SEGMENTS = [['tier', 'grade', 'action'], ['rule_score', 'rule_tier', 'model']] as const;
for (const columns of SEGMENTS) {
  const at = EXPORT_COLUMNS.indexOf(columns[0]);
  if (columns.some((name, k) => EXPORT_COLUMNS[at + k] !== name)) throw new Error(`internal: the byte path's decision segment ${columns.join(', ')} is not consecutive in the export columns`);
}

export class DecisionSegments {
  /** Each segment's bytes, numbered as first written; `segmentAt` finds them by their values. */
  readonly segments: Uint8Array[] = [];
  private readonly segmentAt = new Map<string, number>();
  private readonly segmentValues: Array<Array<string | number | null>> = [];
  private readonly modelCell: Uint8Array;
  /** Room for `decide`'s answers, kept from chunk to chunk. */
  private readonly first = { array: new Int32Array(0) };
  private readonly second = { array: new Int32Array(0) };

  /** `keys`: NDJSON's `{"name":` / `,"name":` bytes per output column. */
  constructor(private readonly plan: Plan, private readonly cells: CellBytes, private readonly keys: Uint8Array[]) {
    this.modelCell = cells.cell(plan.scorer.modelLabel);
  }

  /**
   * Each row's decision columns, as `decisions` gives them: the numbers of their two byte segments
   * (`segments`), with the chunk's tier and action counts added to `result` (in order of first appearance);
   * the arrays are valid until the next call.
   */
  decide(probability: Float64Array, activity: { ids: unknown[]; asOf: number | Float64Array } | null, result: ChunkResult): { first: Int32Array; second: Int32Array } {
    const n = probability.length;
    const first = lent(this.first, n);
    const second = lent(this.second, n);
    const rules = this.plan.scorer.rules;
    if (rules && !this.plan.ruleCells) {
      const ruleScores = scoreBound(rules, this.chunkCriteria(), n, activity ? { log: this.plan.scorer.log!, ids: activity.ids, asOf: activity.asOf } : {}, { reasons: false });
      const { tier, grade, action, ruleScore, ruleTier } = decisions(this.plan.scorer, probability, ruleScores);
      for (let i = 0; i < n; i++) {
        first[i] = this.segment(tier[i]!, grade[i]!, action[i]!);
        second[i] = this.segment(ruleScore[i]!, ruleTier[i]!);
      }
      addCounts(result.tiers, tier);
      addCounts(result.actions, action);
      return { first, second };
    }
    const modelTier = modelTiers(this.plan.scorer);
    const ruleRows = this.plan.ruleCells?.rows(n);
    // Per chunk: the rows of each key, by tier (0 hot, 1 warm, 2 cold) × grade (0 A … 3 D, or none) × disqualified.
    const counts = new Int32Array(KEYS);
    const order: number[] = [];
    for (let i = 0; i < n; i++) {
      let key = modelTier(probability[i]!) * 8;
      let score = 0;
      let disqualified = 0;
      if (ruleRows) {
        score = ruleRows.score[i]!;
        disqualified = ruleRows.disqualified[i]!;
        key += gradeIndex(ruleRows.fit[i]!, rules!.grades) * 2 + disqualified;
      }
      const seen = counts[key]!;
      counts[key] = seen + 1;
      if (seen === 0) order.push(key);
      first[i] = this.keySegment(key);
      second[i] = this.ruleSegment(disqualified ? DISQUALIFIED : score); // integer scores 0–100
    }
    this.countKeys(result, order, counts);
    return { first, second };
  }

  /** The segments of each key (tier × 8 + grade × 2 + disqualified) and rule score, made on first use. */
  private readonly keySegments = new Int32Array(KEYS).fill(-1);
  private readonly ruleSegments = new Int32Array(RULE_SCORES).fill(-1);

  /** The number of the first segment (tier, grade, action) of a key: tier × 8 + grade × 2 + disqualified (grade 0 without rules). */
  keySegment(key: number): number {
    let at = this.keySegments[key]!;
    if (at < 0) {
      const rules = this.plan.scorer.rules;
      const tier = MODEL_TIERS[key >> 3]!;
      const grade = GRADES[(key >> 1) & 3]!;
      at = rules
        ? this.segment(tier, grade, routeLead(rules.routing, tier, grade, { strongAction: false, disqualified: (key & 1) === 1 }))
        : this.segment(tier, '', actionWithoutRules(tier));
      this.keySegments[key] = at;
    }
    return at;
  }

  /** The number of the second segment (rule score, rule tier, model) of an integer rule score, DISQUALIFIED for a disqualified lead (0 without rules). */
  ruleSegment(score: number): number {
    let at = this.ruleSegments[score]!;
    if (at < 0) {
      const rules = this.plan.scorer.rules;
      at = !rules ? this.segment(null, '') : score === DISQUALIFIED ? this.segment(0, 'cold') : this.segment(score, tierOf(score, rules.tiers));
      this.ruleSegments[score] = at;
    }
    return at;
  }

  /** A chunk's tier and action counts from its keys' (in the order they first appeared). */
  countKeys(result: ChunkResult, order: ArrayLike<number>, counts: ArrayLike<number>): void {
    for (let k = 0; k < order.length; k++) {
      const key = order[k]!;
      const segment = this.segmentValues[this.keySegment(key)]!;
      const count = counts[key]!;
      result.tiers[segment[0] as string] = (result.tiers[segment[0] as string] ?? 0) + count;
      result.actions[segment[2] as string] = (result.actions[segment[2] as string] ?? 0) + count;
    }
  }

  /** `csvTail`'s bytes by the numbers of their two segments. */
  private readonly tails: Uint8Array[][] = [];

  /**
   * A CSV row's bytes after its score where it has no reasons, notes or kept columns: segment `tier` (tier,
   * grade, action), the empty reasons field, segment `rule` (rule score, rule tier, model) and the line
   * feed, made once per pair of segments (one copy a row instead of two: 14 ms a million rows).
   */
  csvTail(tier: number, rule: number): Uint8Array {
    const row = (this.tails[tier] ??= []);
    let tail = row[rule];
    if (!tail) {
      const a = this.segments[tier]!;
      const b = this.segments[rule]!;
      tail = new Uint8Array(a.length + b.length + 2);
      tail.set(a);
      tail[a.length] = 44;
      tail.set(b, a.length + 1);
      tail[tail.length - 1] = 10;
      row[rule] = tail;
    }
    return tail;
  }

  /**
   * The number of the byte segment of three decision values (tier, grade, action) or two (rule score and
   * rule tier, then the model label), made on first use.
   */
  segment(...values: Array<string | number | null>): number {
    const key = JSON.stringify(values);
    let at = this.segmentAt.get(key);
    if (at === undefined) {
      const from = values.length === 3 ? AT.tier : AT.rule_score;
      const cells = [...values.map((v) => this.cells.cell(v)), ...(from === AT.rule_score ? [this.modelCell] : [])];
      const parts = cells.flatMap((cell, k) => [this.plan.format === 'ndjson' ? this.keys[from + k]! : Uint8Array.of(44), cell]);
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

  /** This chunk's rule criteria: each condition answered by its column's cell number per row. */
  private chunkCriteria(): BoundCriterion[] {
    return this.plan.bound!.map((b, c) => {
      const reads = this.plan.criteria[c]!;
      if (reads.length === 0) return b;
      const tables = reads.map((r) => ({ truth: r.column.conditions[r.condition]!.truth, rows: r.column.rows }));
      const predicate: Predicate = tables.length === 1
        ? (i) => tables[0]!.truth[tables[0]!.rows[i]!] === 1
        : (i) => tables.every((t) => t.truth[t.rows[i]!] === 1);
      return { criterion: b.criterion, predicate };
    });
  }
}
