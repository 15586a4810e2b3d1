/**
 * The L2-regularised, weighted logistic objective over a design matrix by columns (features/design.ts):
 *   f(β) = Σᵢ wᵢ · loss(yᵢ, β₀ + xᵢ·β) + (λ/2) · Σ_{j≥1} βⱼ²       (λ = 1/C, the intercept is not penalised)
 * β has p + 1 entries, the intercept first. Hot loops run over typed arrays with buffers passed in.
 */
import { type DesignColumn, onesByRow, type OnesByRow } from '../../features/design.ts';
import { binomialLoss, sigmoid } from '../loss.ts';

export interface LogisticProblem {
  /** The p feature columns over n rows (no intercept column). */
  columns: DesignColumn[];
  n: number;
  p: number;
  y: Uint8Array;
  /** Per-row weights (sample weight × class weight). */
  w: Float64Array;
  /** L2 strength on the coefficients, 1 / C. */
  lambda: number;
  /** Each row's columns of ones, for the Hessian (computed once per problem by Newton's solver). */
  onesByRow?: OnesByRow;
}

/** z = β₀ + Xβ into `out` (length n). Column-outer loop: contiguous reads of each column. */
export function linearPredictor(prob: Pick<LogisticProblem, 'columns' | 'n' | 'p'>, beta: Float64Array, out: Float64Array): void {
  const { columns, n, p } = prob;
  out.fill(beta[0]!);
  for (let j = 0; j < p; j++) {
    const b = beta[j + 1]!;
    if (b === 0) continue;
    const column = columns[j]!;
    if (column.kind === 'ones') {
      const rows = column.rows;
      for (let k = 0; k < rows.length; k++) out[rows[k]!]! += b;
      continue;
    }
    const x = column.values;
    for (let i = 0; i < n; i++) out[i]! += b * x[i]!;
  }
}

/**
 * Objective value and gradient at β; `z` and `r` are scratch buffers of length n (z ends holding the
 * linear predictor, r the weighted residuals wᵢ(pᵢ − yᵢ)).
 */
export function objectiveAndGradient(prob: LogisticProblem, beta: Float64Array, grad: Float64Array, z: Float64Array, r: Float64Array): number {
  const { columns, n, p, y, w, lambda } = prob;
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
    const column = columns[j]!;
    let s = 0;
    if (column.kind === 'ones') {
      const rows = column.rows;
      for (let k = 0; k < rows.length; k++) s += r[rows[k]!]!;
    } else {
      const x = column.values;
      for (let i = 0; i < n; i++) s += r[i]! * x[i]!;
    }
    const b = beta[j + 1]!;
    grad[j + 1] = s + lambda * b;
    f += 0.5 * lambda * b * b;
  }
  return f;
}

/**
 * The Hessian (p+1)×(p+1), row-major, at the linear predictor `z`: [Σ wᵢsᵢ x̃ᵢx̃ᵢᵀ] + λ on the coefficient
 * diagonal, where x̃ = (1, x) and s = σ(z)(1 − σ(z)). `u` is a scratch buffer of length n.
 *
 * Each entry sums its rows in ascending order, visiting only rows where neither column is zero: two dense
 * columns over all rows; anything with a column of ones row by row over `onesByRow` (a row is 1 in a
 * handful of them, one per one-hot block), so the cost is rows × (dense columns + ones in a row) × ones in
 * a row rather than levels × rows. Going down a column of ones instead, reading a dense column at each of
 * its rows, made the Hessian 2.4 s at 300,000 rows × 621 features, against 0.4 s row by row.
 */
export function hessian(prob: LogisticProblem, z: Float64Array, out: Float64Array, u: Float64Array): void {
  const { columns, n, p, w, lambda } = prob;
  const d = p + 1;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pi = sigmoid(z[i]!);
    s[i] = w[i]! * pi * (1 - pi);
  }
  out.fill(0);
  let h00 = 0;
  for (let i = 0; i < n; i++) h00 += s[i]!;
  out[0] = h00;
  const { start, columns: ones } = prob.onesByRow ?? onesByRow({ columns, n });
  const dense: number[] = [];
  const onesColumns: number[] = [];
  for (let j = 0; j < p; j++) {
    const column = columns[j]!;
    if (column.kind === 'ones') {
      // The intercept and the diagonal: Σ s over the column's rows.
      const rows = column.rows;
      let acc = 0;
      for (let q = 0; q < rows.length; q++) acc += s[rows[q]!]!;
      out[j + 1] = acc;
      out[(j + 1) * d] = acc;
      out[(j + 1) * d + (j + 1)] = acc;
      onesColumns.push(j);
      continue;
    }
    const x = column.values;
    let acc = 0;
    for (let i = 0; i < n; i++) {
      const v = s[i]! * x[i]!;
      u[i] = v;
      acc += v;
    }
    out[j + 1] = acc;
    out[(j + 1) * d] = acc;
    // Against the dense columns before it, four at a time (one read of u for four sums, each still in row order).
    const valuesOf = (k: number) => (columns[k] as { values: Float64Array }).values;
    const put = (k: number, t: number) => {
      out[(j + 1) * d + (k + 1)] = t;
      out[(k + 1) * d + (j + 1)] = t;
    };
    let q = 0;
    for (; q + 4 <= dense.length; q += 4) {
      const x0 = valuesOf(dense[q]!);
      const x1 = valuesOf(dense[q + 1]!);
      const x2 = valuesOf(dense[q + 2]!);
      const x3 = valuesOf(dense[q + 3]!);
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let i = 0; i < n; i++) {
        const ui = u[i]!;
        t0 += ui * x0[i]!;
        t1 += ui * x1[i]!;
        t2 += ui * x2[i]!;
        t3 += ui * x3[i]!;
      }
      put(dense[q]!, t0);
      put(dense[q + 1]!, t1);
      put(dense[q + 2]!, t2);
      put(dense[q + 3]!, t3);
    }
    for (; q < dense.length; q++) {
      const xk = valuesOf(dense[q]!);
      let t = 0;
      for (let i = 0; i < n; i++) t += u[i]! * xk[i]!;
      put(dense[q]!, t);
    }
    let diagonal = 0;
    for (let i = 0; i < n; i++) diagonal += u[i]! * x[i]!;
    out[(j + 1) * d + (j + 1)] = diagonal;
    dense.push(j);
  }
  denseTimesOnes(prob, s, dense, onesColumns, { start, columns: ones }, out);
  // Pairs of columns of ones, row by row: each row adds its s to every pair it is 1 in (into the later column's row).
  for (let i = 0; i < n; i++) {
    const si = s[i]!;
    for (let a = start[i]! + 1; a < start[i + 1]!; a++) {
      const row = (ones[a]! + 1) * d + 1;
      for (let b = start[i]!; b < a; b++) out[row + ones[b]!]! += si;
    }
  }
  // A ones column's row holds its entries with the dense columns and the ones columns before it: mirror them.
  for (const a of onesColumns) {
    for (const b of dense) out[(b + 1) * d + (a + 1)] = out[(a + 1) * d + (b + 1)]!;
    for (const b of onesColumns) {
      if (b >= a) break;
      out[(b + 1) * d + (a + 1)] = out[(a + 1) * d + (b + 1)]!;
    }
  }
  for (let j = 0; j < p; j++) out[(j + 1) * d + (j + 1)]! += lambda;
}

/** Rows of s·x over the dense columns made at a time by `denseTimesOnes`. */
const BLOCK_ROWS = 256;

/**
 * The Hessian's entries between each dense column j and each column of ones a, Σ over a's rows of sᵢxᵢⱼ,
 * into the ones column's row of `out` (`hessian` mirrors them). Row by row, as the rows come: a block of
 * rows' sᵢxᵢⱼ laid out row after row, then each row's values added to the accumulators of the columns of
 * ones it is 1 in, one contiguous run per column, four at a time (each sum still over its rows in ascending
 * order, from 0, as a loop over each dense column's rows makes it). On a 400,000-lead design with an activity
 * log (34 dense columns, 10.3 columns of ones per row) a Hessian took 845–1,233 ms going dense column by dense
 * column (each row's columns of ones read from `onesByRow` and updated in place), 539–579 ms this way; on
 * the 1M-row scale file's first 400,000 rows (30 dense columns, 5 columns of ones per row among 591) 447–458 ms against 339–384 ms.
 */
function denseTimesOnes(prob: Pick<LogisticProblem, 'columns' | 'n'>, s: Float64Array, dense: number[], onesColumns: number[], byRow: OnesByRow, out: Float64Array): void {
  const { columns, n } = prob;
  const width = dense.length;
  if (width === 0 || onesColumns.length === 0) return;
  const d = columns.length + 1;
  const slot = new Int32Array(columns.length);
  onesColumns.forEach((j, k) => (slot[j] = k));
  const sums = new Float64Array(onesColumns.length * width);
  const block = new Float64Array(BLOCK_ROWS * width);
  const values = dense.map((j) => (columns[j] as { values: Float64Array }).values);
  const { start, columns: ones } = byRow;
  for (let first = 0; first < n; first += BLOCK_ROWS) {
    const end = Math.min(n, first + BLOCK_ROWS);
    for (let q = 0; q < width; q++) {
      const x = values[q]!;
      for (let i = first, at = q; i < end; i++, at += width) block[at] = s[i]! * x[i]!;
    }
    for (let i = first, at = 0; i < end; i++, at += width) {
      for (let k = start[i]!; k < start[i + 1]!; k++) {
        const into = slot[ones[k]!]! * width;
        let q = 0;
        for (; q + 4 <= width; q += 4) {
          sums[into + q]! += block[at + q]!;
          sums[into + q + 1]! += block[at + q + 1]!;
          sums[into + q + 2]! += block[at + q + 2]!;
          sums[into + q + 3]! += block[at + q + 3]!;
        }
        for (; q < width; q++) sums[into + q]! += block[at + q]!;
      }
    }
  }
  onesColumns.forEach((a, k) => {
    for (let q = 0; q < width; q++) out[(a + 1) * d + (dense[q]! + 1)] = sums[k * width + q]!;
  });
}
