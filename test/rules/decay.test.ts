import { describe, expect, it } from 'vitest';
import { activityPoints } from '../../src/rules/decay.ts';
import type { ActivitySpec } from '../../src/rules/rule-file.ts';

const spec = (s: Partial<ActivitySpec>): ActivitySpec => ({ type: 'x', minCount: 1, ...s });

describe('activityPoints', () => {
  it('adds points per event without decay, up to the cap', () => {
    expect(activityPoints([1, 2, 3], spec({ pointsPerEvent: 4 }), 0)).toBe(12);
    expect(activityPoints([1, 2, 3], spec({ pointsPerEvent: 4, cap: 10 }), 0)).toBe(10);
  });

  it('halves an event’s points every half-life', () => {
    // 10·0.5^(0/7) + 10·0.5^(7/7) + 10·0.5^(14/7) = 10 + 5 + 2.5
    expect(activityPoints([0, 7, 14], spec({ pointsPerEvent: 10, decay: { halfLifeDays: 7 } }), 0)).toBeCloseTo(17.5, 12);
    // 10·0.5^(3/14) = 8.619728212469777 (Python)
    expect(activityPoints([3], spec({ pointsPerEvent: 10, decay: { halfLifeDays: 14 } }), 0)).toBeCloseTo(8.619728212469777, 12);
  });

  it('decays fixed points from the most recent event', () => {
    expect(activityPoints([20, 10], spec({ decay: { halfLifeDays: 10 } }), 30)).toBeCloseTo(15, 12);
  });

  it('loses k points per N idle days, never below zero', () => {
    const losing = spec({ decay: { losePoints: 5, everyDays: 7 } });
    expect(activityPoints([6.9], losing, 30)).toBe(30); // less than 7 idle days: nothing lost
    expect(activityPoints([7], losing, 30)).toBe(25);
    expect(activityPoints([20, 45], losing, 30)).toBe(20); // floor(20/7) = 2 periods from the newest event
    expect(activityPoints([60], losing, 30)).toBe(0); // 8 periods would take 40
    expect(activityPoints([14], losing, -20)).toBe(-10); // negative points shrink toward zero
  });

  it('needs min_count events, and caps negative points by magnitude', () => {
    expect(activityPoints([1, 2], spec({ minCount: 3 }), 10)).toBe(0);
    expect(activityPoints([1, 2, 3], spec({ minCount: 3 }), 10)).toBe(10);
    expect(activityPoints([0, 0, 0], spec({ pointsPerEvent: -10, cap: 25 }), 0)).toBe(-25);
  });
});
