/**
 * Gradient/hessian histograms per node: for each feature and bin, Σ gradient and Σ hessian, laid out as
 * [feature][bin][2] in one Float64Array (256 bins a feature). A child's histogram is the parent's minus its
 * sibling's (the subtraction trick): only the smaller child is built from rows.
 *
 * Row counts are not kept: a third running sum per update made the build markedly slower (BENCHMARKS.md, "Design measurements"). Split finding bounds a bin's rows from its hessian sum and, where that cannot
 * settle a minimum-rows rule, counts the one feature's bins exactly from the node's rows (`countBins`).
 */
import { MAX_BINS } from './binning.ts';

export const STRIDE = MAX_BINS * 2;

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
function gatherGradients(rows: Int32Array, grad: Float64Array, hess: Float64Array, gh: Float64Array): void {
  for (let q = 0; q < rows.length; q++) {
    const r = rows[q]!;
    gh[2 * q] = grad[r]!;
    gh[2 * q + 1] = hess[r]!;
  }
}

/**
 * The JavaScript hot loop (wasm-kernel.ts runs the same in WebAssembly): adds the node's m rows into the
 * histograms of features[from..to). Four features share a pass over the rows (the row index and its
 * gradient pair are loaded once for the four). Each feature still sums its rows in row order, so the
 * result is bit-identical to one feature at a time.
 */
function accumulateFeatures(bins: Uint8Array, n: number, rows: Int32Array, m: number, gh: Float64Array, features: Int32Array,
  from: number, to: number, out: Float64Array): void {
  let k = from;
  for (; k + 3 < to; k += 4) {
    const f0 = features[k]!;
    const f1 = features[k + 1]!;
    const f2 = features[k + 2]!;
    const f3 = features[k + 3]!;
    const b0 = f0 * n;
    const b1 = f1 * n;
    const b2 = f2 * n;
    const b3 = f3 * n;
    const o0 = f0 * STRIDE;
    const o1 = f1 * STRIDE;
    const o2 = f2 * STRIDE;
    const o3 = f3 * STRIDE;
    for (let q = 0; q < m; q++) {
      const r = rows[q]!;
      const g = gh[2 * q]!;
      const h = gh[2 * q + 1]!;
      let at = o0 + bins[b0 + r]! * 2;
      out[at]! += g;
      out[at + 1]! += h;
      at = o1 + bins[b1 + r]! * 2;
      out[at]! += g;
      out[at + 1]! += h;
      at = o2 + bins[b2 + r]! * 2;
      out[at]! += g;
      out[at + 1]! += h;
      at = o3 + bins[b3 + r]! * 2;
      out[at]! += g;
      out[at + 1]! += h;
    }
  }
  for (; k < to; k++) {
    const f = features[k]!;
    const base = f * n;
    const o = f * STRIDE;
    for (let q = 0; q < m; q++) {
      const at = o + bins[base + rows[q]!]! * 2;
      out[at]! += gh[2 * q]!;
      out[at + 1]! += gh[2 * q + 1]!;
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

/** Rows of the node in each bin of feature f, exactly (256 entries). */
export function countBins(bins: Uint8Array, n: number, rows: Int32Array, f: number): Float64Array {
  const counts = new Float64Array(256);
  const base = f * n;
  for (let q = 0; q < rows.length; q++) counts[bins[base + rows[q]!]!]!++;
  return counts;
}
