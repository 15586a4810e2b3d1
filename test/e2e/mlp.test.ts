/**
 * The neural network end to end: trained by `train --models mlp` beside the others, saved and scored
 * without retraining (the same probabilities as the run's hold-out, reasons by integrated gradients),
 * evaluated, backtested, refused by export-sql, and reported.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../src/backtest/backtest.ts';
import { parseCsv } from '../../src/data/io/csv.ts';
import { scoreLeads } from '../../src/scoring/score.ts';
import { evaluateModel } from '../../src/evaluation/evaluate.ts';
import { trainModels, type TrainResult } from '../../src/train/train.ts';
import { smallSample } from '../train/fixture.ts';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');
const PARAMS = ['mlp.backend=wasm', 'gbdt.trees=20'];

let sample: Awaited<ReturnType<typeof smallSample>>;
let run: TrainResult;
beforeAll(async () => {
  sample = await smallSample();
  run = await trainModels({ data: { path: sample.leads }, target: 'converted', exclude: ['converted_at'], models: ['logistic', 'mlp'], params: PARAMS, out: join(sample.dir, 'run') });
}, 120_000);

describe('the mlp in a run', () => {
  it('is trained beside the rules and logistic, on the wasm backend, with its artifact, card and report entry', async () => {
    const mlp = run.metrics.models.find((m) => m.name === 'mlp')!;
    expect(mlp.details).toMatchObject({ backend: 'wasm' });
    const logistic = run.metrics.models.find((m) => m.name === 'logistic')!;
    expect(mlp.auc, `logistic ${logistic.auc}`).toBeGreaterThan(0.6); // 3,000 leads: 0.62 against logistic's 0.64
    expect(run.files).toContain(join(run.runDir, 'mlp.model.json'));
    expect(await readFile(join(run.runDir, 'model-card-mlp.md'), 'utf8')).toContain('mlp');
    expect(await readFile(join(run.runDir, 'report.html'), 'utf8')).toContain('<option>mlp</option>');
    expect(run.metrics.comparisons.map((c) => c.model).sort()).toEqual(['logistic', 'mlp']);
  });

  it('scores new leads from the saved artifact as in the run (hold-out probabilities equal), with reasons in words', async () => {
    const scored = await scoreLeads({ model: join(run.runDir, 'mlp.model.json'), input: { path: sample.leads } });
    const ids = scored.columns[scored.names.indexOf('lead_id')]!;
    const probability = scored.columns[scored.names.indexOf('probability')]! as number[];
    const reasons = scored.columns[scored.names.indexOf('reasons')]! as string[];
    const holdout = parseCsv(await readFile(join(run.runDir, 'holdout.csv'), 'utf8'), ',');
    const at = (name: string) => holdout.columns[holdout.names.indexOf(name)]!;
    const byId = new Map(ids.map((id, i) => [String(id), i]));
    at('lead_id').forEach((id, k) => expect(probability[byId.get(String(id))!]).toBeCloseTo(Number(at('p_mlp')[k]), 6));
    expect(reasons.filter((r) => /^[a-z_]+ (=|missing)|activities|in the last/.test(r)).length).toBeGreaterThan(0.9 * reasons.length);
  }, 60_000);

  it('is evaluated and backtested like the others, and export-sql refuses it (exit 2)', async () => {
    const evaluation = await evaluateModel({ model: join(run.runDir, 'mlp.model.json'), data: { path: sample.leads } });
    expect(evaluation.models[0]!.name).toBe('mlp');
    const walked = await backtest({ data: { path: sample.leads }, target: 'converted', date: 'created_at', outcomeDate: 'converted_at', period: 'quarter', maturity: 60,
      models: ['mlp'], params: PARAMS, write: false });
    expect(walked.json.periods.some((p) => p.models.some((m) => m.name === 'mlp' && m.auc !== null))).toBe(true);
    const sql = spawnSync(process.execPath, [BIN, 'export-sql', '--model', join(run.runDir, 'mlp.model.json'), '--dialect', 'postgres'], { encoding: 'utf8' });
    expect(sql.status).toBe(2);
    expect(sql.stderr).toMatch(/^error: export-sql writes logistic and gbdt models; this artifact holds "mlp"\nhint: /);
  }, 120_000);
});
