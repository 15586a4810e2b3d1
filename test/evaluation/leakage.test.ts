import { describe, expect, it } from 'vitest';
import { leakageGuard, singleFeatureAuc } from '../../src/evaluation/leakage.ts';
import { rocAuc } from '../../src/evaluation/metrics.ts';
import { createRng } from '../../src/random.ts';
import { dataset } from '../rules/fixtures.ts';

const rng = createRng(17);
const n = 2000;
const y = Uint8Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0));
const noisy = (strength: number) => Array.from(y, (v) => String(v * strength + rng.normal()));
const data = dataset({
  lead_id: Array.from({ length: n }, (_, i) => `L${i}`),
  call_minutes: noisy(2.2), // dominant, post-outcome-like
  engagement: noisy(0.6),
  region: Array.from(y, (v) => (rng.next() < 0.5 + 0.2 * v ? 'north' : 'south')),
  deal_status: Array.from({ length: n }, () => (rng.next() < 0.5 ? 'open' : 'pending')),
  closed_on: Array.from(y, (v, i) => (v ? `2025-03-${String(1 + (i % 28)).padStart(2, '0')}` : '')),
  converted: Array.from(y, String),
});
const rows = Int32Array.from({ length: n }, (_, i) => i);

describe('leakageGuard', () => {
  const { flags, aucs } = leakageGuard(data, y, rows, { exclude: ['converted'] });

  it('computes single-feature AUCs: numbers by value, categories by their cross-fitted conversion rate', () => {
    const values = data.table.array('call_minutes') as number[];
    expect(aucs.find((a) => a.column === 'call_minutes')!.auc).toBeCloseTo(rocAuc(Float64Array.from(values), y), 4);
    const region = data.table.array('region') as string[];
    // Cross-fitted: even rows by the odd rows' rate and vice versa, shrunk towards the other half's base rate by one lead.
    const half = (parity: number) => region.map((v, i) => ({ v, y: y[i]!, i })).filter((x) => x.i % 2 === parity);
    const byRate = Float64Array.from(region, (r, i) => {
      const other = half(1 - (i % 2));
      const base = other.filter((x) => x.y).length / other.length;
      const same = other.filter((x) => x.v === r);
      return (same.filter((x) => x.y).length + base) / (same.length + 1);
    });
    expect(singleFeatureAuc(data, 'region', y, rows)).toBeCloseTo(Math.max(rocAuc(byRate, y), 1 - rocAuc(byRate, y)), 12);
  });

  it('flags a dominant column, a post-outcome name and a column filled only for converters', () => {
    const byColumn = Object.fromEntries(flags.map((f) => [f.column, f]));
    expect(byColumn.call_minutes?.severity).toBe('suspect');
    expect(byColumn.call_minutes?.reason).toMatch(/^`call_minutes` alone ranks leads with AUC 0\.\d\d/);
    expect(byColumn.deal_status?.reason).toContain('sounds like post-outcome information ("status"');
    expect(byColumn.closed_on).toMatchObject({ severity: 'certain', auc: 1 });
    expect(byColumn.engagement).toBeUndefined();
    expect(byColumn.region).toBeUndefined();
  });

  it('has configurable thresholds and names', () => {
    const strict = leakageGuard(data, y, rows, { exclude: ['converted'], high: 0.6, dominant: 0.99, names: [] });
    const columns = strict.flags.map((f) => f.column).sort();
    expect(columns).toContain('engagement');
    expect(columns).not.toContain('deal_status');
  });
});

describe('leakageGuard: columns filled in mostly for one outcome', () => {
  it('flags deal attributes whose being filled in alone ranks the outcome (AUC ≥ 0.8), even when several share the signal', () => {
    const r = createRng(4);
    const m = 3000;
    const yy = Uint8Array.from({ length: m }, () => (r.next() < 0.25 ? 1 : 0));
    // Joined from won deals: filled for 80% of converters and 8% of the rest (a naive join with a little noise).
    const dealField = (values: () => string) => Array.from(yy, (v) => (r.next() < (v ? 0.8 : 0.08) ? values() : ''));
    const deals = dataset({
      deal_size: dealField(() => ['S', 'M', 'L'][r.int(3)]!),
      deal_owner: dealField(() => `owner${r.int(40)}`),
      deal_amount: dealField(() => String(Math.round(1000 + 9000 * r.next()))),
      engagement: Array.from(yy, (v) => String(v * 1.2 + r.normal())),
      converted: Array.from(yy, String),
    });
    const all = Int32Array.from({ length: m }, (_, i) => i);
    const { flags, aucs } = leakageGuard(deals, yy, all, { exclude: ['converted'] });
    for (const column of ['deal_size', 'deal_owner', 'deal_amount']) {
      const flag = flags.find((f) => f.column === column);
      expect(flag, column).toMatchObject({ severity: 'suspect' });
      expect(flag!.reason).toMatch(new RegExp(`^whether \`${column}\` is filled in alone ranks leads with AUC 0\\.8\\d: is it filled in only after the outcome`));
      expect(aucs.find((a) => a.column === column)!.auc).toBeLessThan(0.9); // what let them pass before: no value AUC above 0.9, none dominant
    }
    expect(flags.find((f) => f.column === 'engagement')).toBeUndefined();
  });
});
