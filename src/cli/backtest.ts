import { type Command, InvalidArgumentError } from 'commander';
import type { BacktestJson } from '../backtest/backtest.ts';
import { ROW_ORDER } from '../data/time-axis.ts';
import { PSI_WARNING } from '../backtest/drift.ts';
import type { ModelName } from '../models/model.ts';
import { PARAM_NAMES } from '../train/params.ts';
import { createOutput, formatTable, shownPath } from './output.ts';
import { collect, parseInteger, given, parseList, parseShare, sourceOf } from './options.ts';
import { createProgress } from './progress.ts';

interface BacktestFlags {
  data?: string;
  sql?: string;
  target: string;
  positive?: string;
  date: string;
  outcomeDate?: string;
  id?: string;
  activities?: string;
  asOf?: string;
  account?: string;
  period?: string;
  window: string;
  maturity?: number;
  now?: string;
  models: string;
  rules?: string;
  exclude?: string;
  na?: string;
  capacity: number;
  minTrainRows: number;
  seed: number;
  out?: string;
  param: string[];
  json?: boolean;
}

function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!(n >= 0)) throw new InvalidArgumentError('expected a number ≥ 0');
  return n;
}

export function registerBacktest(program: Command): void {
  program
    .command('backtest')
    .description('walk forward through time: per period, fit on what was known before it, score its leads, judge them once their outcomes are in; rules beside the models')
    .option('--data <file>', 'historical leads with outcomes (CSV, Parquet, NDJSON)')
    .option('--sql <query>', 'read the leads from a DuckDB query instead of --data')
    .requiredOption('--target <column>', 'the column that says whether a lead converted (0/1, yes/no, or a conversion date)')
    .option('--positive <value>', 'for a two-valued text target: the value meaning converted')
    .requiredOption('--date <column>', `when each lead was created (a date column), a numeric time column, or ${ROW_ORDER} when the rows are in time order`)
    .option('--outcome-date <column>', 'when each conversion happened (e.g. converted_at): later conversions are unknown to earlier periods (default: the target, when it is a date)')
    .option('--id <column>', 'lead id column (default lead_id, else the first id column)')
    .option('--activities <file>', 'activity log: events before each lead\'s scoring time become features')
    .option('--as-of <when>', 'with --activities: each lead\'s scoring time, e.g. created_at+7d (default: the --date column)')
    .option('--account <column>', 'with --activities: add account-level features')
    .option('--period <period>', 'week, month or quarter for dates (default month); a width in units for a numeric time or @row (default a twelfth of the range)')
    .option('--window <window>', 'training window: expanding (all history) or sliding:N (the last N periods)', 'expanding')
    .option('--maturity <n>', 'days (dates) or units (ordinal time) after creation until an outcome is known; younger leads are pending (default 90 days / 0 units)', parseNonNegative)
    .option('--now <date>', 'run as of this date: later leads are left out, later conversions are not known yet, leads younger than the maturity are pending (default: the newest --date)')
    .option('--models <list>', 'models, comma-separated: rules, logistic, gbdt, mlp (rules is always included)', 'rules,logistic,gbdt')
    .option('--rules <file>', 'rule file for the baseline (default: drafted from each period\'s training rows)')
    .option('--exclude <columns>', 'columns never used as features, comma-separated')
    .option('--na <tokens>', 'extra missing-value tokens, comma-separated')
    .option('--capacity <share>', 'share of leads sales can work, for precision at capacity', parseShare, 0.1)
    .option('--min-train-rows <n>', 'fewest training leads before a period is backtested', parseInteger, 200)
    .option('--seed <n>', 'random seed', parseInteger, 42)
    .option('--out <dir>', 'output folder for backtest.json and backtest-scores.csv (default models/backtests/<timestamp>)')
    .option('--param <model.name=value>', `a model hyperparameter, repeatable: ${PARAM_NAMES.join(', ')}`, collect, [])
    .option('--json', 'print backtest.json on stdout')
    .action(async (flags: BacktestFlags) => {
      const out = createOutput(Boolean(flags.json));
      let progress: ReturnType<typeof createProgress> | undefined;
      const { backtest } = await import('../backtest/backtest.ts');
      const result = await backtest({
        data: sourceOf(flags.data, flags.sql, 'a --data file'),
        target: flags.target, date: flags.date, window: flags.window, capacity: flags.capacity, minTrainRows: flags.minTrainRows,
        seed: flags.seed, params: flags.param,
        models: parseList(flags.models) as ModelName[],
        ...given({
          positive: flags.positive, outcomeDate: flags.outcomeDate, id: flags.id, activities: flags.activities ? { path: flags.activities } : undefined,
          asOf: flags.asOf, account: flags.account, period: flags.period, maturity: flags.maturity, now: flags.now, rules: flags.rules,
          exclude: flags.exclude ? parseList(flags.exclude) : undefined, na: flags.na, out: flags.out,
        }),
        onStep: (done, total, label) => {
          progress ??= createProgress('backtest', total);
          if (done > 0) progress.tick(1, label);
        },
      });
      progress?.stop();
      out.json(result.json);
      out.say(renderBacktest(result.json));
      for (const note of result.info) out.say(`info: ${note}`);
      out.say(`fit time over all periods: ${Object.entries(result.fitSeconds).map(([m, sec]) => `${m} ${sec.toFixed(1)} s`).join(', ')}`);
      if (result.outDir) out.say(`\nwrote ${shownPath(result.outDir)}/: ${result.files.map((f) => f.split('/').pop()).join(', ')}`);
    });
}

const fixed = (x: number | null, digits: number) => (x === null ? '–' : x.toFixed(digits));

/** The per-period table, the summary per model and the warnings. */
export function renderBacktest(json: BacktestJson): string {
  const s = json.settings;
  const names = json.summary.map((m) => m.name);
  const lines = [
    `${shownPath(json.dataset.source)}: ${json.periods.length} periods backtested (${s.period}, ${s.window} window, outcomes known after ${s.maturity} ${s.maturityUnit}, as of ${s.now}: ${s.nowFrom})` +
      (json.skipped.length ? `; ${json.skipped.length} early period(s) skipped for lack of history` : ''),
    '',
    // Training conversions beside the AUCs: a period trained on a dozen conversions explains an AUC near 0.5.
    formatTable(['period', 'train', 'train conv.', 'scored', 'pending', 'conv.', ...names.map((n) => `${n} AUC`), ...names.map((n) => `${n} lift@10%`), 'max score PSI'],
      json.periods.map((p) => [p.start, p.trainRows, p.trainPositives, p.testRows, p.pending, p.positives,
        ...names.map((n) => fixed(p.models.find((m) => m.name === n)!.auc, 3)),
        ...names.map((n) => fixed(p.models.find((m) => m.name === n)!.liftAt10, 2)),
        Math.max(...p.models.map((m) => m.scorePsi)).toFixed(3)])),
    '',
    formatTable(['model', 'periods', 'AUC mean', 'AUC sd', 'worst AUC', 'worst period', 'PR-AUC mean', 'lift@10% mean', `precision@${Math.round(s.capacity * 100)}% mean`, 'beat rules'],
      json.summary.map((m) => [m.name, m.periods, fixed(m.auc.mean, 4), fixed(m.auc.sd, 4), fixed(m.auc.worst, 4), m.auc.worstPeriod ?? '–',
        fixed(m.prAuc.mean, 4), fixed(m.liftAt10.mean, 2), fixed(m.precisionAtCapacity.mean, 3), m.beatRules ? `${m.beatRules.wins}/${m.beatRules.of}` : '–'])),
  ];
  const drifted = json.periods.map((p) => {
    const scores = p.models.filter((m) => m.scorePsi > PSI_WARNING).sort((a, b) => b.scorePsi - a.scorePsi).map((m) => `${m.name} ${m.scorePsi.toFixed(2)}`);
    const columns = p.featureDrift.filter((f) => f.psi > PSI_WARNING).sort((a, b) => b.psi - a.psi).map((f) => `${f.column} ${f.psi.toFixed(2)}`);
    return scores.length || columns.length ? `  ${p.start}: ${[scores.length ? `scores ${scores.join(', ')}` : '', columns.length ? `columns ${columns.join(', ')}` : ''].filter(Boolean).join('; ')}` : '';
  }).filter(Boolean);
  if (drifted.length) lines.push('', `drift against each period's training rows (PSI > ${PSI_WARNING}; details in backtest.json):`, ...drifted);
  for (const p of json.periods.filter((x) => x.models.every((m) => m.auc === null))) lines.push(`${p.start}: ${p.warnings.find((w) => !/PSI/.test(w)) ?? 'not judged'}`);
  for (const w of json.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
