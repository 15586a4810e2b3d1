/**
 * The metrics of one scorer on evaluation rows, as metrics.json writes them: ranking (AUC, PR-AUC, lift,
 * KS, gains), probability quality (log loss, Brier, ECE) and the confusion matrix at a threshold chosen
 * beforehand, plus the FP/FN trade-off over thresholds.
 */
import type { Confusion } from '../evaluation/metrics.ts';
import { averagePrecision, brierScore, confusionAt, expectedCalibrationError, liftAt, logLoss, rocAuc } from '../evaluation/metrics.ts';
import { gainsByDecile, ksStatistic, tradeoffCurve } from '../evaluation/curves.ts';
import type { ModelName } from '../models/model.ts';

export const round = (x: number, digits = 6) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

export interface ThresholdMetrics extends Confusion {
  strategy: string;
  value: number;
}

export const PRIMARY_METRICS = ['prAuc', 'auc', 'liftAt10', 'logLoss', 'brier', 'ece'] as const;
export type PrimaryMetric = (typeof PRIMARY_METRICS)[number];
export const LOWER_IS_BETTER = new Set<PrimaryMetric>(['logLoss', 'brier', 'ece']);

export interface ModelMetrics {
  name: ModelName;
  auc: number;
  prAuc: number;
  logLoss: number;
  brier: number;
  ece: number;
  liftAt10: number;
  fitSeconds: number;
  threshold: ThresholdMetrics;
  /** Extra facts per model: C and its CV scores, calibration, ECE before calibration, iterations. */
  details: Record<string, unknown>;
}

/**
 * @example
 * evaluateScores('logistic', p, p, y, split.test, { value: 0.2, strategy: 'maxF1' }, 1.3, {});
 */
export function evaluateScores(name: ModelName, rank: Float64Array, probability: Float64Array, y: Uint8Array, test: Int32Array,
  threshold: { value: number; strategy: string }, fitSeconds: number, details: Record<string, unknown>): ModelMetrics {
  const c = confusionAt(rank, y, threshold.value, test);
  return {
    name,
    auc: round(rocAuc(rank, y, test)),
    prAuc: round(averagePrecision(rank, y, test)),
    logLoss: round(logLoss(probability, y, test)),
    brier: round(brierScore(probability, y, test)),
    ece: round(expectedCalibrationError(probability, y, test)),
    liftAt10: round(liftAt(rank, y, 0.1, test)),
    fitSeconds: round(fitSeconds, 3),
    threshold: { strategy: threshold.strategy, value: round(threshold.value), ...c, precision: round(c.precision), recall: round(c.recall), f1: round(c.f1), specificity: round(c.specificity) },
    details: {
      ...details,
      ks: round(ksStatistic(rank, y, test)),
      gainsByDecile: gainsByDecile(rank, y, test).map((d) => ({ ...d, rate: round(d.rate), lift: round(d.lift), cumulativeCapture: round(d.cumulativeCapture) })),
      tradeoff: tradeoffCurve(rank, y, test).map((t) => ({ ...t, threshold: round(t.threshold), share: round(t.share) })),
    },
  };
}

