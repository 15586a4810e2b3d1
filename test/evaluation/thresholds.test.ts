import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../src/evaluation/compare.ts';
import { confusionAtThresholds, gainsByDecile, ksStatistic, tradeoffCurve } from '../../src/evaluation/curves.ts';
import { confusionAt, liftAt } from '../../src/evaluation/metrics.ts';
import { chooseThreshold, thresholdForCount, parseThresholdStrategy, strategyLabel, type ThresholdStrategy } from '../../src/evaluation/thresholds.ts';
import { createRng } from '../../src/random.ts';

const rng = createRng(3);
const n = 400;
const y = Uint8Array.from({ length: n }, () => (rng.next() < 0.25 ? 1 : 0));
const score = Float64Array.from(y, (v) => Math.round((v * 0.8 + rng.next()) * 50) / 50); // ties on purpose
const distinct = [...new Set(score)];

/** The best threshold by brute force over every distinct score. */
function brute(value: (c: ReturnType<typeof confusionAt>) => number): number {
  return Math.max(...distinct.map((t) => value(confusionAt(score, y, t))));
}

describe('chooseThreshold', () => {
  it.each<[string, ThresholdStrategy, (c: ReturnType<typeof confusionAt>) => number]>([
    ['max F1', { kind: 'maxF1' }, (c) => c.f1],
    ["Youden's J", { kind: 'youden' }, (c) => c.recall + c.specificity - 1],
    ['expected profit', { kind: 'profit', value: 1000, cost: 120 }, (c) => c.tp * 1000 - (c.tp + c.fp) * 120],
  ])('%s matches a brute-force search', (_name, strategy, value) => {
    const t = chooseThreshold(score, y, strategy)!;
    expect(value(confusionAt(score, y, t))).toBeCloseTo(brute(value), 10);
  });

  it('meets a precision target with as many leads as possible, a recall target with as few', () => {
    const p = chooseThreshold(score, y, { kind: 'precision', target: 0.6 })!;
    expect(confusionAt(score, y, p).precision).toBeGreaterThanOrEqual(0.6);
    const lower = distinct.filter((t) => t < p && confusionAt(score, y, t).precision >= 0.6);
    expect(lower).toEqual([]);
    const r = chooseThreshold(score, y, { kind: 'recall', target: 0.8 })!;
    expect(confusionAt(score, y, r).recall).toBeGreaterThanOrEqual(0.8);
    expect(distinct.filter((t) => t > r && confusionAt(score, y, t).recall >= 0.8)).toEqual([]);
    expect(chooseThreshold(score, y, { kind: 'precision', target: 1 })).toBe(chooseThreshold(score, y, { kind: 'precision', target: 1 }));
  });

  it('sends at least the capacity share; a count of leads by the count-th highest score, reading no outcome', () => {
    const t = chooseThreshold(score, y, { kind: 'capacity', share: 0.15 })!;
    const c = confusionAt(score, y, t);
    expect((c.tp + c.fp) / n).toBeGreaterThanOrEqual(0.15);
    const above = distinct.filter((x) => x > t).map((x) => confusionAt(score, y, x)).filter((k) => (k.tp + k.fp) / n >= 0.15);
    expect(above).toEqual([]);
    // A weekly capacity is a count, set on the leads' own weeks: exactly that many sent where scores are distinct.
    const counted = thresholdForCount(score, 37);
    expect(Array.from(score).filter((x) => x >= counted).length).toBeGreaterThanOrEqual(37);
    expect(Array.from(score).filter((x) => x > counted).length).toBeLessThan(37);
    expect(thresholdForCount(Float64Array.of(0.2, 0.9, 0.5), 2)).toBe(0.5);
    expect(() => chooseThreshold(score, y, { kind: 'capacity', perWeek: 30 })).toThrow('chosen with thresholdForCount');
  });

  it('parses every strategy and writes it back', () => {
    for (const text of ['maxF1', 'youden', 'precision:0.4', 'recall:0.8', 'capacity:10%', 'capacity:200/week', 'profit:5000,150']) {
      expect(strategyLabel(parseThresholdStrategy(text))).toBe(text);
    }
    expect(() => parseThresholdStrategy('best')).toThrow('unknown threshold strategy "best"');
    expect(() => parseThresholdStrategy('precision:1.5')).toThrow('precision target must be in (0, 1]');
  });
});

describe('curves', () => {
  it('confusionAtThresholds: one threshold per distinct score, highest first, agreeing with confusionAt (property)', () => {
    const item = fc.record({ s: fc.oneof(fc.integer({ min: -3, max: 9 }), fc.constantFrom(0, -0, 0.1 + 0.2, 0.3)), y: fc.integer({ min: 0, max: 1 }) });
    fc.assert(fc.property(fc.array(item, { minLength: 1, maxLength: 60 }), fc.array(fc.nat(), { maxLength: 30 }), (items, picks) => {
      const s = items.map((i) => i.s);
      const yy = items.map((i) => i.y);
      // Over all rows, and over some rows (repeats allowed) as the hold-out's rows are passed.
      const rows = picks.map((k) => k % items.length);
      for (const [t, over] of [[confusionAtThresholds(s, yy), s.map((_, r) => r)], [confusionAtThresholds(s, yy, rows), rows]] as const) {
        const distinct = [...new Set(over.map((r) => s[r]! + 0))].sort((a, b) => b - a);
        expect(Array.from(t.thresholds, (v) => v + 0)).toEqual(distinct);
        t.thresholds.forEach((th, k) => {
          const c = confusionAt(over.map((r) => s[r]!), over.map((r) => yy[r]!), th);
          expect([t.tp[k], t.fp[k]]).toEqual([c.tp, c.fp]);
        });
        expect([t.positives, t.negatives]).toEqual([over.filter((r) => yy[r]).length, over.filter((r) => !yy[r]).length]);
      }
    }), { numRuns: 300 });
  });

  it('confusionAtThresholds ranks a score that is not a number below every number, in one last threshold', () => {
    const t = confusionAtThresholds([0.9, Number.NaN, 0.2, Number.NaN, 0.9], [1, 1, 0, 0, 0]);
    expect(Array.from(t.thresholds)).toEqual([0.9, 0.2, Number.NaN]);
    expect(Array.from(t.tp)).toEqual([1, 1, 2]);
    expect(Array.from(t.fp)).toEqual([1, 2, 3]);
    expect([t.positives, t.negatives]).toEqual([2, 3]);
  });

  it('KS is the largest TPR − FPR gap; gains add up; the trade-off moves FN into FP', () => {
    const ks = ksStatistic(score, y);
    expect(ks).toBeCloseTo(brute((c) => Math.abs(c.recall - (1 - c.specificity))), 12);
    const gains = gainsByDecile(score, y);
    expect(gains.reduce((s, d) => s + d.leads, 0)).toBe(n);
    expect(gains.at(-1)!.cumulativeCapture).toBeCloseTo(1, 12);
    expect(gains[0]!.lift).toBeCloseTo(liftAt(score, y, 0.1), 12);
    const curve = tradeoffCurve(score, y);
    for (let k = 1; k < curve.length; k++) {
      expect(curve[k]!.fn).toBeLessThanOrEqual(curve[k - 1]!.fn);
      expect(curve[k]!.fp).toBeGreaterThanOrEqual(curve[k - 1]!.fp);
    }
  });
});

describe('pairedBootstrap', () => {
  it('is reproducible, centred on the observed differences, and zero for identical scorers', () => {
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const weaker = Float64Array.from(score, (v) => v + rng.next());
    const a = pairedBootstrap(score, weaker, y, rows, { rng: createRng(1), resamples: 300 });
    expect(pairedBootstrap(score, weaker, y, rows, { rng: createRng(1), resamples: 300 })).toEqual(a);
    expect(a.lift.ci95[0]).toBeLessThanOrEqual(a.lift.diff);
    expect(a.lift.ci95[1]).toBeGreaterThanOrEqual(a.lift.diff);
    expect(a.precision.diff).toBeCloseTo(a.lift.diff * (y.reduce((s, v) => s + v, 0) / n), 12);
    const same = pairedBootstrap(score, score, y, rows, { rng: createRng(1), resamples: 100 });
    expect(same.lift).toEqual({ diff: 0, ci95: [0, 0] });
  });
});
