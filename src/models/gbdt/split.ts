/**
 * Finding the best split of a node from its histogram, with the second-order gain
 *   ½ [G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)]
 * under min child weight (hessian) and min samples per leaf.
 * - numeric: every cut between bins, with missing values tried on both sides (the learned default direction);
 * - categorical, as LightGBM does: categories with enough rows sorted by G/(H + smoothing), the best prefix
 *   (up to `maxCatThreshold` categories) from either end goes left; rare categories and missing go right.
 *
 * Histograms hold no row counts (see histogram.ts), yet the minimum-rows rules are applied exactly: a set of
 * rows whose hessians sum to h holds at least h / hmax rows (hmax bounds the node's row hessians), which
 * settles most candidates. A candidate the bound cannot settle is kept aside if it would be the best so far;
 * at the end the best of those are checked, in order, on exact counts of their feature in the node. The
 * result is the split a search on exact counts finds (same gain order, ties to the earlier candidate).
 */
import { STRIDE } from './histogram.ts';

export interface SplitParams {
  lambda: number;
  minChildWeight: number;
  minSamplesLeaf: number;
  /** Categorical: smoothing added to H when sorting categories, min rows per category, max categories per side. */
  catSmooth: number;
  minDataPerCategory: number;
  maxCatThreshold: number;
}

/** Monotone constraints for the node being split: per feature +1 (increasing), −1 (decreasing) or 0, and the node's value bounds. */
export interface MonotoneBounds {
  monotone: Int8Array;
  lower: number;
  upper: number;
}

export type Split =
  | { feature: number; kind: 'numeric'; gain: number; bin: number; missingLeft: boolean; GL: number; HL: number }
  | { feature: number; kind: 'categorical'; gain: number; leftBins: number[]; missingLeft: false; GL: number; HL: number };

/** What split finding knows of a node besides its histogram. */
export interface NodeStats {
  G: number;
  H: number;
  /** Rows in the node. */
  C: number;
  /** No row of the node has a larger hessian. */
  hmax: number;
  /** No row of the node has a smaller hessian (a set whose hessians sum to h holds at most h / hmin rows). */
  hmin?: number;
  /** A bound on the rounding in the histogram's hessian sums (the subtraction trick's residue included). */
  tolerance: number;
  /** Per feature, 0 when no row holds a missing value (absent: any may). */
  missing?: ArrayLike<number>;
  /** Exact rows per bin of a feature in the node; asked only when the hessian bound cannot settle a rule. */
  countBins: (feature: number) => ArrayLike<number>;
}

const score = (g: number, h: number, lambda: number) => (g * g) / (h + lambda);

/** A candidate the hessian bound could not settle, with its place in the search order. */
type Unsettled = Split & { order: number };

/**
 * The best split over the features, or null when no split has positive gain.
 *
 * @example
 * const split = bestSplit(hist, features, binner.bins, kinds, node, params);
 */
export function bestSplit(hist: Float64Array, features: Int32Array, binsPerFeature: readonly number[], kinds: ReadonlyArray<'numeric' | 'categorical'>,
  node: NodeStats, params: SplitParams, bounds?: MonotoneBounds): Split | null {
  const { G, H, C } = node;
  const { lambda, minChildWeight, minSamplesLeaf } = params;
  const parent = score(G, H, lambda);
  let best: Split | null = null;
  let bestGain = 0;
  let bestOrder = -1;
  let order = 0;
  const unsettled: Unsettled[] = [];
  let direction = 0;
  const clamp = (w: number) => (bounds ? Math.min(bounds.upper, Math.max(bounds.lower, w)) : w);
  const tol = node.tolerance;
  const perHessian = node.hmax > 0 ? 1 / node.hmax : 0;
  /** Rows surely in a set whose hessians sum to h: at least, at most. */
  const atLeast = (h: number) => (h - tol) * perHessian;
  const perMinHessian = node.hmin !== undefined && node.hmin > 0 ? 1 / node.hmin : Number.POSITIVE_INFINITY;
  const atMost = (h: number) => (h + tol) * perMinHessian;
  const exact = new Map<number, ArrayLike<number>>();
  const countsOf = (f: number): ArrayLike<number> => {
    let counts = exact.get(f);
    if (!counts) {
      counts = node.countBins(f);
      exact.set(f, counts);
    }
    return counts;
  };
  // The rules that hessian sums decide exactly: min child weight, and a monotone feature's order.
  const hessianOk = (hl: number, gl: number) => {
    if (!(hl >= minChildWeight && H - hl >= minChildWeight)) return false;
    if (direction === 0) return true;
    const wl = clamp(-gl / (hl + lambda));
    const wr = clamp(-(G - gl) / (H - hl + lambda));
    return direction > 0 ? wl <= wr : wl >= wr;
  };
  const rowsOk = (cl: number) => cl >= minSamplesLeaf && C - cl >= minSamplesLeaf;
  const surelyRowsOk = (hl: number) => atLeast(hl) >= minSamplesLeaf && atLeast(H - hl) >= minSamplesLeaf;
  for (let k = 0; k < features.length; k++) {
    const f = features[k]!;
    direction = bounds?.monotone[f] ?? 0;
    const o = f * STRIDE;
    const nb = binsPerFeature[f]!;
    if (nb <= 2 && kinds[f] === 'numeric') continue; // one value bin: nothing to cut
    const gm = hist[o]!;
    const hm = hist[o + 1]!;
    if (kinds[f] === 'numeric') {
      // Whether the node has rows with this feature missing: surely when their hessians sum above the
      // rounding, surely not when the feature has none or the sum is below any row's hessian, else counted.
      let counts = exact.get(f) ?? null;
      const hasMissing = hm > tol || (node.missing?.[f] !== 0 && !(atMost(hm) < 1) && (counts ??= countsOf(f))[0]! > 0);
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let b = 1; b < nb - 1; b++) {
        gl += hist[o + b * 2]!;
        hl += hist[o + b * 2 + 1]!;
        if (counts) cl += counts[b]!;
        // missing to the right
        let gain = 0.5 * (score(gl, hl, lambda) + score(G - gl, H - hl, lambda) - parent);
        if (gain > bestGain && hessianOk(hl, gl)) {
          if (counts ? rowsOk(cl) : surelyRowsOk(hl)) {
            best = { feature: f, kind: 'numeric', gain, bin: b, missingLeft: false, GL: gl, HL: hl };
            bestGain = gain;
            bestOrder = order;
          } else if (!counts) unsettled.push({ feature: f, kind: 'numeric', gain, bin: b, missingLeft: false, GL: gl, HL: hl, order });
        }
        order++;
        // missing to the left
        if (hasMissing) {
          gain = 0.5 * (score(gl + gm, hl + hm, lambda) + score(G - gl - gm, H - hl - hm, lambda) - parent);
          if (gain > bestGain && hessianOk(hl + hm, gl + gm)) {
            if (counts ? rowsOk(cl + counts[0]!) : surelyRowsOk(hl + hm)) {
              best = { feature: f, kind: 'numeric', gain, bin: b, missingLeft: true, GL: gl + gm, HL: hl + hm };
              bestGain = gain;
              bestOrder = order;
            } else if (!counts) unsettled.push({ feature: f, kind: 'numeric', gain, bin: b, missingLeft: true, GL: gl + gm, HL: hl + hm, order });
          }
        }
        order++;
      }
    } else {
      // Which categories have enough rows: surely when their hessians say so either way, else all counted.
      let counts = exact.get(f) ?? null;
      if (!counts) {
        for (let b = 1; b < nb; b++) {
          const h = hist[o + b * 2 + 1]!;
          if (atLeast(h) < params.minDataPerCategory && !(atMost(h) < params.minDataPerCategory)) {
            counts = countsOf(f);
            break;
          }
        }
      }
      const cats: Array<{ bin: number; g: number; h: number; c: number; ratio: number }> = [];
      for (let b = 1; b < nb; b++) {
        const c = counts ? counts[b]! : Number.NaN;
        if (counts ? c < params.minDataPerCategory : atMost(hist[o + b * 2 + 1]!) < params.minDataPerCategory) continue;
        const g = hist[o + b * 2]!;
        const h = hist[o + b * 2 + 1]!;
        cats.push({ bin: b, g, h, c, ratio: g / (h + params.catSmooth) });
      }
      if (cats.length < 2) continue;
      cats.sort((a, b) => a.ratio - b.ratio || a.bin - b.bin);
      const limit = Math.min(params.maxCatThreshold, cats.length - 1);
      for (const sequence of [cats, [...cats].reverse()]) {
        let gl = 0;
        let hl = 0;
        let cl = 0;
        for (let t = 0; t < limit; t++, order++) {
          gl += sequence[t]!.g;
          hl += sequence[t]!.h;
          cl += sequence[t]!.c;
          const gain = 0.5 * (score(gl, hl, lambda) + score(G - gl, H - hl, lambda) - parent);
          if (!(gain > bestGain) || !hessianOk(hl, gl)) continue;
          const leftBins = () => sequence.slice(0, t + 1).map((x) => x.bin).sort((a, b) => a - b);
          if (counts ? rowsOk(cl) : surelyRowsOk(hl)) {
            best = { feature: f, kind: 'categorical', gain, leftBins: leftBins(), missingLeft: false, GL: gl, HL: hl };
            bestGain = gain;
            bestOrder = order;
          } else if (!counts) unsettled.push({ feature: f, kind: 'categorical', gain, leftBins: leftBins(), missingLeft: false, GL: gl, HL: hl, order });
        }
      }
    }
  }
  // Candidates the bound left open that beat the settled best: the first (by gain, then search order) that
  // passes on exact counts wins.
  unsettled.sort((a, b) => b.gain - a.gain || a.order - b.order);
  for (const candidate of unsettled) {
    if (candidate.gain < bestGain || (candidate.gain === bestGain && candidate.order > bestOrder)) break;
    const counts = countsOf(candidate.feature);
    let cl = 0;
    if (candidate.kind === 'numeric') {
      for (let b = 1; b <= candidate.bin; b++) cl += counts[b]!;
      if (candidate.missingLeft) cl += counts[0]!;
    } else {
      for (const b of candidate.leftBins) cl += counts[b]!;
    }
    if (rowsOk(cl)) {
      const { order: _order, ...split } = candidate;
      best = split;
      break;
    }
  }
  return best && best.gain > 1e-12 ? best : null;
}
