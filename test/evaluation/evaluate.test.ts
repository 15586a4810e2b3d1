import { spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSample } from '../../src/data/sample/synthetic.ts';
import { evaluateModel } from '../../src/evaluation/evaluate.ts';
import { trainModels } from '../../src/train/train.ts';
import { SAMPLE } from '../../src/data/sample/sample-paths.ts';
import { smallSample } from '../train/fixture.ts';

let sample: Awaited<ReturnType<typeof smallSample>>;
let fresh: { leads: string; activities: string };
let good: string;
let weak: string;

beforeAll(async () => {
  sample = await smallSample();
  const common = { data: { path: sample.leads }, target: 'converted', activities: { path: sample.activities }, asOf: 'created_at+30d', date: 'created_at' };
  good = join((await trainModels({ ...common, out: join(sample.dir, 'good') })).runDir, 'logistic.model.json');
  weak = join((await trainModels({ ...common, out: join(sample.dir, 'weak'), exclude: ['seniority', 'email_type', 'job_title', 'company_size', 'budget_confirmed'] })).runDir, 'logistic.model.json');
  await writeSample(join(sample.dir, 'fresh'), { rows: 3000, seed: 77 });
  fresh = { leads: join(sample.dir, 'fresh', 'leads.csv'), activities: join(sample.dir, 'fresh', 'activities.csv') };
});

describe('evaluateModel', () => {
  it('says when a large activity log was read in JavaScript rather than by DuckDB, and why (and train says so too)', async () => {
    // The fresh log twelve times over (past the 8 MiB from which DuckDB reads a CSV log), its times with an offset: a layout DuckDB's reading does not take.
    const [header, ...lines] = (await readFile(fresh.activities, 'utf8')).trimEnd().split('\n');
    const offset = lines.map((line) => line.replace(/Z(?=,|$)/, '+00:00'));
    const big = join(sample.dir, 'big-activities.csv');
    await writeFile(big, [header, ...Array.from({ length: 12 }, () => offset).flat()].join('\n'));
    expect((await stat(big)).size).toBeGreaterThan(8 * 1024 * 1024);
    const why = /the activity log .*big-activities\.csv was read in JavaScript, not by DuckDB \(slower\): its timestamps are not written in one fixed ISO layout/;
    const r = await evaluateModel({ model: good, data: { path: fresh.leads }, activities: { path: big } });
    expect(r.notes).toEqual(expect.arrayContaining([expect.stringMatching(why)]));
    const trained = await trainModels({ data: { path: fresh.leads }, target: 'converted', activities: { path: big }, asOf: 'created_at+30d', date: 'created_at',
      models: ['logistic'], out: join(sample.dir, 'big-log-run') });
    expect(trained.info).toEqual(expect.arrayContaining([expect.stringMatching(why)]));
    expect((await evaluateModel({ model: good, data: { path: fresh.leads }, activities: { path: fresh.activities } })).notes).toBeUndefined();
  }, 120_000);

  it('evaluates a saved model on new labelled data at its own threshold, beside the rules', async () => {
    const r = await evaluateModel({ model: good, data: { path: fresh.leads }, activities: { path: fresh.activities }, rules: SAMPLE.rules });
    expect(r.dataset.rows).toBe(3000);
    expect(r.models.map((m) => m.name)).toEqual(['logistic', 'rules']);
    const m = r.models[0]!;
    expect(m.threshold.tp + m.threshold.fp + m.threshold.tn + m.threshold.fn).toBe(3000);
    expect(m.auc).toBeGreaterThan(0.65);
    expect(r.comparisons[0]).toMatchObject({ model: 'logistic', baseline: 'rules' });
    expect(r.gate).toBeUndefined();
  });

  it('gates a challenger against its champion: passes when not worse, fails when clearly worse', async () => {
    const pass = await evaluateModel({ model: good, champion: weak, data: { path: fresh.leads }, activities: { path: fresh.activities } });
    expect(pass.gate?.passed).toBe(true);
    const fail = await evaluateModel({ model: weak, champion: good, data: { path: fresh.leads }, activities: { path: fresh.activities } });
    expect(fail.gate?.passed).toBe(false);
    expect(fail.gate?.lowerBound).toBeLessThan(-0.005);
    const self = await evaluateModel({ model: good, champion: good, data: { path: fresh.leads }, activities: { path: fresh.activities } });
    expect(self.gate).toMatchObject({ passed: true, aucDiff: 0 });
  });

  it('asks for the activity log a model needs', async () => {
    await expect(evaluateModel({ model: good, data: { path: fresh.leads } })).rejects.toThrow('was trained with activity features');
  });

  it('exits 3 from the CLI when the gate fails, 0 when it passes', () => {
    const bin = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');
    const run = (model: string, champion: string) => spawnSync(process.execPath, [bin, 'evaluate', '--model', model, '--champion', champion,
      '--data', fresh.leads, '--activities', fresh.activities], { encoding: 'utf8' });
    const failed = run(weak, good);
    expect(failed.status).toBe(3);
    expect(failed.stdout).toContain('gate: FAILED');
    expect(run(good, weak).status).toBe(0);
  });
});
