import fc from 'fast-check';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCsvColumns } from '../../../src/data/io/write.ts';
import { refusal } from '../../../src/scoring/fast/allow-list.ts';
import { appendColumns, rowWriterCounts, scoreChunkBytes } from '../../../src/scoring/fast/byte-scorer.ts';
import { ByteSink } from '../../../src/scoring/fast/writer.ts';
import type { ChunkJob } from '../../../src/scoring/chunk.ts';
import { prepareScorer, type Scorer, type ScoreOptions, scoreLeads, scoringSchema } from '../../../src/scoring/score.ts';
import { collectRecords, scoreChunk, scoreStream } from '../../../src/scoring/stream.ts';
import { trainModels } from '../../../src/train/train.ts';
import { smallSample } from '../../train/fixture.ts';

let sample: Awaited<ReturnType<typeof smallSample>>;
let models: Record<'logistic' | 'gbdt' | 'mlp', string>;
let model: string;
let rules: string;
let lines: string[];
let header: string[];

// Conditions of every kind the engine compiles, one criterion on two columns, a disqualifier.
const RULES = `version: 1
name: every kind of condition
tiers: { warm: 15, hot: 35 }
grades: { A: 20, B: 10, C: 0 }
criteria:
  - name: senior
    when: { column: seniority, op: in, value: [C-level, VP, Director] }
    points: 15
  - name: big_software
    when: { all: [ { column: industry, op: eq, value: software }, { column: company_size, op: in, value: [1001-5000, 5000+] } ] }
    points: 10
  - name: revenue
    when: { column: annual_revenue, op: gt, value: 50000000 }
    points: 10
  - name: no_revenue
    when: { column: annual_revenue, op: is_missing }
    points: -5
  - name: manager_title
    when: { column: job_title, op: contains, value: manager }
    points: 5
  - name: head
    when: { column: job_title, op: matches, value: "^head of" }
    points: 5
  - name: student
    when: { column: email_type, op: eq, value: student }
    disqualify: true
  - name: no_budget
    when: { column: budget_confirmed, op: eq, value: no }
    points: -10
  - name: abroad
    when: { column: country, op: not_in, value: [US, CA] }
    points: -3
  - name: timeline
    family: engagement
    when: { column: purchase_timeline, op: neq, value: "> 12 months" }
    points: 5
  - name: recent
    family: engagement
    when: { column: created_at, op: gte, value: 2024-06-01 }
    points: 2
`;

beforeAll(async () => {
  sample = await smallSample();
  const run = (await trainModels({ data: { path: sample.leads }, target: 'converted', date: 'created_at', models: ['logistic', 'gbdt', 'mlp'], params: ['gbdt.trees=40', 'mlp.epochs=3'],
    out: join(sample.dir, 'run') })).runDir;
  models = { logistic: join(run, 'logistic.model.json'), gbdt: join(run, 'gbdt.model.json'), mlp: join(run, 'mlp.model.json') };
  model = models.logistic;
  rules = join(sample.dir, 'every-kind.yaml');
  await writeFile(rules, RULES);
  lines = (await readFile(sample.leads, 'utf8')).trimEnd().split('\n');
  header = lines[0]!.split(',');
});

/** A data line of the sample with some cells replaced (cells written as they go into the file). */
function line(k: number, cells: Record<string, string>): string {
  return lines[k]!.split(',').map((cell, j) => cells[header[j]!] ?? cell).join(',');
}

/** The sample's first 600 leads with every awkward thing a CSV export holds. */
function awkwardCsv(): string {
  const rows = lines.slice(1, 601);
  const edits: Array<[number, Record<string, string>]> = [
    [1, { job_title: '"Head of ""Growth"", EMEA"' }],
    [2, { industry: '"Software"' }],
    [5, { channel: 'tiktok', country: 'ZZ' }],
    [8, { lead_id: '"=HYPERLINK(""x"")"' }],
    [9, { lead_id: '-5' }],
    [10, { lead_id: ' L9 ' }],
    [11, { lead_id: 'NA' }],
    [12, { lead_id: '' }],
    [13, { lead_id: 'L-é', job_title: 'CTO 🚀' }],
    [14, { annual_revenue: ' 1234 ' }],
    [15, { annual_revenue: '1e6' }],
    [16, { annual_revenue: 'NA' }],
    [17, { annual_revenue: '12.5' }],
    [18, { industry: 'Software ' }],
    [19, { industry: '"Soft"ware' }],
    [20, { created_at: 'NA', seniority: '' }],
    [21, { job_title: '@risk manager', country: 'n/a' }],
    // Ids as long as the longest missing-value token (`-Infinity`): tokens and near-tokens.
    [22, { lead_id: '-Infinity' }],
    [23, { lead_id: '-Infinit1' }],
    [24, { lead_id: '#DIV/0!' }],
    [25, { lead_id: 'NULL' }],
    [26, { lead_id: '"Infinity"' }],
    [27, { lead_id: 'L0000NaN' }],
  ];
  for (const [k, cells] of edits) rows[k] = line(k + 1, cells);
  rows[6] = rows[6]!.split(',').slice(0, header.length - 5).join(','); // a short record
  rows[3] = `${rows[3]}\r`; // CRLF
  rows.splice(30, 0, '', '""', ''); // blank lines
  return `${lines[0]}\n${rows.join('\n')}`; // no line break after the last record
}

async function viaTable(options: ScoreOptions, out: string): Promise<{ text: string; unseen: Record<string, number> }> {
  const whole = await scoreLeads(options);
  await writeCsvColumns(out, whole.names, whole.columns, { safe: true });
  return { text: await readFile(out, 'utf8'), unseen: whole.summary.unseen };
}

/** A chunk job as the streaming scorer makes it (schema from the chunk's own rows). */
function jobOf(scorer: Scorer, csv: string, schemaFrom = csv): { job: ChunkJob; raw: ReturnType<typeof collectRecords> } {
  const names = csv.slice(0, csv.indexOf('\n')).split(',');
  const body = csv.slice(csv.indexOf('\n') + 1);
  const raw = collectRecords(body, names, ',', 2, 0, 'test.csv');
  const first = collectRecords(schemaFrom.slice(schemaFrom.indexOf('\n') + 1), names, ',', 2, 0, 'test.csv');
  const schema = scoringSchema(scorer, first.raw, ',');
  return { job: { bytes: new TextEncoder().encode(body), firstLine: 2, firstRow: 0, header: names, delimiter: ',', schema, source: 'test.csv' }, raw };
}

describe('the byte path of the streaming scorer', () => {
  for (const [kind, reasons] of [['logistic', 0], ['gbdt', 0], ['mlp', 0], ['logistic', 3], ['gbdt', 2], ['mlp', 2]] as const) {
  it(`${kind}, ${reasons} reasons: writes the bytes the table path writes: quoted, ragged, CRLF and blank lines, odd ids, unseen levels, kept columns`, async () => {
    const model = models[kind];
    const input = join(sample.dir, 'awkward.csv');
    await writeFile(input, awkwardCsv());
    const options = { model, rules, input: { path: input }, reasons, keep: ['job_title', 'annual_revenue', 'created_at', 'budget_confirmed'] };
    const { text: expected, unseen } = await viaTable(options, join(sample.dir, `awkward-${kind}-${reasons}-table.csv`));
    expect(unseen).toMatchObject({ channel: 1, country: 1 });
    expect(expected).toContain('"\'=HYPERLINK(""x"")"');
    for (const chunkRows of [9, 250, 2000]) {
      const out = join(sample.dir, `awkward-${kind}-${reasons}-${chunkRows}.csv`);
      const r = await scoreStream({ ...options, output: out, format: 'csv', chunkRows, threads: 1 });
      expect(await readFile(out, 'utf8')).toBe(expected);
      expect(r.summary.unseen).toEqual(unseen);
    }
    // And it was the byte path that wrote them.
    const scorer = await prepareScorer(options);
    const { job, raw } = jobOf(scorer, awkwardCsv());
    const fast = scoreChunkBytes(scorer, job, 'csv');
    expect(fast).not.toBeNull();
    const table = scoreChunk(scorer, job.schema, raw.raw, raw.dataRows, 'csv');
    expect(new TextDecoder().decode(fast!.encoded)).toBe(table.text);
    expect([fast!.rows, fast!.tiers, fast!.actions, fast!.unseen]).toEqual([table.rows, table.tiers, table.actions, table.unseen]);
    // NDJSON too (the way Parquet is written), with the reasons as data
    const withCodes = await prepareScorer({ ...options, reasonCodes: true });
    const json = scoreChunkBytes(withCodes, job, 'ndjson');
    expect(json).not.toBeNull();
    const jsonTable = scoreChunk(withCodes, job.schema, raw.raw, raw.dataRows, 'ndjson');
    expect(new TextDecoder().decode(json!.encoded)).toBe(jsonTable.text);
    expect(json!.names).toEqual(jsonTable.names);
    // and a scorer built for CSV chunks is not reused for NDJSON ones
    expect(new TextDecoder().decode(scoreChunkBytes(scorer, job, 'ndjson')!.encoded)).toBe(scoreChunk(scorer, job.schema, raw.raw, raw.dataRows, 'ndjson').text);
  });
  }

  it('without an id column numbers the rows; without rules it leaves grade and rule columns empty', async () => {
    const input = join(sample.dir, 'no-id.csv');
    const cut = (l: string) => l.split(',').slice(2).join(','); // no lead_id, no account_id
    await writeFile(input, `${lines.slice(0, 400).map(cut).join('\n')}\n`);
    const dir = join(sample.dir, 'no-rules');
    const options = { model, input: { path: input }, reasons: 0, rules: undefined };
    const scorer = await prepareScorer(options);
    scorer.rules = null; // no rules.yaml beside a logistic-only run either
    scorer.rulesPath = null;
    const out = join(dir, 'scores.csv');
    await scoreStream({ ...options, output: out, format: 'csv', chunkRows: 64, threads: 1 }, scorer);
    const text = await readFile(out, 'utf8');
    const whole = await scoreLeads(options, scorer);
    await writeCsvColumns(join(dir, 'table.csv'), whole.names, whole.columns, { safe: true });
    expect(text).toBe(await readFile(join(dir, 'table.csv'), 'utf8'));
    expect(text.split('\n')[1]).toMatch(/^1,0\.\d+,[\d.]+,(hot|warm|cold),,(sales|nurture),,,,logistic@/);
    expect(scoreChunkBytes(scorer, jobOf(scorer, lines.slice(0, 50).map(cut).join('\n')).job, 'csv')).not.toBeNull();
  });

  it('takes the options on its allow-list (--id, --na as trained, --on-error skip, the account and trend settings without their flags) and writes the table path\'s bytes', async () => {
    const input = join(sample.dir, 'allowed.csv');
    await writeFile(input, awkwardCsv());
    const options: ScoreOptions = { model: models.gbdt, rules, input: { path: input }, reasons: 2, id: 'lead_id', na: '', onError: 'skip', accountAgg: 'max', trendBand: 3 };
    const scorer = await prepareScorer(options);
    expect(refusal(scorer, { delimiter: ',' }, 'csv')).toBeNull();
    const { text: expected } = await viaTable(options, join(sample.dir, 'allowed-table.csv'));
    const out = join(sample.dir, 'allowed-stream.csv');
    const streamed = await scoreStream({ ...options, output: out, format: 'csv', chunkRows: 50, threads: 1 }, scorer);
    expect(await readFile(out, 'utf8')).toBe(expected);
    expect(streamed.chunks.tablePath).toBe(0);
    expect(streamed.chunks.bytePath).toBeGreaterThan(0);
  });

  it('leaves every job off its allow-list to the table path: --previous, --account, --capacity, an option it does not know, a model kind it does not know, Parquet output', async () => {
    const scorer = await prepareScorer({ model: models.logistic, rules, input: { path: sample.leads } });
    const off = (options: Record<string, unknown>, format = 'csv') => refusal({ ...scorer, options: { ...scorer.options, ...options } } as Scorer, { delimiter: ',' }, format);
    expect(off({ previous: { path: 'earlier.csv' } })).toBe('option previous');
    expect(off({ account: 'account_id' })).toBe('option account');
    expect(off({ capacity: { share: 0.1 } })).toBe('option capacity');
    expect(off({ somethingNew: true })).toBe('option somethingNew is not on its list');
    expect(off({}, 'parquet')).toBe('parquet output');
    expect(refusal({ ...scorer, loaded: { ...scorer.loaded, artifact: { ...scorer.loaded.artifact, model: { kind: 'forest-of-the-future' } } } } as unknown as Scorer, { delimiter: ',' }, 'csv')).toBe('a forest-of-the-future model');
    expect(refusal(scorer, { delimiter: ';;' }, 'csv')).toBe('a delimiter of more than one character');
    // and the stream then writes every chunk the table way, the same bytes
    const input = join(sample.dir, 'refused.csv');
    await writeFile(input, `${lines.slice(0, 300).join('\n')}\n`);
    const previous = join(sample.dir, 'refused-previous.csv');
    await scoreStream({ model: models.logistic, rules, input: { path: input }, output: previous, format: 'csv', threads: 1 });
    const withPrevious = await scoreStream({ model: models.logistic, rules, input: { path: input }, previous: { path: previous }, output: join(sample.dir, 'refused-out.csv'), format: 'csv', threads: 1 });
    expect(withPrevious.chunks).toMatchObject({ bytePath: 0, tablePath: 1 });
  });

  it('leaves a chunk with a value of the wrong type to the table path, which reports it', async () => {
    const scorer = await prepareScorer({ model, rules, input: { path: sample.leads }, reasons: 0 });
    const csv = [lines[0]!, ...lines.slice(1, 40), line(40, { annual_revenue: 'lots' })].join('\n');
    expect(scoreChunkBytes(scorer, jobOf(scorer, csv).job, 'csv')).toBeNull();
    const input = join(sample.dir, 'bad.csv');
    await writeFile(input, `${csv}\n`);
    await expect(scoreStream({ model, rules, input: { path: input }, reasons: 0, output: join(sample.dir, 'bad-out.csv'), format: 'csv', threads: 1 }))
      .rejects.toMatchObject({ code: 'WRONG_TYPE', message: expect.stringContaining('row 40: annual_revenue = "lots" is not a number') });
  });

  it('clears a dictionary that grows past 65,536 distinct cells and scores on the same', async () => {
    const body = lines.slice(1);
    const at = header.indexOf('annual_revenue');
    const rows: string[] = [];
    for (let k = 0; k < 70_000; k++) {
      const cells = body[k % body.length]!.split(',');
      cells[at] = String(1000 + k); // one distinct revenue per lead
      rows.push(cells.join(','));
    }
    const input = join(sample.dir, 'many-revenues.csv');
    await writeFile(input, `${lines[0]}\n${rows.join('\n')}\n`);
    // Reasons off, and a tree model's reasons (each revenue's phrase made on first use and made again after the clear).
    for (const options of [{ model, rules, input: { path: input }, reasons: 0, keep: ['annual_revenue'] }, { model: models.gbdt, rules, input: { path: input }, reasons: 3 }]) {
      const out = join(sample.dir, 'many-revenues-out.csv');
      await scoreStream({ ...options, output: out, format: 'csv', threads: 1, chunkRows: 2000 });
      expect(await readFile(out, 'utf8')).toBe((await viaTable(options, join(sample.dir, 'many-revenues-table.csv'))).text);
    }
  });

  it('reads a column of new cells as an append column (early where its share of new cells holds, else once past 65,536 cells), a column of repeating values never, with the table path\'s bytes', async () => {
    const at = header.indexOf('annual_revenue');
    const body = lines.slice(1);
    const head = lines.slice(0, 60).join('\n');
    // Mostly distinct revenues; every 50th an awkward cell: spaces, exponents, missing, quoted, -0, beyond 15 digits.
    const odd = [' 1234 ', '1e6', 'NA', '', '12.5', '"77"', '-0', '00012', '1e400', '.5', '5.', '12345678901234567'];
    const layouts = [
      // 98% new cells a chunk, steadily: appended once the dictionary holds 8,192 cells (1,960 new a chunk: after the 5th).
      { revenue: (k: number) => (k % 50 === 7 ? odd[(k / 50) % odd.length | 0]! : String(1000 + k)), chunks: 7, appendFrom: 5 },
      // 70% new, the rest ten repeated values: below the early share, appended once past 65,536 cells (1,400 new a chunk: in the 47th).
      { revenue: (k: number) => (k % 10 < 3 ? String(k % 10) : String(1000 + k)), chunks: 49, appendFrom: 47 },
      // 30,000 values drawn at random (a hash of the row): new cells at first, fewer as the dictionary fills; looked up throughout.
      { revenue: (k: number) => String(1000 + (mix32(k) % 30_000)), chunks: 9, appendFrom: Number.POSITIVE_INFINITY },
    ];
    for (const layout of layouts) {
      for (const options of [{ model, reasons: 3, keep: ['annual_revenue'] }, { model: models.gbdt, reasons: 0 }]) {
        const scorer = await prepareScorer({ ...options, rules, input: { path: sample.leads } });
        for (let chunk = 0; chunk < layout.chunks; chunk++) {
          const rows = Array.from({ length: 2000 }, (_, i) => {
            const k = chunk * 2000 + i;
            const cells = body[k % body.length]!.split(',');
            cells[at] = layout.revenue(k);
            return cells.join(',');
          });
          const { job, raw } = jobOf(scorer, `${lines[0]}\n${rows.join('\n')}\n`, head);
          const fast = scoreChunkBytes(scorer, job, 'csv');
          expect(new TextDecoder().decode(fast!.encoded)).toBe(scoreChunk(scorer, job.schema, raw.raw, raw.dataRows, 'csv').text);
          expect(appendColumns(scorer), `layout ${layouts.indexOf(layout)}, chunk ${chunk}`).toEqual(chunk >= layout.appendFrom ? ['annual_revenue'] : []);
        }
      }
    }
  });

  it('with fractional points (rules then scored by the engine per chunk) writes the bytes the table path writes', async () => {
    const fractional = join(sample.dir, 'fractional.yaml');
    await writeFile(fractional, RULES.replace('name: every kind of condition', 'name: fractional\nbase_points: 2.5').replace('points: 15', 'points: 7.25')
      .replace('points: -10', 'points: -0.1'));
    for (const reasonCodes of [false, true]) {
      const scorer = await prepareScorer({ model, rules: fractional, input: { path: sample.leads }, reasons: 2, keep: ['job_title'], reasonCodes });
      const { job, raw } = jobOf(scorer, awkwardCsv());
      for (const format of reasonCodes ? ['ndjson' as const] : ['csv', 'ndjson'] as const) {
        const fast = scoreChunkBytes(scorer, job, format);
        const table = scoreChunk(scorer, job.schema, raw.raw, raw.dataRows, format);
        expect(new TextDecoder().decode(fast!.encoded)).toBe(table.text);
        expect([fast!.tiers, fast!.actions]).toEqual([table.tiers, table.actions]);
      }
      expect(new Set(scoreChunk(scorer, job.schema, raw.raw, raw.dataRows, 'csv').text.split('\n').map((l) => l.split(',')[7]))).toContain('9.75');
    }
  });

  it('on two threads writes the same bytes as on one', async () => {
    const options = { model: models.gbdt, rules, input: { path: sample.leads }, reasons: 0, keep: ['channel'], format: 'csv' as const, chunkRows: 301 };
    const one = await scoreStream({ ...options, output: join(sample.dir, 'b-one.csv'), threads: 1 });
    const two = await scoreStream({ ...options, output: join(sample.dir, 'b-two.csv'), threads: 2, parallelMinBytes: 0, parallelMinMs: 0 });
    expect(await readFile(join(sample.dir, 'b-two.csv'), 'utf8')).toBe(await readFile(join(sample.dir, 'b-one.csv'), 'utf8'));
    expect(two.summary).toEqual(one.summary);
  });

  for (const kind of ['logistic', 'gbdt', 'mlp'] as const) {
  it(`${kind}: agrees with the table path on random cells (quoted or not, missing tokens, formulas, unicode, wrong types)`, async () => {
    const scorer = await prepareScorer({ model: models[kind], rules, input: { path: sample.leads }, reasons: 3, keep: ['job_title', 'annual_revenue'] });
    const jsonScorer = await prepareScorer({ model: models[kind], rules, input: { path: sample.leads }, reasons: 3, keep: ['job_title', 'annual_revenue'], reasonCodes: true });
    // Without reasons or kept columns: rows numbered and written in WebAssembly (row-writer.ts).
    const plainScorer = await prepareScorer({ model: models[kind], rules, input: { path: sample.leads }, reasons: 0 });
    const columns = header.map((_, j) => [...new Set(lines.slice(1, 200).map((l) => l.split(',')[j]!))]);
    const odd = ['', 'NA', ' ', 'a,b', 'q"q', '=1+1', '-3', '  Software  ', 'é', '12', '1e3', 'x\ny', 'yes', 'No', '2024-13-45'];
    const quote = (v: string, forced: boolean) => (forced || /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    const cell = (j: number) => fc.tuple(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...columns[j]!) }, { weight: 1, arbitrary: fc.constantFrom(...odd) }), fc.boolean())
      .map(([v, forced]) => quote(v, forced));
    const record = fc.tuple(...header.map((_, j) => cell(j))).map((cells) => cells.join(','));
    // The first rows fix the schema (as the stream's first chunk does); random rows follow.
    const head = lines.slice(0, 60).join('\n');
    let byBytes = 0;
    fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), (records) => {
      const { job, raw } = jobOf(scorer, `${head}\n${records.join('\n')}\n`, head);
      const fast = scoreChunkBytes(scorer, job, 'csv');
      let table;
      try {
        table = scoreChunk(scorer, job.schema, raw.raw, raw.dataRows, 'csv');
      } catch (err) {
        expect((err as { code?: string }).code).toBe('WRONG_TYPE');
        expect(fast).toBeNull();
        return;
      }
      expect(fast).not.toBeNull();
      expect(new TextDecoder().decode(fast!.encoded)).toBe(table.text);
      expect([fast!.tiers, fast!.actions, fast!.unseen]).toEqual([table.tiers, table.actions, table.unseen]);
      const json = scoreChunkBytes(jsonScorer, job, 'ndjson');
      expect(new TextDecoder().decode(json!.encoded)).toBe(scoreChunk(jsonScorer, job.schema, raw.raw, raw.dataRows, 'ndjson').text);
      const plain = scoreChunkBytes(plainScorer, job, 'csv');
      const plainTable = scoreChunk(plainScorer, job.schema, raw.raw, raw.dataRows, 'csv');
      expect(new TextDecoder().decode(plain!.encoded)).toBe(plainTable.text);
      expect([plain!.tiers, plain!.actions]).toEqual([plainTable.tiers, plainTable.actions]);
      byBytes++;
    }), { numRuns: 150, seed: 11 });
    expect(byBytes).toBeGreaterThan(40); // most runs compare scores, not just the refusal
    const counts = rowWriterCounts(plainScorer)!;
    expect(counts.decided).toBeGreaterThan(40);
    expect(counts.written).toBeGreaterThan(10 * counts.leftToReference);
  });
  }
});

describe('the byte path with activity features', () => {
  it('computes each lead\'s aggregates as of its scoring time as the table path does (per-lead and fixed --as-of, reasons on and off)', async () => {
    const run = (await trainModels({ data: { path: sample.leads }, target: 'converted', date: 'created_at', activities: { path: sample.activities }, asOf: 'created_at+30d',
      models: ['rules', 'logistic', 'gbdt', 'mlp'], params: ['gbdt.trees=30', 'mlp.epochs=3'], out: join(sample.dir, 'act-run') })).runDir;
    for (const kind of ['logistic', 'gbdt', 'mlp'] as const) {
      for (const [asOf, reasons] of [[undefined, 0], [undefined, 3], ['2024-09-01', 2]] as const) {
        const options = { model: join(run, `${kind}.model.json`), input: { path: sample.leads }, activities: { path: sample.activities }, reasons, keep: ['channel'], ...(asOf ? { asOf } : {}) };
        const out = join(sample.dir, `act-${kind}-${reasons}-${asOf ?? 'lead'}.csv`);
        const streamed = await scoreStream({ ...options, output: out, format: 'csv', chunkRows: 701, threads: 1 });
        const { text, unseen } = await viaTable(options, join(sample.dir, `act-${kind}-${reasons}-${asOf ?? 'lead'}-table.csv`));
        expect(await readFile(out, 'utf8')).toBe(text);
        expect(streamed.summary.unseen).toEqual(unseen);
        if (asOf) expect(streamed.summary.asOf).toBe('2024-09-01T00:00:00.000Z');
        const scorer = await prepareScorer(options);
        expect(scoreChunkBytes(scorer, jobOf(scorer, lines.slice(0, 300).join('\n')).job, 'csv')).not.toBeNull();
      }
    }
  });
});

describe('ByteSink: the score columns written from integer digits', () => {
  const text = (write: (sink: ByteSink) => void) => {
    const sink = new ByteSink();
    write(sink);
    return new TextDecoder().decode(sink.take());
  };

  it('writes Number(p.toFixed(6)) and Math.round(p * 1000) / 10 as JavaScript prints them', () => {
    const ties = fc.integer({ min: 0, max: 999_999 }).map((k) => (k + 0.5) / 1e6);
    const tiny = fc.double({ min: 0, max: 2e-6, noNaN: true });
    const p = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), ties, tiny, fc.constantFrom(0, 1, 5e-7, 4.999999e-7, 0.9999995, 0.0005, 0.9995, 0.1 + 0.2 - 0.3));
    fc.assert(fc.property(p, (x) => {
      expect(text((s) => s.probability(x))).toBe(String(Number(x.toFixed(6))));
      expect(text((s) => s.score(x))).toBe(String(Math.round(x * 1000) / 10));
    }), { numRuns: 20_000, seed: 3 });
    for (let m = 0; m <= 1000; m++) expect(text((s) => s.score(m / 1000))).toBe(String(Math.round((m / 1000) * 1000) / 10));
  });

  it('writes a row without reasons (scoreRow) as the column writers write it, past a buffer\'s end too', () => {
    const ties = fc.integer({ min: 0, max: 999_999 }).map((k) => (k + 0.5) / 1e6);
    const p = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), ties, fc.constantFrom(0, 1, 5e-7, 0.9999995, 0.0005, 0.9995, Number.NaN, -0.5, 1.5));
    const segment = fc.uint8Array({ minLength: 0, maxLength: 80 });
    const bytes = (write: (sink: ByteSink) => void) => {
      const sink = new ByteSink();
      write(sink);
      return Buffer.from(sink.take()).toString('hex');
    };
    fc.assert(fc.property(fc.array(fc.tuple(p, segment), { minLength: 1, maxLength: 1500 }), (rows) => {
      const reference = bytes((s) => {
        for (const [x, tail] of rows) {
          s.put(44);
          s.probability(x);
          s.put(44);
          s.score(x);
          s.write(tail);
        }
      });
      const probability = Float64Array.from(rows, ([x]) => x);
      expect(bytes((s) => rows.forEach(([, tail], i) => s.scoreRow(probability, i, tail)))).toBe(reference);
    }), { numRuns: 100, seed: 5 });
  });
});

/** A 32-bit integer's bits mixed (MurmurHash3's finaliser): a row number's stand-in for a random draw. */
function mix32(k: number): number {
  k = Math.imul(k ^ (k >>> 16), 0x85ebca6b);
  k = Math.imul(k ^ (k >>> 13), 0xc2b2ae35);
  return (k ^ (k >>> 16)) >>> 0;
}
