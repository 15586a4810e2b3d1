/**
 * The typed query reader (Parquet, --sql) against the reference reading (every cell a JavaScript value, the
 * schema inferred from every value, then typed): the same schema and the same cells on the sample written as
 * Parquet, on a query with every kind of column DuckDB hands over, and on random tables; an integer beyond
 * 2^53 stops it, and loadDataset then reads the query the reference way and says so.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { applySchema, type Dataset, datasetWithReading, loadDataset, loadDatasetWithReading } from '../../../src/data/io/dataset.ts';
import { readingOf } from '../../../src/data/types/reading.ts';
import { queryColumns, sqlString } from '../../../src/data/io/duckdb.ts';
import { readQueryColumnar } from '../../../src/data/io/query-columnar.ts';
import { readTable, type Source } from '../../../src/data/io/read.ts';
import { SAMPLE } from '../../../src/data/sample/sample-paths.ts';
import { inferSchema, type InferOptions } from '../../../src/data/types/schema.ts';
import { tempDir } from '../../helpers.ts';
import { expectSame } from './same-dataset.ts';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

/** The reference reading of a query or a Parquet file, as loadDataset read them before the typed reader. */
async function reference(source: Source, options: InferOptions = {}): Promise<Dataset> {
  const raw = await readTable(source);
  const schema = inferSchema(raw, options);
  const { columns: _c, ...meta } = raw;
  return { table: applySchema(raw, schema), schema, raw: meta };
}

/** A query's result through the typed reader, failing where it stopped. */
async function typed(sql: string, options: InferOptions = {}): Promise<Dataset> {
  const result = await readQueryColumnar(sql, { format: 'sql', source: sql, what: 'the query' }, options);
  if (!('dataset' in result)) throw new Error(`the reader stopped: ${result.misfit}`);
  return result.dataset;
}

/** Every kind of column a query hands over, over `rows` rows of `range`. */
function everyKindSql(rows: number): string {
  return `select
    i as row_number,                                               -- increasing integers: an identifier
    (i * 7919) % ${rows} as shuffled_id,                            -- unique integers covering a range: an identifier
    case when i % 9 = 0 then -1 else round(abs(sin(i)) * 500, 1) end as balance, -- a sentinel past the cap
    case when i % 10 = 0 then null else cos(i) * 1000 end as amount, -- doubles with missing values
    case when i % 17 = 0 then 'NaN'::double when i % 19 = 0 then 'inf'::double else -0.0 + (i % 7) end as odd_doubles,
    (i % 2)::integer as flag01,                                     -- 0/1: read as yes/no
    (i % 3)::tinyint as three_levels,
    42::smallint as constant_number,
    null::double as all_missing,
    (i % 1000)::bigint * 1000000 as big_ints,
    (i % 50)::utinyint as unsigned_small,
    (i / 3.0)::decimal(12, 3) as money,
    (i % 11)::float as floats,
    ['north', ' south ', 'east', 'NA', ''][1 + i % 5] as region,    -- padded text, missing tokens
    'L' || i as lead_code,                                          -- unique text: an identifier
    date '2024-01-01' + (i % 300)::integer as signup,
    timestamp '2024-01-01 08:00:00' + to_minutes(i) as seen_at,
    case when i % 6 = 0 then null else timestamptz '2024-03-01 00:00:00+00' + to_hours(i) end as seen_tz, -- missing times, a time of day, past the cap
    case when i % 3 = 0 then null else date '1969-12-01' + (i % 6000)::integer end as old_dates, -- before 1970, missing, past the cap
    (timestamp '2024-01-01' + to_seconds(i))::timestamp_s as seconds_ts,
    (timestamp '2024-01-01' + to_milliseconds(i * 7))::timestamp_ms as millis_ts,
    (timestamp '2024-01-01' + to_microseconds(i * 1300))::timestamp_ns as nanos_ts,
    date '2025-06-30' as one_day,
    i % 4 = 0 as is_partner,
    [i, i + 1] as nested,
    (i % 3)::varchar as digits_as_text
  from range(${rows}) t(i)`;
}

describe('readQueryColumnar', () => {
  it('reads the sample written as Parquet as the reference does, and loadDataset takes it for Parquet files', async () => {
    const path = `${dir}/sample.parquet`;
    await queryColumns(`copy (select * from read_csv(${sqlString(SAMPLE.leads)})) to ${sqlString(path)} (format parquet)`);
    const expected = await reference({ path });
    const loaded = await loadDataset({ path });
    expect(loaded.notes).toBeUndefined();
    expect(loaded.raw).toEqual({ names: expected.raw.names, rows: expected.raw.rows, format: 'parquet', source: path });
    expectSame(loaded, expected);
    expect(loaded.table.numRows()).toBe(20_000);
  });

  it('gives the reference schema and cells for every kind of column, at 50 rows and past the distinct-value cap', async () => {
    for (const rows of [50, 7_000]) {
      const sql = everyKindSql(rows);
      const expected = await reference({ sql });
      const types = Object.fromEntries(expected.schema.columns.map((c) => [c.name, c.type]));
      // What the reference makes of them (so that the comparison covers each branch of the inference).
      expect(types).toMatchObject({ row_number: 'id', shuffled_id: 'id', balance: 'numeric', amount: 'numeric', flag01: 'boolean',
        constant_number: 'constant', all_missing: 'constant', money: 'numeric', region: 'categorical', lead_code: 'id', signup: 'date',
        seen_at: 'datetime', seen_tz: 'datetime', old_dates: 'date', seconds_ts: 'datetime', millis_ts: 'datetime', nanos_ts: 'datetime', one_day: 'constant',
        is_partner: 'boolean', digits_as_text: 'numeric' });
      if (rows > 5_000) expect(expected.schema.columns.find((c) => c.name === 'balance')!.warnings.join(' ')).toContain('-1 in 11% of rows');
      expectSame(await typed(sql), expected);
      expectSame(await loadDataset({ sql }), expected);
    }
  });

  it('keeps --na tokens as the reference does, and reads a result without rows (where the reference failed)', async () => {
    const sql = `select case when i % 4 = 0 then 'unknown' else 'x' || (i % 6) end as source, (i % 5) * 1.5 as value from range(40) t(i)`;
    expectSame(await typed(sql, { na: ['unknown'] }), await reference({ sql }, { na: ['unknown'] }));
    const read = await loadDataset({ sql: 'select 1.5 as a, \'x\' as b where false' });
    expect(read.table.numRows()).toBe(0);
    expect(read.table.columnNames()).toEqual(['a', 'b']);
    expect(read.schema.columns.map((c) => [c.name, c.type, c.warnings])).toEqual([['a', 'constant', ['every value is missing']], ['b', 'constant', ['every value is missing']]]);
  });

  it('stops at an integer beyond 2^53; loadDataset then reads the query the reference way and says so', async () => {
    const sql = `select i as n, case when i = 30 then 9007199254740993 else i * 3 end as big from range(40) t(i)`;
    const result = await readQueryColumnar(sql, { format: 'sql', source: sql, what: 'the query' });
    expect(result).toEqual({ misfit: 'big: 9007199254740993 on data row 31 is an integer beyond 2^53, which is read as text' });
    const loaded = await loadDataset({ sql });
    expect(loaded.notes).toEqual(['the query was read twice: big: 9007199254740993 on data row 31 is an integer beyond 2^53, which is read as text, so its columns were read again as JavaScript values (slower, and more memory)']);
    expectSame({ ...loaded, notes: [] } as Dataset, { ...(await reference({ sql })), notes: [] } as Dataset);
  });

  it('reads a query as a training file was read (types, yes/no words, missing tokens), as the reference does; a bad value stops it', async () => {
    const training = `select i % 5 as code, (i % 2)::integer as flag, case when i % 7 = 0 then 'unknown' else 'x' || (i % 4) end as source,
      (i * 1.25)::double as amount, date '2024-03-01' + (i % 40)::integer as signup, timestamp '2024-01-01' + to_hours(i) as seen from range(200) t(i)`;
    const reading = readingOf((await loadDataset({ sql: training }, { na: ['unknown'] })).schema);
    expect(reading.columns.map((c) => c.type)).toEqual(['numeric', 'boolean', 'categorical', 'numeric', 'date', 'datetime']);
    // New leads where the numbers say otherwise: code 0/1 only (yes/no if inferred), flag as text words, amount all whole.
    const scoring = `select (i % 2)::varchar as code, ['1', '0', ' 1 '][1 + i % 3] as flag, case when i % 3 = 0 then 'unknown' else 'x9' end as source,
      (i * 2)::bigint as amount, (date '2024-05-01' + (i % 9)::integer)::varchar as signup,
      case when i % 5 = 0 then null else timestamp '2024-02-01' + to_minutes(i * 7) end as seen from range(60) t(i)`;
    const checked = new Map(reading.columns.map((c) => [c.name, c.type]));
    const expected = datasetWithReading(await readTable({ sql: scoring }), reading, checked);
    const result = await readQueryColumnar(scoring, { format: 'sql', source: scoring, what: 'the query' }, { reading });
    if (!('dataset' in result)) throw new Error(result.misfit);
    expectSame(result.dataset, expected);
    expectSame(await loadDatasetWithReading({ sql: scoring }, reading, checked), expected);
    // A word in the numeric column: the reader stops; the reference then names the row (checked) or reads it and says so (not checked).
    const bad = scoring.replace('(i * 2)::bigint as amount', "case when i = 40 then 'about 12' else (i * 2)::varchar end as amount");
    expect(await readQueryColumnar(bad, { format: 'sql', source: bad, what: 'the query' }, { reading }))
      .toEqual({ misfit: 'amount: "about 12" on data row 41 does not read as numeric the way the training file did' });
    await expect(loadDatasetWithReading({ sql: bad }, reading, checked)).rejects.toThrow(/row 41: amount = "about 12" is not a number/);
    const unchecked = await loadDatasetWithReading({ sql: bad }, reading, new Map());
    expect(unchecked.notes).toEqual(['the query was read twice: amount: "about 12" on data row 41 does not read as numeric the way the training file did, so its columns were read again as JavaScript values with the training settings (slower, and more memory)']);
    expect(unchecked.table.array('amount')[40]).toBeNaN(); // as the reference types a word in a numeric column
  });

  it('agrees with the reference on random tables of numbers, nulls and text (property)', async () => {
    const cell = fc.oneof(
      fc.constant('null'),
      fc.integer({ min: -5, max: 5 }).map(String),
      fc.constantFrom('-1', '999', '0', '1', '-0.0', "'NaN'::double", "'inf'::double"),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => `${v}::double`),
    );
    const column = fc.tuple(fc.constantFrom('double', 'integer', 'bigint', 'varchar', 'decimal(10,2)'), fc.array(cell, { minLength: 12, maxLength: 60 }));
    await fc.assert(fc.asyncProperty(fc.array(column, { minLength: 1, maxLength: 3 }), async (columns) => {
      const rows = Math.min(...columns.map(([, values]) => values.length));
      const select = columns.map(([type, values], c) => {
        // Each value cast to the column's type where DuckDB can (NaN and infinities do not fit an integer or a decimal).
        const cases = values.slice(0, rows).map((v, r) => `when ${r} then try_cast(${v} as ${type})`).join(' ');
        return `case i ${cases} end as c${c}`;
      }).join(', ');
      const sql = `select ${select} from range(${rows}) t(i) order by i`;
      expectSame(await typed(sql), await reference({ sql }));
    }), { numRuns: 60, seed: 31 });
  });
});
