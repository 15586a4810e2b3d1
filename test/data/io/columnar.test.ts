/**
 * The columnar reader against the reference reading (every cell as text, the schema inferred from every
 * value, then typed): the same schema and the same cells, whatever the sample size, on awkward files where
 * the rows after the sample change what the sample said; a value the sample's types cannot hold stops it,
 * and `loadDataset` then reads the file the reference way and says so.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsvColumnar } from '../../../src/data/io/columnar.ts';
import { ID_LEVELS, sampledTimeLayout, TextBuilder } from '../../../src/data/io/text-columns.ts';
import { inferColumn } from '../../../src/data/types/schema.ts';
import { naTokenSet } from '../../../src/data/types/missing.ts';
import { type Dataset, datasetWithReading, loadDataset, loadDatasetWithReading } from '../../../src/data/io/dataset.ts';
import { readingOf } from '../../../src/data/types/reading.ts';
import { readTable } from '../../../src/data/io/read.ts';
import { createRng } from '../../../src/random.ts';
import { tempDir, writeTemp } from '../../helpers.ts';
import { expectSame, reference } from './same-dataset.ts';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

/** A file whose later rows change what its first rows say about several columns. */
function awkwardCsv(rows: number, options: { firstHalfOnly?: boolean } = {}): string {
  const rng = createRng(3);
  const lines = ['lead_id,amount,visits,flag,signup,region,late_number,pages,code,score_text,note'];
  for (let i = 0; i < rows; i++) {
    const late = options.firstHalfOnly || i < rows / 2;
    lines.push([
      `L${i + 1}`,
      rng.next() < 0.1 ? '' : (rng.normal() * 1000).toFixed(2), // numeric with missing, many distinct values
      i > rows - 5 ? '-1' : String(rng.int(40)), // small integers; a sentinel only at the end
      late ? 'yes' : rng.next() < 0.5 ? 'Yes' : 'no', // a new spelling of yes after the sample
      late ? `0${1 + rng.int(9)}/0${1 + rng.int(9)}/2024` : `${13 + rng.int(15)}/0${1 + rng.int(9)}/2024`, // day-first decided late
      late ? 'north' : ['north', 'south', 'east'][rng.int(3)], // one level, then three
      late ? '' : String(rng.int(100)), // all missing in the sample, numbers later
      ` ${rng.int(5)} `, // padded numbers
      `C${String(rng.int(3)).padStart(3, '0')}`,
      late ? 'a few words' : `text ${i}`,
      rng.next() < 0.5 ? 'NA' : 'x',
    ].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('readCsvColumnar', () => {
  it('gives the reference schema and cells whatever the sample size, when later rows change the picture', async () => {
    const path = await writeTemp(dir, 'awkward.csv', awkwardCsv(600));
    const expected = await reference(path);
    // The reference sees a day-first date column, a yes/no column with two spellings, a numeric column that is missing early.
    expect(expected.schema.columns.find((c) => c.name === 'signup')!.dateFormat!.order).toBe('dmy');
    expect(expected.schema.columns.find((c) => c.name === 'late_number')!.type).toBe('numeric');
    for (const sampleRows of [1, 10, 100, 299, 301, 599]) {
      const result = await readCsvColumnar(path, ',', { sampleRows });
      if (!('dataset' in result)) throw new Error(`sample ${sampleRows}: ${JSON.stringify(result).slice(0, 200)}`);
      expectSame(result.dataset, expected);
    }
  });

  it('reads a file as a training file was read (types, yes/no words, date order, missing tokens), as the reference does', async () => {
    const training = await reference(await writeTemp(dir, 'training.csv', awkwardCsv(600)));
    const reading = readingOf(training.schema, ',');
    // Alone, this batch would read otherwise: one region (a constant), dates that do not say their order, late_number all missing.
    const path = await writeTemp(dir, 'batch.csv', awkwardCsv(500, { firstHalfOnly: true }));
    expect((await reference(path)).schema.columns.find((c) => c.name === 'region')!.type).toBe('constant');
    const checked = new Map(training.schema.columns.map((c) => [c.name, c.type]));
    const expected = datasetWithReading(await readTable({ path }), reading, checked);
    expect(expected.schema.columns.find((c) => c.name === 'region')!.type).toBe('categorical');
    for (const sampleRows of [1, 100, 499]) {
      const result = await readCsvColumnar(path, ',', { sampleRows, reading });
      if (!('dataset' in result)) throw new Error(`sample ${sampleRows}: ${JSON.stringify(result).slice(0, 200)}`);
      expect(result.dataset.schema.columns.map((c) => [c.name, c.type, c.dateFormat, c.booleanTokens, c.decimalComma]))
        .toEqual(expected.schema.columns.map((c) => [c.name, c.type, c.dateFormat, c.booleanTokens, c.decimalComma]));
      for (const name of expected.table.columnNames()) {
        expect(Array.from(result.dataset.table.array(name) as ArrayLike<unknown>), name).toEqual(Array.from(expected.table.array(name) as ArrayLike<unknown>));
      }
    }
  });

  it('stops at a cell that does not read as its training type past the sample; loadDatasetWithReading then names the row', async () => {
    const training = await reference(await writeTemp(dir, 'training-2.csv', awkwardCsv(600)));
    const reading = readingOf(training.schema, ',');
    const checked = new Map(training.schema.columns.map((c) => [c.name, c.type]));
    const lines = awkwardCsv(300, { firstHalfOnly: true }).split('\r\n');
    lines[251] = lines[251]!.replace(/,\d\d\/\d\d\/2024,/, ',soon,');
    const path = await writeTemp(dir, 'batch-bad.csv', lines.join('\r\n'));
    const result = await readCsvColumnar(path, ',', { sampleRows: 100, reading });
    expect('misfit' in result && result.misfit).toContain('signup: "soon" on data row 251 does not read as date');
    await expect(loadDatasetWithReading({ path }, reading, checked)).rejects.toThrow('1 row holds values of the wrong type (row 251: signup = "soon" is not a date)');
  });

  it('reads a long file twice where a column the model does not check misfits, and says so in the notes', async () => {
    const row = (i: number, date: string) => `L${i},${(i % 977) * 1.5},${date},${i % 3 === 0 ? 1 : 0}`;
    const training = await reference(await writeTemp(dir, 'training-3.csv', `id,amount,signup,y\n${Array.from({ length: 300 }, (_, i) => row(i, `2025-0${1 + (i % 9)}-1${i % 10}`)).join('\n')}\n`));
    const reading = readingOf(training.schema, ',');
    // loadDatasetWithReading's own sample is 100,000 rows: a file that long is needed for the columnar path.
    const lines = Array.from({ length: 100_100 }, (_, i) => row(i, i === 100_050 ? 'soon' : '2025-03-04'));
    const path = await writeTemp(dir, 'batch-long.csv', `id,amount,signup,y\n${lines.join('\n')}\n`);
    const read = await loadDatasetWithReading({ path }, reading, new Map([['amount', 'numeric']]));
    expect(read.notes).toEqual([`${path} was read twice: signup: "soon" on data row 100,051 does not read as date the way the training file did, so the whole file was read as text with the training settings (slower, and more memory)`]);
    expect((read.table.array('signup') as ArrayLike<unknown>)[100_050]).toBeNull();
    expect((read.table.array('amount') as ArrayLike<unknown>)[100_050]).toBe((100_050 % 977) * 1.5);
  });

  it('hands a file that ends within the sample back raw, and loadDataset reads it the reference way', async () => {
    const path = await writeTemp(dir, 'small.csv', awkwardCsv(50));
    const result = await readCsvColumnar(path, ',', { sampleRows: 60 });
    expect('raw' in result && result.raw.rows).toBe(50);
    expectSame(await loadDataset({ path }), await reference(path));
  });

  it('counts distinct values past its cap by number and keeps the sentinel warning exact', async () => {
    const rng = createRng(5);
    const lines = ['balance,other'];
    for (let i = 0; i < 7000; i++) lines.push(`${i % 9 === 0 ? '-1' : Math.abs(rng.normal() * 500).toFixed(1)},${rng.int(3)}`);
    const path = await writeTemp(dir, 'wide-values.csv', `${lines.join('\n')}\n`);
    const expected = await reference(path);
    expect(expected.schema.columns[0]!.warnings.join(' ')).toContain('-1 in 11% of rows');
    const result = await readCsvColumnar(path, ',', { sampleRows: 100 });
    if (!('dataset' in result)) throw new Error('expected a dataset');
    expectSame(result.dataset, expected);
  });

  it('counts a text column\'s levels as they come, past 65,536 of them too, as the reference reads them', async () => {
    const rng = createRng(8);
    const lines = ['code,region,segment'];
    // code: distinct texts past the levels kept (some padded, some missing, a few repeated); region: a few
    // levels, missing cells and padding; segment: one level in the sample, then two.
    for (let i = 0; i < 90_000; i++) lines.push(`${i % 11 === 0 ? 'NA' : i % 7 === 0 ? ' K1 ' : `K${i}`},${rng.next() < 0.1 ? '' : [' north', 'south ', 'east'][rng.int(3)]},${i < 500 ? 'a' : ['a', 'b'][rng.int(2)]}`);
    const path = await writeTemp(dir, 'many-levels.csv', `${lines.join('\n')}\n`);
    const expected = await reference(path);
    expect(expected.schema.columns.map((c) => c.type)).toEqual(['categorical', 'categorical', 'categorical']);
    expect(expected.schema.columns[0]!.distinct).toBeGreaterThan(65_536);
    const result = await readCsvColumnar(path, ',', { sampleRows: 100 });
    if (!('dataset' in result)) throw new Error('expected a dataset');
    expectSame(result.dataset, expected);
  });

  it('takes an id column\'s cells as new levels past ID_LEVELS and merges their repeats at the end, as the reference reads them', async () => {
    const rng = createRng(12);
    const lines = ['lead,then_categories,segment'];
    const ids: string[] = [];
    const rows = ID_LEVELS + 20_000;
    for (let i = 0; i < rows; i++) {
      // lead: distinct ids in random order until past ID_LEVELS, then new ones among repeats of earlier ones,
      // written plainly, quoted, padded, and a non-ASCII id; missing cells too. then_categories: an id
      // until ID_LEVELS, then a handful of values (most of its later levels are repeats).
      let lead = `U${rng.int(1e9).toString(16)}-${i}`;
      if (i > ID_LEVELS + 10) {
        const pick = rng.next();
        const earlier = ids[rng.int(ids.length)]!;
        lead = pick < 0.2 ? earlier : pick < 0.25 ? `"${earlier}"` : pick < 0.3 ? ` ${earlier} ` : pick < 0.32 ? 'Zürich-7' : pick < 0.34 ? 'NA' : lead;
      }
      if (!lead.startsWith('"') && lead !== 'NA') ids.push(lead.trim());
      const category = i < ID_LEVELS + 5 ? `c${i}` : `c${rng.int(6)}`;
      lines.push(`${lead},${category},${['a', 'b'][rng.int(2)]}`);
    }
    const path = await writeTemp(dir, 'ids.csv', `${lines.join('\n')}\n`);
    const expected = await reference(path);
    const lead = expected.schema.columns[0]!;
    expect(lead.missing).toBeGreaterThan(0);
    expect(lead.distinct).toBeLessThan(rows - lead.missing);
    const result = await readCsvColumnar(path, ',', { sampleRows: 1000 });
    if (!('dataset' in result)) throw new Error('expected a dataset');
    expectSame(result.dataset, expected);
  });

  it('past ID_LEVELS, still counts a level the inference asks for (a sentinel among distinct numbers read as text)', () => {
    // A text builder whose cells all read as numbers (a column trained as text, say): the inference asks
    // for the count of "-1", met past the lookups, which the levels' hashes then find.
    const tokens = naTokenSet();
    const builder = new TextBuilder('balance', tokens, {});
    const rows = ID_LEVELS + 30_000;
    builder.reserve(rows);
    const texts = Array.from({ length: rows }, (_, i) => (i > ID_LEVELS && i % 7 === 0 ? '-1' : String(i)));
    for (const text of texts) {
      const bytes = Buffer.from(text);
      builder.addBytes(bytes, 0, bytes.length);
    }
    const { schema } = builder.finish(rows);
    const expected = inferColumn('balance', texts, rows, tokens, {});
    expect(expected.warnings.join(' ')).toContain('-1 in');
    expect(schema).toEqual(expected);
  });

  it('parses times written one ISO way from their bytes, counts their texts as numbers past the cap, and hands a column to the text path at a time written otherwise, as the reference reads them all', async () => {
    const rng = createRng(12);
    const T0 = Date.UTC(2024, 0, 1);
    const iso = (ms: number) => new Date(ms).toISOString();
    const seconds = (ms: number) => iso(ms).slice(0, 19);
    const names = ['occurred_at', 'seen', 'day', 'closed_at', 'zoned', 'soon', 'leap', 'few'];
    const lines = [names.join(',')];
    let t = T0;
    for (let i = 0; i < 30_000; i++) {
      if (i % 10 !== 0) t += 1000 * (1 + rng.int(90)); // every tenth event at the time of the one before
      lines.push([
        rng.next() < 0.03 ? (rng.next() < 0.5 ? '' : 'NA') : `${seconds(t)}Z`,
        iso(T0 + i * 1234 + rng.int(1000)),
        iso(Date.UTC(1900, 0, 1) + (i % 9000) * 86_400_000).slice(0, 10),
        rng.next() < 0.6 ? '' : seconds(T0 + i * 60_000), // a leakage name, mostly missing
        i === 20_000 ? `${seconds(t)}+02:00` : `${seconds(t)}Z`,
        i === 25_000 ? 'soon' : seconds(t).replace('T', ' '),
        i === 22_000 ? '2023-12-31T12:59:60Z' : `${seconds(T0 - i * 1000)}Z`,
        `${seconds(T0 + rng.int(100) * 3_600_000)}Z`,
      ].join(','));
    }
    const path = await writeTemp(dir, 'times.csv', `${lines.join('\n')}\n`);
    const expected = await reference(path);
    expect(expected.schema.columns.map((c) => c.type)).toEqual(['datetime', 'datetime', 'date', 'datetime', 'datetime', 'categorical', 'datetime', 'datetime']);
    expect(expected.schema.columns[3]!.warnings).toEqual(['60% missing', 'name suggests it is known only after the outcome: check for leakage']);
    const result = await readCsvColumnar(path, ',', { sampleRows: 15_000 });
    if (!('dataset' in result)) throw new Error('expected a dataset');
    expectSame(result.dataset, expected);
    // The sample sends the many-valued columns written one way to the time path, and the three written
    // otherwise later say where they left it; a column of few times stays text.
    const sample = (c: number) => lines.slice(1, 15_001).map((line) => line.split(',')[c]!);
    expect(names.map((_, c) => sampledTimeLayout(sample(c), naTokenSet()))).toEqual(['seconds-z', 'millis-z', 'date', 'seconds', 'seconds-z', 'seconds-space', 'seconds-z', null]);
    expect(result.dataset.notes).toEqual([
      expect.stringMatching(/^zoned: ".*\+02:00" on data row 20,001 is not written as the times before it \(yyyy-mm-ddThh:mm:ssZ\)/),
      expect.stringMatching(/^soon: "soon" on data row 25,001 /),
      expect.stringMatching(/^leap: "2023-12-31T12:59:60Z" on data row 22,001 /),
    ]);
  });

  it('stops at a value its sample types cannot hold, naming it; loadDataset then reads the file the reference way and says so', async () => {
    const lines = ['id,amount,y'];
    for (let i = 0; i < 400; i++) lines.push(`L${i},${i === 350 ? 'about 12' : ((i % 50) * 1.5).toFixed(1)},${i % 3 === 0 ? 1 : 0}`);
    const path = await writeTemp(dir, 'misfit.csv', `${lines.join('\n')}\n`);
    const result = await readCsvColumnar(path, ',', { sampleRows: 100 });
    expect(result).toEqual({ misfit: 'amount: "about 12" on data row 351 is not a number like the rows before it' });
    const expected = await reference(path);
    expect(expected.schema.columns[1]!.type).toBe('categorical');
    // loadDataset's own sample is 100,000 rows: a file that long is needed for it to take the columnar path.
    const long = ['id,amount,y'];
    for (let i = 0; i < 100_100; i++) long.push(`L${i},${i === 100_050 ? 'about 12' : (i % 977) * 1.5},${i % 3 === 0 ? 1 : 0}`);
    const longPath = await writeTemp(dir, 'misfit-long.csv', `${long.join('\n')}\n`);
    const loaded = await loadDataset({ path: longPath });
    expect(loaded.notes?.[0]).toMatch(/was read twice: amount: "about 12" on data row 100,051 is not a number/);
    expectSame({ ...loaded, notes: [] } as Dataset, { ...(await reference(longPath)), notes: [] } as Dataset);
  });

  it('agrees with the reference on random tables (property)', async () => {
    const cell = fc.oneof(
      fc.constantFrom('', 'NA', 'yes', 'no', 'Yes', '-1', '0', '1', '2024-01-05', '05/01/2024', '13/01/2024', 'north', ' x ', '1,5'),
      fc.integer({ min: -50, max: 50 }).map(String),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v.toFixed(3)),
    );
    let n = 0;
    let compared = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 12, maxLength: 80 }), fc.integer({ min: 1, max: 40 }),
      async (rows, sampleRows) => {
        const path = await writeTemp(dir, `random-${n++}.csv`, `a,b,c\n${rows.map((r) => r.map((v) => (v.includes(',') ? `"${v}"` : v)).join(',')).join('\n')}\n`);
        const result = await readCsvColumnar(path, ',', { sampleRows });
        if ('misfit' in result) return; // the caller reads these the reference way (tested above)
        const actual = 'dataset' in result ? result.dataset : null;
        if (actual) {
          expectSame(actual, await reference(path));
          compared++;
        }
      }), { numRuns: 150, seed: 22 });
    // Most random tables keep their sample's types (text columns always do): the property compared them.
    expect(compared).toBeGreaterThan(40);
  });

  it('reads cells from bytes as the reference reads them from text: quotes, line ends, a byte-order mark, padding, long digits, exponents, non-ASCII (property)', async () => {
    const numberCell = fc.oneof(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v.toFixed(6)),
      fc.integer({ min: -99, max: 99 }).map(String),
      fc.constantFrom('', ' 5 ', '\t7', '+3', '.5', '5.', '-0', '0.000', '007', '1e5', '2.5E-3', '12345678901234567', '1e400', '1e-400', 'NA', '"4.5"', ' ', '\u00a05', '-1', '999'),
    );
    const textCell = fc.oneof(fc.constantFrom('north', 'south', 'Zürich', '東京', ' padded ', 'NA', '', '"a, b"', '"say ""hi"""', '"two\nlines"', 'yes', 'no'), fc.integer({ min: 0, max: 30 }).map((i) => `L${i}`));
    const row = fc.tuple(numberCell, numberCell, textCell, fc.constantFrom('0', '1'), fc.boolean());
    let n = 0;
    let compared = 0;
    await fc.assert(fc.asyncProperty(fc.array(row, { minLength: 15, maxLength: 60 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 12 }),
      async (rows, eol, bom, lastBreak, sampleRows) => {
        const lines = rows.map(([a, b, c, y, short]) => (short ? [a, b] : [a, b, c, y]).join(','));
        const text = `${bom ? '\ufeff' : ''}x,amount,place,y${eol}${lines.join(eol)}${lastBreak ? eol : ''}`;
        const path = await writeTemp(dir, `bytes-${n++}.csv`, text);
        const result = await readCsvColumnar(path, ',', { sampleRows });
        if ('misfit' in result) return;
        if ('dataset' in result) {
          expectSame(result.dataset, await reference(path));
          compared++;
        }
      }), { numRuns: 300, seed: 23 });
    expect(compared).toBeGreaterThan(100);
  });
});
