import { describe, expect, it } from 'vitest';
import { applyCalibrator, fitCalibrator } from '../../src/models/calibration.ts';
import { expectedCalibrationError } from '../../src/evaluation/metrics.ts';
import { createRng } from '../../src/random.ts';

const P = [0.1, 0.2, 0.2, 0.3, 0.35, 0.5, 0.55, 0.6, 0.8, 0.9, 0.95, 0.4];
const Y = Uint8Array.from([0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0]);

describe('calibration', () => {
  it('isotonic matches scikit-learn IsotonicRegression(out_of_bounds="clip")', () => {
    const cal = fitCalibrator('isotonic', P, Y);
    const q = [0.05, 0.1, 0.15, 0.2, 0.25, 0.33, 0.45, 0.57, 0.7, 0.85, 0.92, 0.99];
    // scikit-learn 1.2.1, computed here
    const expected = [0, 0, 0.1666666666666666, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333, 0.3333333333333333,
      0.6666666666666666, 0.6666666666666666, 0.8333333333333331, 1, 1];
    Array.from(applyCalibrator(cal, q)).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });

  it('Platt matches a logistic fit of y on logit(p) (scikit-learn, C = 1e6)', () => {
    const cal = fitCalibrator('platt', P, Y);
    expect(cal).toMatchObject({ kind: 'platt' });
    if (cal.kind !== 'platt') return;
    expect(cal.a).toBeCloseTo(0.6616984950535911, 4);
    expect(cal.b).toBeCloseTo(0.017541562880194008, 4);
  });

  it('repairs an overconfident model: ECE falls on fresh rows', () => {
    const rng = createRng(9);
    const make = (n: number) => {
      const truth = Float64Array.from({ length: n }, () => rng.next() * 0.6);
      const y = Uint8Array.from(truth, (t) => (rng.next() < t ? 1 : 0));
      // overconfident: pushes probabilities away from 0.3
      const p = Float64Array.from(truth, (t) => Math.min(0.99, Math.max(0.01, 0.3 + 1.6 * (t - 0.3))));
      return { y, p };
    };
    const fit = make(5000);
    const fresh = make(5000);
    for (const kind of ['platt', 'isotonic'] as const) {
      const cal = fitCalibrator(kind, fit.p, fit.y);
      expect(expectedCalibrationError(applyCalibrator(cal, fresh.p), fresh.y)).toBeLessThan(0.5 * expectedCalibrationError(fresh.p, fresh.y));
    }
    expect(Array.from(applyCalibrator({ kind: 'none' }, fresh.p))).toEqual(Array.from(fresh.p));
  });
});

describe('chooseCalibration', () => {
  it('keeps none for calibrated predictions and picks a calibrator for distorted ones, reproducibly', async () => {
    const { chooseCalibration } = await import('../../src/models/calibration.ts');
    const rng = createRng(21);
    const truth = Float64Array.from({ length: 6000 }, () => rng.next() * 0.5);
    const y = Uint8Array.from(truth, (t) => (rng.next() < t ? 1 : 0));
    const distorted = Float64Array.from(truth, (t) => t ** 2 * 2);
    const a = chooseCalibration(distorted, y, createRng(1));
    expect(a.kind).not.toBe('none');
    expect(a.logLoss[a.kind]).toBeLessThan(a.logLoss.none);
    expect(chooseCalibration(distorted, y, createRng(1))).toEqual(a);
    const calibrated = chooseCalibration(truth, y, createRng(1));
    expect(calibrated.logLoss.none).toBeLessThanOrEqual(calibrated.logLoss.platt + 1e-3);
  });
});
