/**
 * Probability calibration fitted on predictions for rows the model did not train on (out-of-fold
 * predictions of the training rows; never the hold-out):
 * - Platt: P = σ(a · logit(p) + b), fitted by (almost unpenalised) logistic regression;
 * - isotonic: the pool-adjacent-violators fit of y on p, interpolated linearly between its steps and
 *   clipped at the ends, as scikit-learn's IsotonicRegression(out_of_bounds='clip').
 */
import { logit, sigmoid } from './loss.ts';
import { LogisticRegression } from './logistic/logistic.ts';
import { denseDesign } from '../features/design.ts';
import type { Rng } from '../random.ts';
import { logLoss } from '../evaluation/metrics.ts';
import { bytesAt, floatsAt } from '../data/columns.ts';
import { stableOrder } from '../data/types/order-statistic.ts';

export type CalibrationKind = 'platt' | 'isotonic' | 'none';

export type Calibrator =
  | { kind: 'none' }
  | { kind: 'platt'; a: number; b: number }
  | { kind: 'isotonic'; x: number[]; y: number[] };

const clampP = (p: number) => Math.min(1 - 1e-12, Math.max(1e-12, p));

/**
 * @example
 * const cal = fitCalibrator('platt', oofProbabilities, yTrain);
 * const calibrated = applyCalibrator(cal, model.predictProba(testDesign));
 */
export function fitCalibrator(kind: CalibrationKind, p: ArrayLike<number>, y: Uint8Array): Calibrator {
  if (kind === 'none') return { kind };
  if (kind === 'platt') {
    const n = p.length;
    const X = Float64Array.from(p, (v) => logit(clampP(v)));
    const model = new LogisticRegression({ C: 1e6 }).fit(denseDesign(X, n, 1, ['logit']), y);
    const [b, a] = model.fitted.beta as [number, number];
    return { kind, a, b };
  }
  return isotonicFit(p, y);
}

/** Pool adjacent violators on (p, y) sorted by p, ties pooled first. */
function isotonicFit(p: ArrayLike<number>, y: Uint8Array): Calibrator {
  const order = stableOrder(p, 'ascending');
  // Blocks: [x (mean p), value (mean y), weight].
  const xs: number[] = [];
  const vs: number[] = [];
  const ws: number[] = [];
  let k = 0;
  while (k < order.length) {
    let j = k;
    let sumY = 0;
    while (j < order.length && p[order[j]!] === p[order[k]!]) sumY += y[order[j++]!]!;
    xs.push(p[order[k]!]!);
    vs.push(sumY / (j - k));
    ws.push(j - k);
    k = j;
  }
  // Merge violating neighbours; each block keeps its x range as first/last x.
  const bx0: number[] = [];
  const bx1: number[] = [];
  const bv: number[] = [];
  const bw: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    bx0.push(xs[i]!);
    bx1.push(xs[i]!);
    bv.push(vs[i]!);
    bw.push(ws[i]!);
    while (bv.length > 1 && bv[bv.length - 2]! >= bv[bv.length - 1]!) {
      const w = bw[bw.length - 2]! + bw[bw.length - 1]!;
      const v = (bv[bv.length - 2]! * bw[bw.length - 2]! + bv[bv.length - 1]! * bw[bw.length - 1]!) / w;
      const x1 = bx1.pop()!;
      bx0.pop();
      bv.pop();
      bw.pop();
      bv[bv.length - 1] = v;
      bw[bw.length - 1] = w;
      bx1[bx1.length - 1] = x1;
    }
  }
  // Interpolation knots: each block's first and last x, with its value.
  const x: number[] = [];
  const yv: number[] = [];
  for (let i = 0; i < bv.length; i++) {
    x.push(bx0[i]!);
    yv.push(bv[i]!);
    if (bx1[i] !== bx0[i]) {
      x.push(bx1[i]!);
      yv.push(bv[i]!);
    }
  }
  return { kind: 'isotonic', x, y: yv };
}

/** Calibrated probabilities, into `out` if given (`p` itself: in place). */
export function applyCalibrator(cal: Calibrator, p: ArrayLike<number>, out: Float64Array = new Float64Array(p.length)): Float64Array {
  if (cal.kind === 'none') {
    // The probabilities as they are (a call per value boxed each one: 15 MB a million rows).
    if (out !== p) for (let i = 0; i < p.length; i++) out[i] = p[i]!;
    return out;
  }
  for (let i = 0; i < p.length; i++) out[i] = calibrate(cal, p[i]!);
  return out;
}

export function calibrate(cal: Calibrator, p: number): number {
  switch (cal.kind) {
    case 'none':
      return p;
    case 'platt':
      return sigmoid(cal.a * logit(clampP(p)) + cal.b);
    case 'isotonic': {
      const { x, y } = cal;
      if (p <= x[0]!) return y[0]!;
      if (p >= x[x.length - 1]!) return y[y.length - 1]!;
      let lo = 0;
      let hi = x.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (x[mid]! <= p) lo = mid;
        else hi = mid;
      }
      const t = x[hi] === x[lo] ? 0 : (p - x[lo]!) / (x[hi]! - x[lo]!);
      return y[lo]! + t * (y[hi]! - y[lo]!);
    }
  }
}

/**
 * Chooses the calibration by two-fold cross-fitting on the out-of-fold predictions: each of none, Platt
 * and isotonic is fitted on one half and scored (log loss) on the other, both ways; the lowest total wins.
 *
 * @example
 * const { kind } = chooseCalibration(cv.oof, yTrain, rng.fork('calibration'));
 */
export function chooseCalibration(p: ArrayLike<number>, y: Uint8Array, rng: Rng): { kind: CalibrationKind; logLoss: Record<CalibrationKind, number> } {
  const n = p.length;
  const order = rng.permutation(n);
  const halves = [order.subarray(0, n >> 1), order.subarray(n >> 1)];
  const scores = {} as Record<CalibrationKind, number>;
  for (const kind of ['none', 'platt', 'isotonic'] as const) {
    let total = 0;
    for (const [fit, score] of [[halves[0]!, halves[1]!], [halves[1]!, halves[0]!]] as const) {
      const cal = fitCalibrator(kind, floatsAt(p, fit), bytesAt(y, fit));
      total += logLoss(applyCalibrator(cal, floatsAt(p, score)), bytesAt(y, score)) * score.length;
    }
    scores[kind] = total / n;
  }
  const kind = (['none', 'platt', 'isotonic'] as const).reduce((best, k) => (scores[k] < scores[best] - 1e-9 ? k : best), 'none' as CalibrationKind);
  return { kind, logLoss: scores };
}
