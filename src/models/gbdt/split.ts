/**
 * Finding the best split of a node from its histogram, with the second-order gain
 *   ½ [G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)]
 * under min child weight (hessian) and min samples per leaf.
 * - numeric: every cut between bins, with missing values tried on both sides (the learned default direction);
 * - categorical, as LightGBM does: categories with enough rows sorted by G/(H + smoothing), the best prefix
 *   (up to `maxCatThreshold` categories) from either end goes left; rare categories and missing go right.
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
  | { feature: number; kind: 'numeric'; gain: number; bin: number; missingLeft: boolean; GL: number; HL: number; CL: number }
  | { feature: number; kind: 'categorical'; gain: number; leftBins: number[]; missingLeft: false; GL: number; HL: number; CL: number };

const score = (g: number, h: number, lambda: number) => (g * g) / (h + lambda);

/**
 * The best split over the features, or null when no split has positive gain.
 *
 * @example
 * const split = bestSplit(hist, features, binner.bins, kinds, totals, params);
 */
export function bestSplit(hist: Float64Array, features: Int32Array, binsPerFeature: readonly number[], kinds: ReadonlyArray<'numeric' | 'categorical'>,
  totals: { G: number; H: number; C: number }, params: SplitParams, bounds?: MonotoneBounds): Split | null {
  const { G, H, C } = totals;
  const { lambda, minChildWeight, minSamplesLeaf } = params;
  const parent = score(G, H, lambda);
  let best: Split | null = null;
  let direction = 0;
  const clamp = (w: number) => (bounds ? Math.min(bounds.upper, Math.max(bounds.lower, w)) : w);
  // A split on a monotone feature must keep the left value below (or above) the right one.
  const ok = (hl: number, cl: number, gl = 0) => {
    if (!(hl >= minChildWeight && H - hl >= minChildWeight && cl >= minSamplesLeaf && C - cl >= minSamplesLeaf)) return false;
    if (direction === 0) return true;
    const wl = clamp(-gl / (hl + lambda));
    const wr = clamp(-(G - gl) / (H - hl + lambda));
    return direction > 0 ? wl <= wr : wl >= wr;
  };
  for (let k = 0; k < features.length; k++) {
    const f = features[k]!;
    direction = bounds?.monotone[f] ?? 0;
    const o = f * STRIDE;
    const nb = binsPerFeature[f]!;
    if (nb <= 2 && kinds[f] === 'numeric') continue; // one value bin: nothing to cut
    const gm = hist[o]!;
    const hm = hist[o + 1]!;
    const cm = hist[o + 2]!;
    if (kinds[f] === 'numeric') {
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let b = 1; b < nb - 1; b++) {
        gl += hist[o + b * 3]!;
        hl += hist[o + b * 3 + 1]!;
        cl += hist[o + b * 3 + 2]!;
        // missing to the right
        if (ok(hl, cl, gl)) {
          const gain = 0.5 * (score(gl, hl, lambda) + score(G - gl, H - hl, lambda) - parent);
          if (gain > (best?.gain ?? 0)) best = { feature: f, kind: 'numeric', gain, bin: b, missingLeft: false, GL: gl, HL: hl, CL: cl };
        }
        // missing to the left
        if (cm > 0 && ok(hl + hm, cl + cm, gl + gm)) {
          const gain = 0.5 * (score(gl + gm, hl + hm, lambda) + score(G - gl - gm, H - hl - hm, lambda) - parent);
          if (gain > (best?.gain ?? 0)) best = { feature: f, kind: 'numeric', gain, bin: b, missingLeft: true, GL: gl + gm, HL: hl + hm, CL: cl + cm };
        }
      }
    } else {
      const cats: Array<{ bin: number; g: number; h: number; c: number; ratio: number }> = [];
      for (let b = 1; b < nb; b++) {
        const c = hist[o + b * 3 + 2]!;
        if (c < params.minDataPerCategory) continue;
        const g = hist[o + b * 3]!;
        const h = hist[o + b * 3 + 1]!;
        cats.push({ bin: b, g, h, c, ratio: g / (h + params.catSmooth) });
      }
      if (cats.length < 2) continue;
      cats.sort((a, b) => a.ratio - b.ratio || a.bin - b.bin);
      const limit = Math.min(params.maxCatThreshold, cats.length - 1);
      for (const order of [cats, [...cats].reverse()]) {
        let gl = 0;
        let hl = 0;
        let cl = 0;
        for (let t = 0; t < limit; t++) {
          gl += order[t]!.g;
          hl += order[t]!.h;
          cl += order[t]!.c;
          if (!ok(hl, cl, gl)) continue;
          const gain = 0.5 * (score(gl, hl, lambda) + score(G - gl, H - hl, lambda) - parent);
          if (gain > (best?.gain ?? 0)) {
            best = { feature: f, kind: 'categorical', gain, leftBins: order.slice(0, t + 1).map((x) => x.bin).sort((a, b) => a - b), missingLeft: false, GL: gl, HL: hl, CL: cl };
          }
        }
      }
    }
  }
  return best && best.gain > 1e-12 ? best : null;
}
