import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binColumns, fitBinner } from '../../../src/models/gbdt/binning.ts';
import { sortFloat64 } from '../../../src/data/types/order-statistic.ts';
import { buildHistogram, countBins, newHistogram, STRIDE, subtractHistogram } from '../../../src/models/gbdt/histogram.ts';
import { bestSplit, type Split, type SplitParams } from '../../../src/models/gbdt/split.ts';
import { createRng } from '../../../src/random.ts';

/**
 * The search as specified, on the node's gradient and hessian sums per bin and its row counts per bin
 * counted straight from its rows: every
 * cut of a numeric feature with missing rows on either side, and the LightGBM prefixes of categories with
 * enough rows; the first candidate (in feature, cut, direction order) with the highest gain that meets
 * min child weight and min rows on both sides.
 */
function referenceSplit(hist: Float64Array, bins: Uint8Array, n: number, rows: Int32Array, G: number, H: number, nbins: number[], kinds: Array<'numeric' | 'categorical'>,
  params: SplitParams): Split | null {
  const C = rows.length;
  const score = (g: number, h: number) => (g * g) / (h + params.lambda);
  const ok = (hl: number, cl: number) => hl >= params.minChildWeight && H - hl >= params.minChildWeight && cl >= params.minSamplesLeaf && C - cl >= params.minSamplesLeaf;
  let best: Split | null = null;
  for (let f = 0; f < nbins.length; f++) {
    const g = new Float64Array(256), h = new Float64Array(256), c = new Float64Array(256);
    for (let b = 0; b < 256; b++) {
      g[b] = hist[f * STRIDE + 2 * b]!;
      h[b] = hist[f * STRIDE + 2 * b + 1]!;
    }
    for (const r of rows) c[bins[f * n + r]!]!++;
    const nb = nbins[f]!;
    if (kinds[f] === 'numeric') {
      if (nb <= 2) continue;
      let gl = 0, hl = 0, cl = 0;
      for (let b = 1; b < nb - 1; b++) {
        gl += g[b]!;
        hl += h[b]!;
        cl += c[b]!;
        for (const missingLeft of c[0]! > 0 ? [false, true] : [false]) {
          const [GL, HL, CL] = missingLeft ? [gl + g[0]!, hl + h[0]!, cl + c[0]!] : [gl, hl, cl];
          if (!ok(HL, CL)) continue;
          const gain = 0.5 * (score(GL, HL) + score(G - GL, H - HL) - score(G, H));
          if (gain > (best?.gain ?? 0)) best = { feature: f, kind: 'numeric', gain, bin: b, missingLeft, GL, HL };
        }
      }
    } else {
      const cats = [];
      for (let b = 1; b < nb; b++) if (c[b]! >= params.minDataPerCategory) cats.push({ bin: b, g: g[b]!, h: h[b]!, c: c[b]!, ratio: g[b]! / (h[b]! + params.catSmooth) });
      if (cats.length < 2) continue;
      cats.sort((a, b) => a.ratio - b.ratio || a.bin - b.bin);
      const limit = Math.min(params.maxCatThreshold, cats.length - 1);
      for (const order of [cats, [...cats].reverse()]) {
        let gl = 0, hl = 0, cl = 0;
        for (let t = 0; t < limit; t++) {
          gl += order[t]!.g;
          hl += order[t]!.h;
          cl += order[t]!.c;
          if (!ok(hl, cl)) continue;
          const gain = 0.5 * (score(gl, hl) + score(G - gl, H - hl) - score(G, H));
          if (gain > (best?.gain ?? 0)) best = { feature: f, kind: 'categorical', gain, leftBins: order.slice(0, t + 1).map((x) => x.bin).sort((a, b) => a - b), missingLeft: false, GL: gl, HL: hl };
        }
      }
    }
  }
  return best && best.gain > 1e-12 ? best : null;
}

describe('split finding without row counts in the histograms', () => {
  it('finds the split an exact-count search finds, under min rows per leaf and per category, on nodes built by subtraction', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 20, max: 400 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 25 }),
      fc.constantFrom(1e-3, 0, 0.5), fc.double({ min: 0.001, max: 0.25, noNaN: true }),
      (seed, n, minSamplesLeaf, minDataPerCategory, minChildWeight, hessFloor) => {
        const rng = createRng(seed);
        // Hessians from hessFloor to 0.25: the wider the range, the weaker the bound rows ≥ Σh / max h.
        const columns = [
          Float64Array.from({ length: n }, () => (rng.next() < 0.15 ? Number.NaN : Math.floor(rng.next() * 30))),
          Float64Array.from({ length: n }, () => rng.normal()),
          Float64Array.from({ length: n }, () => Math.floor(Math.pow(rng.next(), 3) * 12)),
          Float64Array.from({ length: n }, () => (rng.next() < 0.3 ? Number.NaN : Math.floor(rng.next() * 4))),
        ];
        const kinds: Array<'numeric' | 'categorical'> = ['numeric', 'numeric', 'categorical', 'categorical'];
        const all = Int32Array.from({ length: n }, (_, i) => i);
        const binner = fitBinner(columns, kinds, all, 255);
        const bins = binColumns(binner, columns, n);
        const grad = Float64Array.from({ length: n }, () => rng.next() - 0.4);
        const hess = Float64Array.from({ length: n }, () => hessFloor + rng.next() * (0.25 - hessFloor));
        const params: SplitParams = { lambda: 1, minChildWeight, minSamplesLeaf, catSmooth: 10, minDataPerCategory, maxCatThreshold: 32 };
        const features = Int32Array.of(0, 1, 2, 3);
        // A node that is the larger child of a split, its histogram parent − sibling as the learner builds it.
        const parent = newHistogram(4);
        buildHistogram(bins, n, all, grad, hess, features, parent);
        const small = all.filter((r) => columns[1]![r]! < -0.6);
        const node = all.filter((r) => !(columns[1]![r]! < -0.6));
        const smallHist = newHistogram(4);
        buildHistogram(bins, n, small, grad, hess, features, smallHist);
        const hist = newHistogram(4);
        subtractHistogram(parent, smallHist, features, hist);
        let G = 0, H = 0, hmax = 0, hmin = Infinity, rootH = 0;
        for (const r of all) {
          hmax = Math.max(hmax, hess[r]!);
          hmin = Math.min(hmin, hess[r]!);
          rootH += hess[r]!;
        }
        for (const r of node) {
          G += grad[r]!;
          H += hess[r]!;
        }
        const found = bestSplit(hist, features, binner.bins, kinds,
          { G, H, C: node.length, hmax, hmin, tolerance: 1e-8 * (rootH + 1), missing: Uint8Array.of(1, 0, 0, 1), countBins: (f) => countBins(bins, n, node, f) }, params);
        const expected = referenceSplit(hist, bins, n, node, G, H, binner.bins, kinds, params);
        if (expected === null) {
          expect(found).toBeNull();
          return;
        }
        expect(found).not.toBeNull();
        // Gains agree to rounding (the two sum G − G_L in different orders); all else exactly.
        const { gain, ...shape } = found!;
        const { gain: gainRef, ...shapeRef } = expected;
        expect(shape).toEqual(shapeRef);
        expect(gain).toBeCloseTo(gainRef, 9);
      }), { numRuns: 300 });
  });
});

describe('sortFloat64', () => {
  it('orders doubles as Float64Array#sort does, −0 before +0, ±∞ and subnormals included', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 2048, maxLength: 5000 }), fc.array(fc.constantFrom(0, -0, 1, -1, Infinity, -Infinity, 5e-324, -5e-324), { maxLength: 200 }),
      (values, specials) => {
        const all = Float64Array.from([...values, ...specials]);
        const expected = all.slice().sort();
        const got = sortFloat64(all.slice());
        expect(Buffer.from(got.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
      }), { numRuns: 30 });
  });
});
