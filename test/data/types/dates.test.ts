import { describe, expect, it } from 'vitest';
import { detectDateFormat, parseDate, utcMillis } from '../../../src/data/types/dates.ts';

describe('detectDateFormat', () => {
  it('recognises ISO dates and datetimes with zones', () => {
    expect(detectDateFormat(['2025-03-04', '2025-12-31'])).toMatchObject({ order: 'ymd', hasTime: false, ambiguous: false });
    const f = detectDateFormat(['2025-03-04T10:22:00Z', '2025-03-04 10:22', '2025-03-04T12:00:00.250+02:00']);
    expect(f).toMatchObject({ order: 'ymd', hasTime: true });
    expect(parseDate('2025-03-04T12:00:00.250+02:00', f!)).toBe(Date.UTC(2025, 2, 4, 10, 0, 0, 250));
  });

  it('tells day-first from month-first by a part above 12', () => {
    expect(detectDateFormat(['13/01/2025', '02/01/2025'])).toMatchObject({ order: 'dmy', label: 'dd/mm/yyyy', ambiguous: false });
    expect(detectDateFormat(['01/13/2025', '01/02/2025'])).toMatchObject({ order: 'mdy', label: 'mm/dd/yyyy', ambiguous: false });
    expect(detectDateFormat(['31-12-2024', '01-02-2025'])).toMatchObject({ order: 'dmy', label: 'dd-mm-yyyy' });
  });

  it('reports an ambiguous day/month and applies the preferred order', () => {
    expect(detectDateFormat(['01/02/2025', '03/04/2025'])).toMatchObject({ order: 'dmy', ambiguous: true });
    const us = detectDateFormat(['01/02/2025'], 'mdy')!;
    expect(us).toMatchObject({ order: 'mdy', ambiguous: true });
    expect(parseDate('01/02/2025', us)).toBe(Date.UTC(2025, 0, 2));
  });

  it('rejects mixed or impossible values', () => {
    expect(detectDateFormat(['13/01/2025', '01/13/2025'])).toBeNull(); // both orders needed
    expect(detectDateFormat(['2025-03-04', '04/03/2025'])).toBeNull();
    expect(detectDateFormat(['2025-02-30'])).toBeNull();
    expect(detectDateFormat(['31/04/2025'])).toBeNull();
    expect(detectDateFormat(['12345', '2025-01-01'])).toBeNull();
    expect(detectDateFormat(['Feb', 'Mar'])).toBeNull();
  });

  it('reads times in day-first dates', () => {
    const f = detectDateFormat(['24.12.2025 18:30', '01.01.2026 00:00:05'])!;
    expect(f).toMatchObject({ order: 'dmy', separator: '.', hasTime: true });
    expect(parseDate('24.12.2025 18:30', f)).toBe(Date.UTC(2025, 11, 24, 18, 30));
  });
});

describe('utcMillis', () => {
  it('refuses dates that do not exist', () => {
    expect(utcMillis(2024, 2, 29)).toBe(Date.UTC(2024, 1, 29));
    expect(utcMillis(2025, 2, 29)).toBeNull();
    expect(utcMillis(2025, 13, 1)).toBeNull();
  });
});
