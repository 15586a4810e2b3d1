/**
 * Curves over thresholds, all derived from one `confusionAtThresholds`: the FP/FN trade-off, the KS
 * statistic, cumulative gains and lift by decile.
 */
import { allRows } from '../data/columns.ts';

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
 * TP and FP at every distinct score over the rows, highest threshold first.
 *
 * @example
 * const t = confusionAtThresholds(p, y, split.test);
 * t.tp[t.tp.length - 1] === t.positives; // everything predicted positive at the lowest threshold
 */
export function confusionAtThresholds(scores: ArrayLike<number>, y: ArrayLike<number>, rows?: ArrayLike<number>): ThresholdTable {
  const n = rows ? rows.length : scores.length;
  const s = new Float64Array(n);
  const t = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const r = rows ? rows[k]! : k;
    s[k] = scores[r]!;
    t[k] = y[r]!;
  }
  const order = allRows(n).sort((a, b) => s[b]! - s[a]!);
  const thresholds: number[] = [];
  const tp: number[] = [];
  const fp: number[] = [];
  let cTp = 0;
  let cFp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (t[i]) cTp++;
    else cFp++;
    const next = order[k + 1];
    if (next !== undefined && s[next] === s[i]) continue;
    thresholds.push(s[i]!);
    tp.push(cTp);
    fp.push(cFp);
  }
  return { thresholds: Float64Array.from(thresholds), tp: Float64Array.from(tp), fp: Float64Array.from(fp), positives: cTp, negatives: cFp };
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
  const idx = rows ? Array.from(rows) : Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const n = idx.length;
  const total = idx.reduce((s, r) => s + y[r]!, 0);
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
