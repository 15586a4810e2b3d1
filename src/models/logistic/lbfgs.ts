/**
 * L-BFGS for the logistic objective when there are too many encoded features for a dense Newton step:
 * the two-loop recursion over the last `m` curvature pairs, with a backtracking (Armijo) line search.
 */
import { maxAbs, type SolveOptions, type SolveResult, totalWeight } from './newton.ts';
import { type LogisticProblem, objectiveAndGradient } from './objective.ts';

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * @example
 * const { beta, converged } = solveLbfgs(problem, { tol: 1e-8, maxIter: 2000 });
 */
export function solveLbfgs(prob: LogisticProblem, options: SolveOptions & { memory?: number }): SolveResult {
  const d = prob.p + 1;
  const m = options.memory ?? 10;
  const beta = options.start ? Float64Array.from(options.start) : new Float64Array(d);
  const grad = new Float64Array(d);
  const z = new Float64Array(prob.n);
  const r = new Float64Array(prob.n);
  const scale = totalWeight(prob) || 1;
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const direction = new Float64Array(d);
  const trial = new Float64Array(d);
  const trialGrad = new Float64Array(d);
  const alpha = new Float64Array(m);
  let f = objectiveAndGradient(prob, beta, grad, z, r);
  let iterations = 0;
  while (iterations < options.maxIter && maxAbs(grad) / scale >= options.tol) {
    iterations++;
    // Two-loop recursion: direction = −H·grad.
    direction.set(grad);
    for (let k = sList.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(sList[k]!, direction);
      const yk = yList[k]!;
      for (let j = 0; j < d; j++) direction[j]! -= alpha[k]! * yk[j]!;
    }
    const gamma = sList.length > 0 ? dot(sList[sList.length - 1]!, yList[yList.length - 1]!) / dot(yList[yList.length - 1]!, yList[yList.length - 1]!)
      : 1 / Math.max(1e-12, Math.sqrt(dot(grad, grad)));
    for (let j = 0; j < d; j++) direction[j]! *= gamma;
    for (let k = 0; k < sList.length; k++) {
      const b = rho[k]! * dot(yList[k]!, direction);
      const sk = sList[k]!;
      for (let j = 0; j < d; j++) direction[j]! += sk[j]! * (alpha[k]! - b);
    }
    for (let j = 0; j < d; j++) direction[j] = -direction[j]!;
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // Not a descent direction (stale curvature): restart from steepest descent.
      sList.length = 0;
      yList.length = 0;
      rho.length = 0;
      for (let j = 0; j < d; j++) direction[j] = -grad[j]! / Math.max(1e-12, Math.sqrt(dot(grad, grad)));
      slope = dot(grad, direction);
    }
    let t = 1;
    let fTrial = Infinity;
    for (let k = 0; k < 40; k++) {
      for (let j = 0; j < d; j++) trial[j] = beta[j]! + t * direction[j]!;
      fTrial = objectiveAndGradient(prob, trial, trialGrad, z, r);
      if (fTrial <= f + 1e-4 * t * slope) break;
      t /= 2;
    }
    if (!(fTrial <= f)) break;
    const s = new Float64Array(d);
    const yv = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      s[j] = trial[j]! - beta[j]!;
      yv[j] = trialGrad[j]! - grad[j]!;
    }
    const sy = dot(s, yv);
    if (sy > 1e-12) {
      sList.push(s);
      yList.push(yv);
      rho.push(1 / sy);
      if (sList.length > m) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
    }
    beta.set(trial);
    grad.set(trialGrad);
    const decrease = f - fTrial;
    f = fTrial;
    if (decrease <= 1e-15 * Math.max(1, Math.abs(f))) break;
  }
  const gradientNorm = maxAbs(grad) / scale;
  return { beta, iterations, converged: gradientNorm < options.tol, gradientNorm, objective: f };
}
