/**
 * Newton's method (IRLS) for the logistic objective: each step solves H d = g by Cholesky and backtracks
 * until the objective decreases. Quadratic convergence: a handful of iterations to a gradient of ~1e-10.
 * For up to about 500 encoded features; above that, L-BFGS.
 */
import { choleskyInPlace, choleskySolveInPlace } from './linalg.ts';
import { onesByRow } from '../../features/design.ts';
import { hessian, type LogisticProblem, objectiveAndGradient } from './objective.ts';

export interface SolveResult {
  beta: Float64Array;
  iterations: number;
  converged: boolean;
  /** Max |gradient| of the objective divided by the total weight, at the solution. */
  gradientNorm: number;
  objective: number;
}

export interface SolveOptions {
  /** Stop when max |∇f| / Σw falls below this. */
  tol: number;
  maxIter: number;
  /** Starting point (warm start), p + 1 values. */
  start?: Float64Array;
}

export function totalWeight(prob: LogisticProblem): number {
  let s = 0;
  for (let i = 0; i < prob.n; i++) s += prob.w[i]!;
  return s;
}

export function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  return m;
}

/**
 * @example
 * const { beta, iterations } = solveNewton(problem, { tol: 1e-10, maxIter: 50 });
 */
export function solveNewton(problem: LogisticProblem, options: SolveOptions): SolveResult {
  const prob = problem.onesByRow ? problem : { ...problem, onesByRow: onesByRow(problem) };
  const d = prob.p + 1;
  const beta = options.start ? Float64Array.from(options.start) : new Float64Array(d);
  const grad = new Float64Array(d);
  const z = new Float64Array(prob.n);
  const r = new Float64Array(prob.n);
  const u = new Float64Array(prob.n);
  const h = new Float64Array(d * d);
  const step = new Float64Array(d);
  const trial = new Float64Array(d);
  const trialGrad = new Float64Array(d);
  const scale = totalWeight(prob) || 1;
  let f = objectiveAndGradient(prob, beta, grad, z, r);
  let iterations = 0;
  while (iterations < options.maxIter) {
    if (maxAbs(grad) / scale < options.tol) return { beta, iterations, converged: true, gradientNorm: maxAbs(grad) / scale, objective: f };
    iterations++;
    hessian(prob, z, h, u);
    if (!choleskyInPlace(h, d)) {
      // Not positive definite (λ = 0 and separable or collinear data): a tiny ridge keeps the step defined.
      hessian(prob, z, h, u);
      for (let j = 0; j < d; j++) h[j * d + j]! += 1e-8 * scale;
      if (!choleskyInPlace(h, d)) break;
    }
    step.set(grad);
    choleskySolveInPlace(h, d, step);
    let t = 1;
    let accepted = false;
    for (let k = 0; k < 30; k++) {
      for (let j = 0; j < d; j++) trial[j] = beta[j]! - t * step[j]!;
      const fTrial = objectiveAndGradient(prob, trial, trialGrad, z, r);
      if (fTrial <= f + 1e-12 * Math.abs(f)) {
        beta.set(trial);
        grad.set(trialGrad);
        f = fTrial;
        accepted = true;
        break;
      }
      t /= 2;
    }
    if (!accepted) {
      objectiveAndGradient(prob, beta, grad, z, r);
      break;
    }
  }
  const gradientNorm = maxAbs(grad) / scale;
  return { beta, iterations, converged: gradientNorm < options.tol, gradientNorm, objective: f };
}
