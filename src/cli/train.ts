import type { Command } from 'commander';
import type { ModelName } from '../models/model.ts';
import { PARAM_NAMES } from '../train/params.ts';
import type { MetricsJson } from '../train/train.ts';
import { PRIMARY_METRICS, type PrimaryMetric } from '../train/model-metrics.ts';
import { ROW_ORDER } from '../data/time-axis.ts';
import { parseThresholdStrategy } from '../evaluation/thresholds.ts';
import { InvalidArgumentError } from 'commander';
import type { SplitKind } from '../types.ts';
import { actionConversions, createOutput, formatTable, percent, shownPath } from './output.ts';
import { shellWord } from '../shell-word.ts';
import { pValueText, thresholdText } from '../report/words.ts';
import { collect, parseInteger, given, parseList, parseShare, sourceOf } from './options.ts';
import { createProgress } from './progress.ts';
import { thousands } from '../thousands.ts';

interface TrainFlags {
  data?: string;
  sql?: string;
  target: string;
  positive?: string;
  id?: string;
  date?: string;
  activities?: string;
  asOf?: string;
  account?: string;
  models: string;
  rules?: string;
  exclude?: string;
  na?: string;
  split: SplitKind;
  group?: string;
  testSize: number;
  seed: number;
  out?: string;
  param: string[];
  dropLeaky?: boolean;
  leakageAuc?: number;
  leakageNames?: string;
  threshold: string;
  primary: PrimaryMetric;
  json?: boolean;
}

function parsePrimary(value: string): PrimaryMetric {
  if (!(PRIMARY_METRICS as readonly string[]).includes(value)) throw new InvalidArgumentError(`use one of ${PRIMARY_METRICS.join(', ')}`);
  return value as PrimaryMetric;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('fit the models on the training rows, evaluate them beside the rule baseline on the same hold-out rows, write the run folder')
    .option('--data <file>', 'historical leads with outcomes (CSV, Parquet, NDJSON)')
    .option('--sql <query>', 'read the leads from a DuckDB query instead of --data')
    .requiredOption('--target <column>', 'the column that says whether a lead converted (0/1, yes/no, true/false, or a conversion date)')
    .option('--positive <value>', 'for a two-valued text target: the value meaning converted')
    .option('--id <column>', 'lead id column (default lead_id, else the first id column)')
    .option('--date <column>', `the time column: a date, a numeric column that orders the rows (a running lead number), or ${ROW_ORDER} (the file's row order); needed by --split time; never a feature`)
    .option('--activities <file>', 'activity log: events aggregated per lead as features and for behavioural rules')
    .option('--as-of <when>', 'with --activities: each lead\'s scoring time, e.g. created_at+30d')
    .option('--account <column>', 'with --activities: add account-level features (other contacts of the same company engaged as of the scoring time)')
    .option('--models <list>', 'models to fit, comma-separated: rules, logistic, gbdt, mlp (the neural network; rules is always included)', 'rules,logistic,gbdt')
    .option('--rules <file>', 'rule file for the baseline (default: drafted from the training rows)')
    .option('--exclude <columns>', 'columns never used as features, comma-separated')
    .option('--na <tokens>', 'extra missing-value tokens, comma-separated')
    .option('--split <kind>', 'stratified, time (needs --date) or group (needs --group)', 'stratified')
    .option('--group <column>', 'group column for --split group (no group on both sides)')
    .option('--test-size <share>', 'hold-out share', parseShare, 0.2)
    .option('--seed <n>', 'random seed', parseInteger, 42)
    .option('--out <dir>', 'run folder (default models/runs/<timestamp>, and models/latest points at it)')
    .option('--threshold <strategy>', 'how the send-to-sales threshold is chosen on the training rows: maxF1, youden, precision:0.4, recall:0.8, capacity:10%, capacity:200/week (needs --date), profit:<deal value>,<contact cost>', 'maxF1')
    .option('--primary <metric>', `leaderboard order: ${PRIMARY_METRICS.join(', ')}`, parsePrimary, 'prAuc')
    .option('--leakage-auc <auc>', 'leakage guard: flag a column whose AUC alone reaches this (default 0.90)', parseShare)
    .option('--leakage-names <words>', 'leakage guard: name fragments that suggest post-outcome data, comma-separated (default duration,status,stage,closed,won,lost,outcome,result,tags,quality,converted,churn)')
    .option('--drop-leaky', 'drop the columns the leakage guard flags (default: warn and keep them)')
    .option('--param <model.name=value>', `a model hyperparameter, repeatable: ${PARAM_NAMES.join(', ')}`, collect, [])
    .option('--json', 'print metrics.json on stdout')
    .action(async (flags: TrainFlags) => {
      const out = createOutput(Boolean(flags.json));
      if (!['stratified', 'time', 'group'].includes(flags.split)) {
        const { ConfigError } = await import('../errors.ts');
        throw new ConfigError('BAD_SPLIT', `unknown split "${flags.split}"`, 'use --split stratified, time or group');
      }
      const models = parseList(flags.models) as ModelName[];
      const { trainModels, trainSteps } = await import('../train/train.ts');
      const progress = createProgress('train', trainSteps({ models, ...(flags.activities ? { activities: { path: flags.activities } } : {}) }).length);
      const result = await trainModels({
        data: sourceOf(flags.data, flags.sql, 'a --data file'),
        target: flags.target,
        models,
        split: flags.split, testSize: flags.testSize, seed: flags.seed, params: flags.param,
        ...given({
          positive: flags.positive, id: flags.id, date: flags.date, activities: flags.activities ? { path: flags.activities } : undefined, asOf: flags.asOf,
          account: flags.account, rules: flags.rules, exclude: flags.exclude ? parseList(flags.exclude) : undefined, na: flags.na, group: flags.group, out: flags.out,
          dropLeaky: flags.dropLeaky || undefined,
        }),
        ...(flags.leakageAuc !== undefined || flags.leakageNames !== undefined ? { leakage: given({
          high: flags.leakageAuc, names: flags.leakageNames === undefined ? undefined : parseList(flags.leakageNames),
        }) } : {}),
        threshold: parseThresholdStrategy(flags.threshold),
        primary: flags.primary,
        onStep: (step) => progress.tick(1, step),
      });
      progress.stop();
      out.json(result.metrics);
      out.say(renderLeaderboard(result.metrics));
      if (result.featureNotes.length) out.say(`\nfeatures: ${result.featureNotes.join('; ')}`);
      for (const note of result.info) out.say(`info: ${note}`);
      for (const w of result.warnings) out.say(`warning: ${w}`);
      out.say(`\nwrote ${shownPath(result.runDir)}/: ${result.files.map((f) => f.split('/').pop()).join(', ')}`);
    });
}

/** The leaderboard and what the run excluded or suspects. */
export function renderLeaderboard(metrics: MetricsJson): string {
  const d = metrics.dataset;
  const lines = [
    `${d.source}: ${thousands(d.rows)} labelled leads, ${thousands(d.positives)} converted (${percent(d.positives / d.rows)}); ` +
      `${d.split} split, ${thousands(d.trainRows)} train / ${thousands(d.testRows)} hold-out${d.cutoff ? ` (test from ${d.cutoff.slice(0, 10)})` : ''}, seed ${d.seed}` +
      (d.unlabelled > 0 ? `; ${thousands(d.unlabelled)} rows without a value in "${d.target}" left out` : ''),
    '',
    // A model's threshold is a probability; the rules' is in points (0–100): each says which.
    formatTable(['model', 'PR-AUC', 'AUC', 'log loss', 'Brier', 'ECE', 'lift@10%', 'threshold', 'TP', 'FP', 'FN', 'TN', 'fit s'],
      metrics.models.map((m) => [m.name, m.prAuc.toFixed(4), m.auc.toFixed(4), m.logLoss.toFixed(4), m.brier.toFixed(4), m.ece.toFixed(4), m.liftAt10.toFixed(2),
        thresholdText(m.name, m.threshold.value), m.threshold.tp, m.threshold.fp, m.threshold.fn, m.threshold.tn, m.fitSeconds.toFixed(2)])),
  ];
  const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
  for (const c of metrics.comparisons) {
    lines.push(`${c.model} vs ${c.baseline}: AUC ${signed(c.aucDiff, 4)} (95% CI ${c.ci95[0].toFixed(4)} to ${c.ci95[1].toFixed(4)}, DeLong ${pValueText(c.pValue)}); ` +
      `top ${Math.round(c.capacityShare * 100)}%: lift ${signed(c.liftDiff, 2)} (${c.liftCi95[0].toFixed(2)} to ${c.liftCi95[1].toFixed(2)}), ` +
      `precision ${signed(c.precisionAtCapacityDiff, 3)} (${c.precisionAtCapacityCi95[0].toFixed(3)} to ${c.precisionAtCapacityCi95[1].toFixed(3)}), paired bootstrap ×${c.bootstrapResamples}`);
  }
  const best = metrics.models[0];
  const tradeoff = best?.details.tradeoff as Array<{ share: number; tp: number; fp: number; fn: number }> | undefined;
  if (best && tradeoff) {
    const at = [0.05, 0.1, 0.2, 0.3, 0.5].map((share) => tradeoff.find((t) => t.share >= share - 1e-9)).filter((t): t is NonNullable<typeof t> => Boolean(t));
    lines.push('', `${best.name}, FP/FN trade-off on the hold-out, by share of leads sent to sales:`,
      formatTable(['sent to sales', 'conversions found (TP)', 'conversions missed (FN)', 'contacts in vain (FP)'],
        at.map((t) => [percent(t.share, 0), t.tp, t.fn, t.fp])), '');
  }
  const perWeek = metrics.models.filter((m) => typeof m.details.sentPerWeek === 'number');
  if (perWeek.length) lines.push(`leads sent to sales per hold-out week at each threshold: ${perWeek.map((m) => `${m.name} ${(m.details.sentPerWeek as number).toFixed(1)}`).join(', ')}`);
  const rules = metrics.models.find((m) => m.name === 'rules');
  const actions = rules?.details.actions as Parameters<typeof actionConversions>[0] | undefined;
  if (actions) lines.push(`rules' actions on the hold-out: ${actionConversions(actions)}`);
  const strategy = best?.threshold.strategy ?? 'maxF1';
  lines.push(/\/week$/.test(strategy)
    ? `ordered by ${metrics.primaryMetric}; thresholds (${strategy}) send each hold-out week its capacity: set on the hold-out leads' own volume and scores, no outcome read (as a team picks its best leads each week)`
    : `ordered by ${metrics.primaryMetric}; thresholds (${strategy}) are chosen on the training rows (out-of-fold for models) and applied unchanged to the hold-out`);
  if (metrics.dataset.excluded.length) lines.push(`excluded: ${metrics.dataset.excluded.map((e) => `${e.column} (${e.reason})`).join('; ')}`);
  const suspects = metrics.leakage.filter((l) => !l.dropped);
  for (const l of suspects) lines.push(`leakage warning: ${l.reason} (kept; --drop-leaky or --exclude ${shellWord(l.column)} to leave it out)`);
  return lines.join('\n');
}
