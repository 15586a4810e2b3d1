import { describe, expect, it } from 'vitest';
import { type BinaryDesign, forwardSelect, refitLogistic } from '../../../src/models/logistic/forward-selection.ts';
import { createRng } from '../../../src/random.ts';

/** n rows of `p` random 0/1 features (each 1 with probability 0.3), and outcomes drawn from `logit`. */
function planted(n: number, p: number, logit: (x: number[]) => number, seed = 7) {
  const rng = createRng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: p }, () => (rng.next() < 0.3 ? 1 : 0)));
  const prob = x.map((row) => 1 / (1 + Math.exp(-logit(row))));
  const y = Float64Array.from(prob, (q) => (rng.next() < q ? 1 : 0));
  const design: BinaryDesign = { n, features: Array.from({ length: p }, (_, j) => Int32Array.from(x.flatMap((row, i) => (row[j] ? [i] : [])))) };
  return { x, y, prob: Float64Array.from(prob), design };
}

/** The score equations Σᵢ (tᵢ − pᵢ)·xᵢⱼ for the intercept and each feature: all 0 at the unpenalised optimum. */
function scoreEquations(x: number[][], t: ArrayLike<number>, selected: number[], intercept: number, coef: ArrayLike<number>): number[] {
  const out = new Array<number>(selected.length + 1).fill(0);
  x.forEach((row, i) => {
    const eta = intercept + selected.reduce((s, j, a) => s + coef[a]! * row[j]!, 0);
    const r = t[i]! - 1 / (1 + Math.exp(-eta));
    out[0]! += r;
    selected.forEach((j, a) => (out[a + 1]! += r * row[j]!));
  });
  return out;
}

describe('forwardSelect', () => {
  it('chooses the planted features first, strongest first', () => {
    const { y, design } = planted(4000, 8, (x) => -1 + 1.6 * x[2]! - 1.0 * x[5]!);
    const { selected } = forwardSelect(design, y, 3);
    expect(selected.slice(0, 2)).toEqual([2, 5]);
    expect(selected.length).toBeLessThanOrEqual(3);
  });

  it('stops when no feature adds a chi-square of 3.84, and never takes a feature that separates the outcomes', () => {
    const { y, design } = planted(3000, 4, (x) => -0.5 + 2 * x[0]!);
    // Feature 4: rows that never converted. Its fit has no finite optimum.
    const never = Int32Array.from(Array.from(y.keys()).filter((i) => y[i] === 0).slice(0, 300));
    design.features.push(never);
    const { selected } = forwardSelect(design, y, 10);
    expect(selected[0]).toBe(0);
    expect(selected).not.toContain(4);
    expect(selected.length).toBeLessThan(5);
  });

  it('refits without penalty: the score equations hold for outcomes and for probabilities as targets', () => {
    const { x, y, prob, design } = planted(2000, 5, (row) => -0.8 + 0.9 * row[0]! - 0.7 * row[1]! + 0.4 * row[3]!);
    for (const t of [y, prob]) {
      const selected = [0, 1, 3];
      const refit = refitLogistic(design, t, selected);
      expect(refit.converged).toBe(true);
      for (const g of scoreEquations(x, t, selected, refit.intercept, refit.coef)) expect(Math.abs(g)).toBeLessThan(1e-6);
    }
    // Targets that are the true probabilities give back the planted coefficients (up to sampling of x alone).
    const fit = refitLogistic(design, prob, [0, 1, 3]);
    expect(fit.intercept).toBeCloseTo(-0.8, 8);
    expect(Array.from(fit.coef)).toEqual([expect.closeTo(0.9, 8), expect.closeTo(-0.7, 8), expect.closeTo(0.4, 8)]);
  });
});
