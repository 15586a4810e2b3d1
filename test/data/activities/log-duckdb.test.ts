import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActivityLog, loadActivityLog } from '../../../src/data/activities/activities.ts';
import { duckdb, sqlString } from '../../../src/data/io/duckdb.ts';
import { formatIsoLayout, type IsoLayout } from '../../../src/data/types/dates.ts';
import { tempDir, writeTemp } from '../../helpers.ts';

// The DuckDB reading of a large log (log-duckdb.ts) against the JavaScript reading of the same file: the
// same log, field by field; where DuckDB's reading is not taken, a note says why and the log is the reference's.
const DUCKDB = { duckDbBytes: 0 };
const JAVASCRIPT = { duckDbBytes: Number.POSITIVE_INFINITY };
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

function fields(log: ActivityLog) {
  return { leadIds: log.leadIds, times: Array.from(log.times), types: log.types, typeNames: log.typeNames, index: [...log.index], dropped: log.dropped };
}

async function bothWays(text: string | Uint8Array, columns = {}) {
  const path = await writeTemp(await tempDir(), 'activities.csv', text);
  const duck = await loadActivityLog({ path }, columns, DUCKDB);
  const reference = await loadActivityLog({ path }, columns, JAVASCRIPT);
  expect(reference.notes).toBeUndefined();
  return { duck, reference };
}

const csvField = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** A Parquet file of the events `select` makes from a CSV file's text columns (`c` its read_csv). */
async function parquetOf(csvText: string, select: string): Promise<string> {
  const dir = await tempDir();
  const csv = await writeTemp(dir, 'events.csv', csvText);
  const path = `${dir}/activities.parquet`;
  const c = `read_csv(${sqlString(csv)}, header=true, all_varchar=true, quote='"', escape='"')`;
  await (await duckdb()).run(`copy (select ${select} from ${c}) to ${sqlString(path)} (format parquet)`);
  return path;
}

async function bothWaysFrom(path: string) {
  const duck = await loadActivityLog({ path }, {}, DUCKDB);
  const reference = await loadActivityLog({ path }, {}, JAVASCRIPT);
  expect(reference.notes).toBeUndefined();
  return { duck, reference };
}

describe('an activity log read by DuckDB', () => {
  it('is the log the JavaScript reading gives, and is taken, for logs it handles (property)', async () => {
    const layouts: IsoLayout[] = ['date', 'seconds', 'seconds-space', 'seconds-z', 'millis-z'];
    const event = fc.record({
      // ids sorting alike and unlike in UTF-8 and UTF-16 (U+E000 and above against a surrogate pair), quotes, commas
      lead: fc.constantFrom('L1', 'L10', 'L2', 'l1', 'Ä', '\uE000x', '😀', 'a,b', 'say "hi"', 'NA', ''),
      day: fc.integer({ min: -400, max: 400 }),
      second: fc.constantFrom(0, 1, 59_000, 3_600_000 + 123),
      type: fc.constantFrom('page_view', 'demo_request', 'webinar signup', 'null'),
      detail: fc.constantFrom('awareness', 'decision', '', 'N/A'),
    });
    const ids = fc.array(fc.integer({ min: 0, max: 2_000_000 }), { minLength: 1, maxLength: 5 });
    await fc.assert(fc.asyncProperty(fc.array(event, { minLength: 2, maxLength: 60 }), fc.constantFrom(...layouts), fc.boolean(), fc.boolean(), ids, fc.boolean(),
      async (events, layout, crlf, withDetail, numbers, bom) => {
        const rows = events.map((e) => [e.lead, formatIsoLayout(T0 + e.day * DAY + (layout === 'date' ? 0 : e.second), layout), e.type, e.detail]);
        // Two different instants, so that the time column is not a constant.
        rows.push(['L1', formatIsoLayout(T0, layout), 'page_view', ''], ['L2', formatIsoLayout(T0 + DAY, layout), 'page_view', '']);
        const header = `${bom ? '\uFEFF' : ''}${withDetail ? 'lead_id,occurred_at,type,stage' : 'lead_id,occurred_at,type'}`;
        const lines = [header, ...rows.map((r) => (withDetail ? r : r.slice(0, 3)).map(csvField).join(','))];
        const { duck, reference } = await bothWays(lines.join(crlf ? '\r\n' : '\n') + (crlf ? '\r\n' : '\n'));
        expect(duck.notes).toBeUndefined();
        expect(fields(duck)).toEqual(fields(reference));
        // Whole numbers as lead ids: read as numbers by the reference, the same text here.
        const numeric = numbers.map((n, i) => [String(n), formatIsoLayout(T0 + i * DAY, layout), 'page_view'].join(','));
        const byNumber = await bothWays(['lead_id,occurred_at,type', ...numeric, `${numbers[0]},${formatIsoLayout(T0 - DAY, layout)},demo_request`].join('\n'));
        expect(byNumber.duck.notes).toBeUndefined();
        expect(fields(byNumber.duck)).toEqual(fields(byNumber.reference));
      }), { numRuns: 40 });
  }, 120_000);

  it('from Parquet, with typed timestamps and dates, text or whole-number ids, is the JavaScript reading’s log (property)', async () => {
    const event = fc.record({
      lead: fc.constantFrom('L1', 'L10', 'Ä', '\uE000x', '😀', 'NA', ''),
      ms: fc.integer({ min: -400, max: 400 }).map((d) => T0 + d * DAY + (d % 3) * 3_600_123),
      type: fc.constantFrom('page_view', 'demo_request', 'null'),
      detail: fc.constantFrom('awareness', '', 'N/A'),
    });
    const times = ['occurred_at::timestamp', 'occurred_at::timestamptz', 'occurred_at::timestamp::date', 'occurred_at::timestamp::timestamp_ms'];
    await fc.assert(fc.asyncProperty(fc.array(event, { minLength: 2, maxLength: 40 }), fc.constantFrom(...times), fc.boolean(), async (events, time, numberIds) => {
      const rows = events.map((e, i) => [numberIds ? String(i % 7) : e.lead, new Date(e.ms).toISOString(), e.type, e.detail]);
      rows.push([numberIds ? '1' : 'L1', new Date(T0).toISOString(), 'page_view', ''], [numberIds ? '2' : 'L2', new Date(T0 + DAY).toISOString(), 'page_view', '']);
      const text = ['lead_id,occurred_at,type,stage', ...rows.map((r) => r.map(csvField).join(','))].join('\n');
      const lead = numberIds ? 'lead_id::bigint as lead_id' : 'lead_id';
      const { duck, reference } = await bothWaysFrom(await parquetOf(text, `${lead}, ${time} as occurred_at, type, stage`));
      expect(duck.notes).toBeUndefined();
      expect(fields(duck)).toEqual(fields(reference));
    }), { numRuns: 25 });
  }, 120_000);

  it('from Parquet, is not taken where it could differ, and says why', async () => {
    const text = 'lead_id,occurred_at,type,n\nL1,2025-01-01T10:00:00.000123Z,a,1.5\nL2,2025-01-02T10:00:00Z,b,2\n';
    const cases: Array<[string, RegExp]> = [
      ['lead_id, occurred_at::timestamp as occurred_at, type', /1 of its timestamps are infinite or finer than a millisecond/],
      ['lead_id, occurred_at, type', /"occurred_at" holds VARCHAR values/],
      ['lead_id, occurred_at::timestamp::date as occurred_at, n::double as type', /"type" holds DOUBLE values, not text/],
    ];
    for (const [select, why] of cases) {
      const path = await parquetOf(text, select);
      const reference = await loadActivityLog({ path }, {}, JAVASCRIPT).catch((err: Error) => err);
      const duck = await loadActivityLog({ path }, {}, DUCKDB).catch((err: Error) => err);
      if (reference instanceof Error) {
        expect(duck).toEqual(reference);
        continue;
      }
      const log = duck as ActivityLog;
      expect(log.notes?.[0]).toMatch(why);
      expect(fields(log)).toEqual(fields(reference));
    }
  });

  it('keeps file order among a lead’s events at the same instant, at a size DuckDB reads on several threads', async () => {
    const lines = ['lead_id,occurred_at,type,stage'];
    for (let i = 0; i < 150_000; i++) {
      const lead = i % 7 === 0 ? `Ü${i % 1_000}` : i % 11 === 0 ? `\uE000${i % 300}` : i % 13 === 0 ? `😀${i % 200}` : `L${(i * 7919) % 20_000}`;
      lines.push(`${lead},${formatIsoLayout(T0 + (i % 5) * DAY, 'seconds-z')},${['page_view', 'demo_request', 'webinar'][i % 3]},${i % 4 ? 'decision' : ''}`);
    }
    const { duck, reference } = await bothWays(lines.join('\n'));
    expect(duck.notes).toBeUndefined();
    expect(fields(duck)).toEqual(fields(reference));
  }, 60_000);

  it('is not taken where it could differ, and says why', async () => {
    const cases: Array<[string, RegExp]> = [
      ['lead_id,occurred_at,type\nL1,2025-01-01T10:00:00+02:00,a\nL2,2025-01-02T10:00:00+02:00,b\n', /not written in one fixed ISO layout/],
      ['lead_id,occurred_at,type\nL1,2025-01-01T10:00:00Z,a\nL2,2025-01-02 10:00:00,b\n', /1 of its timestamps are not written as/],
      ['lead_id,occurred_at,type\nL1,2025-02-29T10:00:00Z,a\nL2,2025-01-02T10:00:00Z,b\n', /not real dates/],
      ['lead_id,occurred_at,type\n L1,2025-01-01T10:00:00Z,a\nL2,2025-01-02T10:00:00Z,b\n', /"lead_id" begin or end with spaces/],
      ['lead_id,occurred_at,type\n007,2025-01-01T10:00:00Z,a\n8,2025-01-02T10:00:00Z,b\n', /"lead_id" reads as numeric/],
      ['lead_id,occurred_at,type\nL1,2025-01-01T10:00:00Z,yes\nL2,2025-01-02T10:00:00Z,no\n', /"type" reads as boolean/],
      ['lead_id,occurred_at,type\nL1,2025-01-01T10:00:00Z,a\nL2,2025-01-01T10:00:00Z,b\n', /fewer than two different values/],
      ['lead_id,occurred_at,type,type\nL1,2025-01-01T10:00:00Z,a,x\nL2,2025-01-02T10:00:00Z,b,y\n', /header has blank, repeated or padded names/],
      ['who,when,what\nL1,2025-01-01T10:00:00Z,a\nL2,2025-01-02T10:00:00Z,b\n', /not all found by name/],
    ];
    for (const [text, why] of cases) {
      const path = await writeTemp(await tempDir(), 'activities.csv', text);
      const reference = await loadActivityLog({ path }, {}, JAVASCRIPT).catch((err: Error) => err);
      const duck = await loadActivityLog({ path }, {}, DUCKDB).catch((err: Error) => err);
      if (reference instanceof Error) {
        // The reference refuses the file (times written two ways, or one time: not a date column): so does this reading, with its message.
        expect(duck).toEqual(reference);
        continue;
      }
      expect(duck).not.toBeInstanceOf(Error);
      const log = duck as ActivityLog;
      expect(log.notes?.[0]).toMatch(/was read in JavaScript, not by DuckDB \(slower\)/);
      expect(log.notes?.[0]).toMatch(why);
      expect(fields(log)).toEqual(fields(reference));
    }
  });

  it('leaves a bad file to the JavaScript reading, which explains it', async () => {
    const path = await writeTemp(await tempDir(), 'activities.csv', 'lead_id,occurred_at,type\nL1,2025-01-01T10:00:00Z,a,extra\n');
    const reference = await loadActivityLog({ path }, {}, JAVASCRIPT).catch((err: Error) => err.message);
    const duck = await loadActivityLog({ path }, {}, DUCKDB).catch((err: Error) => err.message);
    expect(duck).toEqual(reference);
  });

  it('reads the bundled sample’s log as JavaScript does, and is not used below its size threshold', async () => {
    const path = 'data/sample/activities.csv';
    const duck = await loadActivityLog({ path }, {}, DUCKDB);
    expect(duck.notes).toBeUndefined();
    expect(fields(duck)).toEqual(fields(await loadActivityLog({ path }, {}, JAVASCRIPT)));
    expect((await loadActivityLog({ path })).notes).toBeUndefined();
  });

  it('reads every Parquet log by DuckDB, however small (its JavaScript reading goes through DuckDB too)', async () => {
    const text = 'lead_id,occurred_at,type\nL1,2025-01-01T10:00:00Z,a\nL2,2025-01-02T10:00:00Z,b\n';
    const path = await parquetOf(text, 'lead_id, occurred_at::timestamp as occurred_at, type');
    const reference = await loadActivityLog({ path }, {}, JAVASCRIPT);
    expect(fields(await loadActivityLog({ path }))).toEqual(fields(reference));
    // A misfit says so, which it could only do on the DuckDB reading.
    const text2 = 'lead_id,occurred_at,type\nL1,2025-01-01T10:00:00.000123Z,a\nL2,2025-01-02T10:00:00Z,b\n';
    const misfit = await loadActivityLog({ path: await parquetOf(text2, 'lead_id, occurred_at::timestamp as occurred_at, type') });
    expect(misfit.notes?.[0]).toMatch(/finer than a millisecond/);
  });
});
