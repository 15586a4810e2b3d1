/**
 * Comparing two scorers on the same rows: DeLong's test for the difference of two correlated ROC AUCs
 * (DeLong, DeLong & Clarke-Pearson 1988), computed with midranks in O(n log n) (Sun & Xu 2014).
 */
import type { Rng } from '../random.ts';
import { averageRanks as midranks } from './metrics.ts';
import { allRows, bytesAt } from '../data/columns.ts';

/** Per-model AUC and the structural components V10 (per positive) and V01 (per negative). */
function components(scores: ArrayLike<number>, y: ArrayLike<number>, rows: ArrayLike<number>) {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let k = 0; k < rows.length; k++) (y[rows[k]!] ? pos : neg).push(scores[rows[k]!]!);
  const m = pos.length;
  const n = neg.length;
  const x = Float64Array.from(pos);
  const yv = Float64Array.from(neg);
  const tx = midranks(x);
  const ty = midranks(yv);
  const tz = midranks(Float64Array.from([...pos, ...neg]));
  const v10 = Float64Array.from(tx, (t, i) => (tz[i]! - t) / n);
  const v01 = Float64Array.from(ty, (t, j) => 1 - (tz[m + j]! - t) / m);
  const auc = v10.reduce((s, v) => s + v, 0) / m;
  return { auc, v10, v01, m, n };
}

function covariance(a: Float64Array, b: Float64Array): number {
  const ma = a.reduce((s, v) => s + v, 0) / a.length;
  const mb = b.reduce((s, v) => s + v, 0) / b.length;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return s / (a.length - 1);
}

export interface AucComparison {
  aucA: number;
  aucB: number;
  /** aucA − aucB */
  diff: number;
  se: number;
  ci95: [number, number];
  /** Two-sided p-value of the difference. */
  pValue: number;
}

/** The standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * DeLong comparison of two scorers' AUCs on the same rows.
 *
 * @example
 * const c = delongTest(modelScores, ruleScores, y, split.test);
 * c.ci95; // 95% interval of AUC(model) − AUC(rules)
 */
export function delongTest(a: ArrayLike<number>, b: ArrayLike<number>, y: ArrayLike<number>, rows: ArrayLike<number>): AucComparison {
  const ca = components(a, y, rows);
  const cb = components(b, y, rows);
  const s10 = covariance(ca.v10, ca.v10) + covariance(cb.v10, cb.v10) - 2 * covariance(ca.v10, cb.v10);
  const s01 = covariance(ca.v01, ca.v01) + covariance(cb.v01, cb.v01) - 2 * covariance(ca.v01, cb.v01);
  const variance = Math.max(0, s10 / ca.m + s01 / ca.n);
  const se = Math.sqrt(variance);
  const diff = ca.auc - cb.auc;
  const z = se === 0 ? 0 : diff / se;
  return { aucA: ca.auc, aucB: cb.auc, diff, se, ci95: [diff - 1.959964 * se, diff + 1.959964 * se], pValue: se === 0 ? 1 : 2 * (1 - normalCdf(Math.abs(z))) };
}

/** DeLong variance of one AUC (for tests and single-model intervals). */
export function delongVariance(scores: ArrayLike<number>, y: ArrayLike<number>, rows: ArrayLike<number>): number {
  const c = components(scores, y, rows);
  return covariance(c.v10, c.v10) / c.m + covariance(c.v01, c.v01) / c.n;
}

export interface BootstrapDiff {
  /** A − B on the rows as they are. */
  diff: number;
  ci95: [number, number];
}

/**
 * Paired bootstrap (seeded; the same resampled rows for both scorers) of the differences in lift and in
 * precision among the top `share` of leads (the leads sales can take: precision at capacity).
 *
 * @example
 * pairedBootstrap(model, rules, y, split.test, { rng: createRng(42).fork('bootstrap') }).lift.ci95;
 */
export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, y: ArrayLike<number>, rows: ArrayLike<number>,
  options: { rng: Rng; resamples?: number; share?: number }): { lift: BootstrapDiff; precision: BootstrapDiff; resamples: number; share: number } {
  const resamples = options.resamples ?? 1000;
  const share = options.share ?? 0.1;
  const n = rows.length;
  const yy = bytesAt(y, rows);
  const orderOf = (s: ArrayLike<number>) => allRows(n).sort((p, q) => s[rows[q]!]! - s[rows[p]!]! || p - q);
  const orderA = orderOf(a);
  const orderB = orderOf(b);
  const weights = new Uint32Array(n);
  /** Precision among the top `share` of the weighted rows. */
  const topPrecision = (order: Int32Array, total: number): number => {
    const want = share * total;
    let taken = 0;
    let positives = 0;
    for (let k = 0; k < n && taken < want; k++) {
      const i = order[k]!;
      const w = Math.min(weights[i]!, want - taken);
      taken += w;
      positives += w * yy[i]!;
    }
    return taken > 0 ? positives / taken : 0;
  };
  const stat = () => {
    let total = 0;
    let pos = 0;
    for (let i = 0; i < n; i++) {
      total += weights[i]!;
      pos += weights[i]! * yy[i]!;
    }
    const base = pos / total;
    const pa = topPrecision(orderA, total);
    const pb = topPrecision(orderB, total);
    return { precision: pa - pb, lift: base > 0 ? (pa - pb) / base : 0 };
  };
  weights.fill(1);
  const observed = stat();
  const lifts = new Float64Array(resamples);
  const precisions = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    weights.fill(0);
    for (let k = 0; k < n; k++) weights[options.rng.int(n)]!++;
    const s = stat();
    lifts[r] = s.lift;
    precisions[r] = s.precision;
  }
  const interval = (v: Float64Array): [number, number] => {
    const sorted = Float64Array.from(v).sort();
    return [sorted[Math.floor(0.025 * (resamples - 1))]!, sorted[Math.ceil(0.975 * (resamples - 1))]!];
  };
  return { lift: { diff: observed.lift, ci95: interval(lifts) }, precision: { diff: observed.precision, ci95: interval(precisions) }, resamples, share };
}
