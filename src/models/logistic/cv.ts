/**
 * Choosing C by stratified k-fold cross-validation on the training rows: for each C in the grid (smallest
 * first, warm-started), fit on k − 1 folds and score the mean log loss of the held-out fold; on large
 * training sets, on one held-out slice (`SLICE_ABOVE_ROWS`). The out-of-sample probabilities of the chosen C
 * are kept: calibration is fitted on them, so it never sees a prediction made on a row the model was fitted on.
 * The features were encoded with statistics of all training rows (medians, scales), as scikit-learn's
 * LogisticRegressionCV does when preprocessing sits outside it; the target never leaks across folds.
 */
import type { Rng } from '../../random.ts';
import { logLoss } from '../../evaluation/metrics.ts';
import { type Design, designRows } from '../../features/design.ts';
import { LogisticRegression, type LogisticParams } from './logistic.ts';
import { bytesAt, floatsAt } from '../../data/columns.ts';

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

/**
 * Above this many training rows C is chosen on one stratified validation slice of a tenth of them instead
 * of 5-fold cross-validation: the slice alone has 20,000+ rows, enough to tell the grid's log losses apart,
 * and five folds cost five times the fits (at 1,000,000 rows × 621 features, 35 fits against 7).
 */
export const SLICE_ABOVE_ROWS = 200_000;

export interface CvResult {
  C: number;
  /** How C was chosen: k-fold cross-validation, or one validation slice of a tenth of the rows (1 fold of 10). */
  method: 'folds' | 'slice';
  folds: number;
  scores: Array<{ C: number; logLoss: number }>;
  /** The rows (ascending) whose out-of-sample probabilities `oof` holds: every training row with folds, the slice's otherwise. */
  rows: Int32Array;
  /** Out-of-sample probabilities of the chosen C, one per row of `rows`. */
  oof: Float64Array;
  /** The labels of `rows`. */
  y: Uint8Array;
}

/**
 * @example
 * const cv = chooseC(trainDesign, yTrain, { rng: createRng(42).fork('folds') });
 * new LogisticRegression({ C: cv.C }).fit(trainDesign, yTrain);
 */
export function chooseC(design: Design, y: Uint8Array, options: { rng: Rng; folds?: number; grid?: readonly number[]; params?: Partial<LogisticParams>; sliceAboveRows?: number }): CvResult {
  const method = options.folds === undefined && y.length > (options.sliceAboveRows ?? SLICE_ABOVE_ROWS) ? 'slice' : 'folds';
  const k = method === 'slice' ? 10 : options.folds ?? 5;
  const grid = [...(options.grid ?? C_GRID)].sort((a, b) => a - b);
  const fold = stratifiedFolds(y, k, options.rng);
  // Fold by fold, so that one fold's rows are copied at a time (all five at once took 5 × the training
  // design: 20 GB for 800,000 rows × 621 one-hot features); within a fold the C grid runs in ascending
  // order, each fit starting from the last, exactly as it ran C by C before.
  const oofs = grid.map(() => new Float64Array(y.length));
  for (let f = 0; f < (method === 'slice' ? 1 : k); f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < y.length; i++) (fold[i] === f ? test : train).push(i);
    const trainDesign = designRows(design, train);
    const yTrain = bytesAt(y, train);
    const testDesign = designRows(design, test);
    let start: Float64Array | undefined;
    grid.forEach((C, g) => {
      const model = new LogisticRegression({ ...options.params, C }).fit(trainDesign, yTrain, start ? { start } : {});
      start = Float64Array.from(model.fitted.beta);
      const p = model.predictProba(testDesign);
      test.forEach((row, t) => (oofs[g]![row] = p[t]!));
    });
  }
  const rows = method === 'slice' ? Int32Array.from(fold.keys()).filter((i) => fold[i] === 0) : Int32Array.from(fold.keys());
  const yHeld = bytesAt(y, rows);
  const scores: CvResult['scores'] = [];
  let best: { C: number; loss: number; oof: Float64Array } = { C: grid[0]!, loss: Infinity, oof: new Float64Array(rows.length) };
  grid.forEach((C, g) => {
    const oof = floatsAt(oofs[g]!, rows);
    const loss = logLoss(oof, yHeld);
    scores.push({ C, logLoss: loss });
    if (loss < best.loss - 1e-12) best = { C, loss, oof };
  });
  return { C: best.C, method, folds: k, scores, rows, oof: best.oof, y: yHeld };
}
