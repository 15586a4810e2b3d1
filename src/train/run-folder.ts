/**
 * The run folder's files after the fits: holdout.csv, the example leads, the models' comparisons with the
 * rule baseline, metrics.json, a model card per model and the report.
 */
import { lstat, rename, rm, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { columnValues } from '../data/columns.ts';
import { modelCard, trainCommand } from '../report/model-card.ts';
import { writeExamples } from '../report/examples.ts';
import { bestModel, writeHoldout, writeReport } from '../report/report.ts';
import { writeFileAtomic } from '../data/io/write.ts';
import { delongTest, pairedBootstrap } from '../evaluation/compare.ts';
import { leadIdColumn } from '../rules/engine.ts';
import { LOWER_IS_BETTER, round } from './model-metrics.ts';

import type { fitRuleBaseline, fitRunModels, Run } from './steps.ts';
import type { MetricsJson, TrainResult } from './train.ts';

/** holdout.csv → examples → comparisons → metrics.json → model cards → report → models/latest. */
export async function writeRunFolder(run: Run, baseline: Awaited<ReturnType<typeof fitRuleBaseline>>, fitted: Awaited<ReturnType<typeof fitRunModels>>): Promise<TrainResult> {
  const { runDir, finalDir, options, step, seed, models, splitKind, rng, leads, target, unlabelled, labelled, split, leakage, excluded, strategy, strategyText, holdoutWeeks, results, ranks, files } = run;
  const { ruleScores } = baseline;
  const { saved, coefficients, featureNotes, warnings, info } = fitted;
  const holdoutProbability: Record<string, Float64Array> = { rules: baseline.ruleProbability, ...fitted.holdoutProbability };
  step('writing');
  // holdout.csv: one row per hold-out lead, so that any figure of the run can be checked in a spreadsheet.
  const idName = leadIdColumn(leads, options.id);
  const modelNames = results.map((m) => m.name).filter((name) => holdoutProbability[name]);
  files.push(await writeHoldout(runDir, {
    rows: split.test, y: target.y, ...(idName ? { id: { name: idName, values: columnValues(leads.table, idName) as ArrayLike<string | number | null> } } : {}),
    probability: Object.fromEntries(modelNames.map((name) => [name, holdoutProbability[name]!])), ruleScore: ruleScores,
  }));
  // Five hold-out leads of the best-ranking model, scored as `leadscore score` would, for the report.
  const exampleModel = bestModel(results);
  if (exampleModel) {
    files.push(await writeExamples(runDir, join(runDir, `${exampleModel.name}.model.json`), leads, target.y, {
      probability: holdoutProbability[exampleModel.name]!, rows: split.test, threshold: exampleModel.threshold.value,
      ...(options.activities ? { activities: options.activities } : {}), ...(options.id ? { id: options.id } : {}),
    }));
  }
  const capacityShare = strategy.kind === 'capacity' && 'share' in strategy ? strategy.share : 0.1;
  const comparisons = results.filter((m) => m.name !== 'rules').map((m) => {
    const c = delongTest(ranks[m.name]!, ranks.rules!, target.y, split.test);
    const boot = pairedBootstrap(ranks[m.name]!, ranks.rules!, target.y, split.test, { rng: rng.fork(`bootstrap:${m.name}`), share: capacityShare });
    return {
      model: m.name, baseline: 'rules', aucDiff: round(c.diff), ci95: [round(c.ci95[0]), round(c.ci95[1])] as [number, number], pValue: Number(c.pValue.toPrecision(4)),
      liftDiff: round(boot.lift.diff), liftCi95: boot.lift.ci95.map((v) => round(v)) as [number, number],
      precisionAtCapacityDiff: round(boot.precision.diff), precisionAtCapacityCi95: boot.precision.ci95.map((v) => round(v)) as [number, number],
      capacityShare, bootstrapResamples: boot.resamples,
    };
  });
  const positives = labelled.reduce((s, r) => s + target.y[r]!, 0);
  const primary = options.primary ?? 'prAuc';
  const metrics: MetricsJson = {
    formatVersion: 1,
    dataset: {
      source: 'path' in options.data ? options.data.path : options.data.sql,
      rows: labelled.length, trainRows: split.train.length, testRows: split.test.length, positives, split: splitKind, seed,
      target: target.name, targetRule: target.rule, excluded, unlabelled: unlabelled.size,
      ...(holdoutWeeks !== undefined ? { holdoutWeeks: round(holdoutWeeks) } : {}),
      ...(split.cutoff !== undefined ? { cutoff: Number.isFinite(split.cutoff) && split.cutoff > 1e11 ? new Date(split.cutoff).toISOString() : String(split.cutoff) } : {}),
    },
    leakage,
    models: results.sort((a, b) => (LOWER_IS_BETTER.has(primary) ? a[primary] - b[primary] : b[primary] - a[primary])),
    comparisons,
    primaryMetric: primary,
    warnings,
  };
  const metricsPath = join(runDir, 'metrics.json');
  await writeFileAtomic(metricsPath, `${JSON.stringify(metrics, null, 2)}\n`);
  files.unshift(metricsPath);
  // A model card beside each model: what it learned from, is for, reads, scores and costs, and how to retrain it.
  const command = trainCommand([
    ...('path' in options.data ? [['--data', options.data.path]] as Array<[string, string]> : [['--sql', options.data.sql]] as Array<[string, string]>),
    ['--target', options.target], ['--positive', options.positive], ['--id', options.id], ['--date', options.date],
    ['--activities', options.activities && 'path' in options.activities ? options.activities.path : undefined], ['--as-of', options.asOf], ['--account', options.account],
    ['--models', models.join(',')], ['--rules', options.rules], ['--exclude', options.exclude?.join(',')], ['--na', options.na],
    ['--split', splitKind], ['--group', options.group], ['--test-size', String(options.testSize ?? 0.2)], ['--seed', String(seed)],
    ...(options.params ?? []).map((p): [string, string] => ['--param', p]), ['--threshold', strategyText], ['--primary', primary],
    ['--drop-leaky', options.dropLeaky ? '' : undefined], ['--out', `${finalDir}-again`],
  ]);
  for (const artifact of saved) {
    const cardPath = join(runDir, `model-card-${artifact.name}.md`);
    await writeFileAtomic(cardPath, modelCard({ metrics, artifact, command }));
    files.push(cardPath);
  }
  // The report: the leaderboard, the decision panel and the curves, from metrics.json and holdout.csv.
  files.push((await writeReport(runDir)).path);
  return { runDir, metrics, files, ...(coefficients ? { coefficients } : {}), featureNotes, info, warnings };
}

/**
 * Points `latest` (models/latest) at the newest run: a relative symlink made beside it and renamed over it,
 * so it is replaced at once. Returns a warning when it cannot be (a real file or folder of the user's stands
 * there, or the filesystem refuses): the link would otherwise go stale without a word.
 */
export async function pointLatest(latest: string, runDir: string): Promise<string | null> {
  const existing = await lstat(latest).catch(() => null);
  if (existing && !existing.isSymbolicLink()) {
    return `${latest} is a ${existing.isDirectory() ? 'folder' : 'file'}, not the link leadscore keeps there: it was left as it is and does not point at this run`;
  }
  const tmp = `${latest}.${process.pid}.tmp`;
  try {
    await symlink(relative(dirname(latest), runDir), tmp);
    await rename(tmp, latest);
    return null;
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    return `${latest} could not be pointed at this run (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): it still points at an earlier run`;
  }
}
