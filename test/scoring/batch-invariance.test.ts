/**
 * A lead's score depends on the lead and the model alone: never on the other leads in its file, their
 * order, the chunk size, the thread count or the code path. Leads are generated with the traps that broke
 * this before (issue 17): a yes/no column that holds only "No" in a batch, placeholder tokens given with
 * --na at training, a constant and an all-missing column, unseen categories, dates past the training
 * dates. `evaluate` and the exported SQL (run in DuckDB) must give the probabilities `score` gives.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetWithReading } from '../../src/data/io/dataset.ts';
import { queryColumns, sqlString } from '../../src/data/io/duckdb.ts';
import { readTable } from '../../src/data/io/read.ts';
import { writeCsvColumns } from '../../src/data/io/write.ts';
import { loadModel } from '../../src/models/artifact.ts';
import { createRng, type Rng } from '../../src/random.ts';
import { scoreLeads } from '../../src/scoring/score.ts';
import { exportSql } from '../../src/scoring/sql/export-sql.ts';
import { scoreStream } from '../../src/scoring/stream.ts';
import { evaluateModel } from '../../src/evaluation/evaluate.ts';
import { trainModels } from '../../src/train/train.ts';
import { tempDir } from '../helpers.ts';

const HEADER = ['lead_id', 'signup_date', 'opt_in', 'revenue', 'channel', 'segment', 'constant_col', 'empty_col', 'converted'];
const CHANNELS = ['web', 'event', 'partner', 'ads'];
const SEGMENTS = ['smb', 'mid', 'ent'];
const DAY = 86_400_000;

interface LeadOptions {
  first: number;
  /** Days after 2024-01-01 the sign-up dates span. */
  days: number;
  /** Share of leads in a channel never seen in training. */
  unseen: number;
  /** Share of leads dated after the training dates. */
  late: number;
}

/** Generated leads as CSV fields, with a true conversion probability driven by opt-in, revenue, channel and segment. */
function leads(rng: Rng, n: number, o: LeadOptions): string[][] {
  const rows: string[][] = [];
  for (let i = 0; i < n; i++) {
    const optIn = rng.next() < 0.4;
    const revenueKnown = rng.next();
    const revenue = Math.round(Math.exp(10 + 1.5 * rng.normal())) / 100;
    const channel = rng.next() < o.unseen ? 'carrier pigeon' : CHANNELS[rng.int(CHANNELS.length)]!;
    const segment = rng.next() < 0.1 ? 'Select' : SEGMENTS[rng.int(SEGMENTS.length)]!;
    const day = rng.next() < o.late ? 400 + rng.int(300) : rng.int(o.days);
    const logit = -1.6 + (optIn ? 1.1 : 0) + 0.25 * Math.log10(revenue + 1) + (channel === 'event' ? 0.8 : channel === 'ads' ? -0.5 : 0) + (segment === 'ent' ? 0.6 : 0);
    const converted = rng.next() < 1 / (1 + Math.exp(-logit));
    rows.push([
      `L${String(o.first + i).padStart(6, '0')}`, new Date(Date.UTC(2024, 0, 1) + day * DAY).toISOString().slice(0, 10), optIn ? 'Yes' : 'No',
      revenueKnown < 0.05 ? 'unknown' : revenueKnown < 0.1 ? '' : String(revenue), channel, segment, 'x', '', converted ? 'yes' : 'no',
    ]);
  }
  return rows;
}

const csv = (rows: string[][], eol = '\n') => [HEADER, ...rows].map((r) => r.join(',')).join(eol) + eol;

let dir: string;
let run: string;
let scoring: string[][];
/** Each scoring lead's output line (by id) from scoring the whole file in memory, per model. */
const reference: Record<string, Map<string, string>> = {};
/** The whole file's probabilities per model, by id. */
const probabilities: Record<string, Map<string, number>> = {};
const MODELS = ['logistic', 'gbdt'] as const;

beforeAll(async () => {
  dir = await tempDir();
  const rng = createRng(2024);
  const training = join(dir, 'training.csv');
  await writeFile(training, csv(leads(rng.fork('train'), 1500, { first: 1, days: 366, unseen: 0, late: 0 })));
  run = (await trainModels({ data: { path: training }, target: 'converted', na: 'unknown,Select', models: ['rules', 'logistic', 'gbdt'],
    params: ['gbdt.trees=25', 'logistic.C=1'], out: join(dir, 'run') })).runDir;
  scoring = leads(rng.fork('score'), 240, { first: 100_001, days: 366, unseen: 0.15, late: 0.1 });
  // Every fourth lead opted out: a batch of those holds only "No".
  const whole = join(dir, 'scoring.csv');
  await writeFile(whole, csv(scoring));
  for (const model of MODELS) {
    const scored = await scoreLeads({ model: join(run, `${model}.model.json`), input: { path: whole } });
    const out = join(dir, `whole-${model}.csv`);
    await writeCsvColumns(out, scored.names, scored.columns, { safe: true });
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n').slice(1);
    reference[model] = new Map(lines.map((l) => [l.slice(0, l.indexOf(',')), l]));
    const p = scored.columns[scored.names.indexOf('probability')] as number[];
    probabilities[model] = new Map(scoring.map((r, i) => [r[0]!, p[i]!]));
  }
}, 120_000);

/** The output lines of scoring `rows` as one file, by id. */
async function scoredLines(model: string, rows: string[][], name: string, how: { chunkRows: number; threads: number; eol: string }):
  Promise<{ lines: Map<string, string>; chunks: { bytePath: number; tablePath: number; onWorkers: number } }> {
  const input = join(dir, `${name}.csv`);
  await writeFile(input, csv(rows, how.eol));
  const output = join(dir, `${name}-out.csv`);
  const r = await scoreStream({ model: join(run, `${model}.model.json`), input: { path: input }, output, format: 'csv', chunkRows: how.chunkRows, threads: how.threads,
    ...(how.threads > 1 ? { parallelMinBytes: 0, parallelMinMs: 0 } : {}) });
  const lines = (await readFile(output, 'utf8')).trimEnd().split('\n').slice(1);
  return { lines: new Map(lines.map((l) => [l.slice(0, l.indexOf(',')), l])), chunks: r.chunks };
}

describe('a lead scores the same in any batch', () => {
  it('the training run says what its date feature means and warns that no scoring time anchors it', async () => {
    const metrics = JSON.parse(await readFile(join(run, 'metrics.json'), 'utf8')) as { warnings: string[] };
    expect(metrics.warnings.join('\n')).toMatch(/signup_date is a date used as a feature with no scoring time: its age counts from 2024-12-3\d.*Pass --date signup_date/);
  });

  for (const model of MODELS) {
    it(`${model}: a batch whose yes/no column holds only "No" scores each lead as the whole file does (it was read as "yes")`, async () => {
      const optedOut = scoring.filter((r) => r[2] === 'No' && r[3] !== 'unknown').slice(0, 49);
      const { lines } = await scoredLines(model, optedOut, `only-no-${model}`, { chunkRows: 2000, threads: 1, eol: '\n' });
      for (const r of optedOut) expect(lines.get(r[0]!)).toBe(reference[model]!.get(r[0]!));
      expect([...lines.values()].join('\n')).not.toMatch(/opt_in = yes/);
    });

    it(`${model}: the --na tokens of training apply without repeating --na, and a contradicting --na is refused`, async () => {
      const placeholders = scoring.filter((r) => r[3] === 'unknown' || r[5] === 'Select').slice(0, 30);
      expect(placeholders.length).toBeGreaterThan(10);
      const { lines } = await scoredLines(model, placeholders, `placeholders-${model}`, { chunkRows: 7, threads: 1, eol: '\n' });
      for (const r of placeholders) expect(lines.get(r[0]!)).toBe(reference[model]!.get(r[0]!));
      const { summary } = await scoreLeads({ model: join(run, `${model}.model.json`), input: { path: join(dir, 'scoring.csv') } });
      expect(summary.unseen.segment ?? 0).toBe(0); // "Select" is missing, not an unseen level
      await expect(scoreLeads({ model: join(run, `${model}.model.json`), input: { path: join(dir, 'scoring.csv') }, na: 'unknown' }))
        .rejects.toThrow(/--na "unknown" differs from the missing-value tokens .* was trained with \("unknown", "Select"\)/);
      await expect(scoreLeads({ model: join(run, `${model}.model.json`), input: { path: join(dir, 'scoring.csv') }, na: 'unknown,Select' })).resolves.toBeDefined();
    });

    it(`${model}: leads dated after the training dates are counted and their reasons say so; unseen channels above 10% are a warning`, async () => {
      const { summary, names, columns } = await scoreLeads({ model: join(run, `${model}.model.json`), input: { path: join(dir, 'scoring.csv') } });
      const late = scoring.filter((r) => r[1]! > '2024-12-31').length;
      expect(late).toBeGreaterThan(10);
      expect(summary.outOfRange).toEqual({ signup_date: late });
      const reasons = columns[names.indexOf('reasons')] as string[];
      scoring.forEach((r, i) => expect(reasons[i]!.includes(`signup_date ${r[1]} is outside the training dates (2024-01-01 to 2024-12-3`)).toBe(r[1]! > '2024-12-31'));
      const unseen = scoring.filter((r) => r[4] === 'carrier pigeon').length;
      expect(summary.unseen.channel).toBe(unseen);
      expect(summary.warnings.join('\n')).toContain(`channel: ${(100 * unseen / scoring.length).toFixed(1)}% of leads (${unseen}) hold categories never seen in training`);
      expect(summary.warnings.join('\n')).toContain(`signup_date: ${late} leads are dated outside the training dates`);
    });
  }

  it('evaluate reads the file with the model\'s settings: no --positive or --na needed, the same probabilities as score; contradictions refused', async () => {
    const whole = join(dir, 'scoring.csv');
    for (const model of MODELS) {
      const result = await evaluateModel({ model: join(run, `${model}.model.json`), data: { path: whole } });
      expect(result.dataset.rows).toBe(scoring.length);
      expect(result.unseen.channel).toBe(scoring.filter((r) => r[4] === 'carrier pigeon').length);
    }
    // The probabilities evaluate scores are the model's own predict on the file read with its settings.
    const loaded = await loadModel(join(run, 'logistic.model.json'));
    const data = datasetWithReading(await readTable({ path: whole }), loaded.artifact.reading, new Map());
    const p = loaded.predict(data);
    scoring.forEach((r, i) => expect(Number(p[i]!.toFixed(6))).toBe(probabilities.logistic!.get(r[0]!)));
    await expect(evaluateModel({ model: join(run, 'logistic.model.json'), data: { path: whole }, na: 'Select' })).rejects.toThrow(/--na "Select" differs/);
  });

  it('a two-valued target trained with --positive needs no --positive at evaluate; a different one is refused', async () => {
    const text = (await readFile(join(dir, 'training.csv'), 'utf8')).replaceAll(/,yes(\r?\n)/g, ',won$1').replaceAll(/,no(\r?\n)/g, ',lost$1');
    const training = join(dir, 'won-lost.csv');
    await writeFile(training, text);
    const won = (await trainModels({ data: { path: training }, target: 'converted', positive: 'won', na: 'unknown,Select', models: ['logistic'], params: ['logistic.C=1'], out: join(dir, 'won-run') })).runDir;
    const result = await evaluateModel({ model: join(won, 'logistic.model.json'), data: { path: training } });
    expect(result.dataset.positives).toBe((text.match(/,won\n/g) ?? []).length);
    await expect(evaluateModel({ model: join(won, 'logistic.model.json'), data: { path: training }, positive: 'lost' })).rejects.toThrow(/--positive "lost" differs from the value .* was trained with \("won"\)/);
  });

  it('a yes/no cell that is neither word is a bad value (exit 2 naming the row), never read as "yes"', async () => {
    const rows = scoring.slice(0, 20).map((r, i) => (i === 6 ? [...r.slice(0, 2), 'maybe', ...r.slice(3)] : r));
    const input = join(dir, 'maybe.csv');
    await writeFile(input, csv(rows));
    await expect(scoreLeads({ model: join(run, 'logistic.model.json'), input: { path: input } })).rejects.toThrow('row 7: opt_in = "maybe" is not Yes or No (the words this column held in training)');
    await expect(scoreStream({ model: join(run, 'gbdt.model.json'), input: { path: input }, output: join(dir, 'maybe-out.csv'), format: 'csv', threads: 1 })).rejects.toThrow('row 7: opt_in');
  });

  it('the exported SQL, run in DuckDB on the same file, gives the probabilities score gives (|Δ| < 1e-9): placeholders NULL, "No" false', async () => {
    for (const model of MODELS) {
      const loaded = await loadModel(join(run, `${model}.model.json`));
      const sql = exportSql(loaded.artifact, 'duckdb', `SELECT * FROM read_csv(${sqlString(join(dir, 'scoring.csv'))}, all_varchar = true)`);
      const { names, columns } = await queryColumns(sql);
      const ids = columns[names.indexOf('lead_id')] as string[];
      const q = columns[names.indexOf('probability')] as number[];
      const p = loaded.predict(datasetWithReading(await readTable({ path: join(dir, 'scoring.csv') }), loaded.artifact.reading, new Map()));
      expect(ids).toEqual(scoring.map((r) => r[0]));
      let diff = 0;
      for (let i = 0; i < p.length; i++) diff = Math.max(diff, Math.abs(q[i]! - p[i]!));
      expect(diff).toBeLessThan(1e-9);
    }
  });

  it('two threads on a long file (a worker scoring chunks beside this thread): each lead\'s bytes as in the whole file', async () => {
    // The scoring leads 300 times over (72,000 leads), each copy with its own ids.
    const copies = 300;
    const rows = Array.from({ length: copies }, (_, c) => scoring.map((r) => [`${r[0]}-${c}`, ...r.slice(1)])).flat();
    for (const model of MODELS) {
      const { lines, chunks } = await scoredLines(model, rows, `long-${model}`, { chunkRows: 400, threads: 2, eol: '\r\n' });
      expect(chunks.onWorkers).toBeGreaterThan(0);
      expect(chunks.bytePath).toBeGreaterThan(0);
      expect(lines.size).toBe(rows.length);
      for (const r of rows) {
        const original = r[0]!.slice(0, r[0]!.indexOf('-'));
        expect(lines.get(r[0]!)).toBe(reference[model]!.get(original)!.replace(original, r[0]!));
      }
    }
  }, 120_000);

  it('property: alone, in any subset, in any order, with any chunk size, one or two threads, byte or table path — the same bytes per lead', async () => {
    let byteChunks = 0;
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...MODELS), fc.shuffledSubarray(Array.from({ length: scoring.length }, (_, i) => i), { minLength: 1, maxLength: 80 }),
      fc.integer({ min: 1, max: 40 }), fc.constantFrom(1, 1, 1, 2), fc.constantFrom('\n', '\r\n'), fc.boolean(),
      async (model, picked, chunkRows, threads, eol, inMemory) => {
        const rows = picked.map((i) => scoring[i]!);
        const name = `subset-${model}-${picked.length}-${chunkRows}-${threads}`;
        let lines: Map<string, string>;
        if (inMemory) {
          const input = join(dir, `${name}.csv`);
          await writeFile(input, csv(rows, eol));
          const scored = await scoreLeads({ model: join(run, `${model}.model.json`), input: { path: input } });
          const out = join(dir, `${name}-mem.csv`);
          await writeCsvColumns(out, scored.names, scored.columns, { safe: true });
          const text = (await readFile(out, 'utf8')).trimEnd().split('\n').slice(1);
          lines = new Map(text.map((l) => [l.slice(0, l.indexOf(',')), l]));
          // evaluate reads a file the same way (datasetWithReading): the model's probabilities for these leads.
          const loaded = await loadModel(join(run, `${model}.model.json`));
          const p = loaded.predict(datasetWithReading(await readTable({ path: input }), loaded.artifact.reading, new Map()));
          rows.forEach((r, i) => expect(Number(p[i]!.toFixed(6))).toBe(probabilities[model]!.get(r[0]!)));
        } else {
          const r = await scoredLines(model, rows, name, { chunkRows, threads, eol });
          lines = r.lines;
          byteChunks += r.chunks.bytePath;
          if (threads > 1) expect(r.chunks.onWorkers).toBeGreaterThan(0);
        }
        expect(lines.size).toBe(rows.length);
        for (const r of rows) expect(lines.get(r[0]!)).toBe(reference[model]!.get(r[0]!));
      }), { seed: 17, numRuns: 100 });
    // The byte path took part (chunks without a late date or a bad value are its own).
    expect(byteChunks).toBeGreaterThan(0);
  }, 300_000);
});
