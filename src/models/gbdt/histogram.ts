/**
 * Gradient/hessian histograms per node: for each feature and bin, Σ gradient, Σ hessian and the row count,
 * laid out as [feature][bin][3] in one Float64Array (256 bins a feature). A child's histogram is the
 * parent's minus its sibling's (the subtraction trick): only the smaller child is built from rows.
 */
import { MAX_BINS } from './binning.ts';

export const STRIDE = MAX_BINS * 3;

export function newHistogram(p: number): Float64Array {
  return new Float64Array(p * STRIDE);
}

/**
 * Adds the rows' gradients and hessians into `out` for the given features. A tight loop over typed arrays:
 * one feature at a time, so the bin codes of that feature are read contiguously.
 */
let gathered = new Float64Array(0);

export function buildHistogram(bins: Uint8Array, n: number, rows: Int32Array, grad: Float64Array, hess: Float64Array, features: Int32Array, out: Float64Array): void {
  // Gradients and hessians of the node's rows gathered once into one contiguous buffer ("ordered
  // gradients", as LightGBM does): the per-feature loops then read them sequentially.
  const m = rows.length;
  if (gathered.length < 2 * m) gathered = new Float64Array(Math.max(2 * m, gathered.length * 2));
  gatherGradients(rows, grad, hess, gathered);
  accumulateFeatures(bins, n, rows, m, gathered, features, 0, features.length, out);
}

/** gh[2q], gh[2q+1] = gradient and hessian of the q-th row of the node. */
export function gatherGradients(rows: Int32Array, grad: Float64Array, hess: Float64Array, gh: Float64Array): void {
  for (let q = 0; q < rows.length; q++) {
    const r = rows[q]!;
    gh[2 * q] = grad[r]!;
    gh[2 * q + 1] = hess[r]!;
  }
}

/** The hot loop: adds the node's m rows into the histograms of features[from..to). */
export function accumulateFeatures(bins: Uint8Array, n: number, rows: Int32Array, m: number, gh: Float64Array, features: Int32Array,
  from: number, to: number, out: Float64Array): void {
  for (let k = from; k < to; k++) {
    const f = features[k]!;
    const base = f * n;
    const o = f * STRIDE;
    for (let q = 0; q < m; q++) {
      const at = o + bins[base + rows[q]!]! * 3;
      out[at]! += gh[2 * q]!;
      out[at + 1]! += gh[2 * q + 1]!;
      out[at + 2]!++;
    }
  }
}

/** out = parent − child for the given features. */
export function subtractHistogram(parent: Float64Array, child: Float64Array, features: Int32Array, out: Float64Array): void {
  for (let k = 0; k < features.length; k++) {
    const o = features[k]! * STRIDE;
    for (let j = o; j < o + STRIDE; j++) out[j] = parent[j]! - child[j]!;
  }
}
