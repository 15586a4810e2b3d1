/**
 * Choosing a few of many 0/1 features for a logistic regression, each feature given as the rows where it is
 * 1: forward selection by the score test (Rao's efficient score, as SAS PROC LOGISTIC's SELECTION=FORWARD),
 * each step refitted without penalty by the package's Newton solver. Used to choose a scorecard's criteria.
 *
 * Measured against an L1 (lasso) path followed until as many features were active, on the bundled sample's
 * logistic run (2026-12-03): at 20 criteria the forward scorecard's hold-out AUC was 0.780 against the lasso's
 * 0.774, at 10 criteria 0.763 against 0.716; the lasso's shrinkage lets correlated features (the same activity
 * counted over 7, 30 and 90 days) enter together. So the lasso was removed.
 *
 * Targets are in [0, 1]: outcomes, or a model's probabilities (the log-loss is defined for both).
 */
import type { Design } from '../../features/design.ts';
import { LogisticRegression } from './logistic.ts';

export interface BinaryDesign {
  /** Rows (0 … n − 1). */
  n: number;
  /** For each feature, the rows where it is 1, ascending. */
  features: Int32Array[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export interface Refit {
  intercept: number;
  /** One per selected feature, in the order given. */
  coef: Float64Array;
  converged: boolean;
}

/** Targets in [0, 1] as the weighted 0/1 rows the logistic solver takes: each row once as 1 (weight t) and once as 0 (weight 1 − t). */
function asWeightedRows(design: BinaryDesign, t: ArrayLike<number>, selected: readonly number[]): { design: Design; y: Uint8Array; weight?: Float64Array } {
  const { n } = design;
  let binary = true;
  for (let i = 0; i < n && binary; i++) binary = t[i] === 0 || t[i] === 1;
  const names = selected.map((j) => `f${j}`);
  if (binary) {
    return { design: { n, p: selected.length, names, columns: selected.map((j) => ({ kind: 'ones', rows: design.features[j]! })) }, y: Uint8Array.from(t) };
  }
  const twice = (rows: Int32Array) => {
    const out = new Int32Array(2 * rows.length);
    out.set(rows);
    for (let m = 0; m < rows.length; m++) out[rows.length + m] = rows[m]! + n;
    return out;
  };
  const y = new Uint8Array(2 * n);
  y.fill(1, 0, n);
  const weight = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    weight[i] = t[i]!;
    weight[n + i] = 1 - t[i]!;
  }
  return { design: { n: 2 * n, p: selected.length, names, columns: selected.map((j) => ({ kind: 'ones', rows: twice(design.features[j]!) })) }, y, weight };
}

/**
 * Logistic regression on the selected features without penalty, by the package's Newton solver (C = 1e8: a
 * ridge that only keeps the solve defined).
 *
 * @example
 * const { intercept, coef } = refitLogistic(design, y, [3, 7]);
 */
export function refitLogistic(design: BinaryDesign, t: ArrayLike<number>, selected: readonly number[]): Refit {
  const rows = asWeightedRows(design, t, selected);
  const model = new LogisticRegression({ C: 1e8, solver: 'newton' }).fit(rows.design, rows.y, rows.weight ? { sampleWeight: rows.weight } : {});
  const { beta, converged } = model.fitted;
  return { intercept: beta[0]!, coef: Float64Array.from(beta.slice(1)), converged };
}

/**
 * Forward selection by the score test: from the intercept alone, add the feature whose score statistic
 * g_j² / h_j (the first Newton step's gain in log-likelihood, for a feature not yet in the model) is largest,
 * refit every chosen coefficient without penalty, and repeat until `maxFeatures` are in or no feature adds
 * a chi-square of 3.84 (5%). A feature whose rows' targets are all 0 or all 1 is never chosen (no finite fit).
 *
 * @example
 * const { selected } = forwardSelect(design, y, 20);
 */
export function forwardSelect(design: BinaryDesign, t: ArrayLike<number>, maxFeatures: number): { selected: number[]; refit: Refit } {
  const { n, features } = design;
  const selected: number[] = [];
  // A feature whose rows all have target 0 (or all 1) separates them: its coefficient has no finite optimum.
  const pure = features.map((rows) => {
    let sum = 0;
    for (let m = 0; m < rows.length; m++) sum += t[rows[m]!]!;
    return sum === 0 || sum === rows.length;
  });
  let refit: Refit = refitLogistic(design, t, selected);
  const eta = new Float64Array(n);
  while (selected.length < maxFeatures) {
    eta.fill(refit.intercept);
    selected.forEach((j, a) => {
      for (const r of features[j]!) eta[r]! += refit.coef[a]!;
    });
    const w = new Float64Array(n);
    const res = new Float64Array(n);
    let sw = 0;
    let sr = 0;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(eta[i]!);
      w[i] = p * (1 - p);
      res[i] = t[i]! - p;
      sw += w[i]!;
      sr += res[i]!;
    }
    let best = -1;
    let bestStat = 3.84;
    features.forEach((rows, j) => {
      if (rows.length === 0 || pure[j] || selected.includes(j)) return;
      let g = 0;
      let h = 0;
      for (let m = 0; m < rows.length; m++) {
        g += res[rows[m]!]!;
        h += w[rows[m]!]!;
      }
      // The score statistic with the intercept refitted too: the feature's variance net of the constant.
      const hAdj = h - (h * h) / sw;
      const gAdj = g - (h / sw) * sr;
      const stat = hAdj > 1e-12 ? (gAdj * gAdj) / hAdj : 0;
      if (stat > bestStat) {
        bestStat = stat;
        best = j;
      }
    });
    if (best < 0) break;
    selected.push(best);
    refit = refitLogistic(design, t, selected);
  }
  return { selected, refit };
}
