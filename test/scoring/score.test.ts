import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readTable } from '../../src/data/io/read.ts';
import { prepareScorer, scoreLeads, scoringSchema } from '../../src/scoring/score.ts';
import { inferSchema } from '../../src/data/types/schema.ts';
import { schemaWithReading } from '../../src/data/types/reading.ts';
import { scoreStream } from '../../src/scoring/stream.ts';
import { spreadsheetSafe } from '../../src/data/io/write.ts';
import { trainModels } from '../../src/train/train.ts';
import { smallSample } from '../train/fixture.ts';

let sample: Awaited<ReturnType<typeof smallSample>>;
let run: string;

beforeAll(async () => {
  sample = await smallSample();
  run = (await trainModels({ data: { path: sample.leads }, target: 'converted', activities: { path: sample.activities }, asOf: 'created_at+30d',
    date: 'created_at', account: 'account_id', out: join(sample.dir, 'run') })).runDir;
});

describe('scoreLeads', () => {
  it('--capacity: exactly the N (or share of) most likely leads of the batch get sales, never a disqualified one; the file is scored whole', async () => {
    const options = { model: join(run, 'logistic.model.json'), input: { path: sample.leads }, activities: { path: sample.activities } };
    const plain = await scoreLeads(options);
    for (const capacity of [{ count: 40 }, { share: 0.05 }] as const) {
      const r = await scoreLeads({ ...options, capacity });
      const action = r.columns[r.names.indexOf('action')] as string[];
      const p = r.columns[r.names.indexOf('probability')] as number[];
      const before = plain.columns[plain.names.indexOf('action')] as string[];
      const want = 'count' in capacity ? 40 : Math.round(0.05 * 3000);
      const sales = action.flatMap((a, i) => (a === 'sales' ? [i] : []));
      expect(sales).toHaveLength(want);
      const lowestSent = Math.min(...sales.map((i) => p[i]!));
      action.forEach((a, i) => {
        if (before[i] === 'disqualify') expect(a).toBe('disqualify');
        else if (a !== 'sales') expect(p[i]!).toBeLessThanOrEqual(lowestSent);
        if (before[i] === 'sales' && a !== 'sales') expect(a).toBe('nurture');
      });
      expect(r.summary.capacity).toEqual({ sales: want, routedToSales: before.filter((a) => a === 'sales').length });
    }
    const { scoreFile } = await import('../../src/scoring/stream.ts');
    const filed = await scoreFile({ ...options, capacity: { count: 40 }, output: join(sample.dir, 'capacity.csv'), format: 'csv' });
    expect(filed.streamed).toBe(false);
    expect(filed.summary.actions.sales).toBe(40);
  });

  it('says when a large activity log is read in JavaScript rather than by DuckDB, and why (scoreLeads and scoreFile, as the command scores)', async () => {
    // The small sample's log twelve times over (past the 8 MiB from which DuckDB reads a log), its times written with an offset: not a layout DuckDB's reading takes.
    const [header, ...lines] = (await readFile(sample.activities, 'utf8')).trimEnd().split('\n');
    const offset = lines.map((line) => line.replace(/Z(?=,|$)/, '+00:00'));
    const big = join(sample.dir, 'big-activities.csv');
    await writeFile(big, [header, ...Array.from({ length: 12 }, () => offset).flat()].join('\n'));
    expect((await stat(big)).size).toBeGreaterThan(8 * 1024 * 1024);
    const options = { model: join(run, 'logistic.model.json'), input: { path: sample.leads } };
    const why = /the activity log .*big-activities\.csv was read in JavaScript, not by DuckDB \(slower\): its timestamps are not written in one fixed ISO layout/;
    expect((await scoreLeads({ ...options, activities: { path: big } })).summary.notes).toEqual([expect.stringMatching(why)]);
    const { scoreFile } = await import('../../src/scoring/stream.ts');
    const filed = await scoreFile({ ...options, activities: { path: big }, output: join(sample.dir, 'big-scores.csv'), format: 'csv' });
    expect(filed.summary.notes).toEqual([expect.stringMatching(why)]);
    expect((await scoreLeads({ ...options, activities: { path: sample.activities } })).summary.notes).toBeUndefined();
  });

  it('a header-only input (a day without new leads) gets the same header as a scored one, streamed or in memory: the id, the contract, --keep', async () => {
    const header = (await readFile(sample.leads, 'utf8')).split('\n')[0]!;
    const empty = join(sample.dir, 'no-leads.csv');
    await writeFile(empty, `${header}\n`);
    const options = { model: join(run, 'logistic.model.json'), input: { path: empty }, activities: { path: sample.activities }, keep: ['channel'], id: 'lead_id' };
    const expected = 'lead_id,probability,score,tier,grade,action,reasons,rule_score,rule_tier,model,channel';
    const streamed = await scoreStream({ ...options, output: join(sample.dir, 'no-scores.csv'), format: 'csv' });
    expect(await readFile(join(sample.dir, 'no-scores.csv'), 'utf8')).toBe(`${expected}\n`);
    expect(streamed.summary.rows).toBe(0);
    const inMemory = await scoreLeads(options);
    expect(inMemory.names.join(',')).toBe(expected);
    expect(inMemory.summary.rows).toBe(0);
  });

  it('writes the contract columns in order, one row per lead in input order, tiers at the model threshold', async () => {
    const r = await scoreLeads({ model: join(run, 'logistic.model.json'), input: { path: sample.leads }, activities: { path: sample.activities }, keep: ['channel'] });
    // The contract's literal order (CONTRACTS.md), not the code's own constant.
    expect(r.names).toEqual(['lead_id', 'probability', 'score', 'tier', 'grade', 'action', 'reasons', 'rule_score', 'rule_tier', 'model', 'channel']);
    expect(r.columns[0]!.slice(0, 3)).toEqual(['L000001', 'L000002', 'L000003']);
    const artifact = JSON.parse(await readFile(join(run, 'logistic.model.json'), 'utf8'));
    const p = r.columns[1] as number[];
    const tier = r.columns[3] as string[];
    const t = artifact.threshold.value as number;
    const base = artifact.training.positives / artifact.training.rows;
    p.forEach((v, i) => {
      if (tier[i] === 'hot') expect(v).toBeGreaterThanOrEqual(t - 1e-6);
      else expect(v).toBeLessThan(t + 1e-6);
      if (tier[i] === 'cold') expect(v).toBeLessThan(base + 1e-6);
    });
    expect((r.columns[2] as number[]).every((s) => s >= 0 && s <= 100)).toBe(true);
    expect((r.columns[4] as string[]).every((g) => ['A', 'B', 'C', 'D'].includes(g))).toBe(true); // grades from the run's rules.yaml
    expect(r.summary.rules).toBe(join(run, 'rules.yaml'));
    expect((r.columns[6] as string[])[0]).toMatch(/^[a-z_]+( = .+| missing) \([+−]\d+\.\d\d\)/);
    expect(r.summary.tiers.hot + r.summary.tiers.warm + r.summary.tiers.cold).toBe(3000);
  });

  it('explains tree scores with TreeSHAP per original column', async () => {
    const head = (await readFile(sample.leads, 'utf8')).split('\n').slice(0, 201).join('\n');
    await writeFile(join(sample.dir, 'head.csv'), head);
    const r = await scoreLeads({ model: join(run, 'gbdt.model.json'), input: { path: join(sample.dir, 'head.csv') }, activities: { path: sample.activities }, reasons: 2 });
    const reasons = r.columns[6] as string[];
    expect(r.summary.rows).toBe(200);
    expect(reasons.every((x) => x.split('; ').length <= 2)).toBe(true);
    expect(reasons.filter((x) => x.length > 0).length).toBeGreaterThan(190);
  });

  it('names every missing column, and counts categories never seen in training', async () => {
    const text = await readFile(sample.leads, 'utf8');
    const lines = text.split('\n');
    const header = lines[0]!.split(',');
    const drop = [header.indexOf('industry'), header.indexOf('seniority')];
    const cut = lines.map((l) => l.split(',').filter((_, k) => !drop.includes(k)).join(',')).join('\n');
    await writeFile(join(sample.dir, 'cut.csv'), cut);
    await expect(scoreLeads({ model: join(run, 'logistic.model.json'), input: { path: join(sample.dir, 'cut.csv') }, activities: { path: sample.activities } }))
      .rejects.toThrow('the input lacks 2 columns the model was trained on: industry, seniority');
    const channel = header.indexOf('channel');
    const odd = lines.map((l, k) => (k === 1 ? l.split(',').map((c, j) => (j === channel ? 'carrier pigeon' : c)).join(',') : l)).join('\n');
    await writeFile(join(sample.dir, 'odd.csv'), odd);
    const r = await scoreLeads({ model: join(run, 'logistic.model.json'), input: { path: join(sample.dir, 'odd.csv') }, activities: { path: sample.activities } });
    expect(r.summary.unseen).toEqual({ channel: 1 });
  });

  it('asks for the activity log the model needs', async () => {
    await expect(scoreLeads({ model: join(run, 'logistic.model.json'), input: { path: sample.leads } })).rejects.toThrow('was trained with activity features');
  });
});

describe('scoringSchema', () => {
  it('reads the training columns as the reading says without inferring them from the batch, infers the others, and types as inferring then reading did', async () => {
    const scorer = await prepareScorer({ model: join(run, 'logistic.model.json'), input: { path: sample.leads }, activities: { path: sample.activities } });
    const whole = await readTable({ path: sample.leads });
    // A batch of 50 leads whose opt-in column holds only "no", and a column training never saw.
    const rows = 50;
    const optIn = whole.names.indexOf('newsletter_opt_in');
    const raw = { ...whole, rows, names: [...whole.names, 'campaign_cost'],
      columns: [...whole.columns.map((c, i) => (i === optIn ? c.slice(0, rows).map(() => 'no') : c.slice(0, rows))), Array.from({ length: rows }, (_, i) => String(i * 2.5))] };
    const schema = scoringSchema(scorer, raw, ',');
    const reading = scorer.loaded.artifact.reading;
    expect(schema.columns.map((c) => c.name)).toEqual(raw.names);
    for (const trained of reading.columns) {
      const c = schema.columns.find((x) => x.name === trained.name)!;
      expect({ type: c.type, booleanTokens: c.booleanTokens, dateFormat: c.dateFormat, decimalComma: c.decimalComma })
        .toEqual({ type: trained.type, booleanTokens: trained.booleanTokens, dateFormat: trained.dateFormat, decimalComma: trained.decimalComma });
      expect(c.examples).toEqual([]); // not inferred from the batch
    }
    expect(schema.columns.find((c) => c.name === 'newsletter_opt_in')!.booleanTokens).toEqual({ true: ['yes'], false: ['no'] });
    const extra = schema.columns.at(-1)!;
    expect(extra).toMatchObject({ name: 'campaign_cost', type: 'numeric', min: 0, max: 122.5 });
    // The types, words and formats are those of inferring the whole batch and then reading it as in training.
    const before = schemaWithReading(inferSchema(raw, { na: reading.naTokens, delimiter: ',' }), reading);
    const reads = (s: typeof schema) => s.columns.map((c) => [c.name, c.type, c.booleanTokens, c.dateFormat, c.decimalComma ?? false]);
    expect(reads(schema)).toEqual(reads(before));
    expect(schema.naTokens).toEqual(before.naTokens);
  });
});

describe('spreadsheet safety', () => {
  it('prefixes text cells that a spreadsheet would run as a formula, not numbers', () => {
    expect(spreadsheetSafe('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(spreadsheetSafe('+1 555')).toBe("'+1 555");
    expect(spreadsheetSafe('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(spreadsheetSafe('-2+3')).toBe("'-2+3");
    expect(spreadsheetSafe('\tx')).toBe("'\tx");
    expect(spreadsheetSafe(-2)).toBe('-2');
    expect(spreadsheetSafe('-1')).toBe('-1'); // a number that arrives as text (a kept column, a rejected row)
    expect(spreadsheetSafe('+2.5e3')).toBe('+2.5e3');
    expect(spreadsheetSafe('-1+cmd|calc')).toBe("'-1+cmd|calc");
    expect(spreadsheetSafe('pricing (+0.82)')).toBe('pricing (+0.82)');
    expect(spreadsheetSafe('\rx')).toBe("'\rx");
    expect(spreadsheetSafe('')).toBe('');
    // the rule as one regular expression, on any text
    const plainNumber = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
    fc.assert(fc.property(fc.oneof(fc.string(), fc.constantFrom('=', '+', '-', '@', '\t', '\r').chain((c) => fc.string().map((t) => c + t))), (text) => {
      expect(spreadsheetSafe(text)).toBe(/^[=+\-@\t\r]/.test(text) && !plainNumber.test(text) ? `'${text}` : text);
    }));
  });
});

describe('leadscore score (CLI)', () => {
  const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');
  const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

  it('writes a spreadsheet-safe CSV, and refuses to overwrite its input', async () => {
    const text = await readFile(sample.leads, 'utf8');
    const lines = text.split('\n');
    const title = lines[0]!.split(',').indexOf('job_title');
    lines[1] = lines[1]!.split(',').map((c, j) => (j === title ? '=cmd()' : c)).join(',');
    const input = join(sample.dir, 'evil.csv');
    await writeFile(input, lines.join('\n'));
    const out = join(sample.dir, 'scores.csv');
    const r = cli('score', '--model', join(run, 'logistic.model.json'), '--input', input, '--activities', sample.activities, '--output', out, '--keep', 'job_title');
    expect(r.status, r.stderr).toBe(0);
    const scored = await readTable({ path: out });
    expect(scored.columns[scored.names.indexOf('job_title')]![0]).toBe("'=cmd()");
    const before = await stat(input);
    const again = cli('score', '--model', join(run, 'logistic.model.json'), '--input', input, '--activities', sample.activities, '--output', input);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('refusing to overwrite the input file');
    expect((await stat(input)).mtimeMs).toBe(before.mtimeMs);
  });
});

describe('account roll-up and trend', () => {
  it('combines an account’s leads as the chance that at least one converts (or max, mean)', async () => {
    const { accountRollup } = await import('../../src/scoring/batch.ts');
    const p = Float64Array.of(0.5, 0.2, 0.9, 0.1);
    const any = accountRollup(['A', 'A', 'B', null], p, ['L1', 'L2', 'L3', 'L4'], 'any');
    expect(any.probability).toEqual([0.6, 0.6, 0.9, null]);
    expect(any.top).toEqual(['L1 L2', 'L1 L2', 'L3', null]);
    expect(accountRollup(['A', 'A'], Float64Array.of(0.5, 0.2), ['x', 'y'], 'max').probability).toEqual([0.5, 0.5]);
    expect(accountRollup(['A', 'A'], Float64Array.of(0.5, 0.2), ['x', 'y'], 'mean').probability).toEqual([0.35, 0.35]);
  });

  it('adds previous_score and trend from an earlier export', async () => {
    const model = join(run, 'logistic.model.json');
    const first = await scoreLeads({ model, input: { path: sample.leads }, activities: { path: sample.activities }, account: 'account_id' });
    expect(first.names.slice(10, 13)).toEqual(['account_probability', 'account_score', 'account_top_leads']);
    // an earlier export where every score was 10 points lower for the first lead and equal for the rest
    const ids = first.columns[0] as string[];
    const scores = (first.columns[2] as number[]).map((s, i) => (i === 0 ? s - 10 : i === 1 ? s + 10 : s));
    const earlier = ['lead_id,score', ...ids.map((id, i) => `${id},${scores[i]}`)].join('\n');
    await writeFile(join(sample.dir, 'earlier.csv'), earlier);
    const second = await scoreLeads({ model, input: { path: sample.leads }, activities: { path: sample.activities }, previous: { path: join(sample.dir, 'earlier.csv') } });
    const trend = second.columns[second.names.indexOf('trend')] as string[];
    expect(trend.slice(0, 3)).toEqual(['rising', 'falling', 'steady']);
    expect(second.summary.previousMatched).toBe(3000);
  });
});
