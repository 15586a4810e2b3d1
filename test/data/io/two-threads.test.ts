/**
 * The typed CSV reader on two threads (column-shard.ts): whichever columns the worker reads, the dataset is
 * the one a single thread reads, which is the reference reading's; a misfit is reported as one thread meets
 * it; a failing worker fails the read. And the pieces it rests on: a sampled column judged numeric from its
 * bytes exactly as `numericInference` judges its texts, and text levels found by their bytes.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsvColumnar } from '../../../src/data/io/columnar.ts';
import { RecordBatch } from '../../../src/data/io/column-builder.ts';
import { firstFailure, RemoteShard, workerColumns } from '../../../src/data/io/column-shard.ts';
import { portable, portableCoded, unportable } from '../../../src/data/io/column-crossing.ts';
import { plainSample, textSample } from '../../../src/data/io/sample-facts.ts';
import { Misfit } from '../../../src/data/io/column-builder.ts';
import { CsvByteRecords } from '../../../src/data/io/csv-bytes.ts';
import { readingOf } from '../../../src/data/types/reading.ts';
import { isMissing, naTokenSet } from '../../../src/data/types/missing.ts';
import { type ColumnSchema, numericDecision, numericInference, textNumericFacts } from '../../../src/data/types/schema.ts';
import { createRng } from '../../../src/random.ts';
import { tempDir, writeTemp } from '../../helpers.ts';
import { expectSame, reference } from './same-dataset.ts';

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

const NAMES = ['lead_id', 'ref', 'amount', 'visits', 'seen_at', 'flag', 'note', 'late', 'code', 'revenue'];

/**
 * Every kind of column the reader has: distinct ids, a text column whose levels come as their own bytes,
 * padded, quoted, non-ASCII and as missing tokens; numbers with missing cells, exponents, 17 digits and
 * quotes; over 5,000 distinct numbers (each written one way, as past 5,000 texts the reader counts numbers); small integers; ISO times (more than 5,000 distinct in the sample: the time path), yes/no, free
 * text with quoted line breaks, a text column of mostly numbers (which looks numeric to `workerColumns`),
 * and short rows.
 */
function richCsv(rows: number): string {
  const rng = createRng(11);
  const lines = [NAMES.join(',')];
  for (let i = 0; i < rows; i++) {
    const level = `R${rng.int(40)}`;
    const ref = [level, ` ${level}`, `"${level}"`, 'Zürich', ' Zürich ', 'NA', '', `${level} `][rng.int(8)]!;
    const u = rng.next();
    const amount = u < 0.05 ? '' : u < 0.07 ? `${1 + rng.int(9)}e${5 + rng.int(3)}` : u < 0.08 ? '12345678901234567' : u < 0.09 ? `"${rng.int(99)}.25"` : ((rng.int(3_000) - 1_500) / 4).toFixed(2);
    const seen = new Date(Date.UTC(2024, 0, 1) + i * 61_000 + rng.int(1000)).toISOString();
    const note = rng.next() < 0.02 ? '"two\nlines"' : rng.next() < 0.5 ? 'a few words' : `text ${rng.int(50)}`;
    const late = rng.next() < 0.01 ? 'many' : String(rng.int(30));
    const cells = [`L${i + 1}`, ref, amount, String(rng.int(12)), seen, rng.next() < 0.5 ? 'yes' : 'no', note, late, `C${rng.int(3)}`, (i * 0.37 - 900).toFixed(2)];
    lines.push((i % 997 === 5 ? cells.slice(0, 6) : cells).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('readCsvColumnar on two threads', () => {
  it('gives the one-thread dataset (the reference reading) whichever columns the worker reads', { timeout: 120_000 }, async () => {
    const sampleRows = 6_000;
    const path = await writeTemp(dir, 'rich.csv', richCsv(9_000));
    const one = await readCsvColumnar(path, ',', { sampleRows, threads: 1 });
    if (!('dataset' in one)) throw new Error(JSON.stringify(one).slice(0, 300));
    expectSame(one.dataset, await reference(path));
    // The file has each path: times parsed from bytes, padded and quoted text levels, numbers read from text.
    expect(one.dataset.schema.columns.map((c) => c.type)).toEqual(['id', 'categorical', 'numeric', 'numeric', 'datetime', 'boolean', 'categorical', 'categorical', 'categorical', 'numeric']);
    await fc.assert(fc.asyncProperty(fc.subarray(NAMES, { minLength: 1 }), async (worker) => {
      const two = await readCsvColumnar(path, ',', { sampleRows, threads: 2, workerColumns: worker });
      if (!('dataset' in two)) throw new Error(JSON.stringify(two).slice(0, 300));
      expectSame(two.dataset, one.dataset);
      expect(two.dataset.notes).toEqual(one.dataset.notes);
    }), { numRuns: 6, seed: 5 });
    // Read as a model's training file was read (its types, spellings and tokens), on one thread and on two.
    const reading = readingOf(one.dataset.schema, ',');
    const trainedOne = await readCsvColumnar(path, ',', { sampleRows, threads: 1, reading });
    const trainedTwo = await readCsvColumnar(path, ',', { sampleRows, threads: 2, reading, workerColumns: ['amount', 'seen_at', 'flag', 'late'] });
    if (!('dataset' in trainedOne) || !('dataset' in trainedTwo)) throw new Error('not read with the reading');
    expectSame(trainedTwo.dataset, trainedOne.dataset);
    // And the columns chosen by default from the first rows.
    const chosen = await readCsvColumnar(path, ',', { sampleRows, threads: 2 });
    if (!('dataset' in chosen)) throw new Error('not read');
    expectSame(chosen.dataset, one.dataset);
  });

  it('counts the distinct numbers of the worker\'s last columns on this thread as the worker would (and warns of few integers the same)', { timeout: 60_000 }, async () => {
    // `few`: 5 integers written 5,200 ways (leading zeros), past the cap of distinct texts, so its distinct
    // numbers are counted, and the few-integers warning then added; `a` and `b`: many distinct decimals.
    const lines = ['id,a,b,few,x'];
    for (let i = 0; i < 5_200; i++) lines.push(`L${i},${(i * 0.37).toFixed(2)},${(i % 997) * 1.5},${'0'.repeat(i)}${1 + (i % 5)},${i % 3}`);
    const path = await writeTemp(dir, 'few-integers.csv', `${lines.join('\n')}\n`);
    const one = await readCsvColumnar(path, ',', { sampleRows: 1_000, threads: 1 });
    if (!('dataset' in one)) throw new Error(JSON.stringify(one).slice(0, 300));
    const few = one.dataset.schema.columns.find((c) => c.name === 'few')!;
    expect(few.distinct).toBe(5);
    expect(few.warnings.join(' ')).toMatch(/only 5 integer values/);
    // The worker's third column of three (`few`) is counted on this thread; then `b` and `few` both are.
    for (const worker of [['a', 'b', 'few'], ['few', 'a', 'b'], ['a', 'few']]) {
      const two = await readCsvColumnar(path, ',', { sampleRows: 1_000, threads: 2, workerColumns: worker });
      if (!('dataset' in two)) throw new Error(JSON.stringify(two).slice(0, 300));
      expectSame(two.dataset, one.dataset);
    }
  });

  it('reports the misfit one thread meets first: the earlier batch, then the first column', { timeout: 120_000 }, async () => {
    // Two numeric columns that turn to text after the sample: in one batch (the earlier column wins, though
    // its bad row comes later), and in batches 4 MiB apart (the earlier batch wins).
    const row = (i: number, a: string, b: string) => `L${i},${a},${b},${i % 7}`;
    const near = Array.from({ length: 3_000 }, (_, i) => row(i, i === 2_500 ? 'oops' : String(i % 50), i === 2_400 ? 'nope' : String(i % 40)));
    const far = Array.from({ length: 300_000 }, (_, i) => row(i, i === 280_000 ? 'oops' : String(i % 50), i === 2_400 ? 'nope' : String(i % 40)));
    for (const [name, lines, expected] of [['near.csv', near, 'a: "oops" on data row 2,501'], ['far.csv', far, 'b: "nope" on data row 2,401']] as const) {
      const path = await writeTemp(dir, name, `id,a,b,c\n${lines.join('\n')}\n`);
      const one = await readCsvColumnar(path, ',', { sampleRows: 1_000, threads: 1 });
      expect('misfit' in one && one.misfit).toContain(expected);
      for (const worker of [['a'], ['b'], ['a', 'b'], ['c']]) {
        expect(await readCsvColumnar(path, ',', { sampleRows: 1_000, threads: 2, workerColumns: worker }), `${name}, worker reads ${worker.join(',')}`).toEqual(one);
      }
    }
  });

  it('hands back the same raw table for a file within its sample', async () => {
    const path = await writeTemp(dir, 'short.csv', richCsv(50));
    const one = await readCsvColumnar(path, ',', { sampleRows: 60, threads: 1 });
    const two = await readCsvColumnar(path, ',', { sampleRows: 60, threads: 2, workerColumns: ['amount', 'note'] });
    expect('raw' in one && one.raw.rows).toBe(50);
    expect(two).toEqual(one);
  });

  it('fails loudly when the worker fails, and a worker that stops rejects what was asked of it', async () => {
    const shard = new RemoteShard();
    await expect(shard.call({ op: 'no such request' })).rejects.toThrow('the column worker failed: unknown request no such request');
    await shard.close();
    await expect(shard.call({ op: 'texts' })).rejects.toThrow('the column worker was closed');
  });

  it('hands a column of numbers and nulls between threads as numbers and a mask, exactly', () => {
    const schema: ColumnSchema = { name: 'x', type: 'numeric', feature: true, missing: 2, missingShare: 0.4, distinct: 3, examples: [], warnings: [] };
    const values = [1.5, null, -0, Number.NaN, null];
    const { column, transfer } = portable({ schema, values });
    expect('numbers' in column).toBe(true);
    expect(transfer).toHaveLength(2);
    const back = unportable(structuredClone(column, { transfer }));
    expect(back.schema).toEqual(schema);
    expect((back.values as unknown[]).map((v) => (v === null ? 'null' : Object.is(v, -0) ? '-0' : String(v)))).toEqual(['1.5', 'null', '-0', 'NaN', 'null']);
    // Anything else crosses as it is.
    expect(portable({ schema, values: ['a', null] }).column).toEqual({ schema, values: ['a', null] });
  });

  it('hands a text column between threads as its levels and codes (transferred), laid out row by row on arrival', () => {
    const schema: ColumnSchema = { name: 'c', type: 'boolean', feature: true, missing: 1, missingShare: 0.2, distinct: 2, examples: [], warnings: [] };
    const { column, transfer } = portableCoded({ schema, levels: [true, false], codes: Int32Array.of(0, 1, -1, 1, 0) });
    expect(transfer).toHaveLength(1);
    const back = unportable(structuredClone(column, { transfer }));
    expect(back).toEqual({ schema, values: [true, false, null, false, true] });
    // Every row a level of its own, in order (an id column): the levels are the values.
    expect(unportable(structuredClone(portableCoded({ schema, levels: ['L1', 'L2'], codes: null }).column)).values).toEqual(['L1', 'L2']);
  });

  it('orders failures as one thread meets them', () => {
    const misfit = (column: number) => Object.assign(new Misfit(`column ${column}`), { column });
    expect((firstFailure([{ index: 3, error: misfit(1) }, { index: 2, error: misfit(5) }]) as Error).message).toBe('column 5');
    expect((firstFailure([{ index: 2, error: misfit(4) }, { index: 2, error: misfit(1) }]) as Error).message).toBe('column 1');
    expect((firstFailure([{ index: 1, error: misfit(0) }, { index: 2, error: new Error('broken') }]) as Error).message).toBe('broken');
  });

  it('gives the worker numeric-looking columns, keeps the text columns here, and no worker for a small share', () => {
    const numbers = (i: number) => Array.from({ length: 8 }, (_, j) => (i * (j + 1) * 0.25).toFixed(2)).join(',');
    const wide = `id,${Array.from({ length: 8 }, (_, j) => `x${j}`).join(',')},word\n${Array.from({ length: 500 }, (_, i) => `L${i},${numbers(i)},w${i % 4}`).join('\n')}\n`;
    const chosen = workerColumns(...Object.values(batchOf(wide, 10)) as [Buffer, RecordBatch]);
    expect(chosen.length).toBeGreaterThan(2);
    expect(chosen.every((c) => c >= 1 && c <= 8)).toBe(true);
    // One numeric column among distinct ids, dates and words: not worth a worker.
    const narrow = `id,seen,word,x\n${Array.from({ length: 500 }, (_, i) => `L${i},2024-01-01T00:00:${String(i % 60).padStart(2, '0')}Z,w${i % 4},${i}`).join('\n')}\n`;
    expect(workerColumns(...Object.values(batchOf(narrow, 4)) as [Buffer, RecordBatch])).toEqual([]);
  });
});

/** A CSV text's records (after the header) as a batch of `width` columns. */
function batchOf(csv: string, width: number): { bytes: Buffer; batch: RecordBatch } {
  const records = new CsvByteRecords(',');
  const bytes = Buffer.from(csv);
  records.feed(bytes, true);
  const batch = new RecordBatch();
  batch.width = width;
  records.next();
  for (let row = 0; records.next(); row++) batch.take(records, row);
  return { bytes: records.bytes, batch };
}

describe('a sampled column judged from its bytes', () => {
  const cell = fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => String(x)),
    fc.integer({ min: -50, max: 50 }).map(String),
    fc.constantFrom('', ' ', '\t', ' 1 ', '\t2.50', '-0', '+1', '1.', '.5', '1e400', '12345678901234567', '0.1e-3', 'NA', 'yes', 'no', '1', '0', 'x1', '1,5', '"7"', '- 1', '1e', '\u00a03'),
  );
  it('is numeric exactly where numericInference calls its texts numeric, from the same facts', () => {
    const tokens = naTokenSet();
    fc.assert(fc.property(fc.array(cell, { minLength: 1, maxLength: 40 }), fc.constantFrom('amount', 'lead_id', 'visits'), (cells, name) => {
      const { bytes, batch } = batchOf(`v\n${cells.join('\n')}\n`, 1);
      const texts: string[] = [];
      for (let r = 0; r < batch.count; r++) texts.push(batch.starts[r]! < 0 ? batch.texts[-1 - batch.starts[r]!]! : bytes.toString('utf8', batch.starts[r]!, batch.ends[r]!));
      const plain = plainSample([{ bytes, batch }], 0);
      const onePlain = texts.every((t) => t.replace(/^[ \t]+|[ \t]+$/g, '') === '' || /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t.trim()));
      if (plain === null) return; // read from the texts, the reference way
      expect(onePlain).toBe(true);
      const present = texts.filter((t) => t.trim() !== '');
      expect(Array.from(plain.nums)).toEqual(present.map((t) => Number(t.trim())));
      expect(plain.texts).toEqual([...new Set(present.map((t) => t.trim()))].slice(0, 5));
      expect(numericDecision(name, plain.nums.length, false, plain.texts, texts.length, () => plain)).toEqual(numericInference(name, texts, texts.length, tokens, {}));
    }), { numRuns: 400, seed: 8 });
  });

  it('gathers from any column\'s bytes what numericInference gathers from its texts, and decides the same', () => {
    const text = fc.oneof(cell, fc.constantFrom('L000000001', 'level_3_17', 'Zürich', ' Zürich ', 'null', 'N/A', '#N/A', 'a b', '"quoted, with comma"', '"1.5"', '2024-01-05', 'Infinity', '-inf'));
    fc.assert(fc.property(fc.array(text, { minLength: 1, maxLength: 40 }), fc.constantFrom('amount', 'lead_id', 'visits'), fc.constantFrom(',', ';'), (cells, name, delimiter) => {
      const tokens = naTokenSet(['unknown']);
      const { bytes, batch } = batchOf(`v\n${cells.join('\n')}\n`, 1);
      const texts: string[] = [];
      for (let r = 0; r < batch.count; r++) texts.push(batch.starts[r]! < 0 ? batch.texts[-1 - batch.starts[r]!]! : bytes.toString('utf8', batch.starts[r]!, batch.ends[r]!));
      const gathered = textSample([{ bytes, batch }], 0, tokens);
      const present = texts.filter((t) => !isMissing(t, tokens));
      expect(gathered.present).toBe(present.length);
      expect(gathered.texts).toEqual([...new Set(present.map((t) => t.trim()))].slice(0, 5));
      const decided = numericDecision(name, gathered.present, false, gathered.texts, texts.length, () => textNumericFacts(gathered.texts[0]!, () => present, delimiter === ';'));
      expect(decided).toEqual(numericInference(name, texts, texts.length, tokens, { delimiter }));
    }), { numRuns: 400, seed: 9 });
  });

  it('leaves a column with any other cell to the texts', () => {
    for (const other of ['NA', 'x1', '"7"', '1e400', '12345678901234567', '\u00a03']) {
      const { bytes, batch } = batchOf(`v\n1\n${other}\n2\n`, 1);
      expect(plainSample([{ bytes, batch }], 0), other).toBeNull();
    }
  });
});
