import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, detectDateFormat, formatIsoLayout, type IsoLayout, isoLayoutOf, parseDate, parseIsoLayout, utcMillis } from '../../../src/data/types/dates.ts';

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

describe('parseIsoLayout', () => {
  const layouts: IsoLayout[] = ['date', 'seconds', 'seconds-space', 'seconds-z', 'millis-z'];
  const two = (n: number) => String(n).padStart(2, '0');
  // Texts in and around the layouts: valid and invalid days, hours, leap seconds, years before 100.
  const text = fc.tuple(
    fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 999 }),
    fc.constantFrom(...layouts), fc.constantFrom('', 'x', ' ', '+02:00'),
  ).map(([y, m, d, hh, mi, ss, ms, layout, noise]) => {
    const date = `${String(y).padStart(4, '0')}-${two(m)}-${two(d)}`;
    const time = `${two(hh)}:${two(mi)}:${two(ss)}`;
    const base = { 'date': date, 'seconds': `${date}T${time}`, 'seconds-space': `${date} ${time}`, 'seconds-z': `${date}T${time}Z`, 'millis-z': `${date}T${time}.${String(ms).padStart(3, '0')}Z` }[layout];
    return { layout, text: noise === '' ? base : noise === '+02:00' ? base.replace(/Z?$/, noise) : `${base}${noise}` };
  });

  it('reads what parseDate reads, rejects only what it must, and writes the text back (property)', () => {
    let accepted = 0;
    const other = fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...layouts) });
    fc.assert(fc.property(text, other, ({ layout: written, text }, otherLayout) => {
      const asked = otherLayout ?? written;
      const bytes = Buffer.from(text, 'latin1');
      const ms = parseIsoLayout(bytes, 0, bytes.length, asked);
      const reference = parseDate(text, { order: 'ymd' });
      if (!Number.isNaN(ms)) {
        accepted++;
        expect(ms).toBe(reference);
        expect(formatIsoLayout(ms, asked)).toBe(text);
        expect(isoLayoutOf(bytes, 0, bytes.length)).toBe(asked);
      } else if (reference !== null && written === asked && text.length === { 'date': 10, 'seconds': 19, 'seconds-space': 19, 'seconds-z': 20, 'millis-z': 24 }[asked]) {
        // What the layout's reader may turn away though parseDate reads it: a leap second, a year before 100.
        const [y, , , , , ss] = text.split(/[-T :.Z]/).map(Number);
        expect(y! < 100 || ss === 60).toBe(true);
      }
    }), { numRuns: 20_000 });
    expect(accepted).toBeGreaterThan(1000);
  });

  it('reads every millisecond and every day of a leap and a common year as Date.UTC does', () => {
    const b = Buffer.from('2024-02-29T23:59:59.000Z', 'latin1');
    for (let ms = 0; ms < 1000; ms++) {
      b.write(String(ms).padStart(3, '0'), 20, 'latin1');
      expect(parseIsoLayout(b, 0, 24, 'millis-z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, ms));
    }
    for (const year of [100, 1600, 1899, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999]) {
      for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += DAY_MS) {
        const bytes = Buffer.from(new Date(day).toISOString().slice(0, 10), 'latin1');
        expect(parseIsoLayout(bytes, 0, 10, 'date')).toBe(day);
      }
    }
  });
});
