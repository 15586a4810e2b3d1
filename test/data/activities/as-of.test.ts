import { describe, expect, it } from 'vitest';
import { resolveAsOf } from '../../../src/data/activities/as-of.ts';
import { dataset } from '../../rules/fixtures.ts';

const data = dataset({ created_at: ['2025-01-01T00:00:00Z', '2025-02-01T12:00:00Z'], channel: ['a', 'b'] });

describe('resolveAsOf', () => {
  it('reads one ISO date or datetime for all leads', () => {
    expect(resolveAsOf('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(resolveAsOf('2026-01-01T09:30:00Z', data)).toBe(Date.UTC(2026, 0, 1, 9, 30));
  });

  it('reads a date column with an offset in days, per lead', () => {
    expect(Array.from(resolveAsOf('created_at+30d', data) as Float64Array)).toEqual([Date.UTC(2025, 0, 31), Date.UTC(2025, 2, 3, 12)]);
    expect(Array.from(resolveAsOf('created_at - 1 day', data) as Float64Array)).toEqual([Date.UTC(2024, 11, 31), Date.UTC(2025, 0, 31, 12)]);
    expect(Array.from(resolveAsOf('created_at', data) as Float64Array)).toEqual([Date.UTC(2025, 0, 1), Date.UTC(2025, 1, 1, 12)]);
  });

  it('explains what is wrong', () => {
    expect(() => resolveAsOf('next week', data)).toThrow('cannot read the scoring time "next week"');
    expect(() => resolveAsOf('createdat+30d', data)).toThrow('--as-of column "createdat" not found');
    expect(() => resolveAsOf('channel+3d', data)).toThrow('--as-of column "channel" is categorical, not a date');
  });
});
