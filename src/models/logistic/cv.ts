/**
 * Choosing C by stratified k-fold cross-validation on the training rows: for each C in the grid (smallest
 * first, warm-started), fit on k − 1 folds and score the mean log loss of the held-out fold. The out-of-fold
 * probabilities of the chosen C are kept: calibration is fitted on them, so it never sees a prediction made
 * on a row the model was fitted on.
 * The features were encoded with statistics of all training rows (medians, scales), as scikit-learn's
 * LogisticRegressionCV does when preprocessing sits outside it; the target never leaks across folds.
 */
import type { Rng } from '../../random.ts';
import { logLoss } from '../../evaluation/metrics.ts';
import { type Design, LogisticRegression, type LogisticParams } from './logistic.ts';

export const C_GRID = [0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;

/** Stratified fold number (0..k-1) for each row. */
export function stratifiedFolds(y: Uint8Array, k: number, rng: Rng): Uint8Array {
  const fold = new Uint8Array(y.length);
  for (const cls of [0, 1]) {
    const members: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) members.push(i);
    const order = rng.permutation(members.length);
    order.forEach((m, rank) => (fold[members[m]!] = rank % k));
  }
  return fold;
}

/** The rows of a design matrix (a copy, column-major). */
export function designRows(design: Design, rows: ArrayLike<number>): Design {
  const n = rows.length;
  const X = new Float64Array(n * design.p);
  for (let j = 0; j < design.p; j++) {
    const from = j * design.n;
    const to = j * n;
    for (let k = 0; k < n; k++) X[to + k] = design.X[from + rows[k]!]!;
  }
  return { X, n, p: design.p, names: design.names };
}

export interface CvResult {
  C: number;
  folds: number;
  scores: Array<{ C: number; logLoss: number }>;
  /** Out-of-fold probabilities of the chosen C, one per training row. */
  oof: Float64Array;
}

/**
 * @example
 * const cv = chooseC(trainDesign, yTrain, { rng: createRng(42).fork('folds') });
 * new LogisticRegression({ C: cv.C }).fit(trainDesign, yTrain);
 */
export function chooseC(design: Design, y: Uint8Array, options: { rng: Rng; folds?: number; grid?: readonly number[]; params?: Partial<LogisticParams> }): CvResult {
  const k = options.folds ?? 5;
  const grid = [...(options.grid ?? C_GRID)].sort((a, b) => a - b);
  const fold = stratifiedFolds(y, k, options.rng);
  // Fold by fold, so that one fold's rows are copied at a time (all five at once took 5 × the training
  // design: 20 GB for 800,000 rows × 621 one-hot features); within a fold the C grid runs in ascending
  // order, each fit starting from the last, exactly as it ran C by C before.
  const oofs = grid.map(() => new Float64Array(y.length));
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < y.length; i++) (fold[i] === f ? test : train).push(i);
    const trainDesign = designRows(design, train);
    const yTrain = Uint8Array.from(train, (i) => y[i]!);
    const testDesign = designRows(design, test);
    let start: Float64Array | undefined;
    grid.forEach((C, g) => {
      const model = new LogisticRegression({ ...options.params, C }).fit(trainDesign, yTrain, start ? { start } : {});
      start = Float64Array.from(model.fitted.beta);
      const p = model.predictProba(testDesign);
      test.forEach((row, t) => (oofs[g]![row] = p[t]!));
    });
  }
  const scores: CvResult['scores'] = [];
  let best = { C: grid[0]!, loss: Infinity, oof: new Float64Array(y.length) };
  grid.forEach((C, g) => {
    const oof = oofs[g]!;
    const loss = logLoss(oof, y);
    scores.push({ C, logLoss: loss });
    if (loss < best.loss - 1e-12) best = { C, loss, oof };
  });
  return { C: best.C, folds: k, scores, oof: best.oof };
}
