import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { aggregateActivities, joinActivities, loadActivityLog } from '../../src/data/activities/activities.ts';
import { resolveAsOf } from '../../src/data/activities/as-of.ts';
import { loadDataset } from '../../src/data/io/dataset.ts';
import { SAMPLE } from '../../src/data/sample/sample-paths.ts';
import { spearman } from '../../src/evaluation/metrics.ts';
import { loadModel } from '../../src/models/artifact.ts';
import { scoreWithRules } from '../../src/rules/engine.ts';
import { learnScorecard } from '../../src/rules/learn.ts';
import { parseRuleFile, ruleSetToYaml } from '../../src/rules/rule-file.ts';
import { trainModels } from '../../src/train/train.ts';
import { tempDir } from '../helpers.ts';

describe('learnScorecard', () => {
  it('ranks the bundled sample as the logistic model does (Spearman ≥ 0.99), with totals in 0–100', async () => {
    const dir = await tempDir();
    const run = await trainModels({
      data: { path: SAMPLE.leads }, target: SAMPLE.target, activities: { path: SAMPLE.activities }, asOf: 'created_at+30d',
      date: SAMPLE.date, rules: SAMPLE.rules, out: join(dir, 'run'),
    });
    const loaded = await loadModel(join(run.runDir, 'logistic.model.json'));
    const learned = learnScorecard(loaded.artifact);
    // It is a rule file like any other: it survives YAML and the rule engine runs it.
    const rules = parseRuleFile(ruleSetToYaml(learned.rules), 'scorecard.yaml');
    const leads = await loadDataset({ path: SAMPLE.leads });
    const log = await loadActivityLog({ path: SAMPLE.activities });
    const asOf = resolveAsOf('created_at+30d', leads);
    const scores = scoreWithRules(rules, leads, { activities: log, asOf });
    const data = joinActivities(leads, aggregateActivities(log, leads.table.array('lead_id') as string[], asOf));
    const model = loaded.predict(data, { asOf });
    expect(spearman(model, scores.score)).toBeGreaterThanOrEqual(0.99);
    expect(Math.min(...scores.score)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...scores.score)).toBeLessThanOrEqual(100);
    // Points per column start at 0: the best possible lead totals 100 (up to rounding).
    expect(learned.rules.criteria.every((c) => c.points > 0)).toBe(true);
    expect(learned.rules.tiers.warm).toBeLessThan(learned.rules.tiers.hot);
    expect(learned.notes).toEqual([]);
  });
});
