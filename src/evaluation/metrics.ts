/**
 * Ranking metrics. ROC AUC is the Mann–Whitney statistic computed from ranks, with tied scores sharing
 * their average rank (a tie between a positive and a negative counts one half), as scikit-learn's
 * roc_auc_score gives.
 */
import { bytesAt, floatsAt } from '../data/columns.ts';
import { stableOrder } from '../data/types/order-statistic.ts';

/**
 * ROC AUC of `scores` against 0/1 labels, over `rows` (default all). NaN when one class is absent.
 *
 * @example
 * rocAuc(Float64Array.of(0.1, 0.4, 0.35, 0.8), Uint8Array.of(0, 0, 1, 1)); // 0.75
 */
export function rocAuc(scores: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): number {
  // The Mann–Whitney U statistic: for each positive, the negatives scored below it plus half those tied with
  // it. Positives' and negatives' scores are sorted apart (a typed array's own sort, no comparator) and
  // walked together. Counted twice over (2U) so every step is an integer: the result equals the rank-sum
  // form (rank sum of the positives − P(P+1)/2, over P·N) to the last bit.
  const n = rows ? rows.length : scores.length;
  let positives = 0;
  for (let k = 0; k < n; k++) if (y[rows ? rows[k]! : k] === 1) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  let p = 0;
  let q = 0;
  for (let k = 0; k < n; k++) {
    const r = rows ? rows[k]! : k;
    if (y[r] === 1) pos[p++] = scores[r]!;
    else neg[q++] = scores[r]!;
  }
  pos.sort();
  neg.sort();
  let twiceU = 0;
  let below = 0;
  for (let i = 0; i < positives;) {
    const v = pos[i]!;
    let same = i + 1;
    while (same < positives && pos[same] === v) same++;
    while (below < negatives && neg[below]! < v) below++;
    let tied = below;
    while (tied < negatives && neg[tied] === v) tied++;
    twiceU += (same - i) * (2 * below + (tied - below));
    i = same;
  }
  return twiceU / (2 * positives * negatives);
}

/** Scores and labels restricted to rows, as parallel arrays. */
function pick(scores: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): { s: Float64Array; t: Uint8Array } {
  if (!rows) return { s: Float64Array.from(scores), t: Uint8Array.from(y) };
  return { s: floatsAt(scores, rows), t: bytesAt(y, rows) };
}

/** Row order by score, highest first; ties keep row order (a stable sort). */
function descending(s: Float64Array): Int32Array {
  return stableOrder(s, 'descending');
}

/**
 * Average precision as scikit-learn defines it: Σₙ (Rₙ − Rₙ₋₁) Pₙ over the distinct score thresholds,
 * highest first (no interpolation).
 *
 * @example
 * averagePrecision([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.8333…
 */
export function averagePrecision(scores: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): number {
  const { s, t } = pick(scores, y, rows);
  const order = descending(s);
  let positives = 0;
  for (const v of t) positives += v;
  if (positives === 0) return Number.NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (t[i]) tp++;
    else fp++;
    const next = order[k + 1];
    if (next !== undefined && s[next] === s[i]) continue; // close the threshold group first
    const recall = tp / positives;
    ap += (recall - lastRecall) * (tp / (tp + fp));
    lastRecall = recall;
  }
  return ap;
}

/**
 * Mean log loss with probabilities clipped to [1e-15, 1 − 1e-15], as scikit-learn's log_loss.
 *
 * @example
 * logLoss([0.9, 0.2], [1, 0]); // 0.164
 */
export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): number {
  const { s, t } = pick(p, y, rows);
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, s[i]!));
    sum -= t[i] ? Math.log(q) : Math.log(1 - q);
  }
  return sum / s.length;
}

/**
 * Brier score: mean squared difference between probability and outcome.
 *
 * @example
 * brierScore([0.9, 0.2], [1, 0]); // 0.025
 */
export function brierScore(p: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): number {
  const { s, t } = pick(p, y, rows);
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += (s[i]! - t[i]!) ** 2;
  return sum / s.length;
}

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Reliability curve on `bins` equal-width probability bins (empty bins omitted). */
export function reliabilityCurve(p: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  const { s, t } = pick(p, y, rows);
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < s.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(s[i]! * bins)));
    count[b]!++;
    sumP[b]! += s[i]!;
    sumY[b]! += t[i]!;
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    out.push({ lower: b / bins, upper: (b + 1) / bins, count: count[b]!, meanPredicted: sumP[b]! / count[b]!, observedRate: sumY[b]! / count[b]! });
  }
  return out;
}

/**
 * Expected calibration error: Σ_bins (|bin| / n) · |mean predicted − observed rate|, 10 equal-width bins.
 *
 * @example
 * expectedCalibrationError(probability, y, split.test); // 0 for a perfectly calibrated model
 */
export function expectedCalibrationError(p: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>, bins = 10): number {
  const curve = reliabilityCurve(p, y, rows, bins);
  const n = curve.reduce((s, b) => s + b.count, 0);
  return curve.reduce((s, b) => s + (b.count / n) * Math.abs(b.meanPredicted - b.observedRate), 0);
}

/**
 * Lift in the top `share` of rows by score: their conversion rate over the overall rate.
 * The top is ceil(share · n) rows, ties broken by row order.
 */
export function liftAt(scores: ArrayLike<number>, y: ArrayLike<number>, share: number, rows?: ArrayLike<number>): number {
  const { s, t } = pick(scores, y, rows);
  const order = descending(s);
  const k = Math.max(1, Math.ceil(share * s.length));
  let top = 0;
  let all = 0;
  for (let i = 0; i < s.length; i++) all += t[i]!;
  for (let i = 0; i < k; i++) top += t[order[i]!]!;
  return all === 0 ? Number.NaN : top / k / (all / s.length);
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** TN / (TN + FP). */
  specificity: number;
}

/** Confusion matrix with score ≥ threshold counted as positive. */
export function confusionAt(scores: ArrayLike<number>, y: ArrayLike<number>, threshold: number, rows?: ArrayLike<number>): Confusion {
  const { s, t } = pick(scores, y, rows);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < s.length; i++) {
    const predicted = s[i]! >= threshold;
    if (predicted && t[i]) tp++;
    else if (predicted) fp++;
    else if (t[i]) fn++;
    else tn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return { tp, fp, tn, fn, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall), specificity: tn + fp === 0 ? 0 : tn / (tn + fp) };
}

/** Average ranks (1-based; ties share their mean rank). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = stableOrder(values, 'ascending');
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j < n && values[order[j]!] === values[order[i]!]) j++;
    for (let k = i; k < j; k++) ranks[order[k]!] = (i + j + 1) / 2;
    i = j;
  }
  return ranks;
}

/**
 * Spearman rank correlation (Pearson correlation of average ranks).
 *
 * @example
 * spearman([1, 2, 3], [10, 20, 15]); // 0.5
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const n = ra.length;
  const ma = ra.reduce((s, v) => s + v, 0) / n;
  const mb = rb.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i]! - ma) * (rb[i]! - mb);
    saa += (ra[i]! - ma) ** 2;
    sbb += (rb[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
