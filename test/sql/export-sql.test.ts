import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/io/dataset.ts';
import { queryColumns, sqlString } from '../../src/data/io/duckdb.ts';
import { DEFAULT_NA_TOKENS } from '../../src/data/types/missing.ts';
import { type ModelArtifact, loadModel } from '../../src/models/artifact.ts';
import { DIALECTS } from '../../src/scoring/sql/dialects.ts';
import { exportSql } from '../../src/scoring/sql/export-sql.ts';
import { trainModels } from '../../src/train/train.ts';
import { BANK, HAVE_SHARED, tempDir } from '../helpers.ts';
import { smallSample } from '../train/fixture.ts';

const GOLDEN = resolve(import.meta.dirname, 'golden');

/** Runs the exported SQL in DuckDB over a CSV and returns the largest |p_sql − p_js|. */
async function parity(modelPath: string, csv: string, dialect: 'duckdb' | 'postgres'): Promise<{ diff: number; tiers: string[] }> {
  const loaded = await loadModel(modelPath);
  const p = loaded.predict(await loadDataset({ path: csv }));
  const { names, columns } = await queryColumns(exportSql(loaded.artifact, dialect, `SELECT * FROM read_csv(${sqlString(csv)})`));
  const q = columns[names.indexOf('probability')] as number[];
  expect(q.length).toBe(p.length);
  let diff = 0;
  for (let i = 0; i < p.length; i++) diff = Math.max(diff, Math.abs(q[i]! - p[i]!));
  return { diff, tiers: columns[names.indexOf('tier')] as string[] };
}

describe('export-sql', () => {
  let sample: Awaited<ReturnType<typeof smallSample>>;
  let model: string;
  beforeAll(async () => {
    sample = await smallSample();
    model = join((await trainModels({ data: { path: sample.leads }, target: 'converted', models: ['logistic'], out: join(sample.dir, 'run') })).runDir, 'logistic.model.json');
  });

  it.each(['duckdb', 'postgres'] as const)('%s: the SELECT gives the same probabilities as leadscore on the sample (dates, missing values, rare levels)', async (dialect) => {
    const { diff, tiers } = await parity(model, sample.leads, dialect);
    expect(diff).toBeLessThan(1e-9);
    expect(new Set(tiers)).toEqual(new Set(['hot', 'warm', 'cold']));
  });

  it.skipIf(!HAVE_SHARED)('duckdb: parity on bank-marketing with isotonic calibration', async () => {
    const dir = await tempDir();
    const run = await trainModels({ data: { path: BANK }, target: 'y', models: ['logistic'], params: ['logistic.calibration=isotonic'], out: join(dir, 'bank') });
    expect((await parity(join(run.runDir, 'logistic.model.json'), BANK, 'duckdb')).diff).toBeLessThan(1e-9);
  });

  it('refuses other model kinds and models with activity features', async () => {
    const artifact = (await loadModel(model)).artifact;
    expect(() => exportSql({ ...artifact, model: { ...artifact.model, kind: 'mlp' as never } }, 'duckdb', 'leads')).toThrow('export-sql writes logistic and gbdt models');
    expect(() => exportSql({ ...artifact, activities: { asOf: 'created_at+30d' } }, 'duckdb', 'leads')).toThrow('activity-log features');
  });

  // A small hand-made model with every kind of feature and an isotonic calibration: its SQL per dialect is a golden file.
  const handMade = {
    name: 'logistic', contentHash: 'sha256:0123456789abcdef', threshold: { strategy: 'maxF1', value: 0.3 }, activities: null,
    training: { rows: 1000, positives: 100, dataHash: '' }, reading: { naTokens: [...DEFAULT_NA_TOKENS], delimiter: ',', columns: [] },
    model: { kind: 'logistic', params: {}, state: { beta: [-2, 0.5, 0.25, 1.5, -0.75, 0.4, 0.3, -0.2, 0.1, 0.05, 0.02], featureNames: [
      'pages', 'pages__missing__', 'opt_in', 'channel=webinar', 'channel=__other__', 'channel=__missing__', 'created__age_days', 'created__month=1', 'created__month=2', 'created__weekday=3'] } },
    features: { formatVersion: 1, minFrequency: 10, notes: [], specs: [
      { kind: 'numeric', column: 'pages', median: 3, indicator: true, log1p: true, mean: 1.2, sd: 0.8, bins: { lower: [null], mean: [1] } },
      { kind: 'boolean', column: 'opt_in', mode: 0, indicator: false },
      { kind: 'categorical', column: 'channel', levels: ['webinar'], other: true, missing: true, pooled: ["partner's event"] },
      { kind: 'date', column: 'created', reference: Date.UTC(2025, 11, 31), age: { median: 100, indicator: false, log1p: false, mean: 120, sd: 60, bins: { lower: [null], mean: [1] } }, months: [1, 2], weekdays: [3] },
    ] },
    calibration: { kind: 'isotonic', x: [0.05, 0.2, 0.2, 0.6], y: [0.01, 0.1, 0.15, 0.5] },
  } as unknown as ModelArtifact;

  it.each(DIALECTS)('%s: matches its golden file', async (dialect) => {
    const sql = exportSql(handMade, dialect, 'crm.leads');
    const path = join(GOLDEN, `${dialect}.sql`);
    if (process.env.UPDATE_GOLDEN) await writeFile(path, sql);
    expect(sql).toBe(await readFile(path, 'utf8'));
  });
});

describe('export-sql for gradient-boosted trees', () => {
  let sample: Awaited<ReturnType<typeof smallSample>>;
  let model: string;
  beforeAll(async () => {
    sample = await smallSample();
    model = join((await trainModels({ data: { path: sample.leads }, target: 'converted', models: ['gbdt'], params: ['gbdt.trees=60'],
      out: join(sample.dir, 'run') })).runDir, 'gbdt.model.json');
  });

  it.each(['duckdb', 'postgres'] as const)('%s: base score plus one CASE per tree gives leadscore\'s probabilities (numbers, categories, dates, missing)', async (dialect) => {
    const artifact = (await loadModel(model)).artifact;
    const trees = (artifact.model.state as { trees: Array<{ categoryOffset: number[]; missingLeft: number[]; feature: number[] }> }).trees;
    // The model exercises categorical splits and both missing directions.
    expect(trees.some((t) => t.categoryOffset.some((o) => o >= 0))).toBe(true);
    expect(trees.some((t) => t.feature.some((f, i) => f >= 0 && t.missingLeft[i] === 1))).toBe(true);
    const { diff, tiers } = await parity(model, sample.leads, dialect);
    expect(diff).toBeLessThan(1e-9);
    expect(new Set(tiers)).toEqual(new Set(['hot', 'warm', 'cold']));
  });

  it('scores a level never seen in training as missing, as leadscore does', async () => {
    const text = await readFile(sample.leads, 'utf8');
    const lines = text.split('\n');
    const channel = lines[0]!.split(',').indexOf('channel');
    const odd = lines.map((l, k) => (k >= 1 && k <= 50 && l ? l.split(',').map((c, j) => (j === channel ? 'carrier pigeon' : c)).join(',') : l)).join('\n');
    const path = join(sample.dir, 'odd.csv');
    await writeFile(path, odd);
    expect((await parity(model, path, 'duckdb')).diff).toBeLessThan(1e-9);
  });

  it.skipIf(!HAVE_SHARED)('duckdb: parity on bank-marketing', async () => {
    const dir = await tempDir();
    const run = await trainModels({ data: { path: BANK }, target: 'y', models: ['gbdt'], params: ['gbdt.trees=80'], out: join(dir, 'bank') });
    expect((await parity(join(run.runDir, 'gbdt.model.json'), BANK, 'duckdb')).diff).toBeLessThan(1e-9);
  });

  // A hand-made two-tree model (numeric split with missing left, categorical split, date age): golden SQL per dialect.
  const handMadeTrees = {
    name: 'gbdt', contentHash: 'sha256:fedcba9876543210', threshold: { strategy: 'maxF1', value: 0.25 }, activities: null,
    training: { rows: 1000, positives: 100, dataHash: '' }, reading: { naTokens: [...DEFAULT_NA_TOKENS], delimiter: ',', columns: [] },
    model: { kind: 'gbdt', params: {}, state: { baseScore: -2.2, featureNames: ['pages', 'channel', 'created__age_days', 'created__month', 'created__weekday'], kinds: [], bestIteration: 2, trees: [
      { feature: [0, -1, 1, -1, -1], threshold: [3.5, 0, 0, 0, 0], bin: [4, 0, 0, 0, 0], left: [1, -1, 3, -1, -1], right: [2, -1, 4, -1, -1], value: [0, -0.1, 0, 0.2, 0.05],
        missingLeft: [1, 0, 0, 0, 0], cover: [100, 40, 60, 20, 40], gain: [5, 0, 2, 0, 0], categoryOffset: [-1, -1, 0, -1, -1], categories: [[1, 3]] },
      { feature: [2, -1, -1], threshold: [30.5, 0, 0], bin: [10, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, 0.07, -0.03],
        missingLeft: [0, 0, 0], cover: [100, 30, 70], gain: [1, 0, 0], categoryOffset: [-1, -1, -1], categories: [] },
    ] } },
    features: { formatVersion: 1, kind: 'tree', specs: [
      { kind: 'numeric', column: 'pages' },
      { kind: 'categorical', column: 'channel', levels: ['webinar', 'paid search', "partner's event"] },
      { kind: 'date', column: 'created', reference: Date.UTC(2025, 11, 31) },
    ] },
    calibration: { kind: 'platt', a: 1.1, b: -0.2 },
  } as unknown as ModelArtifact;

  it.each(DIALECTS)('%s: matches its golden file', async (dialect) => {
    const sql = exportSql(handMadeTrees, dialect, 'crm.leads');
    const path = join(GOLDEN, `gbdt-${dialect}.sql`);
    if (process.env.UPDATE_GOLDEN) await writeFile(path, sql);
    expect(sql).toBe(await readFile(path, 'utf8'));
  });

  it('evaluates the hand-made trees as the JavaScript walk does, row by row', async () => {
    const { treeFromJSON, leafOf } = await import('../../src/models/gbdt/tree.ts');
    const state = handMadeTrees.model.state as { baseScore: number; trees: Parameters<typeof treeFromJSON>[0][] };
    const rows: Array<[number | null, string | null, string | null]> = [[2, 'webinar', '2025-12-01'], [null, 'paid search', '2025-10-01'], [9, 'paid search', null],
      [9, "partner's event", '2025-12-30'], [9, 'carrier pigeon', '2025-01-01'], [9, null, '2025-12-31']];
    const values = rows.map(([pages, channel, created]) => `(${pages ?? 'NULL'}, ${channel === null ? 'NULL' : `'${channel.replaceAll("'", "''")}'`}, ${created === null ? 'NULL' : `TIMESTAMP '${created}'`})`);
    const sql = exportSql(handMadeTrees, 'duckdb', `SELECT * FROM (VALUES ${values.join(', ')}) AS t(pages, channel, created)`);
    const { names, columns } = await queryColumns(sql);
    const logit = columns[names.indexOf('leadscore_logit')] as number[];
    const levels = ['webinar', 'paid search', "partner's event"];
    rows.forEach(([pages, channel, created], i) => {
      const t = created === null ? Number.NaN : Date.parse(`${created}T00:00:00Z`);
      const code = channel === null || !levels.includes(channel) ? Number.NaN : levels.indexOf(channel);
      const x = [Float64Array.of(pages ?? Number.NaN), Float64Array.of(code), Float64Array.of((Date.UTC(2025, 11, 31) - t) / 86_400_000), Float64Array.of(Number.NaN), Float64Array.of(Number.NaN)];
      const raw = state.trees.reduce((sum, tj) => {
        const tree = treeFromJSON(tj);
        return sum + tree.value[leafOf(tree, x, 0)]!;
      }, state.baseScore);
      expect(logit[i]).toBeCloseTo(raw, 12);
    });
  });
});

describe('isotonic calibration in SQL', () => {
  it('gives calibrate()’s value at every knot, between knots and past the ends', async () => {
    const { calibrate } = await import('../../src/models/calibration.ts');
    const cal = { kind: 'isotonic' as const, x: [0.05, 0.2, 0.2, 0.6], y: [0.01, 0.1, 0.15, 0.5] };
    const artifact = {
      name: 'logistic', contentHash: 'sha256:0', threshold: { strategy: 'maxF1', value: 0.5 }, activities: null,
      training: { rows: 10, positives: 1, dataHash: '' }, reading: { naTokens: [...DEFAULT_NA_TOKENS], delimiter: ',', columns: [] },
      model: { kind: 'logistic', params: {}, state: { beta: [0, 1], featureNames: ['z'] } },
      features: { formatVersion: 1, minFrequency: 10, notes: [], specs: [{ kind: 'numeric', column: 'z', median: 0, indicator: false, log1p: false, mean: 0, sd: 1, bins: { lower: [null], mean: [0] } }] },
      calibration: cal,
    } as unknown as ModelArtifact;
    const ps = [0.01, 0.05, 0.1, 0.2, 0.3, 0.6, 0.9];
    const logits = ps.map((p) => Math.log(p / (1 - p)));
    const sql = exportSql(artifact, 'duckdb', `(SELECT unnest([${logits.join(', ')}]::DOUBLE[]) AS z)`);
    const { names, columns } = await queryColumns(sql);
    const q = columns[names.indexOf('probability')] as number[];
    ps.forEach((p, i) => expect(q[i]).toBeCloseTo(calibrate(cal, 1 / (1 + Math.exp(-logits[i]!))), 12));
    expect(q[3]).toBeCloseTo(0.15, 12); // the step at 0.2 takes its last value, as in JavaScript
  });
});
