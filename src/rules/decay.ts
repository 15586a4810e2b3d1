/**
 * Points from activity-log events, as of a scoring time:
 * - points per event, each weighted by `0.5^(age / half-life)` when a half-life is set, or
 *   fixed points once `min_count` events occurred (weighted by the most recent event's age);
 * - "lose k points per N days without the expected action": `k · floor(days since the last event / N)`
 *   taken off the points, never past zero;
 * - a cap on the magnitude.
 */
import type { ActivitySpec } from './rule-file.ts';

/**
 * Points of one activity criterion, from the ages (days before the scoring time) of the matching events
 * inside its window, most recent first or in any order.
 *
 * @example
 * activityPoints([2, 10], { type: 'pricing_page_view', minCount: 1, pointsPerEvent: 10, cap: 15,
 *   decay: { halfLifeDays: 10 } }, 0); // min(10·0.5^0.2 + 10·0.5^1, 15) = 13.7
 */
export function activityPoints(ages: readonly number[], spec: ActivitySpec, fixedPoints: number): number {
  if (ages.length < spec.minCount) return 0;
  const decay = spec.decay;
  const halfLife = decay && 'halfLifeDays' in decay ? decay.halfLifeDays : null;
  const weight = (age: number) => (halfLife === null ? 1 : 0.5 ** (age / halfLife));
  let newest = Infinity;
  for (const a of ages) newest = Math.min(newest, a);
  let points: number;
  if (spec.pointsPerEvent !== undefined) {
    points = 0;
    for (const a of ages) points += spec.pointsPerEvent * weight(a);
  } else {
    points = fixedPoints * weight(newest);
  }
  if (decay && 'losePoints' in decay) {
    const lost = decay.losePoints * Math.floor(newest / decay.everyDays);
    points = Math.sign(points) * Math.max(0, Math.abs(points) - lost);
  }
  if (spec.cap !== undefined && Math.abs(points) > spec.cap) points = Math.sign(points) * spec.cap;
  return points;
}
