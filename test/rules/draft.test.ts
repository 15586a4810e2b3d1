import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildActivityLog } from '../../src/data/activities/activities.ts';
import { draftRules, logisticLogLikelihood } from '../../src/rules/draft.ts';
import { scoreWithRules } from '../../src/rules/engine.ts';
import { parseRuleFile, ruleSetToYaml } from '../../src/rules/rule-file.ts';
import { createRng } from '../../src/random.ts';
import { dataset } from './fixtures.ts';

const DAY = 86_400_000;
const AS_OF = Date.UTC(2025, 5, 1);

function sample(n: number, seed: number) {
  const rng = createRng(seed);
  const channel: string[] = [];
  const size: string[] = [];
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    channel.push(['referral', 'paid social', 'organic'][rng.int(3)]!);
    size.push(String(Math.round(Math.exp(2 + 4 * rng.next()))));
    const p = channel[i] === 'referral' ? 0.3 : channel[i] === 'paid social' ? 0.04 : 0.1;
    y[i] = rng.next() < p ? 1 : 0;
  }
  return { channel, size, y };
}

describe('draftRules', () => {
  it('weights segments by conversion from the training rows only: a test-only category never appears', () => {
    const n = 3000;
    const { channel, size, y } = sample(n, 1);
    const rows = Int32Array.from({ length: 2400 }, (_, i) => i);
    // Plant a category that exists only in the test rows and converts every time.
    for (let i = 2400; i < n; i++) {
      channel[i] = 'secret partner';
      y[i] = 1;
    }
    const data = dataset({ lead_id: channel.map((_, i) => `L${i}`), channel, size, converted: Array.from(y, String) });
    const { rules, baseRate, trainRows } = draftRules(data, y, rows, { target: 'converted' });
    expect(trainRows).toBe(2400);
    expect(baseRate).toBeCloseTo(Array.from(rows).reduce((s, r) => s + y[r]!, 0) / 2400, 12);
    const yaml = ruleSetToYaml(rules);
    expect(yaml).not.toContain('secret');
    expect(yaml).not.toContain('converted'); // the target is never a criterion
    const referral = rules.criteria.find((c) => c.when?.[0]?.value === 'referral')!;
    const social = rules.criteria.find((c) => c.when?.[0]?.value === 'paid social')!;
    expect(referral.points).toBeGreaterThan(0);
    expect(social.points).toBeLessThan(0);
    expect(referral.points % 5).toBe(0);
    // The drafted file is a valid rule file that scores the data.
    const again = parseRuleFile(yaml, 'drafted.yaml');
    const scores = scoreWithRules(again, data);
    expect(scores.score.length).toBe(n);
    expect(again.tiers.warm).toBeLessThan(again.tiers.hot);
  });

  it('gives a segment converting twice as often as average +15 points', () => {
    const n = 4000;
    const rng = createRng(3);
    const channel = Array.from({ length: n }, (_, i) => (i < 1000 ? 'double' : 'rest'));
    // base rate 10%: "double" converts at 20%, the rest at 6.67%
    const y = Uint8Array.from({ length: n }, (_, i) => (i < 1000 ? (i % 5 === 0 ? 1 : 0) : i % 15 === 0 ? 1 : 0));
    const data = dataset({ channel, noise: Array.from({ length: n }, () => String(rng.next())) });
    const { rules } = draftRules(data, y, Int32Array.from({ length: n }, (_, i) => i), { minSupport: 30 });
    expect(rules.criteria.find((c) => c.name === 'channel_is_double')?.points).toBe(15);
  });

  it('fits the half-life that generated the behaviour', () => {
    const n = 4000;
    const rng = createRng(11);
    const ids: string[] = [];
    const leadsOfEvents: string[] = [];
    const times: number[] = [];
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      ids.push(`L${i}`);
      let decayed = 0;
      const events = rng.int(6);
      for (let k = 0; k < events; k++) {
        const age = rng.next() * 80;
        leadsOfEvents.push(`L${i}`);
        times.push(AS_OF - age * DAY);
        decayed += 0.5 ** (age / 7);
      }
      y[i] = rng.next() < 1 / (1 + Math.exp(-(-3 + 2.5 * decayed))) ? 1 : 0;
    }
    const log = buildActivityLog(leadsOfEvents, times, leadsOfEvents.map(() => 'pricing_page_view'));
    const data = dataset({ lead_id: ids, flat: ids.map(() => 'same') });
    const result = draftRules(data, y, Int32Array.from({ length: n }, (_, i) => i), { activities: log, asOf: AS_OF });
    const note = result.notes.find((x) => x.criterion === 'pricing_page_view')!;
    expect(note.halfLifeDays).toBe(7);
    const criterion = result.rules.criteria.find((c) => c.name === 'pricing_page_view')!;
    expect(criterion.activity?.decay).toEqual({ halfLifeDays: 7 });
    expect(criterion.activity?.pointsPerEvent).toBeGreaterThan(0);
  });
});

describe('logisticLogLikelihood', () => {
  it('is the log-likelihood at the maximum: no nearby (a, b) does better', () => {
    const rng = createRng(5);
    const x = Float64Array.from({ length: 500 }, () => rng.normal());
    const y = Uint8Array.from(x, (v) => (rng.next() < 1 / (1 + Math.exp(-(0.5 + 1.5 * v))) ? 1 : 0));
    const best = logisticLogLikelihood(x, y);
    const ll = (a: number, b: number) => Array.from(x).reduce((s, v, i) => {
      const p = 1 / (1 + Math.exp(-(a + b * v)));
      return s + (y[i] ? Math.log(p) : Math.log(1 - p));
    }, 0);
    // brute-force grid around the truth
    let grid = -Infinity;
    for (let a = -1; a <= 2; a += 0.05) for (let b = 0; b <= 3; b += 0.05) grid = Math.max(grid, ll(a, b));
    expect(best).toBeGreaterThanOrEqual(grid - 1e-9);
    expect(best - grid).toBeLessThan(0.5);
  });

  it('gives, bit for bit, what every row computed alone gives, where most x are 0 (property)', () => {
    // The reference: each row's terms from its own z, as before rows at x = 0 shared theirs.
    const reference = (x: Float64Array, y: Uint8Array): number => {
      let mean = 0;
      for (let i = 0; i < y.length; i++) mean += y[i]!;
      mean /= y.length;
      let a = Math.log(mean / (1 - mean));
      let b = 0;
      let ll = -Infinity;
      for (let iter = 0; iter < 50; iter++) {
        let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0, next = 0;
        for (let i = 0; i < y.length; i++) {
          const z = a + b * x[i]!;
          const p = 1 / (1 + Math.exp(-z));
          const w = p * (1 - p);
          const r = y[i]! - p;
          ga += r;
          gb += r * x[i]!;
          haa += w;
          hab += w * x[i]!;
          hbb += w * x[i]! * x[i]!;
          next += y[i] ? -Math.log1p(Math.exp(-z)) : -Math.log1p(Math.exp(z));
        }
        ll = next;
        const det = haa * hbb - hab * hab;
        if (!(det > 1e-12)) break;
        const da = (hbb * ga - hab * gb) / det;
        const db = (haa * gb - hab * ga) / det;
        a += da;
        b += db;
        if (Math.abs(da) + Math.abs(db) < 1e-9) break;
      }
      return ll;
    };
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (seed, zeros, slope) => {
      const rng = createRng(seed);
      const x = Float64Array.from({ length: 400 }, () => (rng.next() < zeros ? 0 : rng.next() * 5));
      const y = Uint8Array.from(x, (v) => (rng.next() < 1 / (1 + Math.exp(-(-2 + slope * v))) ? 1 : 0));
      expect(Object.is(logisticLogLikelihood(x, y), reference(x, y))).toBe(true);
    }), { numRuns: 300 });
  });
});

describe('draftRules: disqualifiers', () => {
  it('disqualifies only a segment that all but never converts, with enough leads to say so; grades disqualify no one', () => {
    const rng = createRng(12);
    const n = 6000;
    const email: string[] = [];
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      email.push(u < 0.1 ? 'student' : u < 0.3 ? 'free' : 'corporate');
      const p = email[i] === 'student' ? 0.002 : email[i] === 'free' ? 0.06 : 0.15; // free converts at half the base rate: not a disqualifier
      y[i] = rng.next() < p ? 1 : 0;
    }
    const data = dataset({ email_type: email, converted: Array.from(y, String) });
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const { rules } = draftRules(data, y, rows, { target: 'converted' });
    const disqualifiers = rules.criteria.filter((c) => c.disqualify).map((c) => c.name);
    expect(disqualifiers).toEqual(['email_type_is_student']);
    expect(rules.routing.matrix.cold.D).toBe('nurture');
    // The routing survives the YAML (a drafted file nurtures cold D leads when read back)...
    const reread = parseRuleFile(ruleSetToYaml(rules), 'drafted.yaml');
    expect(reread.routing.matrix.cold.D).toBe('nurture');
    // ...and only the students are disqualified.
    const scored = scoreWithRules(reread, data, {});
    const disqualified = Array.from(scored.action).map((a, i) => [a, email[i]] as const).filter(([a]) => a === 'disqualify');
    expect(disqualified.length).toBe(email.filter((e) => e === 'student').length);
    expect(disqualified.every(([, e]) => e === 'student')).toBe(true);
  });
});
