/**
 * The L2-regularised, weighted logistic objective over a column-major design matrix:
 *   f(β) = Σᵢ wᵢ · loss(yᵢ, β₀ + xᵢ·β) + (λ/2) · Σ_{j≥1} βⱼ²       (λ = 1/C, the intercept is not penalised)
 * β has p + 1 entries, the intercept first. Hot loops run over typed arrays with buffers passed in.
 */
import { binomialLoss, sigmoid } from '../loss.ts';

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
}

/** z = β₀ + Xβ into `out` (length n). Column-outer loop: contiguous reads of X. */
export function linearPredictor(prob: Pick<LogisticProblem, 'X' | 'n' | 'p'>, beta: Float64Array, out: Float64Array): void {
  const { X, n, p } = prob;
  out.fill(beta[0]!);
  for (let j = 0; j < p; j++) {
    const b = beta[j + 1]!;
    if (b === 0) continue;
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
    for (let i = 0; i < n; i++) s += r[i]! * X[offset + i]!;
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
  for (let j = 0; j < p; j++) {
    const offset = j * n;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const v = s[i]! * X[offset + i]!;
      u[i] = v;
      acc += v;
    }
    out[(j + 1) * d] = acc;
    out[j + 1] = acc;
    // u = s ∘ x_j, dotted with every x_k, k ≤ j.
    for (let k = 0; k <= j; k++) {
      const ok = k * n;
      let t = 0;
      for (let i = 0; i < n; i++) t += u[i]! * X[ok + i]!;
      out[(j + 1) * d + (k + 1)] = t;
      out[(k + 1) * d + (j + 1)] = t;
    }
    out[(j + 1) * d + (j + 1)]! += lambda;
  }
}
