import { describe, expect, it } from 'vitest';
import { pickReasons, reasonPhrase, reasonText } from '../../src/scoring/reasons.ts';

describe('reasons in words', () => {
  it('reads lead columns as column = value, and activity aggregates as what they count', () => {
    expect(reasonPhrase('email_type', 'student')).toBe('email_type = student');
    expect(reasonPhrase('budget_confirmed', '')).toBe('budget_confirmed missing');
    expect(reasonPhrase('pricing_page_view_7d', '2')).toBe('pricing page view 2× in the last 7 days');
    expect(reasonPhrase('demo_request_30d', '0')).toBe('no demo request in the last 30 days');
    expect(reasonPhrase('account_webinar_attended_contacts', '1')).toBe('1 colleague at the account with webinar attended');
    expect(reasonPhrase('account_events_30d', '12')).toBe('12 events from colleagues at the account in the last 30 days');
    expect(reasonPhrase('activities_total', '18')).toBe('18 activities in all');
    expect(reasonPhrase('days_since_last_activity', '1')).toBe('last activity 1 day ago');
    expect(reasonPhrase('days_since_last_activity', '')).toBe('no activity yet');
    expect(reasonPhrase('engagement_decayed', '3.737')).toBe('engagement 3.737 (recent activity counts more)');
  });

  it('lists the strongest contributions first, with signed numbers after the words, never a leading sign', () => {
    const values = Float64Array.of(0.2, -1.1, 0.82, 0.001);
    const columns = ['channel', 'email_type', 'pricing_page_view_30d', 'country'];
    const text = (_row: number, column: string) => ({ channel: 'webinar', email_type: 'student', pricing_page_view_30d: '4', country: 'DE' })[column]!;
    const codes = pickReasons({ columns, values, valueText: text }, 0, 3);
    expect(codes.map((c) => c.column)).toEqual(['email_type', 'pricing_page_view_30d', 'channel']);
    expect(reasonText(codes)).toBe('email_type = student (−1.10); pricing page view 4× in the last 30 days (+0.82); channel = webinar (+0.20)');
    expect(pickReasons({ columns, values, valueText: text }, 0, 10)).toHaveLength(3); // |0.001| < 0.005 is not a reason
  });
});
