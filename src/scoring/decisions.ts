/**
 * A scored lead's decisions: the model's tier, and beside it the rules' grade, score and tier and the
 * routing action that combines them; a team's capacity applied to a batch; counts of a chunk's decisions.
 */
import type { RuleScores } from '../rules/engine.ts';
import type { Tier } from '../rules/rule-file.ts';
import { routeLead } from '../rules/routing.ts';
import type { Scorer } from './score.ts';

/**
 * The model's tier (hot from the artifact's threshold, warm from the training conversion rate), and beside
 * it the rules' grade, score and tier and the routing action that combines them (without rules: sales
 * for hot leads, nurture for the rest).
 */
export function decisions(scorer: Scorer, probability: Float64Array, rules: RuleScores | null):
  { tier: Tier[]; grade: string[]; action: string[]; ruleScore: Array<number | null>; ruleTier: string[] } {
  const n = probability.length;
  const modelTier = modelTiers(scorer);
  const tier: Tier[] = Array.from(probability, (p) => MODEL_TIERS[modelTier(p)]!);
  const grade: string[] = new Array<string>(n).fill('');
  const action: string[] = tier.map(actionWithoutRules);
  const ruleScore: Array<number | null> = new Array<number | null>(n).fill(null);
  const ruleTier: string[] = new Array<string>(n).fill('');
  if (scorer.rules && rules) {
    for (let i = 0; i < n; i++) {
      grade[i] = rules.grade[i]!;
      ruleScore[i] = rules.score[i]!;
      ruleTier[i] = rules.tier[i]!;
      action[i] = routeLead(scorer.rules.routing, tier[i]!, rules.grade[i]!, { strongAction: rules.strongAction[i] === 1, disqualified: rules.disqualified[i] === 1 });
    }
  }
  return { tier, grade, action, ruleScore, ruleTier };
}

/** The model's tiers, best first: `modelTiers` gives a probability's index here. */
export const MODEL_TIERS: readonly Tier[] = ['hot', 'warm', 'cold'];

/** The model tiers' bounds: hot from the artifact's threshold up, warm from the training conversion rate up. */
export function tierBounds(scorer: Scorer): { threshold: number; baseRate: number } {
  const { artifact } = scorer.loaded;
  return { threshold: artifact.threshold.value, baseRate: artifact.training.positives / artifact.training.rows };
}

/**
 * A probability's model tier as an index into MODEL_TIERS: hot from the artifact's threshold up, warm from
 * the training conversion rate up, cold below (a NaN too).
 */
export function modelTiers(scorer: Scorer): (p: number) => number {
  const { threshold, baseRate } = tierBounds(scorer);
  return (p) => (p >= threshold ? 0 : p >= baseRate ? 1 : 2);
}

/** The action without a rule file (no grade to route on): sales for hot leads, nurture for the rest. */
export function actionWithoutRules(tier: Tier): string {
  return tier === 'hot' ? 'sales' : 'nurture';
}

/** Adds a chunk's counts to running totals. */
export function addCounts(into: Record<string, number>, values: Iterable<string> | Record<string, number>): void {
  if (Symbol.iterator in Object(values)) for (const v of values as Iterable<string>) into[v] = (into[v] ?? 0) + 1;
  else for (const [k, v] of Object.entries(values)) into[k] = (into[k] ?? 0) + v;
}

/**
 * A team's capacity over a batch: the most likely leads (ties in input order), up to the count or share,
 * get `sales`; leads the routing sent to sales beyond it get `nurture`; disqualified leads stay so.
 * Changes `actions` in place.
 *
 * @example
 * applyCapacity(probability, actions, { count: 50 }); // { sales: 50, routedToSales: 212 }
 */
export function applyCapacity(probability: Float64Array, actions: string[], capacity: { count: number } | { share: number }): { sales: number; routedToSales: number } {
  const n = probability.length;
  const routedToSales = actions.filter((a) => a === 'sales').length;
  const want = Math.min(n, 'count' in capacity ? capacity.count : Math.round(capacity.share * n));
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => actions[i] !== 'disqualify').sort((a, b) => probability[b]! - probability[a]! || a - b);
  const chosen = new Set(order.slice(0, want));
  let sales = 0;
  for (let i = 0; i < n; i++) {
    if (chosen.has(i)) {
      actions[i] = 'sales';
      sales++;
    } else if (actions[i] === 'sales') actions[i] = 'nurture';
  }
  return { sales, routedToSales };
}

