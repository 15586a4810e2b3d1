/**
 * The binomial log loss, in one place for every model (logistic regression, the trees, calibration), as
 * scikit-learn keeps it in sklearn/_loss: the link, its inverse and the loss of a raw score. The learners'
 * gradient (σ(z) − y) and hessian (σ(z)(1 − σ(z))) loops compute σ(z) once per row for both, inline.
 */

/** The logistic link, stable for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The inverse of the link: log(p / (1 − p)). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Log loss of one row from its raw score z (log-odds): softplus(z) − y·z.
 *
 * @example
 * binomialLoss(1, 0); // log 2
 */
export function binomialLoss(y: number, z: number): number {
  return softplus(z) - y * z;
}
