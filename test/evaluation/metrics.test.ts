import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../src/evaluation/metrics.ts';

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

  it('restricts to the given rows and is NaN with one class', () => {
    expect(rocAuc([0.9, 0.1, 0.5, 0.7], [1, 0, 0, 1], [1, 2, 3])).toBe(1);
    expect(Number.isNaN(rocAuc([0.1, 0.2], [1, 1]))).toBe(true);
  });
});
