/**
 * `evaluate`: a saved model on new labelled data, with the same metrics as `train` (its own threshold,
 * from the artifact), optionally beside a rule file and against a champion model. Champion/challenger:
 * the challenger passes when the lower 95% bound of AUC(challenger) − AUC(champion) (DeLong) is above
 * −margin, so a retrained model can be gated before it replaces the live one. With `out`, the evaluation
 * is also written as a folder a report reads: evaluation.json, holdout.csv (one row per evaluated lead),
 * examples.json and report.html.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { joinActivityFeatures, loadActivityLog } from '../data/activities/activities.ts';
import { resolveAsOf } from '../data/activities/as-of.ts';
import { type Dataset, loadDatasetWithReading } from '../data/io/dataset.ts';
import { allRows, columnValues } from '../data/columns.ts';
import { assertNaAgrees } from '../data/types/reading.ts';
import type { ColumnType } from '../types.ts';
import type { Source } from '../data/io/read.ts';
import { resolveTarget } from '../data/target.ts';
import { ConfigError } from '../errors.ts';
import { delongTest, pairedBootstrap } from './compare.ts';
import { applyCalibrator } from '../models/calibration.ts';
import { type LoadedModel, loadModel } from '../models/artifact.ts';
import type { ModelName } from '../models/model.ts';
import { createRng } from '../random.ts';
import { leadIdColumn, type ScoringContext } from '../rules/engine.ts';
import { assertFolderFree, intoFolder, writeFileAtomic } from '../data/io/write.ts';
import { writeExamples } from '../report/examples.ts';
import { evaluationLabel, writeHoldout, writeReport } from '../report/report.ts';
import { loadRuleFile } from '../rules/rule-file.ts';
import { RuleScorer } from '../rules/rule-scorer.ts';
import { evaluateScores, type ModelMetrics, round } from '../train/model-metrics.ts';

export interface EvaluateOptions {
  model: string;
  /** Use models edited after they were written (their content hash no longer matches). */
  trust?: boolean;
  data: Source;
  activities?: Source;
  /** Scoring time for activity features; default the one the model was trained with. */
  asOf?: string;
  /** Target column; default the one the model was trained on. */
  target?: string;
  positive?: string;
  rules?: string;
  champion?: string;
  /** The challenger may be at most this much worse in AUC (lower 95% bound). Default 0.005. */
  margin?: number;
  na?: string;
  id?: string;
  seed?: number;
  /** A folder to write the evaluation into (evaluation.json, holdout.csv, examples.json, report.html); it must not hold one already. */
  out?: string;
}

export interface Comparison {
  model: string;
  baseline: string;
  aucDiff: number;
  ci95: [number, number];
  pValue: number;
  liftDiff: number;
  liftCi95: [number, number];
}

export interface EvaluationResult {
  formatVersion: 1;
  dataset: { source: string; rows: number; positives: number; target: string; unlabelled: number };
  models: Array<ModelMetrics & { artifact: string }>;
  comparisons: Comparison[];
  gate?: { passed: boolean; margin: number; lowerBound: number; aucDiff: number };
  unseen: Record<string, number>;
  /** What the reading said in passing (a long file read twice, and why); absent when it said nothing. */
  notes?: string[];
  /** With `out`: the folder and the files written into it (not part of evaluation.json). */
  written?: { folder: string; files: string[] };
}

async function prepare(loaded: LoadedModel, options: Pick<EvaluateOptions, 'model' | 'activities' | 'asOf' | 'id'>, leads: Dataset): Promise<{ data: Dataset; asOf?: number | Float64Array; context: ScoringContext }> {
  if (!loaded.artifact.activities) return { data: leads, context: options.id ? { leadId: options.id } : {} };
  if (!options.activities) {
    throw new ConfigError('ACTIVITIES_REQUIRED', `${options.model} was trained with activity features`, `add --activities <file> (the model counts events as of ${loaded.artifact.activities.asOf})`);
  }
  const log = await loadActivityLog(options.activities);
  const asOf = resolveAsOf(options.asOf ?? loaded.artifact.activities.asOf, leads);
  const idName = leadIdColumn(leads, options.id ?? loaded.artifact.idColumn ?? undefined);
  if (!idName) throw new ConfigError('ID_REQUIRED', 'the activity log needs a lead id column to join on', 'name it with --id <column>');
  const account = loaded.artifact.activities.account;
  const data = joinActivityFeatures(leads, log, idName, asOf, account);
  return { data, asOf, context: { activities: log, asOf, leadId: idName, ...(account ? { account } : {}) } };
}

const modelNameOf = (loaded: LoadedModel): ModelName => loaded.artifact.name as ModelName;

/** The columns a model reads (and the target) with their training types: cells that do not read so are bad values. */
function checkedColumns(loaded: LoadedModel, target: string): Map<string, ColumnType> {
  const trained = new Map(loaded.artifact.reading.columns.map((c) => [c.name, c.type]));
  const names = [target, ...(loaded.artifact.features.specs as Array<{ column: string }>).map((s) => s.column)];
  return new Map(names.flatMap((n) => (trained.has(n) ? [[n, trained.get(n)!] as const] : [])));
}

/** A labelled file read as a model's training file was read (types, yes/no words, dates, missing tokens); its reading notes go to `notes`. */
async function readWithReading(loaded: LoadedModel, options: Pick<EvaluateOptions, 'data'>, targetName: string, notes: Set<string>): Promise<Dataset> {
  const read = await loadDatasetWithReading(options.data, loaded.artifact.reading, checkedColumns(loaded, targetName),
    'fix those rows: the model reads this file with the settings of its training file');
  for (const note of read.notes ?? []) notes.add(note);
  return read;
}

/**
 * Labelled leads for a model, as `evaluate` reads them: the file read as the model's training file was, the
 * target (by default the model's, with the value it was trained to call converted), the labelled rows, and
 * the activity columns joined as of the model's scoring time.
 *
 * @example
 * const { data, target, rows } = await labelledForModel(await loadModel(path), { model: path, data: { path: 'q3.csv' } }, new Set());
 */
export async function labelledForModel(loaded: LoadedModel, options: Pick<EvaluateOptions, 'model' | 'data' | 'activities' | 'asOf' | 'target' | 'positive' | 'na' | 'id'>, notes: Set<string>) {
  const { artifact } = loaded;
  assertNaAgrees(artifact.reading, options.na, options.model);
  const targetName = options.target ?? artifact.target.name;
  if (options.positive !== undefined && artifact.target.positive !== undefined && options.positive !== artifact.target.positive && targetName === artifact.target.name) {
    throw new ConfigError('POSITIVE_CONTRADICTS_MODEL', `--positive "${options.positive}" differs from the value ${options.model} was trained with ("${artifact.target.positive}")`,
      'leave out --positive: the model remembers which value means converted');
  }
  const positive = options.positive ?? (targetName === artifact.target.name ? artifact.target.positive : undefined);
  const leads = await readWithReading(loaded, options, targetName, notes);
  const target = resolveTarget(leads, targetName, positive !== undefined ? { positive } : {});
  const unlabelled = new Set(target.unlabelled);
  const rows = allRows(leads.table.numRows()).filter((r) => !unlabelled.has(r));
  const { data, asOf, context } = await prepare(loaded, options, leads);
  for (const note of context.activities?.notes ?? []) notes.add(note);
  return { leads, target, targetName, unlabelled, rows, data, context, ...(asOf !== undefined ? { asOf } : {}) };
}

/**
 * @example
 * const result = await evaluateModel({ model: 'new/logistic.model.json', champion: 'live/logistic.model.json', data: { path: 'q3.csv' } });
 * if (!result.gate?.passed) process.exitCode = 3;
 */
export async function evaluateModel(options: EvaluateOptions): Promise<EvaluationResult> {
  const out = options.out ? resolve(options.out) : undefined;
  if (out) await assertFolderFree(out, 'evaluation.json', 'an evaluation', options.out);
  const trust = { trust: options.trust === true };
  const challenger = await loadModel(options.model, trust);
  const champion = options.champion ? await loadModel(options.champion, trust) : undefined;
  const { artifact } = challenger;
  if (champion) assertNaAgrees(champion.artifact.reading, options.na, options.champion!);
  const notes = new Set<string>();
  const { leads, target, targetName, unlabelled, rows, data, asOf, context } = await labelledForModel(challenger, options, notes);
  const readFor = (loaded: LoadedModel) => readWithReading(loaded, options, targetName, notes);

  const scored: Array<{ label: string; name: ModelName; probability: Float64Array; metrics: ModelMetrics & { artifact: string } }> = [];
  let unseen: Record<string, number> = {};
  for (const [label, loaded] of [['challenger', challenger], ['champion', champion]] as const) {
    if (!loaded) continue;
    const { data: own, asOf: ownAsOf } = loaded === challenger ? { data, asOf } : await prepare(loaded, options, await readFor(loaded));
    const design = loaded.pipeline.transform(own, ownAsOf !== undefined ? { asOf: ownAsOf } : {});
    if (loaded === challenger) unseen = design.unseen;
    const probability = applyCalibrator(loaded.artifact.calibration, loaded.model.predictProba(design as never));
    // "challenger" only beside a champion; alone it is the model evaluated.
    const role = champion ? label : 'model';
    const metrics = evaluateScores(modelNameOf(loaded), probability, probability, target.y, rows, loaded.artifact.threshold, 0, { role, trainedOn: loaded.artifact.training.dataHash });
    scored.push({ label, name: modelNameOf(loaded), probability, metrics: { ...metrics, artifact: label === 'challenger' ? options.model : options.champion! } });
  }
  let rulesScores: Float64Array | undefined;
  if (options.rules) {
    const rules = await loadRuleFile(options.rules);
    const result = new RuleScorer(rules).score(leads, context);
    rulesScores = result.score;
    // No training rows here to map the score to a conversion rate: log loss, Brier and ECE read score / 100 as it is.
    const probability = rulesScores.map((s) => s / 100);
    const metrics = evaluateScores('rules', rulesScores, probability, target.y, rows, { value: rules.tiers.hot, strategy: 'hot tier' }, 0,
      { source: options.rules, probability: 'score / 100, uncalibrated' });
    scored.push({ label: 'rules', name: 'rules', probability: rulesScores, metrics: { ...metrics, artifact: options.rules } });
  }

  const rng = createRng(options.seed ?? 42);
  const compare = (a: Float64Array, b: Float64Array, model: string, baseline: string): Comparison => {
    const c = delongTest(a, b, target.y, rows);
    const boot = pairedBootstrap(a, b, target.y, rows, { rng: rng.fork(`bootstrap:${model}:${baseline}`) });
    return { model, baseline, aucDiff: round(c.diff), ci95: [round(c.ci95[0]), round(c.ci95[1])], pValue: Number(c.pValue.toPrecision(4)),
      liftDiff: round(boot.lift.diff), liftCi95: [round(boot.lift.ci95[0]), round(boot.lift.ci95[1])] };
  };
  const comparisons: Comparison[] = [];
  const chall = scored.find((s) => s.label === 'challenger')!;
  const champ = scored.find((s) => s.label === 'champion');
  let gate: EvaluationResult['gate'];
  if (champ) {
    const c = compare(chall.probability, champ.probability, 'challenger', 'champion');
    comparisons.push(c);
    const margin = options.margin ?? 0.005;
    gate = { passed: c.ci95[0] > -margin, margin, lowerBound: c.ci95[0], aucDiff: c.aucDiff };
  }
  if (rulesScores) comparisons.push(compare(chall.probability, rulesScores, champ ? 'challenger' : chall.name, 'rules'));
  const positives = rows.reduce((s, r) => s + target.y[r]!, 0);
  const result: EvaluationResult = {
    formatVersion: 1,
    dataset: { source: 'path' in options.data ? options.data.path : options.data.sql, rows: rows.length, positives, target: targetName, unlabelled: unlabelled.size },
    models: scored.map((s) => s.metrics),
    comparisons,
    ...(gate ? { gate } : {}),
    unseen,
    ...(notes.size ? { notes: [...notes] } : {}),
  };
  if (!out) return result;
  const written = await intoFolder(out, async () => {
    await mkdir(out, { recursive: true });
    const files: string[] = [];
    const jsonPath = join(out, 'evaluation.json');
    await writeFileAtomic(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
    files.push(jsonPath);
    // holdout.csv as train writes it: the evaluated leads are this evaluation's hold-out.
    const idName = leadIdColumn(leads, options.id ?? artifact.idColumn ?? undefined);
    files.push(await writeHoldout(out, {
      rows, y: target.y, ...(idName ? { id: { name: idName, values: columnValues(leads.table, idName) as ArrayLike<string | number | null> } } : {}),
      probability: Object.fromEntries(scored.filter((s) => s.label !== 'rules').map((s) => [evaluationLabel(result, s.metrics), s.probability])),
      ...(rulesScores ? { ruleScore: rulesScores } : {}),
    }));
    // Five of the leads, scored by the evaluated model as `leadscore score` would.
    files.push(await writeExamples(out, options.model, leads, target.y, {
      probability: chall.probability, rows, threshold: chall.metrics.threshold.value,
      ...(options.activities ? { activities: options.activities } : {}), ...(options.id ? { id: options.id } : {}), ...(options.rules ? { rules: options.rules } : {}),
    }));
    files.push((await writeReport(out, 'evaluation.json')).path);
    return { folder: out, files };
  });
  return { ...result, written };
}
