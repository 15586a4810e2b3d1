import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/models/artifact.ts';
import { parseParams } from '../../src/train/params.ts';
import { type TrainResult, trainModels } from '../../src/train/train.ts';
import { loadDataset } from '../../src/data/io/dataset.ts';
import { aggregateActivities, joinActivities, loadActivityLog } from '../../src/data/activities/activities.ts';
import { resolveAsOf } from '../../src/data/activities/as-of.ts';
import { ConfigError } from '../../src/errors.ts';
import { resolveTarget } from '../../src/data/target.ts';
import { stratifiedSplit } from '../../src/data/split.ts';
import { createRng } from '../../src/random.ts';
import { logLoss, rocAuc } from '../../src/evaluation/metrics.ts';
import { smallSample } from './fixture.ts';

let sample: Awaited<ReturnType<typeof smallSample>>;
let result: TrainResult;

beforeAll(async () => {
  sample = await smallSample();
  result = await trainModels({
    data: { path: sample.leads }, target: 'converted', activities: { path: sample.activities }, asOf: 'created_at+30d',
    date: 'created_at', out: join(sample.dir, 'run'),
  });
});

describe('trainModels', () => {
  it('writes metrics.json in the contract form, rules beside the models', async () => {
    const metrics = JSON.parse(await readFile(join(result.runDir, 'metrics.json'), 'utf8'));
    expect(metrics.formatVersion).toBe(1);
    expect(metrics.dataset).toMatchObject({ rows: 3000, split: 'stratified', seed: 42 });
    expect(metrics.dataset.trainRows + metrics.dataset.testRows).toBe(3000);
    expect(metrics.models.map((m: { name: string }) => m.name).sort()).toEqual(['gbdt', 'logistic', 'rules']);
    // The rules' routing actions on the hold-out: every hold-out lead and conversion in exactly one action.
    const actions = metrics.models.find((m: { name: string }) => m.name === 'rules').details.actions as Array<{ leads: number; conversions: number; captureShare: number }>;
    expect(actions.reduce((s, a) => s + a.leads, 0)).toBe(metrics.dataset.testRows);
    expect(actions.reduce((s, a) => s + a.captureShare, 0)).toBeCloseTo(1, 3);
    for (const m of metrics.models) {
      for (const key of ['auc', 'prAuc', 'logLoss', 'brier', 'ece', 'liftAt10', 'fitSeconds']) expect(typeof m[key]).toBe('number');
      expect(Object.keys(m.threshold)).toEqual(['strategy', 'value', 'tp', 'fp', 'tn', 'fn', 'precision', 'recall', 'f1', 'specificity']);
      expect(m.threshold.strategy).toBe('maxF1');
      expect(m.details.gainsByDecile).toHaveLength(10);
      expect(typeof m.details.ks).toBe('number');
      expect(m.threshold.tp + m.threshold.fp + m.threshold.tn + m.threshold.fn).toBe(metrics.dataset.testRows);
    }
    expect(metrics.comparisons[0]).toMatchObject({ model: 'logistic', baseline: 'rules', capacityShare: 0.1, bootstrapResamples: 1000 });
    expect(metrics.comparisons[0].liftCi95[0]).toBeLessThanOrEqual(metrics.comparisons[0].liftDiff);
    const rules = metrics.models.find((m: { name: string }) => m.name === 'rules');
    expect(rules.details.tiers.map((t: { segment: string }) => t.segment)).toEqual(['hot', 'warm', 'cold'].filter((t) => rules.details.tiers.some((x: { segment: string }) => x.segment === t)));
    expect(rules.details.tiers.reduce((s: number, t: { captureShare: number }) => s + t.captureShare, 0)).toBeCloseTo(1, 5);
    expect(metrics.primaryMetric).toBe('prAuc');
    expect(metrics.comparisons[0].ci95[0]).toBeLessThan(metrics.comparisons[0].ci95[1]);
    const prAucs = metrics.models.map((m: { prAuc: number }) => m.prAuc);
    expect(prAucs).toEqual([...prAucs].sort((a: number, b: number) => b - a));
  });

  it('drafts the rule baseline from the training rows when no rule file is given, and saves it', async () => {
    const yaml = await readFile(join(result.runDir, 'rules.yaml'), 'utf8');
    expect(yaml).toMatch(/^# Drafted from the training rows/);
    expect(result.metrics.models.find((m) => m.name === 'rules')!.details.source).toBe('drafted from the training rows');
  });

  it('excludes the column that leaks the outcome (converted_at) and the date column', () => {
    expect(result.metrics.dataset.excluded.map((e) => e.column)).toEqual(['converted_at', 'created_at']);
    expect(result.metrics.leakage.find((l) => l.column === 'converted_at')).toMatchObject({ auc: 1 });
  });

  it('saves an artifact that loads and predicts exactly as during training', async () => {
    const loaded = await loadModel(join(result.runDir, 'logistic.model.json'));
    const leads = await loadDataset({ path: sample.leads });
    const log = await loadActivityLog({ path: sample.activities });
    const asOf = resolveAsOf('created_at+30d', leads);
    const data = joinActivities(leads, aggregateActivities(log, leads.table.array('lead_id') as string[], asOf));
    const p = loaded.predict(data, { asOf });
    expect(p.length).toBe(3000);
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(loaded.artifact.metrics.auc).toBe(result.metrics.models.find((m) => m.name === 'logistic')!.auc);
    // The loaded model reproduces the hold-out numbers exactly: same split (seed 42), same predictions.
    const y = resolveTarget(leads, 'converted').y;
    const split = stratifiedSplit(y, { testSize: 0.2, rng: createRng(42).fork('split') });
    const logistic = result.metrics.models.find((m) => m.name === 'logistic')!;
    expect(Number(rocAuc(p, y, split.test).toFixed(6))).toBe(logistic.auc);
    expect(Number(logLoss(p, y, split.test).toFixed(6))).toBe(logistic.logLoss);
    const reliability = logistic.details.reliability as { before: unknown[]; after: unknown[] };
    expect(reliability.after.length).toBeGreaterThan(2);
    // The trees too: the saved artifact reproduces the hold-out AUC exactly.
    const trees = await loadModel(join(result.runDir, 'gbdt.model.json'));
    const pt = trees.predict(data, { asOf });
    expect(Number(rocAuc(pt, y, split.test).toFixed(6))).toBe(result.metrics.models.find((m) => m.name === 'gbdt')!.auc);
    expect((result.metrics.models.find((m) => m.name === 'gbdt')!.details.importance as unknown[]).length).toBeGreaterThan(3);
  });

  it('gives an identical artifact for the same data and seed, apart from createdAt', async () => {
    const again = await trainModels({
      data: { path: sample.leads }, target: 'converted', activities: { path: sample.activities }, asOf: 'created_at+30d',
      date: 'created_at', out: join(sample.dir, 'run-again'),
    });
    const strip = (text: string) => text.replace(/"createdAt": "[^"]+"/, '');
    const a = await readFile(join(result.runDir, 'logistic.model.json'), 'utf8');
    const b = await readFile(join(again.runDir, 'logistic.model.json'), 'utf8');
    expect(strip(b)).toBe(strip(a));
    expect(strip(await readFile(join(again.runDir, 'gbdt.model.json'), 'utf8'))).toBe(strip(await readFile(join(result.runDir, 'gbdt.model.json'), 'utf8')));
    expect(await readFile(join(again.runDir, 'rules.yaml'), 'utf8')).toBe(await readFile(join(result.runDir, 'rules.yaml'), 'utf8'));
  });

  it('refuses unknown models, unknown parameters, activities without --as-of, and an existing run', async () => {
    const base = { data: { path: sample.leads }, target: 'converted', out: join(sample.dir, 'x') };
    await expect(trainModels({ ...base, models: ['rules', 'svm' as never] })).rejects.toThrow('unknown model "svm"');
    await expect(trainModels({ ...base, params: ['logistic.penalty=l1'] })).rejects.toThrow('unknown parameter "logistic.penalty"');
    await expect(trainModels({ ...base, activities: { path: sample.activities } })).rejects.toThrow(ConfigError);
    await expect(trainModels({ ...base, out: result.runDir })).rejects.toThrow('already holds a run');
    // A failing run leaves no folder behind.
    await expect(trainModels({ ...base, threshold: { kind: 'capacity', perWeek: 50 } })).rejects.toThrow("needs the leads' dates to count weeks");
    await expect(access(base.out)).rejects.toThrow();
  });

  it('splits by time and by account', async () => {
    const time = await trainModels({ data: { path: sample.leads }, target: 'converted', split: 'time', date: 'created_at', out: join(sample.dir, 'time') });
    expect(time.metrics.dataset.split).toBe('time');
    expect(time.metrics.dataset.cutoff).toMatch(/^20\d\d-/);
    const group = await trainModels({ data: { path: sample.leads }, target: 'converted', split: 'group', group: 'account_id', out: join(sample.dir, 'group') });
    expect(group.metrics.dataset.split).toBe('group');
  });
});

describe('parseParams', () => {
  it('reads typed hyperparameters and refuses bad ones', () => {
    expect(parseParams(['logistic.C=0.5', 'logistic.classWeight=balanced', 'logistic.calibration=isotonic'])).toEqual({
      logistic: { C: 0.5, classWeight: 'balanced', calibration: 'isotonic' }, gbdt: { calibration: 'auto' }, mlp: { calibration: 'auto' },
    });
    expect(() => parseParams(['logistic.C=-1'])).toThrow('expected a positive number');
    expect(parseParams(['gbdt.trees=100', 'gbdt.earlyStopping=false', 'gbdt.monotone=annual_revenue:+1,age:-1']).gbdt)
      .toMatchObject({ trees: 100, earlyStopping: false, monotone: { annual_revenue: 1, age: -1 } });
    expect(() => parseParams(['gbdt.monotone=age'])).toThrow('feature:+1 or feature:-1 pairs');
    // categorical splits' regularisation (the defaults overfit small data with many levels: BENCHMARKS.md)
    expect(parseParams(['gbdt.catSmooth=50', 'gbdt.minDataPerCategory=100', 'gbdt.maxCatThreshold=8']).gbdt).toMatchObject({ catSmooth: 50, minDataPerCategory: 100, maxCatThreshold: 8 });
    expect(() => parseParams(['gbdt.catSmooth=-1'])).toThrow('a number ≥ 0');
    expect(() => parseParams(['gbdt.minDataPerCategory=0'])).toThrow();
    expect(parseParams(['mlp.epochs=3', 'mlp.hidden=32,16', 'mlp.dropout=0', 'mlp.backend=cpu']).mlp).toEqual({ calibration: 'auto', epochs: 3, hidden: [32, 16], dropout: 0, backend: 'cpu' });
    expect(() => parseParams(['mlp.hidden=64,x'])).toThrow('layer widths');
    expect(() => parseParams(['mlp.backend=gpu'])).toThrow('auto, tensorflow, wasm, cpu');
    expect(() => parseParams(['mlp.dropout=1'])).toThrow('a number in [0, 1)');
    expect(() => parseParams(['C=1'])).toThrow('cannot read --param "C=1"');
  });
});

describe('models/latest', () => {
  it('points at the newest run, replacing the link at once; a folder of the user\'s in its place is a warning, left as it is', async () => {
    const { pointLatest } = await import('../../src/train/train.ts');
    const { mkdir, readlink, writeFile, readdir } = await import('node:fs/promises');
    const { tempDir } = await import('../helpers.ts');
    const dir = await tempDir();
    const latest = join(dir, 'latest');
    await mkdir(join(dir, 'runs', 'a'), { recursive: true });
    await mkdir(join(dir, 'runs', 'b'), { recursive: true });
    expect(await pointLatest(latest, join(dir, 'runs', 'a'))).toBeNull();
    expect(await readlink(latest)).toBe(join('runs', 'a'));
    expect(await pointLatest(latest, join(dir, 'runs', 'b'))).toBeNull();
    expect(await readlink(latest)).toBe(join('runs', 'b'));
    const mine = join(dir, 'mine');
    await mkdir(mine);
    await writeFile(join(mine, 'notes.txt'), 'keep');
    expect(await pointLatest(mine, join(dir, 'runs', 'b'))).toBe(`${mine} is a folder, not the link leadscore keeps there: it was left as it is and does not point at this run`);
    expect(await readdir(mine)).toEqual(['notes.txt']);
    expect(await pointLatest(join(dir, 'no-such-folder', 'latest'), join(dir, 'runs', 'b'))).toMatch(/could not be pointed at this run \(ENOENT\): it still points at an earlier run$/);
  });
});

describe('trainSteps', () => {
  it('lists exactly the steps a run reports, so a progress bar counts only the models asked for', async () => {
    const { trainSteps } = await import('../../src/train/train.ts');
    const sampleDir = await smallSample();
    for (const [models, activities] of [[['rules', 'logistic'], false], [['gbdt'], true]] as const) {
      const seen: string[] = [];
      const options = { data: { path: sampleDir.leads }, target: 'converted', models: [...models], exclude: ['converted_at'], params: ['gbdt.trees=5'],
        ...(activities ? { activities: { path: sampleDir.activities }, asOf: 'created_at+30d' } : {}), out: join(sampleDir.dir, `steps-${models.join('-')}`), onStep: (s: string) => seen.push(s) };
      await trainModels(options);
      expect(seen).toEqual(trainSteps(options));
    }
    expect(trainSteps({ models: ['rules', 'logistic'] })).not.toContain('gradient-boosted trees');
  }, 60_000);
});

describe('a weekly capacity on a time split', () => {
  it('sends the hold-out\'s weeks the capacity (set on their own leads, no outcome read), and reports leads per week for every model', async () => {
    const s = await smallSample();
    const r = await trainModels({ data: { path: s.leads }, target: 'converted', exclude: ['converted_at'], date: 'created_at', split: 'time',
      threshold: { kind: 'capacity', perWeek: 20 }, models: ['rules', 'logistic', 'gbdt'], params: ['gbdt.trees=30'], out: join(s.dir, 'capacity') });
    for (const m of r.metrics.models) {
      // 20 a week, give or take the leads tied at the threshold (rule points tie in blocks).
      expect(m.details.sentPerWeek as number, m.name).toBeGreaterThanOrEqual(19.5);
      expect(m.details.sentPerWeek as number, m.name).toBeLessThan(m.name === 'rules' ? 40 : 21);
    }
    const { renderLeaderboard } = await import('../../src/cli/train.ts');
    expect(renderLeaderboard(r.metrics)).toMatch(/^leads sent to sales per hold-out week at each threshold: .*logistic 2\d\.\d/m);
  }, 60_000);
});

describe('holdout.csv', () => {
  it('holds one row per hold-out lead: its data-row number, id, outcome, each model\'s probability and the rule score, from which the metrics recompute', async () => {
    const text = (await readFile(join(result.runDir, 'holdout.csv'), 'utf8')).trimEnd().split('\n');
    expect(text[0]).toBe('row,lead_id,outcome,p_rules,p_logistic,p_gbdt,rule_score');
    const rows = text.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(result.metrics.dataset.testRows);
    const input = (await readFile(sample.leads, 'utf8')).trimEnd().split('\n');
    for (const r of rows.slice(0, 50)) expect(input[Number(r[0])]!.split(',')[0]).toBe(r[1]); // row k is the k-th data row (line k + 1)
    const header = text[0]!.split(',');
    const y = Uint8Array.from(rows, (r) => Number(r[header.indexOf('outcome')]));
    for (const m of result.metrics.models) {
      const column = header.indexOf(m.name === 'rules' ? 'rule_score' : `p_${m.name}`);
      const auc = rocAuc(Float64Array.from(rows, (r) => Number(r[column])), y);
      expect(auc, m.name).toBeCloseTo(m.auc, 4);
    }
    expect(result.files).toContain(join(result.runDir, 'holdout.csv'));
  });
});

describe('model cards', () => {
  it('are written beside each model with the run\'s own figures, and a command that trains it again', async () => {
    for (const name of ['logistic', 'gbdt'] as const) {
      const card = await readFile(join(result.runDir, `model-card-${name}.md`), 'utf8');
      const m = result.metrics.models.find((x) => x.name === name)!;
      const vs = result.metrics.comparisons.find((c) => c.model === name)!;
      expect(card).toMatch(new RegExp(`^# Model card: ${name}@[0-9a-f]{8}$`, 'm'));
      for (const section of ['## Data', '## Intended use', '## Features', '## Hold-out metrics', '## Threshold', '## Calibration', '## Known limits', '## Train it again']) expect(card).toContain(section);
      expect(card).toContain(`| ${name} | ${m.auc.toFixed(4)} | ${m.prAuc.toFixed(4)} |`);
      expect(card).toContain(`(95% CI ${vs.ci95[0].toFixed(4)} to ${vs.ci95[1].toFixed(4)}`);
      expect(card).toContain(`${m.threshold.tp.toLocaleString('en-US')} conversions found, ${m.threshold.fn.toLocaleString('en-US')} missed (false negatives), ${m.threshold.fp.toLocaleString('en-US')} calls in vain`);
      expect(card).toMatch(/npx leadscore train --data \S+ --target converted --date created_at --activities \S+ --as-of created_at\+30d .*--seed 42/);
      expect(result.files).toContain(join(result.runDir, `model-card-${name}.md`));
    }
  });
});
