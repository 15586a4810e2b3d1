import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeCsvColumns, writeNdjsonColumns, writeTable } from '../../src/data/io/write.ts';
import { prepareScorer, scoreLeads } from '../../src/scoring/score.ts';
import { canStream, scoreFile, scoreStream } from '../../src/scoring/stream.ts';
import { trainModels } from '../../src/train/train.ts';
import { smallSample } from '../train/fixture.ts';

let sample: Awaited<ReturnType<typeof smallSample>>;
let run: string;
let lines: string[];
let header: string[];

beforeAll(async () => {
  sample = await smallSample();
  // No account features: every lead scores on its own, so chunks are independent.
  run = (await trainModels({ data: { path: sample.leads }, target: 'converted', activities: { path: sample.activities }, asOf: 'created_at+30d',
    date: 'created_at', models: ['rules', 'logistic', 'gbdt'], params: ['gbdt.trees=60'], out: join(sample.dir, 'run') })).runDir;
  lines = (await readFile(sample.leads, 'utf8')).trimEnd().split('\n');
  header = lines[0]!.split(',');
});

/** A copy of the sample with some cells replaced: { row (1-based data row): { column: value } }. */
async function edited(name: string, edits: Record<number, Record<string, string>>): Promise<string> {
  const out = lines.map((line, k) => {
    const e = edits[k];
    if (!e) return line;
    return line.split(',').map((cell, j) => e[header[j]!] ?? cell).join(',');
  });
  const path = join(sample.dir, name);
  await writeFile(path, `${out.join('\n')}\n`);
  return path;
}

describe('streaming scoring', () => {
  it('refuses a workbook renamed .csv for what it is, before reading it as CSV (no output)', async () => {
    const path = join(sample.dir, 'workbook.csv');
    await writeFile(path, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), Buffer.from('[Content_Types].xml'), Buffer.from('a;b;c\n'.repeat(50))]));
    const output = join(sample.dir, 'workbook-scores.csv');
    await expect(scoreStream({ model: join(run, 'logistic.model.json'), input: { path }, activities: { path: sample.activities }, output, format: 'csv' }))
      .rejects.toThrow(`${path} is an Excel workbook (.xlsx), not a CSV file`);
    expect(existsSync(output)).toBe(false);
  });

  it('chunks by default: 2,000 rows, 8,192 for a tree model\'s reasons (TreeSHAP shares its tables among a chunk\'s rows)', async () => {
    const path = join(sample.dir, 'four-times.csv');
    await writeFile(path, `${[lines[0], ...Array.from({ length: 4 }, () => lines.slice(1)).flat()].join('\n')}\n`);
    const chunks = async (model: string, reasons: number) => {
      const progress: number[] = [];
      await scoreStream({ model: join(run, `${model}.model.json`), input: { path }, activities: { path: sample.activities }, output: join(sample.dir, `four-${model}-${reasons}.csv`),
        format: 'csv', threads: 1, reasons, onProgress: (rows) => progress.push(rows) });
      return progress;
    };
    expect(await chunks('gbdt', 3)).toEqual([8192, 12000]);
    expect(await chunks('gbdt', 0)).toEqual([2000, 4000, 6000, 8000, 10000, 12000]);
    expect(await chunks('logistic', 3)).toEqual([2000, 4000, 6000, 8000, 10000, 12000]);
  });

  it('a chunk longer than the read buffer (4 MiB): the buffer grows, and the bytes are those of small chunks', async () => {
    const path = join(sample.dir, 'sixteen-times.csv');
    await writeFile(path, `${[lines[0], ...Array.from({ length: 16 }, () => lines.slice(1)).flat()].join('\n')}\n`);
    expect((await readFile(path)).length).toBeGreaterThan(4 * 2 ** 20);
    const options = { model: join(run, 'logistic.model.json'), input: { path }, activities: { path: sample.activities }, format: 'csv' as const, threads: 1 };
    const progress: number[] = [];
    await scoreStream({ ...options, output: join(sample.dir, 'sixteen-one-chunk.csv'), chunkRows: 48000, onProgress: (rows) => progress.push(rows) });
    await scoreStream({ ...options, output: join(sample.dir, 'sixteen-small-chunks.csv'), chunkRows: 997 });
    expect(progress).toEqual([48000]);
    expect(await readFile(join(sample.dir, 'sixteen-one-chunk.csv'), 'utf8')).toBe(await readFile(join(sample.dir, 'sixteen-small-chunks.csv'), 'utf8'));
  });

  it('cuts a file of plain lines (LF or CRLF) into chunks in WebAssembly, one with quotes by scanRecords where they are: the same bytes', async () => {
    const options = { model: join(run, 'logistic.model.json'), activities: { path: sample.activities }, format: 'csv' as const, threads: 1, chunkRows: 500 };
    const lf = await scoreStream({ ...options, input: { path: sample.leads }, output: join(sample.dir, 'cut-lf.csv') });
    const crlf = join(sample.dir, 'cut-crlf.csv');
    await writeFile(crlf, `${lines.join('\r\n')}\r\n`);
    const fromCrlf = await scoreStream({ ...options, input: { path: crlf }, output: join(sample.dir, 'cut-crlf-out.csv') });
    const quoted = join(sample.dir, 'cut-quoted.csv');
    // a quoted cell in the fourth chunk (the same value unquoted)
    const at = 1700;
    await writeFile(quoted, `${lines.map((l, k) => (k === at ? l.replace(/,([^,]*)$/, ',"$1"') : l)).join('\n')}\n`);
    const fromQuoted = await scoreStream({ ...options, input: { path: quoted }, output: join(sample.dir, 'cut-quoted-out.csv') });
    expect(lf.chunks.cutInWasm).toBe(6);
    expect(fromCrlf.chunks.cutInWasm).toBe(6);
    expect(fromQuoted.chunks.cutInWasm).toBe(5);
    const expected = await readFile(join(sample.dir, 'cut-lf.csv'), 'utf8');
    expect(await readFile(join(sample.dir, 'cut-crlf-out.csv'), 'utf8')).toBe(expected);
    expect(await readFile(join(sample.dir, 'cut-quoted-out.csv'), 'utf8')).toBe(expected);
  });

  for (const model of ['logistic', 'gbdt']) {
    it(`${model}: chunk by chunk gives the same bytes as scoring the whole file in memory (CSV and NDJSON)`, async () => {
      const options = { model: join(run, `${model}.model.json`), input: { path: sample.leads }, activities: { path: sample.activities }, keep: ['channel'] };
      const whole = await scoreLeads(options);
      const expectedCsv = join(sample.dir, `${model}-whole.csv`);
      await writeCsvColumns(expectedCsv, whole.names, whole.columns, { safe: true });
      const streamed = join(sample.dir, `${model}-stream.csv`);
      const progress: number[] = [];
      const r = await scoreStream({ ...options, output: streamed, format: 'csv', chunkRows: 701, onProgress: (rows) => progress.push(rows) });
      expect(await readFile(streamed, 'utf8')).toBe(await readFile(expectedCsv, 'utf8'));
      expect(r.summary).toMatchObject({ rows: 3000, rejected: 0, tiers: whole.summary.tiers, actions: whole.summary.actions });
      expect(progress).toEqual([701, 1402, 2103, 2804, 3000]);
      const expectedJson = join(sample.dir, `${model}-whole.ndjson`);
      await writeNdjsonColumns(expectedJson, whole.names, whole.columns);
      const streamedJson = join(sample.dir, `${model}-stream.ndjson`);
      await scoreStream({ ...options, output: streamedJson, format: 'ndjson', chunkRows: 1000 });
      expect(await readFile(streamedJson, 'utf8')).toBe(await readFile(expectedJson, 'utf8'));
    });
  }

  it('Parquet out is streamed as NDJSON and converted: the same file as writing the whole table, no temporary file left', async () => {
    const options = { model: join(run, 'gbdt.model.json'), input: { path: sample.leads }, activities: { path: sample.activities }, keep: ['channel'] };
    const whole = await scoreLeads(options);
    const dir = join(sample.dir, 'parquet-out');
    await mkdir(dir, { recursive: true });
    const expected = join(dir, 'whole.parquet');
    await writeTable(expected, whole.names, whole.columns, 'parquet');
    const streamed = join(dir, 'streamed.parquet');
    // Told when the rows are done and the conversion starts (the CLI says so under its progress bar).
    const steps: string[] = [];
    const r = await scoreFile({ ...options, output: streamed, format: 'parquet', chunkRows: 701,
      onProgress: (rows) => steps.push(`rows ${rows}`), onConvert: () => steps.push('convert') });
    expect(steps.at(-1)).toBe('convert');
    expect(steps.at(-2)).toBe('rows 3000');
    expect(steps.filter((s) => s === 'convert')).toHaveLength(1);
    expect(r.streamed).toBe(true);
    expect(r.summary).toMatchObject({ rows: 3000, tiers: whole.summary.tiers });
    expect(Buffer.compare(await readFile(streamed), await readFile(expected))).toBe(0);
    expect((await readdir(dir)).sort()).toEqual(['streamed.parquet', 'whole.parquet']);
  });

  it('Parquet and SQL input are streamed from DuckDB a chunk at a time: the same output, summary and errors as in memory', async () => {
    const { queryColumns } = await import('../../src/data/io/duckdb.ts');
    const dir = join(sample.dir, 'parquet-in');
    await mkdir(dir, { recursive: true });
    const parquet = join(dir, 'leads.parquet');
    await queryColumns(`copy (select * from read_csv('${sample.leads}')) to '${parquet}' (format parquet)`);
    const sql = `select * from read_parquet('${parquet}') where channel <> 'webinar'`;
    for (const [model, input] of [['logistic', { path: parquet }], ['gbdt', { path: parquet }], ['logistic', { sql }]] as const) {
      const options = { model: join(run, `${model}.model.json`), input, activities: { path: sample.activities }, keep: ['channel', 'annual_revenue'] };
      const whole = await scoreLeads(options);
      const expected = join(dir, `${model}-whole.csv`);
      await writeCsvColumns(expected, whole.names, whole.columns, { safe: true });
      const streamed = join(dir, `${model}-streamed.csv`);
      const progress: number[] = [];
      const r = await scoreFile({ ...options, output: streamed, format: 'csv', chunkRows: 700, onProgress: (rows) => progress.push(rows) });
      expect(r.streamed).toBe(true);
      expect(progress.length).toBeGreaterThan(1); // DuckDB's chunks of 2,048 rows, more than one
      expect(await readFile(streamed, 'utf8')).toBe(await readFile(expected, 'utf8'));
      expect(r.summary).toEqual(whole.summary);
    }
    // A value of the wrong type in the second chunk: the same exit-2 error, naming the same row, and no output.
    const bad = join(dir, 'bad.parquet');
    await queryColumns(`copy (select * replace (case when row_number() over () = 2500 then 'lots' else cast(annual_revenue as varchar) end as annual_revenue)
      from read_csv('${sample.leads}')) to '${bad}' (format parquet)`);
    const options = { model: join(run, 'logistic.model.json'), input: { path: bad }, activities: { path: sample.activities } };
    const inMemory = await scoreLeads(options).catch((e: Error) => e);
    const out = join(dir, 'bad-out.csv');
    const streamedError = await scoreFile({ ...options, output: out, format: 'csv' }).catch((e: Error) => e);
    expect(streamedError).toBeInstanceOf(Error);
    expect((streamedError as Error).message).toBe((inMemory as Error).message);
    expect((streamedError as Error).message, (streamedError as Error).message).toContain('2500');
    expect(existsSync(out)).toBe(false);
  });

  it('streams only what chunks cannot change: not the account roll-up, not models with account features', async () => {
    const scorer = await prepareScorer({ model: join(run, 'logistic.model.json'), input: { path: sample.leads }, activities: { path: sample.activities } });
    expect(canStream({ model: '', input: { path: 'a.csv' } }, 'csv', scorer)).toBe(true);
    expect(canStream({ model: '', input: { path: 'a.csv' }, account: 'account_id' }, 'csv', scorer)).toBe(false);
    expect(canStream({ model: '', input: { path: 'a.parquet' } }, 'csv', scorer)).toBe(true); // from DuckDB, chunk by chunk
    expect(canStream({ model: '', input: { path: 'a.json' } }, 'csv', scorer)).toBe(false);
    expect(canStream({ model: '', input: { path: 'a.csv' } }, 'parquet', scorer)).toBe(true); // by way of streamed NDJSON
    const artifact = { ...scorer.loaded.artifact, activities: { asOf: 'created_at+30d', account: 'account_id' } };
    const withAccount = { ...scorer, loaded: { ...scorer.loaded, artifact } };
    expect(canStream({ model: '', input: { path: 'a.csv' } }, 'csv', withAccount)).toBe(false);
  });
});

describe('values of the wrong type', () => {
  const model = () => join(run, 'logistic.model.json');

  it('fail the run with exit-2 errors naming the first rows, in memory and streaming, leaving no output', async () => {
    const path = await edited('bad.csv', { 5: { annual_revenue: 'lots' }, 2100: { annual_revenue: '12k', created_at: 'yesterday' } });
    const options = { model: model(), input: { path }, activities: { path: sample.activities } };
    await expect(scoreLeads(options)).rejects.toMatchObject({ code: 'WRONG_TYPE', message: expect.stringContaining('2 rows hold values of the wrong type (row 5: annual_revenue = "lots" is not a number; 2 more values listed)'),
      issues: [{ row: 5, column: 'annual_revenue' }, { row: 2100, column: 'created_at' }, { row: 2100, column: 'annual_revenue' }] });
    const out = join(sample.dir, 'bad-out.csv');
    await expect(scoreStream({ ...options, output: out, format: 'csv', chunkRows: 1000 })).rejects.toMatchObject({ code: 'WRONG_TYPE', message: expect.stringContaining('row 5: annual_revenue') });
    expect(existsSync(out)).toBe(false);
    // The first bad row sits in a later chunk: the partial output is removed too.
    const late = await edited('bad-late.csv', { 2100: { created_at: 'yesterday' } });
    await expect(scoreStream({ ...options, input: { path: late }, output: out, format: 'csv', chunkRows: 1000 })).rejects.toMatchObject({ message: expect.stringContaining('row 2100: created_at = "yesterday" is not a date') });
    expect(existsSync(out)).toBe(false);
  });

  it('with --on-error skip: the rest is scored as if the bad rows were absent, and the bad rows go to a rejects file', async () => {
    const bad = { 5: { annual_revenue: 'lots' }, 2100: { annual_revenue: '12k', created_at: 'yesterday' } };
    const path = await edited('skip.csv', bad);
    const clean = join(sample.dir, 'clean.csv');
    await writeFile(clean, `${lines.filter((_, k) => !(k in bad)).join('\n')}\n`);
    const options = { model: model(), activities: { path: sample.activities }, onError: 'skip' as const };
    const expected = await scoreLeads({ ...options, input: { path: clean } });
    const memory = await scoreLeads({ ...options, input: { path } });
    expect(memory.summary).toMatchObject({ rows: 2998, rejected: 2 });
    expect(memory.columns.slice(1)).toEqual(expected.columns.slice(1));
    expect(memory.rejected!.rows.map((r) => [r[0], r[1]])).toEqual([['5', 'annual_revenue: "lots" is not a number'],
      ['2100', 'created_at: "yesterday" is not a date; annual_revenue: "12k" is not a number']]);
    const out = join(sample.dir, 'skip-out.csv');
    const streamed = await scoreStream({ ...options, input: { path }, output: out, format: 'csv', chunkRows: 500 });
    expect(streamed.summary).toMatchObject({ rows: 2998, rejected: 2 });
    const rejects = (await readFile(`${out}.rejects.csv`, 'utf8')).trimEnd().split('\n');
    expect(rejects[0]).toBe(`row,error,${lines[0]}`);
    expect(rejects[1]).toMatch(/^5,"annual_revenue: ""lots"" is not a number",L000005,/);
    expect(rejects).toHaveLength(3);
  });

  it('from the CLI: exit 2 with the rows, or skip with a rejects file named in the summary', async () => {
    const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');
    const path = await edited('cli-bad.csv', { 7: { annual_revenue: 'n/a!' } });
    const out = join(sample.dir, 'cli-out.csv');
    const base = ['score', '--model', model(), '--input', path, '--activities', sample.activities, '--output', out];
    const failed = spawnSync(process.execPath, [bin, ...base], { encoding: 'utf8' });
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain('error: 1 row holds values of the wrong type (row 7: annual_revenue = "n/a!" is not a number)');
    expect(failed.stderr).toMatch(/^hint: .*--on-error skip/m);
    expect(existsSync(out)).toBe(false);
    const skipped = spawnSync(process.execPath, [bin, ...base, '--on-error', 'skip', '--json'], { encoding: 'utf8' });
    expect(skipped.status, skipped.stderr).toBe(0);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ rows: 2999, rejected: 1, rejects: `${out}.rejects.csv` });
  });
});

describe('reasons as data, and --sql input', () => {
  it('NDJSON and Parquet carry reason_codes matching the reasons text; --sql reads the leads from DuckDB', async () => {
    const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');
    const out = join(sample.dir, 'reasons.ndjson');
    const r = spawnSync(process.execPath, [bin, 'score', '--model', join(run, 'gbdt.model.json'), '--input', sample.leads, '--activities', sample.activities, '--output', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const records = (await readFile(out, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(3000);
    const { reasonText } = await import('../../src/scoring/reasons.ts');
    for (const rec of records.slice(0, 200)) {
      expect(rec.reason_codes.length).toBeLessThanOrEqual(3);
      expect(reasonText(rec.reason_codes)).toBe(rec.reasons);
    }
    const parquet = join(sample.dir, 'reasons.parquet');
    const q = spawnSync(process.execPath, [bin, 'score', '--model', join(run, 'logistic.model.json'), '--sql', `select * from read_csv('${sample.leads}') where channel = 'webinar'`,
      '--activities', sample.activities, '--output', parquet, '--json'], { encoding: 'utf8' });
    expect(q.status, q.stderr).toBe(0);
    const webinar = lines.slice(1).filter((l) => l.split(',')[header.indexOf('channel')] === 'webinar').length;
    expect(JSON.parse(q.stdout).rows).toBe(webinar);
    const { queryColumns } = await import('../../src/data/io/duckdb.ts');
    const back = await queryColumns(`select typeof(reason_codes) as t, reason_codes[1].column as c from read_parquet('${parquet}') limit 1`);
    expect(back.columns[0]![0]).toBe('STRUCT("column" VARCHAR, "value" VARCHAR, contribution DOUBLE)[]');
    // CSV carries the reasons as text only, whoever asks for reason_codes (the same file either way); a
    // whole table written as CSV shows them as JSON text.
    const options = { model: join(run, 'logistic.model.json'), input: { path: sample.leads }, activities: { path: sample.activities }, format: 'csv' as const, threads: 1 };
    await scoreStream({ ...options, output: join(sample.dir, 'codes-asked.csv'), reasonCodes: true });
    await scoreStream({ ...options, output: join(sample.dir, 'codes-not.csv') });
    expect(await readFile(join(sample.dir, 'codes-asked.csv'), 'utf8')).toBe(await readFile(join(sample.dir, 'codes-not.csv'), 'utf8'));
    const whole = await scoreLeads({ ...options, reasonCodes: true });
    await writeCsvColumns(join(sample.dir, 'codes-whole.csv'), whole.names, whole.columns, { safe: true });
    const [head, first] = (await readFile(join(sample.dir, 'codes-whole.csv'), 'utf8')).split('\n');
    expect(head!.split(',')).toContain('reason_codes');
    expect(first).toContain('""column"":');
    expect(first).not.toContain('[object Object]');
  });
});

describe('streaming on two cores (chunks scored in workers)', () => {
  const two = { threads: 2, parallelMinBytes: 0, parallelMinMs: 0 };

  for (const model of ['logistic', 'gbdt']) {
    it(`${model}: the same bytes, summary and progress as one thread`, async () => {
      const options = { model: join(run, `${model}.model.json`), input: { path: sample.leads }, activities: { path: sample.activities }, keep: ['channel'], format: 'csv' as const, chunkRows: 701 };
      const oneOut = join(sample.dir, `${model}-one.csv`);
      const twoOut = join(sample.dir, `${model}-two.csv`);
      const progress: number[] = [];
      const one = await scoreStream({ ...options, output: oneOut, threads: 1 });
      const parallel = await scoreStream({ ...options, ...two, output: twoOut, onProgress: (rows) => progress.push(rows) });
      expect(await readFile(twoOut, 'utf8')).toBe(await readFile(oneOut, 'utf8'));
      expect(parallel.summary).toEqual(one.summary);
      expect(progress).toEqual([701, 1402, 2103, 2804, 3000]);
    });
  }

  it('a file past the read buffer with workers started at once: the chunk that waits for them keeps its bytes', async () => {
    const path = join(sample.dir, 'twenty-times.csv');
    await writeFile(path, `${[lines[0], ...Array.from({ length: 20 }, () => lines.slice(1)).flat()].join('\n')}\n`);
    expect((await readFile(path)).length).toBeGreaterThan(5 * 2 ** 20);
    const options = { model: join(run, 'logistic.model.json'), input: { path }, activities: { path: sample.activities }, format: 'csv' as const, chunkRows: 2000, reasons: 0 };
    await scoreStream({ ...options, output: join(sample.dir, 'twenty-one.csv'), threads: 1 });
    await scoreStream({ ...options, ...two, output: join(sample.dir, 'twenty-two.csv') });
    expect(await readFile(join(sample.dir, 'twenty-two.csv'), 'utf8')).toBe(await readFile(join(sample.dir, 'twenty-one.csv'), 'utf8'));
  });

  it('values of the wrong type: the same exit-2 error and no output; with skip, the same output and rejects', async () => {
    const options = { model: join(run, 'logistic.model.json'), activities: { path: sample.activities }, format: 'csv' as const, chunkRows: 500 };
    const late = await edited('two-bad.csv', { 2100: { created_at: 'yesterday' }, 40: { annual_revenue: 'lots' } });
    const out = join(sample.dir, 'two-bad-out.csv');
    await expect(scoreStream({ ...options, ...two, input: { path: late }, output: out })).rejects.toMatchObject({ name: 'DataError', code: 'WRONG_TYPE',
      message: expect.stringContaining('row 40: annual_revenue = "lots" is not a number'), issues: [{ row: 40, column: 'annual_revenue' }] });
    expect(existsSync(out)).toBe(false);
    const oneOut = join(sample.dir, 'skip-one.csv');
    const twoOut = join(sample.dir, 'skip-two.csv');
    const one = await scoreStream({ ...options, onError: 'skip', input: { path: late }, output: oneOut, threads: 1 });
    const parallel = await scoreStream({ ...options, ...two, onError: 'skip', input: { path: late }, output: twoOut });
    expect(parallel.summary).toEqual(one.summary);
    expect(parallel.summary.rejected).toBe(2);
    expect(await readFile(twoOut, 'utf8')).toBe(await readFile(oneOut, 'utf8'));
    expect(await readFile(`${twoOut}.rejects.csv`, 'utf8')).toBe(await readFile(`${oneOut}.rejects.csv`, 'utf8'));
  });

  it('a quote left open at the end: the parser error on one thread and on two, and no output', async () => {
    const path = join(sample.dir, 'open-quote.csv');
    await writeFile(path, `${lines.slice(0, 1500).join('\n')}\n${lines[1500]!.replace(',', ',"')}\n`);
    for (const threads of [{ threads: 1 }, two]) {
      const out = join(sample.dir, `open-quote-${threads.threads}.csv`);
      await expect(scoreStream({ model: join(run, 'logistic.model.json'), activities: { path: sample.activities }, input: { path }, output: out, format: 'csv', chunkRows: 400, ...threads }))
        .rejects.toMatchObject({ code: 'CSV_UNTERMINATED_QUOTE', message: expect.stringContaining('line 1501') });
      expect(existsSync(out)).toBe(false);
    }
  });

  it('a record with more fields than the header: the same exit-2 error on one thread and on two', async () => {
    const path = await edited('long-record.csv', { 1200: { converted: '0,extra' } });
    for (const threads of [{ threads: 1 }, two]) {
      const out = join(sample.dir, `long-record-${threads.threads}.csv`);
      await expect(scoreStream({ model: join(run, 'logistic.model.json'), activities: { path: sample.activities }, input: { path }, output: out, format: 'csv', chunkRows: 400, ...threads }))
        .rejects.toMatchObject({ code: 'CSV_TOO_MANY_FIELDS', message: `line 1201 has ${header.length + 1} fields but the header has ${header.length}` });
      expect(existsSync(out)).toBe(false);
    }
  });
});
