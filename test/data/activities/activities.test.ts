import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateActivities, buildActivityLog, joinActivities, loadActivityLog } from '../../../src/data/activities/activities.ts';
import { loadDataset } from '../../../src/data/io/dataset.ts';
import { DataError } from '../../../src/errors.ts';
import { tempDir, writeTemp } from '../../helpers.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 5, 1);

function sampleLog() {
  // L1: pricing views 2, 10 and 60 days before T0, a demo 1 day before; L2: one page view after T0.
  return buildActivityLog(
    ['L1', 'L1', 'L1', 'L1', 'L2', null],
    [T0 - 2 * DAY, T0 - 10 * DAY, T0 - 60 * DAY, T0 - 1 * DAY, T0 + DAY, T0],
    ['pricing_page_view', 'pricing_page_view', 'pricing_page_view', 'demo_request', 'page_view', 'page_view'],
  );
}

describe('aggregateActivities', () => {
  it('counts events per type in 7/30/90-day windows before the as-of date', () => {
    const agg = aggregateActivities(sampleLog(), ['L1', 'L2', 'L3'], T0);
    expect(Array.from(agg.columns.pricing_page_view_7d!)).toEqual([1, 0, 0]);
    expect(Array.from(agg.columns.pricing_page_view_30d!)).toEqual([2, 0, 0]);
    expect(Array.from(agg.columns.pricing_page_view_90d!)).toEqual([3, 0, 0]);
    expect(Array.from(agg.columns.demo_request_7d!)).toEqual([1, 0, 0]);
    expect(Array.from(agg.columns.activities_total!)).toEqual([4, 0, 0]);
    expect(agg.columns.days_since_last_activity![0]).toBeCloseTo(1);
    expect(Number.isNaN(agg.columns.days_since_last_activity![1]!)).toBe(true); // L2's only event is later
  });

  it('computes the decayed engagement sum with the half-life', () => {
    const agg = aggregateActivities(sampleLog(), ['L1'], T0, { halfLifeDays: 10, weights: { demo_request: 5 } });
    const expected = 0.5 ** (2 / 10) + 0.5 ** (10 / 10) + 0.5 ** (60 / 10) + 5 * 0.5 ** (1 / 10);
    expect(agg.columns.engagement_decayed![0]).toBeCloseTo(expected, 12);
  });

  it('takes one as-of time per lead', () => {
    const agg = aggregateActivities(sampleLog(), ['L1', 'L2'], [T0 - 5 * DAY, T0 + 2 * DAY]);
    expect(Array.from(agg.columns.activities_total!)).toEqual([2, 1]);
  });

  it('drops events without a lead or time and counts them', () => {
    expect(sampleLog().dropped).toBe(1);
  });

  it('sorts events by lead id as strings compare, then by time, ties in file order (property)', () => {
    // The reference: one comparison of ids and times per pair, as the log was first built.
    const reference = (leads: Array<string | null>, times: Array<number | null>, types: Array<string | null>, details: Array<string | null>) => {
      const keep = leads.map((_, i) => i).filter((i) => leads[i] !== null && times[i] !== null && Number.isFinite(times[i]) && types[i] !== null);
      keep.sort((a, b) => (leads[a]! < leads[b]! ? -1 : leads[a]! > leads[b]! ? 1 : times[a]! - times[b]!));
      return {
        leadIds: keep.map((i) => leads[i]!), times: keep.map((i) => times[i]!), types: keep.map((i) => (details[i] ? `${types[i]}:${details[i]}` : types[i]!)),
        ranges: [...new Set(keep.map((i) => leads[i]!))].map((id) => [id, keep.findIndex((i) => leads[i] === id), keep.length - [...keep].reverse().findIndex((i) => leads[i] === id)]),
      };
    };
    const event = fc.record({
      lead: fc.oneof(fc.constantFrom('L1', 'L10', 'L2', 'l1', 'Ä', 'L1 ', ''), fc.constant(null)),
      time: fc.oneof(fc.integer({ min: 0, max: 6 }).map((d) => d * DAY), fc.constantFrom(null, Number.NaN)),
      type: fc.oneof(fc.constantFrom('page_view', 'demo_request'), fc.constant(null)),
      detail: fc.constantFrom('awareness', '', null),
    });
    fc.assert(fc.property(fc.array(event, { maxLength: 120 }), (events) => {
      const leads = events.map((e) => e.lead);
      const times = events.map((e) => e.time);
      const types = events.map((e) => e.type);
      const details = events.map((e) => e.detail);
      const log = buildActivityLog(leads, times, types, details);
      const want = reference(leads, times, types, details);
      expect(log.leadIds).toEqual(want.leadIds);
      expect(Array.from(log.times)).toEqual(want.times);
      expect(log.types).toEqual(want.types);
      expect(log.typeNames).toEqual([...new Set(want.types)].sort());
      expect([...log.index].map(([id, [from, to]]) => [id, from, to])).toEqual(want.ranges);
      expect(log.dropped).toBe(events.length - want.leadIds.length);
    }), { numRuns: 500 });
    // A lead with more events than the insertion sort takes, times in reverse and tied.
    const many = Array.from({ length: 100 }, (_, i) => Math.floor((100 - i) / 3) * DAY);
    const log = buildActivityLog(many.map(() => 'L1'), many, many.map((_, i) => (i % 2 ? 'a' : 'b')));
    const want = reference(many.map(() => 'L1'), many, many.map((_, i) => (i % 2 ? 'a' : 'b')), many.map(() => null));
    expect([Array.from(log.times), log.types]).toEqual([want.times, want.types]);
  });

  it('an event at or after the as-of date changes nothing (property)', () => {
    const event = fc.record({
      lead: fc.constantFrom('L1', 'L2', 'L3'),
      day: fc.integer({ min: -120, max: -1 }),
      type: fc.constantFrom('page_view', 'pricing_page_view', 'demo_request'),
    });
    fc.assert(fc.property(fc.array(event, { maxLength: 40 }), fc.array(event, { minLength: 1, maxLength: 20 }), (past, future) => {
      const build = (events: Array<{ lead: string; day: number; type: string }>) => buildActivityLog(
        events.map((e) => e.lead), events.map((e) => T0 + e.day * DAY), events.map((e) => e.type));
      const types = ['page_view', 'pricing_page_view', 'demo_request'];
      const before = aggregateActivities(build(past), ['L1', 'L2', 'L3'], T0, { types });
      // Move the extra events to the as-of instant or later.
      const later = future.map((e) => ({ ...e, day: -e.day - 1 }));
      const after = aggregateActivities(build([...past, ...later]), ['L1', 'L2', 'L3'], T0, { types });
      expect(after).toEqual(before);
    }), { numRuns: 200 });
  });
});

describe('loadActivityLog and joinActivities', () => {
  it('reads an activity file, refines types by stage and joins the aggregates as features', async () => {
    const dir = await tempDir();
    const events = await writeTemp(dir, 'activities.csv', [
      'lead_id,occurred_at,type,stage',
      'L1,2025-05-30T10:00:00Z,content_download,decision',
      'L1,2025-05-20T10:00:00Z,content_download,awareness',
      'L2,2025-05-31T23:59:59Z,page_view,',
    ].join('\n'));
    const log = await loadActivityLog({ path: events });
    expect(log.typeNames).toEqual(['content_download:awareness', 'content_download:decision', 'page_view']);
    const leads = await loadDataset({ path: await writeTemp(dir, 'leads.csv', 'lead_id,channel\nL1,webinar\nL2,referral\nL3,webinar\n') });
    const joined = joinActivities(leads, aggregateActivities(log, leads.table.array('lead_id') as string[], T0));
    expect(joined.table.array('content_download_decision_7d')).toEqual([1, 0, 0]);
    expect(joined.table.array('days_since_last_activity')).toEqual([expect.closeTo(1 + 14 / 24, 6), expect.closeTo(1 / 86400, 6), null]);
    expect(joined.schema.columns.find((c) => c.name === 'page_view_30d')).toMatchObject({ type: 'numeric', feature: true });
  });

  it('says which column is missing', async () => {
    const dir = await tempDir();
    const path = await writeTemp(dir, 'a.csv', 'lead,when,kind\nL1,2025-01-01,x\nL2,2025-01-02,y\n');
    await expect(loadActivityLog({ path }, { time: 'occured_at' })).rejects.toThrow(DataError);
    const log = await loadActivityLog({ path }, { lead: 'lead', time: 'when', type: 'kind' });
    expect(log.leadIds).toEqual(['L1', 'L2']);
  });
});

describe('aggregateAccountActivities', () => {
  it('counts other contacts of the same account engaged before each lead’s scoring time, never the lead itself', async () => {
    const { aggregateAccountActivities } = await import('../../../src/data/activities/activities.ts');
    const log = buildActivityLog(
      ['L1', 'L2', 'L2', 'L3', 'L4'],
      [T0 - 5 * DAY, T0 - 3 * DAY, T0 - 40 * DAY, T0 + 2 * DAY, T0 - 1 * DAY],
      ['pricing_page_view', 'pricing_page_view', 'demo_request', 'pricing_page_view', 'demo_request'],
    );
    const agg = aggregateAccountActivities(log, ['L1', 'L2', 'L3', 'L4', 'L5'], ['A', 'A', 'A', 'B', null], T0);
    // L1 sees L2 (pricing, demo) but not L3 (its event is after T0); L2 sees L1; L3 sees L1 and L2
    expect(Array.from(agg.columns.account_pricing_page_view_contacts!)).toEqual([1, 1, 2, 0, 0]);
    expect(Array.from(agg.columns.account_demo_request_contacts!)).toEqual([1, 0, 1, 0, 0]);
    // events of colleagues in the last 30 days: L1 ← L2's pricing view (the demo is 40 days old)
    expect(Array.from(agg.columns.account_events_30d!)).toEqual([1, 1, 2, 0, 0]);
    // per-lead scoring times: L3 scored late sees its colleagues' later events too, L1 scored early sees nothing
    const perLead = aggregateAccountActivities(log, ['L1', 'L2', 'L3'], ['A', 'A', 'A'], [T0 - 10 * DAY, T0, T0 + 3 * DAY]);
    expect(Array.from(perLead.columns.account_pricing_page_view_contacts!)).toEqual([0, 1, 2]);
  });
});
