import { describe, expect, it } from 'vitest';
import { addPeriods, makePeriods, parsePeriod, parseWindow, periodStart, windowStart } from '../../src/backtest/periods.ts';

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

describe('walk-forward periods', () => {
  it('starts weeks on Monday, months on the 1st and quarters in Jan/Apr/Jul/Oct (UTC)', () => {
    expect(iso(periodStart(Date.UTC(2025, 0, 1, 13), 'week'))).toBe('2024-12-30'); // a Wednesday → its Monday
    expect(iso(periodStart(Date.UTC(2025, 0, 6), 'week'))).toBe('2025-01-06');
    expect(iso(periodStart(Date.UTC(2025, 4, 31, 23, 59), 'month'))).toBe('2025-05-01');
    expect(iso(periodStart(Date.UTC(2025, 7, 15), 'quarter'))).toBe('2025-07-01');
    expect(iso(addPeriods(Date.UTC(2025, 0, 1), 'month', -1))).toBe('2024-12-01');
    expect(iso(addPeriods(Date.UTC(2025, 0, 1), 'quarter', 5))).toBe('2026-04-01');
  });

  it('covers the range with consecutive half-open periods', () => {
    const months = makePeriods(Date.UTC(2024, 10, 20), Date.UTC(2025, 1, 1), { kind: 'calendar', unit: 'month' });
    expect(months.map((p) => iso(p.start))).toEqual(['2024-11-01', '2024-12-01', '2025-01-01', '2025-02-01']);
    months.slice(1).forEach((p, k) => expect(p.start).toBe(months[k]!.end));
    const rows = makePeriods(1, 1000, { kind: 'width', width: 250 });
    expect(rows.map((p) => [p.start, p.end])).toEqual([[1, 251], [251, 501], [501, 751], [751, 1001]]);
  });

  it('parses periods and windows, and places sliding windows N periods back', () => {
    expect(parsePeriod('quarter')).toEqual({ kind: 'calendar', unit: 'quarter' });
    expect(parsePeriod('500')).toEqual({ kind: 'width', width: 500 });
    expect(() => parsePeriod('fortnight')).toThrow(/unknown period/);
    expect(parseWindow('sliding:6')).toBe(6);
    expect(() => parseWindow('sliding:0')).toThrow(/unknown window/);
    expect(iso(windowStart({ start: Date.UTC(2025, 2, 1), end: Date.UTC(2025, 3, 1) }, { kind: 'calendar', unit: 'month' }, 6))).toBe('2024-09-01');
    expect(windowStart({ start: 501, end: 751 }, { kind: 'width', width: 250 }, 'expanding')).toBe(Number.NEGATIVE_INFINITY);
  });
});
