/**
 * Curves over thresholds, all derived from one `confusionAtThresholds`: the FP/FN trade-off, the KS
 * statistic, cumulative gains and lift by decile.
 */
import { allRows, floatsAt } from '../data/columns.ts';
import { stableOrder } from '../data/types/order-statistic.ts';

export interface ThresholdTable {
  /** Distinct scores, highest first; a row is predicted positive when its score ≥ threshold. */
  thresholds: Float64Array;
  /** Cumulative true and false positives at each threshold. */
  tp: Float64Array;
  fp: Float64Array;
  positives: number;
  negatives: number;
}

/**
 * TP and FP at every distinct score over the rows, highest threshold first. A score that is not a number
 * ranks below every number: such rows make one last threshold (NaN), where everything is predicted positive.
 *
 * @example
 * const t = confusionAtThresholds(p, y, split.test);
 * t.tp[t.tp.length - 1] === t.positives; // everything predicted positive at the lowest threshold
 */
export function confusionAtThresholds(scores: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): ThresholdTable {
  const n = rows ? rows.length : scores.length;
  let positives = 0;
  for (let k = 0; k < n; k++) if (y[rows ? rows[k]! : k]) positives++;
  // The positives' and the negatives' scores, each sorted by a typed array's own sort (no comparator: a
  // comparator's result is a new heap number per comparison, 16 MiB a million comparisons), then walked
  // together from the top, equal scores of both sides making one threshold (0 and -0 are one score).
  const pos = new Float64Array(positives);
  const neg = new Float64Array(n - positives);
  let p = 0;
  let q = 0;
  let nanPos = 0;
  let nanNeg = 0;
  for (let k = 0; k < n; k++) {
    const r = rows ? rows[k]! : k;
    const v = scores[r]!;
    if (Number.isNaN(v)) {
      if (y[r]) nanPos++;
      else nanNeg++;
    } else if (y[r]) pos[p++] = v;
    else neg[q++] = v;
  }
  const sortedPos = pos.subarray(0, p).sort();
  const sortedNeg = neg.subarray(0, q).sort();
  const thresholds = new Float64Array(p + q + 1);
  const tp = new Float64Array(p + q + 1);
  const fp = new Float64Array(p + q + 1);
  let m = 0;
  let i = p - 1;
  let j = q - 1;
  let cTp = 0;
  let cFp = 0;
  while (i >= 0 || j >= 0) {
    const v = i < 0 ? sortedNeg[j]! : j < 0 ? sortedPos[i]! : Math.max(sortedPos[i]!, sortedNeg[j]!);
    while (i >= 0 && sortedPos[i] === v) { cTp++; i--; }
    while (j >= 0 && sortedNeg[j] === v) { cFp++; j--; }
    thresholds[m] = v;
    tp[m] = cTp;
    fp[m] = cFp;
    m++;
  }
  if (nanPos + nanNeg > 0) {
    thresholds[m] = Number.NaN;
    tp[m] = cTp += nanPos;
    fp[m] = cFp += nanNeg;
    m++;
  }
  return { thresholds: thresholds.slice(0, m), tp: tp.slice(0, m), fp: fp.slice(0, m), positives: cTp, negatives: cFp };
}

/** Kolmogorov–Smirnov statistic: the largest gap between the true- and false-positive rates. */
export function ksStatistic(scores: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): number {
  const t = confusionAtThresholds(scores, y, rows);
  let best = 0;
  for (let k = 0; k < t.thresholds.length; k++) best = Math.max(best, Math.abs(t.tp[k]! / t.positives - t.fp[k]! / t.negatives));
  return best;
}

export interface TradeoffPoint {
  threshold: number;
  /** Share of leads predicted positive ("sent to sales"). */
  share: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** The FP/FN trade-off at `points` evenly spaced shares of leads sent to sales (5%, 10%, …). */
export function tradeoffCurve(scores: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>, points = 20): TradeoffPoint[] {
  const t = confusionAtThresholds(scores, y, rows);
  const n = t.positives + t.negatives;
  const out: TradeoffPoint[] = [];
  let k = 0;
  for (let q = 1; q <= points; q++) {
    const want = (q / points) * n;
    while (k < t.thresholds.length - 1 && t.tp[k]! + t.fp[k]! < want) k++;
    const tp = t.tp[k]!;
    const fp = t.fp[k]!;
    out.push({ threshold: t.thresholds[k]!, share: (tp + fp) / n, tp, fp, fn: t.positives - tp, tn: t.negatives - fp });
  }
  return out.filter((p, i) => i === 0 || p.threshold !== out[i - 1]!.threshold);
}

export interface DecileRow {
  decile: number;
  leads: number;
  conversions: number;
  rate: number;
  lift: number;
  /** Share of all conversions captured by this decile and the ones above it. */
  cumulativeCapture: number;
}

/** Cumulative gains and lift by decile of score (decile 1 = the top 10%), ties broken by row order. */
export function gainsByDecile(scores: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): DecileRow[] {
  // Ties by row number: the rows in ascending order, so that position order is row order.
  const rowsUp = rows ? Int32Array.from(rows).sort() : allRows(scores.length);
  const byScore = stableOrder(floatsAt(scores, rowsUp), 'descending');
  const n = rowsUp.length;
  const idx = new Int32Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) total += y[(idx[k] = rowsUp[byScore[k]!]!)]!;
  const base = total / n;
  const out: DecileRow[] = [];
  let captured = 0;
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((d * n) / 10);
    const to = Math.floor(((d + 1) * n) / 10);
    let conversions = 0;
    for (let k = from; k < to; k++) conversions += y[idx[k]!]!;
    captured += conversions;
    const leads = to - from;
    const rate = leads ? conversions / leads : 0;
    out.push({ decile: d + 1, leads, conversions, rate, lift: base ? rate / base : 0, cumulativeCapture: total ? captured / total : 0 });
  }
  return out;
}
