/** Tiers from the score, grades from the fit points, each on its own thresholds. */
import type { Grade, RuleSet, Tier } from './rule-file.ts';

/**
 * The tier of a 0–100 score: cold < warm threshold ≤ warm < hot threshold ≤ hot.
 *
 * @example
 * tierOf(29.99, { warm: 30, hot: 70 }); // 'cold'
 * tierOf(70, { warm: 30, hot: 70 });    // 'hot'
 */
export function tierOf(score: number, tiers: RuleSet['tiers']): Tier {
  return score >= tiers.hot ? 'hot' : score >= tiers.warm ? 'warm' : 'cold';
}

/**
 * The grade of a lead's fit points (demographic and firmographic criteria only): A ≥ A threshold > B ≥ …
 *
 * @example
 * gradeOf(25, { A: 40, B: 25, C: 10 }); // 'B'
 */
export function gradeOf(fitPoints: number, grades: RuleSet['grades']): Grade {
  return GRADES[gradeIndex(fitPoints, grades)]!;
}

/** The grades, best first: `gradeIndex` gives a lead's index here. */
export const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D'];

/** `gradeOf` as an index into GRADES (0 for A … 3 for D). */
export function gradeIndex(fitPoints: number, grades: RuleSet['grades']): number {
  return fitPoints >= grades.A ? 0 : fitPoints >= grades.B ? 1 : fitPoints >= grades.C ? 2 : 3;
}
