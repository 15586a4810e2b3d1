import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BoundCriterion } from '../../../src/rules/engine.ts';
import { scoreBound } from '../../../src/rules/engine.ts';
import { parseRuleFile } from '../../../src/rules/rule-file.ts';
import { type RuleColumn, RuleCells } from '../../../src/scoring/fast/rule-cells.ts';

/** A rule file over columns c0…c2 (conditions are replaced by the test's truth tables). */
function ruleFile(base: number, criteria: Array<{ points: number; fit: boolean; disqualify: boolean; on: number[] }>): string {
  const lines = [`version: 1`, `name: t`, `base_points: ${base}`, `tiers: { warm: 20, hot: 45 }`, `grades: { A: 30, B: 10, C: 0 }`, `criteria:`];
  criteria.forEach((c, k) => {
    lines.push(`  - name: c${k}`, `    family: ${c.fit ? 'fit' : 'engagement'}`);
    lines.push(`    when: { all: [ ${c.on.map((col) => `{ column: c${col}, op: eq, value: x }`).join(', ')} ] }`);
    lines.push(c.disqualify ? `    disqualify: true` : `    points: ${c.points}`);
  });
  return lines.join('\n');
}

describe('RuleCells: rule scores from per-cell points', () => {
  it('gives scoreBound\'s score, fit and disqualification for integer points, on one and several columns', () => {
    const criterion = fc.record({
      points: fc.integer({ min: -40, max: 40 }), fit: fc.boolean(), disqualify: fc.nat(5).map((k) => k === 0),
      on: fc.uniqueArray(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 2 }),
    });
    fc.assert(fc.property(fc.integer({ min: -10, max: 60 }), fc.array(criterion, { minLength: 1, maxLength: 8 }),
      fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)), { minLength: 1, maxLength: 60 }), fc.array(fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), { minLength: 24, maxLength: 24 }),
      (base, criteria, rows, truths) => {
        const rules = parseRuleFile(ruleFile(base, criteria));
        const n = rows.length;
        // Three columns of six distinct cells; each condition's answer per cell drawn at random.
        const columns: RuleColumn[] = [0, 1, 2].map((col) => ({ rows: Int32Array.from(rows, (r) => r[col]!), conditions: [] }));
        const reads = criteria.map((c, k) => c.on.map((col, j) => {
          const truth = Uint8Array.from(truths[(k * 3 + j) % 24]!, (b) => (b ? 1 : 0));
          columns[col]!.conditions.push({ truth });
          return { column: columns[col]!, condition: columns[col]!.conditions.length - 1 };
        }));
        const bound: BoundCriterion[] = rules.criteria.map((criterion, k) => ({
          criterion,
          predicate: (i: number) => reads[k]!.every(({ column, condition }) => column.conditions[condition]!.truth[column.rows[i]!] === 1),
        }));
        const plan = RuleCells.plan(rules, bound, reads, false);
        expect(plan).not.toBeNull();
        for (const column of columns) plan!.learn(column, 0, 6);
        const got = plan!.rows(n);
        const want = scoreBound(rules, bound, n, {}, { reasons: false });
        expect(Array.from(got.score)).toEqual(Array.from(want.score));
        expect(Array.from(got.disqualified)).toEqual(Array.from(want.disqualified));
        for (let i = 0; i < n; i++) if (!got.disqualified[i]) expect(got.fit[i]).toBe(want.fitPoints[i]);
      }), { numRuns: 200, seed: 5 });
  });

  it('declines fractional points or base, and an activity log, where sums could round differently', () => {
    const column: RuleColumn = { rows: new Int32Array(1), conditions: [{ truth: new Uint8Array(1) }] };
    const reads = [[{ column, condition: 0 }]];
    const plan = (text: string, logged = false) => {
      const rules = parseRuleFile(text);
      return RuleCells.plan(rules, rules.criteria.map((criterion) => ({ criterion, predicate: () => true })), reads, logged);
    };
    const file = (base: number, points: number) => ruleFile(base, [{ points, fit: true, disqualify: false, on: [0] }]);
    expect(plan(file(5, 10))).not.toBeNull();
    expect(plan(file(5, 10), true)).toBeNull();
    expect(plan(file(5, 0.1))).toBeNull();
    expect(plan(file(0.5, 10))).toBeNull();
  });
});
