/**
 * Routing: tier × grade → action, from the rule file's matrix (defaults: hot A/B → sales, hot C/D →
 * review, cold D → disqualify, otherwise nurture). A strong recent action (demo request, pricing page in
 * the last 7 days) sends a well-fitting lead (grade A/B) to sales even below the hot threshold.
 * A disqualified lead's action is `disqualify`.
 */
import type { Grade, RuleSet, Tier } from './rule-file.ts';

/**
 * @example
 * routeLead(rules.routing, 'warm', 'A', { strongAction: true, disqualified: false }); // 'sales'
 */
export function routeLead(routing: RuleSet['routing'], tier: Tier, grade: Grade, flags: { strongAction: boolean; disqualified: boolean }): string {
  if (flags.disqualified) return 'disqualify';
  if (flags.strongAction && tier !== 'hot' && routing.strongActionGrades.includes(grade)) return routing.strongActionRoute;
  return routing.matrix[tier][grade];
}
