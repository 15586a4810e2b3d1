/**
 * The decision panel's table: for each model and each share of leads sent to sales (1% … 100%), the
 * threshold that sends that many hold-out leads (ties at it are sent too) and what it costs — conversions
 * found and missed, calls in vain, precision and recall. Computed from the hold-out scores and outcomes
 * (holdout.csv) with the evaluation's own `confusionAtThresholds`.
 */
import { confusionAtThresholds } from '../evaluation/curves.ts';

export interface DecisionRow {
  /** Share of leads asked for, in percent (1–100). */
  share: number;
  threshold: number;
  sent: number;
  found: number;
  missed: number;
  inVain: number;
  precision: number;
  recall: number;
}

/**
 * One row per percent of leads, for one model's hold-out scores.
 *
 * @example
 * decisionRows(holdout.p_logistic, holdout.outcome)[19]; // 20% of leads sent: { found, missed, inVain, … }
 */
export function decisionRows(scores: ArrayLike<number>, y: ArrayLike<number>): DecisionRow[] {
  const t = confusionAtThresholds(scores, y);
  const n = t.positives + t.negatives;
  const rows: DecisionRow[] = [];
  let i = 0;
  for (let share = 1; share <= 100; share++) {
    const want = Math.max(1, Math.ceil((share / 100) * n));
    while (i < t.thresholds.length - 1 && t.tp[i]! + t.fp[i]! < want) i++;
    const found = t.tp[i]!;
    const inVain = t.fp[i]!;
    rows.push({ share, threshold: t.thresholds[i]!, sent: found + inVain, found, missed: t.positives - found, inVain,
      precision: found + inVain > 0 ? found / (found + inVain) : 0, recall: t.positives > 0 ? found / t.positives : 0 });
  }
  return rows;
}
