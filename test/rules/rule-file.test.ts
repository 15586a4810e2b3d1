import { describe, expect, it } from 'vitest';
import { loadRuleFile, parseRuleFile, RuleFileError, ruleSetToYaml } from '../../src/rules/rule-file.ts';
import { SAMPLE } from '../../src/data/sample/sample-paths.ts';

function issuesOf(text: string): string[] {
  try {
    parseRuleFile(text, 'r.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(RuleFileError);
    return (err as RuleFileError).issues.map((i) => `${i.file}:${i.line}: ${i.rule ? `rule "${i.rule}": ` : ''}${i.message}`);
  }
  throw new Error('expected a RuleFileError');
}

const ok = `
criteria:
  - name: senior
    when: { column: seniority, op: in, value: [VP, C-level] }
    points: 15
`;

describe('parseRuleFile', () => {
  it('reads criteria with defaults for tiers, grades and routing', () => {
    const rules = parseRuleFile(ok, 'r.yaml');
    expect(rules.tiers).toEqual({ warm: 30, hot: 70 });
    expect(rules.grades).toEqual({ A: 40, B: 25, C: 10 });
    expect(rules.criteria[0]).toMatchObject({ name: 'senior', family: 'fit', points: 15, line: 3, label: 'senior',
      when: [{ column: 'seniority', op: 'in', value: ['VP', 'C-level'] }] });
    // Each criterion's line is where its item's content starts (flow-style items, comments between items).
    const text = `criteria:\n  # a comment\n  - name: a\n    when: { column: c, op: eq, value: x }\n    points: 1\n\n  - { name: b, when: { column: c, op: eq, value: y }, points: 2 }\n  -\n    name: c\n    when: { column: c, op: eq, value: z }\n    points: 3\n`;
    expect(parseRuleFile(text).criteria.map((c) => c.line)).toEqual([3, 7, 9]);
    expect(rules.routing.matrix.hot.A).toBe('sales');
    expect(rules.routing.strongActions.map((s) => s.type)).toEqual(['demo_request', 'pricing_page_view']);
  });

  it('reads the bundled sample rules and writes them back to equivalent YAML', async () => {
    const rules = await loadRuleFile(SAMPLE.rules);
    expect(rules.criteria.length).toBeGreaterThanOrEqual(15);
    expect(rules.criteria.find((c) => c.name === 'unsubscribed')).toMatchObject({ disqualify: true, family: 'engagement' });
    const again = parseRuleFile(ruleSetToYaml(rules), 'again.yaml');
    expect(again.criteria.map(({ line: _l, ...c }) => c)).toEqual(rules.criteria.map(({ line: _l, ...c }) => c));
    expect(again.tiers).toEqual(rules.tiers);
    expect(again.grades).toEqual(rules.grades);
    expect(again.routing).toEqual(rules.routing);
    // A routing of one's own survives being written back (train saves the rules it used as rules.yaml).
    const own = parseRuleFile(`${ruleSetToYaml(rules)}`.replace(/^criteria:/m, 'routing:\n  matrix:\n    warm: { A: review }\n  strong_actions:\n    - { type: trial_signup, stage: product, window_days: 3 }\n  strong_action_grades: [A]\n  strong_action_route: review\ncriteria:'), 'own.yaml');
    expect(own.routing.strongActions).toEqual([{ type: 'trial_signup', stage: 'product', windowDays: 3 }]);
    expect(parseRuleFile(ruleSetToYaml(own), 'own-again.yaml').routing).toEqual(own.routing);
  });

  it('names the file, line and rule of an unknown operator', () => {
    expect(issuesOf(`criteria:\n  - name: a\n    when:\n      column: x\n      op: equals\n      value: 1\n    points: 5\n`)).toEqual([
      'r.yaml:5: rule "a": unknown operator "equals" (use one of eq, neq, in, not_in, gt, gte, lt, lte, between, contains, matches, is_missing, not_missing)',
    ]);
  });

  it('reports duplicate rule names with the first line', () => {
    expect(issuesOf(`${ok}  - name: senior\n    when: { column: x, op: is_missing }\n    points: 1\n`)).toEqual([
      'r.yaml:6: rule "senior": duplicate rule name (first used on line 3)',
    ]);
  });

  it('reports thresholds out of order', () => {
    expect(issuesOf(`tiers: { warm: 70, hot: 30 }\ngrades: { A: 10, B: 20, C: 5 }\n${ok}`)).toEqual([
      'r.yaml:1: tier thresholds out of order: need 0 < warm (70) < hot (30) ≤ 100',
      'r.yaml:2: grade thresholds out of order: need A (10) > B (20) > C (5) fit points',
    ]);
  });

  it('reports a regular expression that does not compile', () => {
    const [issue] = issuesOf(`criteria:\n  - name: titles\n    when: { column: job_title, op: matches, value: "(VP" }\n    points: 5\n`);
    expect(issue).toMatch(/^r\.yaml:3: rule "titles": regular expression not accepted \(patterns are matched in linear time: no lookarounds or back-references\): /);
    const [lookahead] = issuesOf(`criteria:\n  - name: titles\n    when: { column: job_title, op: matches, value: "^(?=vp)v" }\n    points: 5\n`);
    expect(lookahead).toContain('rule "titles": regular expression not accepted');
  });

  it.each([
    ['an unknown field', `criteria:\n  - name: a\n    when: { column: x, op: is_missing }\n    pionts: 5\n`, 'r.yaml:2: rule "a": unknown field "pionts"'],
    ['a missing value', `criteria:\n  - name: a\n    when: { column: x, op: gt }\n    points: 5\n`, 'r.yaml:3: rule "a": gt needs a value'],
    ['a list for in', `criteria:\n  - name: a\n    when: { column: x, op: in, value: b }\n    points: 5\n`, 'r.yaml:3: rule "a": in needs a list of values, e.g. [a, b]'],
    ['no points', `criteria:\n  - name: a\n    when: { column: x, op: is_missing }\n`, 'r.yaml:2: rule "a": needs "points" (or "disqualify: true")'],
    ['both when and activity', `criteria:\n  - name: a\n    when: { column: x, op: is_missing }\n    activity: { type: demo_request }\n    points: 5\n`, 'r.yaml:4: rule "a": give either "when" (a condition on a column) or "activity" (events), not both'],
    ['a bad decay', `criteria:\n  - name: a\n    activity: { type: demo_request, decay: { lose_points: 5 } }\n    points: 5\n`, 'r.yaml:3: rule "a": decay needs half_life_days, or both lose_points and every_days'],
    ['between reversed', `criteria:\n  - name: a\n    when: { column: x, op: between, value: [9, 1] }\n    points: 5\n`, 'r.yaml:3: rule "a": between needs low ≤ high, got [9, 1]'],
    ['a bad family', `criteria:\n  - name: a\n    family: behaviour\n    when: { column: x, op: is_missing }\n    points: 5\n`, 'r.yaml:3: rule "a": family: Invalid option: expected one of "fit"|"engagement"'],
    ['no criteria', `name: empty\ncriteria: []\n`, 'r.yaml:2: criteria: a rule file needs at least one criterion'],
    ['broken YAML', `criteria:\n  - name: a\n   points: 5\n`, 'r.yaml:3: YAML syntax error at line 3, column 1:'],
  ])('reports %s', (_what, text, message) => {
    expect(issuesOf(text)[0]).toContain(message);
  });
});
