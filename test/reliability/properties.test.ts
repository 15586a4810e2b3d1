/**
 * Properties the numbers must keep whatever the input (issue 23), seeded: the metrics' identities and
 * bounds, splits that partition and never let a group cross, and models that give probabilities in [0, 1]
 * and scores in [0, 100] for any finite lead, and the same predictions after their JSON round trip (the
 * artifact read back against what the fitted model wrote into holdout.csv).
 */
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/io/csv.ts';
import { loadDatasetWithReading } from '../../src/data/io/dataset.ts';
import { loadModel } from '../../src/models/artifact.ts';
import { groupSplit, stratifiedSplit } from '../../src/data/split.ts';
import { brierScore, confusionAt, logLoss, rocAuc } from '../../src/evaluation/metrics.ts';
import { createRng } from '../../src/random.ts';
import { prepareScorer, scoreLeads } from '../../src/scoring/score.ts';
import { trainModels } from '../../src/train/train.ts';
import { baseCsv } from '../fixtures/bad/corpus.ts';
import { tempDir, writeTemp } from '../helpers.ts';

const labels = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 2, maxLength: 200 }).filter((y) => y.includes(0) && y.includes(1));
const withScores = labels.chain((y) => fc.tuple(fc.constant(y), fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: y.length, maxLength: y.length })));
const withProbabilities = labels.chain((y) => fc.tuple(fc.constant(y), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: y.length, maxLength: y.length })));

describe('metrics (properties)', () => {
  it('AUC(−s) = 1 − AUC(s), and AUC is unchanged by a strictly increasing transform', () => {
    fc.assert(fc.property(withScores, ([y, s]) => {
      const auc = rocAuc(s, y);
      expect(rocAuc(s.map((v) => -v), y)).toBeCloseTo(1 - auc, 12);
      // Strictly increasing in floating point too: each value's rank among the distinct values, and ×4 (exact).
      const distinct = [...new Set(s)].sort((a, b) => a - b);
      const rank = new Map(distinct.map((v, i) => [v, i]));
      expect(rocAuc(s.map((v) => rank.get(v)!), y)).toBe(auc);
      expect(rocAuc(s.map((v) => v * 4), y)).toBe(auc);
      expect(auc).toBeGreaterThanOrEqual(0);
      expect(auc).toBeLessThanOrEqual(1);
    }), { numRuns: 500, seed: 11 });
  });

  it('log loss is at least 0 and finite, Brier within [0, 1], the confusion counts sum to n', () => {
    fc.assert(fc.property(withProbabilities, fc.double({ min: 0, max: 1, noNaN: true }), ([y, p], threshold) => {
      const loss = logLoss(p, y);
      expect(loss).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(loss)).toBe(true);
      const brier = brierScore(p, y);
      expect(brier).toBeGreaterThanOrEqual(0);
      expect(brier).toBeLessThanOrEqual(1);
      const c = confusionAt(p, y, threshold);
      expect(c.tp + c.fp + c.tn + c.fn).toBe(y.length);
      expect(c.tp + c.fn).toBe(y.filter((v) => v === 1).length);
    }), { numRuns: 500, seed: 12 });
  });
});

describe('splits (properties)', () => {
  it('a stratified split partitions the rows and keeps each class within one row of its share', () => {
    fc.assert(fc.property(labels, fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.integer(), (y, testSize, seed) => {
      const { train, test } = stratifiedSplit(y, { testSize, rng: createRng(seed) });
      expect([...train, ...test].sort((a, b) => a - b)).toEqual(y.map((_, i) => i));
      for (const cls of [0, 1]) {
        const all = y.filter((v) => v === cls).length;
        const inTest = Array.from(test).filter((r) => y[r] === cls).length;
        expect(Math.abs(inTest - all * testSize)).toBeLessThanOrEqual(1);
      }
    }), { numRuns: 500, seed: 13 });
  });

  it('a group split partitions the rows and never puts one group on both sides', () => {
    const groups = fc.array(fc.oneof(fc.integer({ min: 0, max: 15 }), fc.constantFrom('a', 'b', 'c')), { minLength: 4, maxLength: 150 })
      .filter((g) => new Set(g).size >= 2);
    fc.assert(fc.property(groups, fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.integer(), (g, testSize, seed) => {
      const { train, test } = groupSplit(g, { testSize, rng: createRng(seed) });
      expect([...train, ...test].sort((a, b) => a - b)).toEqual(g.map((_, i) => i));
      const trainGroups = new Set(Array.from(train, (r) => g[r]));
      for (const r of test) expect(trainGroups.has(g[r]!)).toBe(false);
    }), { numRuns: 500, seed: 14 });
  });
});

describe('models (properties)', () => {
  let run: string;
  let dir: string;
  const kinds = ['logistic', 'gbdt', 'mlp'] as const;
  beforeAll(async () => {
    dir = await tempDir();
    await writeTemp(dir, 'leads.csv', baseCsv(400));
    run = join(dir, 'run');
    await trainModels({ data: { path: join(dir, 'leads.csv') }, target: 'converted', models: ['rules', ...kinds], out: run, params: ['mlp.epochs=20'] });
  }, 180_000);

  it.each(kinds)('%s: the artifact read back predicts what the fitted model wrote, to the last bit', async (kind) => {
    const holdout = parseCsv(await readFile(join(run, 'holdout.csv'), 'utf8'));
    const rowAt = holdout.names.indexOf('row');
    const pAt = holdout.names.indexOf(`p_${kind}`);
    // The exported probability is rounded; the model's own prediction is compared, on the file read as its training file was.
    const loaded = await loadModel(join(run, `${kind}.model.json`));
    const leads = await loadDatasetWithReading({ path: join(dir, 'leads.csv') }, loaded.artifact.reading, new Map(loaded.artifact.reading.columns.map((c) => [c.name, c.type])));
    const probability = loaded.predict(leads);
    const rows = holdout.columns[rowAt]!;
    expect(rows.length).toBeGreaterThan(50);
    rows.forEach((row, i) => expect(probability[Number(row) - 1], `row ${row}`).toBe(Number(holdout.columns[pAt]![i])));
  });

  it.each(kinds)('%s: any finite lead gets a probability in [0, 1] and a score in [0, 100]', async (kind) => {
    const scorer = await prepareScorer({ model: join(run, `${kind}.model.json`), input: { path: join(dir, 'leads.csv') } });
    const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(0, -0, 1e308, -1e308, 5e-324));
    const lead = fc.tuple(number, number, fc.constantFrom('web', 'email', 'never seen', ''), fc.constantFrom('yes', 'no', ''), fc.constantFrom('2024-03-05', '1900-01-01', '2999-12-31', ''));
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(lead, { minLength: 1, maxLength: 30 }), async (leads) => {
      const text = `lead_id,visits,revenue,channel,newsletter,created_at\n${leads.map((l, i) => `X${i},${l.join(',')}`).join('\n')}\n`;
      const path = await writeTemp(dir, `finite-${kind}-${n++}.csv`, text);
      const scored = await scoreLeads({ model: join(run, `${kind}.model.json`), input: { path }, reasons: 0 }, scorer);
      const p = scored.columns[scored.names.indexOf('probability')]! as number[];
      const s = scored.columns[scored.names.indexOf('score')]! as number[];
      for (let i = 0; i < p.length; i++) {
        expect(Number.isFinite(p[i]), `probability of ${JSON.stringify(leads[i])}`).toBe(true);
        expect(p[i]).toBeGreaterThanOrEqual(0);
        expect(p[i]).toBeLessThanOrEqual(1);
        expect(s[i]).toBeGreaterThanOrEqual(0);
        expect(s[i]).toBeLessThanOrEqual(100);
      }
    }), { numRuns: 60, seed: 15 });
  }, 120_000);
});
