/**
 * The L2-regularised, weighted logistic objective over a column-major design matrix:
 *   f(β) = Σᵢ wᵢ · loss(yᵢ, β₀ + xᵢ·β) + (λ/2) · Σ_{j≥1} βⱼ²       (λ = 1/C, the intercept is not penalised)
 * β has p + 1 entries, the intercept first. Hot loops run over typed arrays with buffers passed in.
 */
import { binomialLoss, sigmoid } from '../loss.ts';

/**
 * For each column, the rows where it is 1 when the column is a sparse 0/1 indicator (one-hot levels,
 * missing flags: under half the rows non-zero), else null. Loops over such a column visit only those rows.
 */
export type SparseIndex = Array<Int32Array | null>;

export function sparseIndex(X: Float64Array, n: number, p: number): SparseIndex {
  const out: SparseIndex = [];
  for (let j = 0; j < p; j++) {
    const offset = j * n;
    let ones = 0;
    let binary = true;
    for (let i = 0; i < n; i++) {
      const v = X[offset + i]!;
      if (v === 1) ones++;
      else if (v !== 0) {
        binary = false;
        break;
      }
    }
    if (!binary || ones * 2 > n) {
      out.push(null);
      continue;
    }
    const rows = new Int32Array(ones);
    let k = 0;
    for (let i = 0; i < n; i++) if (X[offset + i] === 1) rows[k++] = i;
    out.push(rows);
  }
  return out;
}

export interface LogisticProblem {
  /** Column-major n × p features (no intercept column). */
  X: Float64Array;
  n: number;
  p: number;
  y: Uint8Array;
  /** Per-row weights (sample weight × class weight). */
  w: Float64Array;
  /** L2 strength on the coefficients, 1 / C. */
  lambda: number;
  /** Sparse 0/1 columns (computed once per problem by the solvers). */
  sparse?: SparseIndex;
}

/** z = β₀ + Xβ into `out` (length n). Column-outer loop: contiguous reads of X. */
export function linearPredictor(prob: Pick<LogisticProblem, 'X' | 'n' | 'p' | 'sparse'>, beta: Float64Array, out: Float64Array): void {
  const { X, n, p } = prob;
  out.fill(beta[0]!);
  for (let j = 0; j < p; j++) {
    const b = beta[j + 1]!;
    if (b === 0) continue;
    const rows = prob.sparse?.[j];
    if (rows) {
      for (let k = 0; k < rows.length; k++) out[rows[k]!]! += b;
      continue;
    }
    const offset = j * n;
    for (let i = 0; i < n; i++) out[i]! += b * X[offset + i]!;
  }
}

/**
 * Objective value and gradient at β; `z` and `r` are scratch buffers of length n (z ends holding the
 * linear predictor, r the weighted residuals wᵢ(pᵢ − yᵢ)).
 */
export function objectiveAndGradient(prob: LogisticProblem, beta: Float64Array, grad: Float64Array, z: Float64Array, r: Float64Array): number {
  const { X, n, p, y, w, lambda } = prob;
  linearPredictor(prob, beta, z);
  let f = 0;
  let g0 = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i]!;
    f += w[i]! * binomialLoss(y[i]!, zi);
    const ri = w[i]! * (sigmoid(zi) - y[i]!);
    r[i] = ri;
    g0 += ri;
  }
  grad[0] = g0;
  for (let j = 0; j < p; j++) {
    const offset = j * n;
    let s = 0;
    const rows = prob.sparse?.[j];
    if (rows) for (let k = 0; k < rows.length; k++) s += r[rows[k]!]!;
    else for (let i = 0; i < n; i++) s += r[i]! * X[offset + i]!;
    const b = beta[j + 1]!;
    grad[j + 1] = s + lambda * b;
    f += 0.5 * lambda * b * b;
  }
  return f;
}

/**
 * The Hessian (p+1)×(p+1), row-major, at the linear predictor `z`: [Σ wᵢsᵢ x̃ᵢx̃ᵢᵀ] + λ on the coefficient
 * diagonal, where x̃ = (1, x) and s = σ(z)(1 − σ(z)). `u` is a scratch buffer of length n.
 */
export function hessian(prob: LogisticProblem, z: Float64Array, out: Float64Array, u: Float64Array): void {
  const { X, n, p, w, lambda } = prob;
  const d = p + 1;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pi = sigmoid(z[i]!);
    s[i] = w[i]! * pi * (1 - pi);
  }
  // Column 0 (the intercept) against every column.
  let h00 = 0;
  for (let i = 0; i < n; i++) h00 += s[i]!;
  out[0] = h00;
  const sparse = prob.sparse;
  for (let j = 0; j < p; j++) {
    const offset = j * n;
    const rowsJ = sparse?.[j];
    let acc = 0;
    if (rowsJ) {
      for (let k = 0; k < rowsJ.length; k++) acc += s[rowsJ[k]!]!;
    } else {
      for (let i = 0; i < n; i++) {
        const v = s[i]! * X[offset + i]!;
        u[i] = v;
        acc += v;
      }
    }
    out[(j + 1) * d] = acc;
    out[j + 1] = acc;
    // Σ sᵢ xᵢⱼ xᵢₖ for k ≤ j, looping over the rows of the sparser column.
    for (let k = 0; k <= j; k++) {
      const ok = k * n;
      const rowsK = sparse?.[k];
      let t = 0;
      if (rowsJ && (!rowsK || rowsJ.length <= rowsK.length)) {
        for (let q = 0; q < rowsJ.length; q++) {
          const i = rowsJ[q]!;
          t += s[i]! * X[ok + i]!;
        }
      } else if (rowsK) {
        if (rowsJ) for (let q = 0; q < rowsK.length; q++) t += s[rowsK[q]!]! * X[offset + rowsK[q]!]!;
        else for (let q = 0; q < rowsK.length; q++) t += u[rowsK[q]!]!;
      } else {
        for (let i = 0; i < n; i++) t += u[i]! * X[ok + i]!;
      }
      out[(j + 1) * d + (k + 1)] = t;
      out[(k + 1) * d + (j + 1)] = t;
    }
    out[(j + 1) * d + (j + 1)]! += lambda;
  }
}
