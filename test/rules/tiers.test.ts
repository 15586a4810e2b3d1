import { describe, expect, it } from 'vitest';
import { defaultRoutingMatrix, DEFAULT_STRONG_ACTIONS, type Grade, type Tier } from '../../src/rules/rule-file.ts';
import { routeLead } from '../../src/rules/routing.ts';
import { gradeOf, tierOf } from '../../src/rules/tiers.ts';

const tiers = { warm: 30, hot: 70 };

describe('tierOf', () => {
  it.each([[0, 'cold'], [29.99, 'cold'], [30, 'warm'], [69.99, 'warm'], [70, 'hot'], [100, 'hot']] as const)('%d → %s', (score, tier) => {
    expect(tierOf(score, tiers)).toBe(tier);
  });
});

describe('gradeOf', () => {
  it.each([[50, 'A'], [40, 'A'], [39.99, 'B'], [25, 'B'], [24, 'C'], [10, 'C'], [9.99, 'D'], [-30, 'D']] as const)('%d fit points → %s', (fit, grade) => {
    expect(gradeOf(fit, { A: 40, B: 25, C: 10 })).toBe(grade);
  });
});

describe('routeLead', () => {
  const routing = { matrix: defaultRoutingMatrix(), strongActions: DEFAULT_STRONG_ACTIONS, strongActionGrades: ['A', 'B'] as Grade[], strongActionRoute: 'sales' };
  const expected: Record<Tier, Record<Grade, string>> = {
    hot: { A: 'sales', B: 'sales', C: 'review', D: 'review' },
    warm: { A: 'nurture', B: 'nurture', C: 'nurture', D: 'nurture' },
    cold: { A: 'nurture', B: 'nurture', C: 'nurture', D: 'disqualify' },
  };
  for (const tier of ['hot', 'warm', 'cold'] as const) {
    for (const grade of ['A', 'B', 'C', 'D'] as const) {
      it(`${tier} × ${grade} → ${expected[tier][grade]}`, () => {
        expect(routeLead(routing, tier, grade, { strongAction: false, disqualified: false })).toBe(expected[tier][grade]);
      });
    }
  }

  it('sends grade A/B with a strong recent action to sales below the hot threshold, not C/D', () => {
    expect(routeLead(routing, 'warm', 'A', { strongAction: true, disqualified: false })).toBe('sales');
    expect(routeLead(routing, 'cold', 'B', { strongAction: true, disqualified: false })).toBe('sales');
    expect(routeLead(routing, 'warm', 'C', { strongAction: true, disqualified: false })).toBe('nurture');
    expect(routeLead(routing, 'hot', 'D', { strongAction: true, disqualified: false })).toBe('review');
  });

  it('routes a disqualified lead to disqualify whatever its grade', () => {
    expect(routeLead(routing, 'cold', 'A', { strongAction: true, disqualified: true })).toBe('disqualify');
  });

  it('follows a configured matrix', () => {
    const custom = { ...routing, matrix: { ...defaultRoutingMatrix(), warm: { A: 'SDR call', B: 'nurture', C: 'nurture', D: 'nurture' } } };
    expect(routeLead(custom, 'warm', 'A', { strongAction: false, disqualified: false })).toBe('SDR call');
  });
});
