import type { Command } from 'commander';
import type { RuleDataOptions } from '../rules/files.ts';

/** The rule commands' work (loaded when a command runs, so `--help` starts fast). */
const library = () => import('../rules/files.ts');
import type { RuleSet } from '../rules/rule-file.ts';
import { actionConversions, createOutput, formatTable, percent, truncate } from './output.ts';
import { parseCount, parseList, parsePositiveInteger, parseShare } from './options.ts';
import { InvalidArgumentError } from 'commander';
import { thousands } from '../thousands.ts';

function describeCriterion(c: RuleSet['criteria'][number]): string {
  if (c.when) {
    return c.when.map((w) => `${w.column} ${w.op}${w.value === undefined ? '' : ` ${Array.isArray(w.value) ? `[${w.value.join(', ')}]` : w.value}`}`).join(' and ');
  }
  const a = c.activity!;
  const parts = [`${a.type}${a.stage ? `:${a.stage}` : ''}${a.minCount > 1 ? ` ≥ ${a.minCount}×` : ''}${a.windowDays ? ` in ${a.windowDays}d` : ''}`];
  if (a.pointsPerEvent !== undefined) parts.push(`${a.pointsPerEvent}/event`);
  if (a.cap !== undefined) parts.push(`cap ${a.cap}`);
  if (a.decay) parts.push('halfLifeDays' in a.decay ? `half-life ${a.decay.halfLifeDays}d` : `−${a.decay.losePoints} per ${a.decay.everyDays}d idle`);
  return parts.join(', ');
}

/** The rule set as a table, thresholds and routing below. */
export function renderRules(rules: RuleSet): string {
  const rows = rules.criteria.map((c) => [c.name, c.family, truncate(describeCriterion(c), 70),
    c.disqualify ? 'disqualify' : c.activity?.pointsPerEvent !== undefined ? '' : String(c.points)]);
  const m = rules.routing.matrix;
  return [
    `${rules.name} (${rules.file}): ${rules.criteria.length} criteria${rules.basePoints ? `, ${rules.basePoints} base points` : ''}`,
    '',
    formatTable(['rule', 'family', 'condition', 'points'], rows),
    '',
    `tiers: cold < ${rules.tiers.warm} ≤ warm < ${rules.tiers.hot} ≤ hot    grades (fit points): A ≥ ${rules.grades.A}, B ≥ ${rules.grades.B}, C ≥ ${rules.grades.C}, else D`,
    `routing: ${(['hot', 'warm', 'cold'] as const).map((t) => `${t} ${(['A', 'B', 'C', 'D'] as const).map((g) => `${g}→${m[t][g]}`).join(' ')}`).join(' | ')}`,
    `strong actions (${rules.routing.strongActions.map((s) => `${s.type}${s.windowDays ? ` in ${s.windowDays}d` : ''}`).join(', ')}) send grade ${rules.routing.strongActionGrades.join('/')} to ${rules.routing.strongActionRoute}`,
  ].join('\n');
}

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('the points-based baseline: check, score with, or draft a rule file');

  rules
    .command('check')
    .description('validate a rule file and print it as a table')
    .argument('<file>', 'rule file (YAML)')
    .option('--data <file>', 'also check the rules against this lead file (columns, value types)')
    .option('--activities <file>', 'activity log, to check activity criteria against')
    .option('--na <tokens>', 'extra missing-value tokens for --data')
    .option('--json', 'print the parsed rules as JSON')
    .action(async (file: string, flags: { data?: string; activities?: string; na?: string; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const ruleSet = await (await library()).checkRules(file, { ...(flags.data ? { data: flags.data } : {}), ...(flags.activities ? { activities: flags.activities } : {}), ...(flags.na ? { na: flags.na } : {}) });
      out.json(ruleSet);
      out.say(renderRules(ruleSet));
      out.say(`\nok: ${file} is valid${flags.data ? ` for ${flags.data}` : ''}`);
    });

  rules
    .command('score')
    .description('score leads with a rule file: rule_score, rule_tier, grade, action, reasons')
    .requiredOption('--rules <file>', 'rule file (YAML)')
    .requiredOption('--input <file>', 'leads to score (CSV, Parquet, NDJSON)')
    .requiredOption('--output <file>', 'where to write the scores')
    .option('--activities <file>', 'activity log for behavioural criteria')
    .option('--as-of <when>', 'scoring time: an ISO date, or a date column with an offset (created_at+30d); default now')
    .option('--id <column>', 'lead id column (default lead_id, else the first id column)')
    .option('--account <column>', 'account column, for account_* activity columns in the rules')
    .option('--format <format>', 'csv, ndjson or parquet (default from the extension)')
    .option('--reasons <n>', 'reasons per lead (0 for none)', parseCount, 5)
    .option('--na <tokens>', 'extra missing-value tokens')
    .option('--target <column>', 'labelled leads: also print how many conversions each action holds')
    .option('--positive <value>', 'with --target, for a two-valued text target: the value meaning converted')
    .option('--force', 'replace --output if it exists')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: RuleDataOptions & { rules: string; input: string; output: string; format?: string; reasons: number; target?: string; positive?: string; force?: boolean; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const { json: _json, ...options } = flags;
      const summary = await (await library()).scoreRules(options);
      const conversions = summary.actionConversions;
      out.json(summary);
      out.say(`scored ${thousands(summary.rows)} leads with ${summary.rules}; wrote ${flags.output}`);
      out.say(`tiers: ${Object.entries(summary.tiers).map(([k, v]) => `${k} ${v}`).join(', ')}; actions: ${Object.entries(summary.actions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      if (conversions) out.say(`conversions per action: ${actionConversions(conversions)}`);
      if (summary.asOf) out.say(`activities counted as of ${summary.asOf}`);
    });

  rules
    .command('draft')
    .description('draft a rule file from history: points from conversion rates, decay half-lives fitted from the data')
    .requiredOption('--data <file>', 'historical leads with outcomes (all rows are used as training rows)')
    .requiredOption('--target <column>', 'the column that says whether a lead converted')
    .requiredOption('--out <file>', 'where to write the drafted rule file (YAML)')
    .option('--activities <file>', 'activity log, for behavioural criteria')
    .option('--as-of <when>', 'when each lead was scored: a date column with an offset (created_at+30d) or an ISO date')
    .option('--exclude <columns>', 'columns never to use, comma-separated')
    .option('--max-criteria <n>', 'at most this many criteria', parsePositiveInteger, 16)
    .option('--positive <value>', 'for a two-valued text target: the value meaning converted')
    .option('--na <tokens>', 'extra missing-value tokens')
    .option('--force', 'replace --out if it exists')
    .option('--json', 'print the drafting notes as JSON')
    .action(async (flags: RuleDataOptions & { data: string; target: string; out: string; exclude?: string; maxCriteria: number; positive?: string; force?: boolean; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const { json: _json, exclude, ...options } = flags;
      const result = await (await library()).draftRuleFile({ ...options, ...(exclude ? { exclude: parseList(exclude) } : {}) });
      out.json({ out: flags.out, trainRows: result.trainRows, baseRate: result.baseRate, notes: result.notes });
      out.say(renderRules(result.rules));
      const fitted = result.notes.filter((n) => n.halfLifeDays !== undefined);
      if (fitted.length > 0) {
        out.say('\nfitted half-lives (days) for behavioural criteria:');
        out.say(formatTable(['criterion', 'leads with events', 'conversion', 'half-life'], fitted.map((n) => [n.criterion, n.support, percent(n.rate), n.halfLifeDays!])));
      }
      out.say(`\nwrote ${flags.out}`);
    });

  rules
    .command('learn')
    .description('learn a points scorecard beside a logistic model: few criteria, whole points, tiers by capacity, checked on the run\'s hold-out')
    .requiredOption('--model <artifact>', 'the logistic.model.json of a run folder (its holdout.csv names the hold-out rows)')
    .requiredOption('--out <file>', 'where to write the scorecard (YAML, the rule file format)')
    .option('--csv <file>', 'the scorecard as a table to copy into a marketing tool (default: --out with .csv)')
    .option('--data <file>', 'the model\'s training file (default: the file the run\'s metrics.json names)')
    .option('--target <column>', 'the outcome column: the model\'s (another is refused)')
    .option('--positive <value>', 'for a two-valued text target: the value meaning converted (default: the model\'s)')
    .option('--activities <file>', 'activity log (needed when the model was trained with one)')
    .option('--as-of <when>', 'when activities are counted (default: the model\'s)')
    .option('--id <column>', 'lead id column for the activity log')
    .option('--na <tokens>', 'extra missing-value tokens (as given to train)')
    .option('--rules <file>', 'hand-written rules to compare with (default: the run folder\'s rules.yaml)')
    .option('--max-criteria <n>', 'at most this many criteria, disqualifiers included', parsePositiveInteger, 20)
    .option('--decimals <n>', 'decimals in the points (0: whole points)', (v: string) => Number(v), 0)
    .option('--capacity <share>', 'share of leads in the hot tier; warm holds the next 30%', parseShare, 0.1)
    .option('--fit-to <what>', 'outcome (the conversions, default) or model (the model\'s probabilities)', (v: string) => {
      if (v !== 'model' && v !== 'outcome') throw new InvalidArgumentError('use model or outcome');
      return v;
    }, 'outcome')
    .option('--force', 'replace --out and --csv if they exist')
    .option('--json', 'print the scorecard, its selection and its hold-out figures as JSON')
    .action(async (flags: { model: string; out: string; csv?: string; data?: string; target?: string; positive?: string; activities?: string; asOf?: string; id?: string; na?: string;
      rules?: string; maxCriteria: number; decimals: number; capacity: number; fitTo: 'model' | 'outcome'; force?: boolean; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const { json: _json, ...options } = flags;
      const learned = await (await library()).learnScorecardFile(options);
      const { evaluation: e, selection } = learned;
      out.json({ out: learned.out, csv: learned.csv, trainRows: learned.trainRows, selection, pointsPerLogit: learned.pointsPerLogit, evaluation: e, lines: learned.lines, rules: learned.rules, notes: learned.notes });
      out.say(renderRules(learned.rules));
      out.say(`\n${selection.chosen} of ${selection.candidates} candidate criteria chosen on ${thousands(learned.trainRows)} training rows (forward selection by the score test on the ${selection.fitTo === 'model' ? 'model\'s probabilities' : 'outcomes'}, refitted without penalty at each step)` +
        `${selection.disqualifiers ? `, ${selection.disqualifiers} disqualifier(s)` : ''}; ${learned.pointsPerLogit.toFixed(2)} points per unit of log-odds`);
      out.say(`\nhold-out (${thousands(e.holdout.rows)} leads, ${thousands(e.holdout.positives)} converted; ${e.holdout.source}):`);
      out.say(formatTable(['scorer', 'criteria', 'AUC', 'lift@10%'], [
        ['learned scorecard', String(e.scorecard.criteria), e.scorecard.auc.toFixed(4), e.scorecard.liftAt10.toFixed(2)],
        [`model (${flags.model})`, '', e.model.auc.toFixed(4), e.model.liftAt10.toFixed(2)],
        ...(e.rules ? [[`${e.rules.kind} rules (${e.rules.file})`, '', e.rules.auc.toFixed(4), e.rules.liftAt10.toFixed(2)]] : []),
      ]));
      out.say(`scorecard − model AUC ${e.vsModel.aucDiff.toFixed(4)} (95% CI ${e.vsModel.ci95[0].toFixed(4)} to ${e.vsModel.ci95[1].toFixed(4)}, DeLong); rank agreement with the model (Spearman) ${e.spearmanWithModel.toFixed(4)}`);
      out.say(`tiers on the hold-out: ${(['hot', 'warm', 'cold'] as const).map((t) => `${t} ${percent(e.scorecard.tiers[t].share)} of leads converting ${percent(e.scorecard.tiers[t].conversion)}`).join(', ')}`);
      for (const note of learned.notes) out.say(`note: ${note}`);
      out.say(`\nwrote ${learned.out} (rule file: leadscore rules score --rules ${learned.out}) and ${learned.csv} (to copy into a marketing tool)`);
    });
}
