import { describe, expect, it } from 'vitest';
import { buildActivityLog } from '../../src/data/activities/activities.ts';
import { formatReasons, scoreWithRules } from '../../src/rules/engine.ts';
import { parseRuleFile, RuleFileError } from '../../src/rules/rule-file.ts';
import { RuleScorer } from '../../src/rules/rule-scorer.ts';
import { dataset } from './fixtures.ts';

const DAY = 86_400_000;
const AS_OF = Date.UTC(2025, 5, 1);

const RULES = `
tiers: { warm: 30, hot: 70 }
grades: { A: 40, B: 25, C: 10 }
criteria:
  - name: senior
    label: senior buyer
    when: { column: seniority, op: in, value: [VP, C-level] }
    points: 30
  - name: big
    when: { column: employees, op: gte, value: 200 }
    points: 20
  - name: student
    label: student e-mail
    when: { column: email_type, op: eq, value: student }
    points: -40
  - name: bant
    label: budget and timeline
    when:
      all:
        - { column: budget, op: eq, value: yes }
        - { column: timeline, op: eq, value: "< 3 months" }
    points: 25
  - name: pricing
    label: pricing page viewed
    activity: { type: pricing_page_view, window_days: 30, points_per_event: 10, cap: 25 }
  - name: demo
    activity: { type: demo_request, decay: { lose_points: 10, every_days: 7 } }
    points: 40
  - name: unsubscribed
    activity: { type: unsubscribe }
    disqualify: true
`;

const leads = dataset({
  lead_id: ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'L8', 'L9', 'L10'],
  seniority: ['VP', 'C-level', 'Manager', 'VP', 'Student', 'VP', 'Manager', 'Manager', 'Manager', 'Manager'],
  employees: ['500', '1000', '50', '', '10', '300', '20', '20', '20', '20'],
  email_type: ['corporate', 'corporate', 'free', 'corporate', 'student', 'corporate', 'corporate', 'free', 'free', 'free'],
  budget: ['yes', 'yes', 'no', '', 'no', 'yes', 'no', 'no', 'no', 'no'],
  timeline: ['< 3 months', '< 3 months', '', '', '', '6-12 months', '', '', '', ''],
});

const log = buildActivityLog(
  ['L1', 'L1', 'L1', 'L2', 'L3', 'L4', 'L4', 'L6', 'L7'],
  [AS_OF - 1 * DAY, AS_OF - 2 * DAY, AS_OF - 3 * DAY, AS_OF - 2 * DAY, AS_OF - 15 * DAY, AS_OF - 40 * DAY, AS_OF + DAY, AS_OF - 3 * DAY, AS_OF - 5 * DAY],
  ['pricing_page_view', 'pricing_page_view', 'pricing_page_view', 'unsubscribe', 'demo_request', 'pricing_page_view', 'demo_request', 'demo_request', 'pricing_page_view'],
);

const rules = parseRuleFile(RULES, 'rules.yaml');
const scores = scoreWithRules(rules, leads, { activities: log, asOf: AS_OF });

describe('scoreWithRules', () => {
  it('sums points and clamps to [0, 100]', () => {
    // L1: senior 30 + big 20 + bant 25 + pricing min(3·10, 25) = 100 → clamped 100
    expect(scores.score[0]).toBe(100);
    // L5: student −40 → clamped 0
    expect(scores.score[4]).toBe(0);
    // L3: demo 15 days ago: 40 − 10·floor(15/7) = 20
    expect(scores.score[2]).toBe(20);
    // L6: senior 30 + big 20 + demo 3 days ago 40 = 90 (bant needs both conditions)
    expect(scores.score[5]).toBe(90);
    // L7: one pricing view 5 days ago: 10
    expect(scores.score[6]).toBe(10);
  });

  it('ignores events outside the window or after the scoring time', () => {
    // L4: senior 30; its pricing view is 40 days old (window 30) and its demo is after as-of
    expect(scores.score[3]).toBe(30);
    expect(scores.reasons[3]!.map((r) => r.rule)).toEqual(['senior']);
  });

  it('disqualifies: score 0, tier cold, action disqualify, reason recorded', () => {
    // L2 would score 75 (senior + big + bant) but unsubscribed
    expect(scores.score[1]).toBe(0);
    expect(scores.tier[1]).toBe('cold');
    expect(scores.action[1]).toBe('disqualify');
    expect(formatReasons(scores.reasons[1]!)).toMatch(/^disqualified: unsubscribed; /);
  });

  it('grades from fit points only and routes by tier × grade', () => {
    // L1 fit = senior 30 + big 20 + bant 25 = 75 → A; engagement 25
    expect(scores.grade[0]).toBe('A');
    expect(scores.fitPoints[0]).toBe(75);
    expect(scores.engagementPoints[0]).toBe(25);
    expect(scores.tier[0]).toBe('hot');
    expect(scores.action[0]).toBe('sales');
    // L6: fit 50 → A, hot → sales; L3: fit 0 → D, cold → disqualify
    expect([scores.grade[5], scores.action[5]]).toEqual(['A', 'sales']);
    expect([scores.grade[2], scores.tier[2], scores.action[2]]).toEqual(['D', 'cold', 'disqualify']);
  });

  it('sends a well-fitting lead with a strong recent action to sales below the hot threshold', () => {
    const strong = parseRuleFile(`grades: { A: 25, B: 20, C: 10 }\ncriteria:\n  - name: senior\n    when: { column: seniority, op: eq, value: VP }\n    points: 30\n`, 's.yaml');
    const s = scoreWithRules(strong, leads, { activities: log, asOf: AS_OF });
    // L6: 30 points (warm), grade A, demo request 3 days ago → sales; L4: no recent strong action → nurture
    expect([s.tier[5], s.grade[5], s.action[5]]).toEqual(['warm', 'A', 'sales']);
    expect([s.tier[3], s.grade[3], s.action[3]]).toEqual(['warm', 'A', 'nurture']);
  });

  it('writes reasons strongest first, in words', () => {
    expect(formatReasons(scores.reasons[0]!)).toBe('senior buyer (+30); budget and timeline (+25); pricing page viewed (3× in 30 days) (+25); big (+20)');
    expect(formatReasons(scores.reasons[4]!)).toBe('student e-mail (−40)');
  });

  it('names the rule and line of an unknown column at scoring time, with a suggestion', () => {
    const bad = parseRuleFile(`criteria:\n  - name: s\n    when: { column: senority, op: eq, value: VP }\n    points: 5\n`, 'bad.yaml');
    const err = (() => {
      try {
        scoreWithRules(bad, leads);
      } catch (e) {
        return e as RuleFileError;
      }
      throw new Error('expected an error');
    })();
    expect(err).toBeInstanceOf(RuleFileError);
    expect(err.message).toBe('bad.yaml:2: rule "s": unknown column "senority" (did you mean "seniority"?)');
  });

  it('asks for the activity log when a rule needs it, and spots unknown event types', () => {
    expect(() => scoreWithRules(rules, leads)).toThrow('rule "pricing": counts activity-log events: pass the activity log (--activities <file>)');
    const typo = parseRuleFile(`criteria:\n  - name: d\n    activity: { type: demo_requests }\n    points: 5\n`, 't.yaml');
    expect(() => scoreWithRules(typo, leads, { activities: log, asOf: AS_OF })).toThrow('no "demo_requests" events in the activity log (did you mean "demo_request"?)');
  });

  it('exposes the scorer interface: score / 100 as a rank, and a JSON artifact that round-trips', () => {
    const scorer = new RuleScorer(rules);
    const p = scorer.predictProba(leads, { activities: log, asOf: AS_OF });
    expect(Array.from(p)).toEqual(Array.from(scores.score, (s) => s / 100));
    const again = RuleScorer.fromJSON(JSON.parse(JSON.stringify(scorer.toJSON())));
    expect(Array.from(again.predictProba(leads, { activities: log, asOf: AS_OF }))).toEqual(Array.from(p));
    expect(scorer.featureNames()).toEqual(['seniority', 'employees', 'email_type', 'budget', 'timeline']);
    expect(() => RuleScorer.fromJSON({ kind: 'rules', formatVersion: 2 })).toThrow('format version 2 is not supported');
  });
});
