/**
 * Comparing two scorers on the same rows: DeLong's test for the difference of two correlated ROC AUCs
 * (DeLong, DeLong & Clarke-Pearson 1988), computed with midranks in O(n log n) (Sun & Xu 2014).
 */
import { averageRanks as midranks } from './metrics.ts';

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
