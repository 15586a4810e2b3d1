import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { delongTest, delongVariance, normalCdf } from '../../src/evaluation/compare.ts';
import { averagePrecision, brierScore, confusionAt, expectedCalibrationError, liftAt, logLoss, reliabilityCurve, rocAuc } from '../../src/evaluation/metrics.ts';

/** AUC by counting pairs: P(score of a positive > score of a negative) + ½ P(tie). */
function aucByPairs(scores: number[], y: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('rocAuc', () => {
  it('matches scikit-learn on a fixed case with ties', () => {
    // sklearn.metrics.roc_auc_score([0, 0, 1, 1, 1, 0], [0.1, 0.4, 0.4, 0.8, 0.1, 0.2]) = 0.6666666666666666 (scikit-learn, run here)
    expect(rocAuc([0.1, 0.4, 0.4, 0.8, 0.1, 0.2], [0, 0, 1, 1, 1, 0])).toBeCloseTo(0.6666666666666666, 14);
  });

  it('equals the pair-counting AUC (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ s: fc.integer({ min: 0, max: 6 }), y: fc.integer({ min: 0, max: 1 }) }), { minLength: 2, maxLength: 80 }),
      (items) => {
        const y = items.map((i) => i.y);
        fc.pre(y.includes(0) && y.includes(1));
        const s = items.map((i) => i.s / 3);
        expect(rocAuc(s, y)).toBeCloseTo(aucByPairs(s, y), 12);
      },
    ), { numRuns: 300 });
  });

  it('equals the rank-sum form to the last bit, ties and -0 included (property)', () => {
    // The rank-sum form (average ranks over a sort of all scores), as rocAuc computed it before it counted U.
    const rankSum = (s: number[], y: number[]) => {
      const order = s.map((_, i) => i).sort((a, b) => s[a]! - s[b]!);
      let sum = 0;
      let positives = 0;
      for (let k = 0; k < order.length;) {
        let end = k + 1;
        while (end < order.length && s[order[end]!] === s[order[k]!]) end++;
        for (let t = k; t < end; t++) if (y[order[t]!] === 1) (positives++, (sum += (k + 1 + end) / 2));
        k = end;
      }
      return (sum - (positives * (positives + 1)) / 2) / (positives * (s.length - positives));
    };
    fc.assert(fc.property(
      fc.array(fc.record({ s: fc.oneof(fc.integer({ min: -3, max: 3 }).map((v) => v / 7), fc.double({ min: -5, max: 5, noNaN: true }), fc.constant(-0)), y: fc.integer({ min: 0, max: 1 }) }), { minLength: 2, maxLength: 300 }),
      (items) => {
        const y = items.map((i) => i.y);
        fc.pre(y.includes(0) && y.includes(1));
        const s = items.map((i) => i.s);
        expect(rocAuc(s, y)).toBe(rankSum(s, y));
      },
    ), { numRuns: 500, seed: 13 });
  });

  it('restricts to the given rows and is NaN with one class', () => {
    expect(rocAuc([0.9, 0.1, 0.5, 0.7], [1, 0, 0, 1], [1, 2, 3])).toBe(1);
    expect(Number.isNaN(rocAuc([0.1, 0.2], [1, 1]))).toBe(true);
  });
});


// Fixed inputs; scikit-learn 1.2.1 values computed here on 2026-11-24.
const Y = [0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0];
const P = [0.1, 0.4, 0.4, 0.8, 0.1, 0.2, 0.65, 0.65, 0.05, 0.9, 0.3, 0.5];

describe('metrics against scikit-learn fixtures', () => {
  it('average precision, log loss, Brier, AUC', () => {
    expect(averagePrecision(P, Y)).toBeCloseTo(0.7551948051948052, 14);
    expect(logLoss(P, Y)).toBeCloseTo(0.5807025035046353, 14);
    expect(brierScore(P, Y)).toBeCloseTo(0.193125, 14);
    expect(rocAuc(P, Y)).toBeCloseTo(0.7571428571428572, 14);
  });
});

describe('metrics against independent computations', () => {
  it('average precision equals the mean precision at each positive when scores are distinct', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 60 }), fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), (scores, flags) => {
      const y = scores.map((_, i) => (flags[i] ? 1 : 0));
      fc.pre(y.includes(1));
      const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
      let tp = 0;
      let sum = 0;
      order.forEach((i, k) => {
        if (y[i]) {
          tp++;
          sum += tp / (k + 1);
        }
      });
      expect(averagePrecision(scores, y)).toBeCloseTo(sum / tp, 12);
    }), { numRuns: 200 });
  });

  it('ECE from the reliability bins, lift at 10% and the confusion matrix by counting', () => {
    const curve = reliabilityCurve(P, Y);
    expect(curve.reduce((s, b) => s + b.count, 0)).toBe(12);
    // bins: [0,.1): .05 → 0 ; [.1,.2): .1,.1 → 1 of 2 ; [.2,.3): .2 → 0 ; [.3,.4): .3 → 0 ; [.4,.5): .4,.4 → 1 of 2 ;
    // [.5,.6): .5 → 0 ; [.6,.7): .65,.65 → 1 of 2 ; [.8,.9): .8 → 1 ; [.9,1]: .9 → 1
    const manual = (1 * Math.abs(0.05 - 0) + 2 * Math.abs(0.1 - 0.5) + 1 * 0.2 + 1 * 0.3 + 2 * Math.abs(0.4 - 0.5) + 1 * 0.5 + 2 * Math.abs(0.65 - 0.5) + 1 * 0.2 + 1 * 0.1) / 12;
    expect(expectedCalibrationError(P, Y)).toBeCloseTo(manual, 12);
    // top 10% = ceil(1.2) = 2 rows: 0.9 (1) and 0.8 (1): rate 1, base 5/12
    expect(liftAt(P, Y, 0.1)).toBeCloseTo(12 / 5, 12);
    expect(confusionAt(P, Y, 0.5)).toEqual({ tp: 3, fp: 2, tn: 5, fn: 2, precision: 0.6, recall: 0.6, f1: expect.closeTo(0.6, 12), specificity: 5 / 7 });
  });
});

describe('delongTest', () => {
  it('gives the rank AUCs and, for one model, the variance from its structural components by pairs', () => {
    const rows = Y.map((_, i) => i);
    const other = P.map((p, i) => (i % 2 ? p : 1 - p));
    const c = delongTest(P, other, Y, rows);
    expect(c.aucA).toBeCloseTo(rocAuc(P, Y), 12);
    expect(c.aucB).toBeCloseTo(rocAuc(other, Y), 12);
    // Structural components by direct pair counting.
    const pos = rows.filter((i) => Y[i]);
    const neg = rows.filter((i) => !Y[i]);
    const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
    const v10 = pos.map((i) => neg.reduce((s, j) => s + psi(P[i]!, P[j]!), 0) / neg.length);
    const v01 = neg.map((j) => pos.reduce((s, i) => s + psi(P[i]!, P[j]!), 0) / pos.length);
    const varOf = (v: number[]) => {
      const m = v.reduce((s, x) => s + x, 0) / v.length;
      return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
    };
    expect(delongVariance(P, Y, rows)).toBeCloseTo(varOf(v10) / pos.length + varOf(v01) / neg.length, 12);
    expect(c.ci95[0]).toBeLessThan(c.diff);
    expect(c.ci95[1]).toBeGreaterThan(c.diff);
    const same = delongTest(P, P, Y, rows);
    expect(same.diff).toBe(0);
    expect(same.pValue).toBe(1);
  });

  it('has a normal CDF accurate to 1e-6', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 6);
  });
});

describe('spearman', () => {
  it('is 1 for any increasing transform, −1 for a decreasing one, and handles ties by average ranks', async () => {
    const { spearman, averageRanks } = await import('../../src/evaluation/metrics.ts');
    const x = [3, 1, 4, 1.5, 9, 2.6];
    expect(spearman(x, x.map((v) => Math.exp(v)))).toBeCloseTo(1, 12);
    expect(spearman(x, x.map((v) => -v))).toBeCloseTo(-1, 12);
    expect(Array.from(averageRanks([10, 20, 20, 30]))).toEqual([1, 2.5, 2.5, 4]);
    // scipy.stats.spearmanr([1, 2, 2, 3, 5], [2, 1, 3, 3, 4]).correlation = 0.7631578947368421 (scipy, run here)
    expect(spearman([1, 2, 2, 3, 5], [2, 1, 3, 3, 4])).toBeCloseTo(0.7631578947368421, 12);
  });
});
