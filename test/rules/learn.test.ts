import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadActivityLog } from '../../src/data/activities/activities.ts';
import { resolveAsOf } from '../../src/data/activities/as-of.ts';
import { loadDataset } from '../../src/data/io/dataset.ts';
import { SAMPLE } from '../../src/data/sample/sample-paths.ts';
import { loadModel } from '../../src/models/artifact.ts';
import { learnScorecardFile } from '../../src/rules/files.ts';
import { thresholdForShare } from '../../src/rules/learn.ts';
import { loadRuleFile } from '../../src/rules/rule-file.ts';
import { RuleScorer } from '../../src/rules/rule-scorer.ts';
import { trainModels } from '../../src/train/train.ts';
import { BANK, HAVE_SHARED, tempDir } from '../helpers.ts';

/** AUC by counting pairs: the share of (converted, not converted) pairs ranked right, ties half. */
function aucByPairs(scores: ArrayLike<number>, y: ArrayLike<number>, rows: ArrayLike<number>): number {
  const pos: number[] = [];
  const neg: number[] = [];
  for (const r of Array.from(rows)) (y[r] ? pos : neg).push(scores[r]!);
  let right = 0;
  for (const p of pos) for (const q of neg) right += p > q ? 1 : p === q ? 0.5 : 0;
  return right / (pos.length * neg.length);
}

/** The CSV's rows as a marketing tool would apply them to a lead's values: the base, then each line that holds. */
function scoreFromCsv(csv: string, lead: (column: string) => unknown): number {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const names = header!.split(',');
  let total = 0;
  let disqualified = false;
  for (const line of lines) {
    // Values here hold no commas or quotes (checked below), so a plain split reads them.
    const cell = Object.fromEntries(line.split(',').map((v, k) => [names[k]!, v]));
    const v = lead(cell.column!);
    const text = v === null || v === undefined ? null : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v).trim().toLowerCase();
    const x = typeof v === 'number' ? v : Number.NaN;
    const holds = cell.operator === 'always' ? true
      : cell.operator === 'is_missing' ? v === null || v === undefined
        : cell.operator === 'equals' ? text === cell.value!.toLowerCase()
          : cell.operator === 'in' ? text !== null && cell.value!.toLowerCase().split('|').includes(text)
            : cell.operator === 'at_least' ? x >= Number(cell.value)
              : cell.operator === 'below' ? x < Number(cell.value)
                : cell.operator === 'between' ? x >= Number(cell.value) && x < Number(cell.value_to) : (() => { throw new Error(`operator ${cell.operator}`); })();
    if (!holds) continue;
    if (cell.points === 'disqualify') disqualified = true;
    else total += Number(cell.points);
  }
  return disqualified ? 0 : Math.min(100, Math.max(0, total));
}

function parseCsvRows(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.trimEnd().split('\n');
  const names = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, k) => [names[k]!, v])));
}

describe('rules learn on the bundled sample', () => {
  let dir: string;
  let model: string;
  beforeAll(async () => {
    dir = await tempDir();
    const run = await trainModels({
      data: { path: SAMPLE.leads }, target: SAMPLE.target, activities: { path: SAMPLE.activities }, asOf: 'created_at+30d',
      date: SAMPLE.date, account: SAMPLE.account, rules: SAMPLE.rules, out: join(dir, 'run'), models: ['rules', 'logistic', 'gbdt'],
    });
    model = join(run.runDir, 'logistic.model.json');
  }, 120_000);

  it('chooses 20 whole-point criteria within 0.01 hold-out AUC of the model and above the sample rules; the files score as it says', async () => {
    const out = join(dir, 'card.yaml');
    const learned = await learnScorecardFile({ model, out, activities: SAMPLE.activities });
    const e = learned.evaluation;
    expect(e.scorecard.criteria).toBeLessThanOrEqual(20);
    expect(e.scorecard.criteria).toBeGreaterThanOrEqual(12);
    expect(learned.rules.criteria.every((c) => Number.isInteger(c.points))).toBe(true);
    expect(Number.isInteger(learned.rules.basePoints)).toBe(true);
    expect(e.scorecard.auc).toBeGreaterThanOrEqual(e.model.auc - 0.01);
    expect(e.scorecard.auc).toBeGreaterThan(e.rules!.auc);
    expect(e.rules).toMatchObject({ kind: 'hand-written' });
    // The model's hold-out AUC is the run's own (metrics.json), so these are the run's hold-out rows.
    const metrics = JSON.parse(await readFile(join(dir, 'run', 'metrics.json'), 'utf8'));
    expect(e.model.auc).toBeCloseTo(metrics.models.find((m: { name: string }) => m.name === 'logistic').auc, 4);
    expect(e.holdout.rows).toBe(metrics.dataset.testRows);

    // The YAML as a user runs it (`rules score` on the raw leads with the activity log), scored again here:
    // its hold-out AUC by counting pairs is the one reported.
    const leads = await loadDataset({ path: SAMPLE.leads });
    const log = await loadActivityLog({ path: SAMPLE.activities });
    const asOf = resolveAsOf('created_at+30d', leads);
    const scored = new RuleScorer(await loadRuleFile(out)).score(leads, { activities: log, asOf, account: SAMPLE.account });
    const holdout = parseCsvRows(await readFile(join(dir, 'run', 'holdout.csv'), 'utf8'));
    const holdRows = holdout.map((h) => Number(h.row) - 1);
    const y = new Uint8Array(leads.table.numRows());
    holdout.forEach((h, k) => (y[holdRows[k]!] = Number(h.outcome)));
    expect(aucByPairs(scored.score, y, holdRows)).toBeCloseTo(e.scorecard.auc, 4);

    // The CSV, applied line by line as a marketing tool would, gives every lead the rule engine's score.
    const csv = await readFile(learned.csv, 'utf8');
    expect(csv).not.toMatch(/"/);
    const data = (await loadModel(model)).artifact;
    expect(data.activities).not.toBeNull();
    const { labelledForModel } = await import('../../src/evaluation/evaluate.ts');
    const joined = (await labelledForModel(await loadModel(model), { model, data: { path: SAMPLE.leads }, activities: { path: SAMPLE.activities } }, new Set())).data;
    const columns = new Map<string, ArrayLike<unknown>>();
    const value = (row: number) => (column: string) => {
      if (!column) return null;
      if (!columns.has(column)) columns.set(column, joined.table.array(column) as ArrayLike<unknown>);
      return columns.get(column)![row];
    };
    for (let r = 0; r < leads.table.numRows(); r += 7) expect(scoreFromCsv(csv, value(r)), `row ${r}`).toBe(scored.score[r]);

    // Tiers by capacity: hot about the top 10% of the training leads, warm the next 30%.
    const held = new Set(holdRows);
    const train = Array.from({ length: leads.table.numRows() }, (_, r) => r).filter((r) => !held.has(r));
    const share = (t: number) => train.filter((r) => scored.score[r]! >= t).length / train.length;
    expect(Math.abs(share(learned.rules.tiers.hot) - 0.1)).toBeLessThan(0.03);
    expect(Math.abs(share(learned.rules.tiers.warm) - 0.4)).toBeLessThan(0.05);
  }, 120_000);

  it('writes the same files for the same model and data, byte for byte', async () => {
    const a = await learnScorecardFile({ model, out: join(dir, 'a.yaml'), activities: SAMPLE.activities });
    const b = await learnScorecardFile({ model, out: join(dir, 'b.yaml'), activities: SAMPLE.activities });
    expect(await readFile(a.out, 'utf8')).toBe(await readFile(b.out, 'utf8'));
    expect(await readFile(a.csv, 'utf8')).toBe(await readFile(b.csv, 'utf8'));
  }, 60_000);

  it('takes fewer criteria, decimals, another capacity and the model\'s probabilities as targets', async () => {
    const small = await learnScorecardFile({ model, out: join(dir, 'small.yaml'), activities: SAMPLE.activities, maxCriteria: 6, decimals: 1, capacity: 0.2, fitTo: 'model' });
    expect(small.rules.criteria.length).toBeLessThanOrEqual(6);
    expect(small.selection.fitTo).toBe('model');
    expect(small.rules.criteria.some((c) => !Number.isInteger(c.points))).toBe(true);
    expect(small.rules.criteria.every((c) => Number.isInteger(c.points * 10))).toBe(true);
    expect(Math.abs(small.evaluation.scorecard.tiers.hot.share - 0.2)).toBeLessThan(0.05);
    expect(small.evaluation.scorecard.auc).toBeGreaterThan(0.7);
  }, 60_000);

  it('refuses a tree model, another data file, a run without its hold-out, and outputs it would overwrite', async () => {
    const gbdt = join(dir, 'run', 'gbdt.model.json');
    await expect(learnScorecardFile({ model: gbdt, out: join(dir, 'x.yaml'), activities: SAMPLE.activities })).rejects.toMatchObject({ code: 'NOT_LOGISTIC', message: expect.stringContaining('needs an additive model') });
    // Without the activity log the model's features cannot be computed.
    await expect(learnScorecardFile({ model, out: join(dir, 'x.yaml') })).rejects.toMatchObject({ code: 'ACTIVITIES_REQUIRED' });
    // Another --as-of gives other activity columns: not the rows the model learned from.
    await expect(learnScorecardFile({ model, out: join(dir, 'x.yaml'), activities: SAMPLE.activities, asOf: 'created_at+60d' })).rejects.toMatchObject({ code: 'NOT_TRAINING_FILE' });
    await expect(learnScorecardFile({ model, out: join(dir, 'card.yaml'), activities: SAMPLE.activities })).rejects.toMatchObject({ code: 'WOULD_OVERWRITE' });
    await expect(learnScorecardFile({ model, out: join(dir, 'y.yaml'), csv: join(dir, 'y.yaml'), activities: SAMPLE.activities })).rejects.toMatchObject({ code: 'OUTPUT_IS_INPUT' });
    await expect(learnScorecardFile({ model, out: join(dir, 'y.yaml'), activities: SAMPLE.activities, target: 'newsletter_opt_in' })).rejects.toMatchObject({ code: 'TARGET_CONTRADICTS_MODEL' });
    await expect(learnScorecardFile({ model, out: join(dir, 'y.yaml'), activities: SAMPLE.activities, capacity: 0.9 })).rejects.toMatchObject({ code: 'BAD_CAPACITY' });
    await expect(learnScorecardFile({ model, out: join(dir, 'y.yaml'), activities: SAMPLE.activities, decimals: 5 })).rejects.toMatchObject({ code: 'BAD_DECIMALS' });
    for (const name of ['x.yaml', 'x.csv', 'y.yaml', 'y.csv']) await expect(stat(join(dir, name))).rejects.toThrow();
    // A model copied out of its run folder: no hold-out to tell its training rows by.
    const alone = join(dir, 'alone');
    const { cp, mkdir } = await import('node:fs/promises');
    await mkdir(alone);
    await cp(model, join(alone, 'logistic.model.json'));
    await expect(learnScorecardFile({ model: join(alone, 'logistic.model.json'), out: join(dir, 'x.yaml'), data: SAMPLE.leads, activities: SAMPLE.activities })).rejects.toMatchObject({ code: 'HOLDOUT_MISSING' });
    await rm(alone, { recursive: true });
  }, 60_000);
});

describe.skipIf(!HAVE_SHARED)('rules learn on bank-marketing without duration', () => {
  it('comes within 0.015 hold-out AUC of the logistic model with 20 criteria', async () => {
    const dir = await tempDir();
    const run = await trainModels({ data: { path: BANK }, target: 'y', positive: 'yes', exclude: ['duration'], models: ['rules', 'logistic'], out: join(dir, 'run') });
    const learned = await learnScorecardFile({ model: join(run.runDir, 'logistic.model.json'), out: join(dir, 'card.yaml') });
    const e = learned.evaluation;
    expect(e.scorecard.criteria).toBeLessThanOrEqual(20);
    expect(e.scorecard.auc).toBeGreaterThanOrEqual(e.model.auc - 0.015);
    // train drafted the rules of this run: they are named so.
    expect(e.rules).toMatchObject({ kind: 'drafted' });
  }, 120_000);
});
if (!HAVE_SHARED) console.warn('skipped: rules learn on bank-marketing (../shared/datasets is absent)');

describe('thresholdForShare', () => {
  it('picks the score whose share of leads at or above it is closest to the target, the higher one on a tie', () => {
    const scores = [10, 20, 20, 30, 40, 50, 50, 50, 60, 70];
    expect(thresholdForShare(scores, 0.1)).toBe(70);
    expect(thresholdForShare(scores, 0.4)).toBe(50); // 50 and up: 5 of 10, closer than 60 and up (2 of 10)
    expect(thresholdForShare(scores, 0.3)).toBe(60); // 60 and up: 2 of 10, closer than 50 and up
    expect(thresholdForShare([1, 2, 3, 4], 0.375)).toBe(4); // 1 of 4 and 2 of 4 are as close: the higher threshold
    expect(thresholdForShare(scores, 0.5, 50)).toBe(40);
    expect(thresholdForShare([5, 5, 5], 0.1)).toBe(5);
  });
});
