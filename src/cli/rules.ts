import type { Command } from 'commander';
import { loadActivityLog } from '../data/activities.ts';
import { resolveAsOf } from '../data/as-of.ts';
import { type Dataset, loadDataset } from '../data/dataset.ts';
import { resolveTarget } from '../data/target.ts';
import { assertMayReplace, assertNotInput, type CellValue, outputFormat, writeFileAtomic, writeTable } from '../data/write.ts';
import { ConfigError } from '../errors.ts';
import { draftRules } from '../rules/draft.ts';
import { learnScorecard } from '../rules/learn.ts';
import { loadModel } from '../models/artifact.ts';
import { bindRules, type ScoringContext, withActivityColumns } from '../rules/engine.ts';
import { ACTIONS, loadRuleFile, type RuleSet, ruleSetToYaml } from '../rules/rule-file.ts';
import { RuleScorer, ruleExportColumns } from '../rules/rule-scorer.ts';
import { actionConversions, createOutput, formatTable, percent, truncate } from './output.ts';
import { conversionByLabel } from '../data/summary.ts';
import { parseCount, parsePositiveInteger } from './options.ts';

interface DataFlags {
  activities?: string;
  asOf?: string;
  id?: string;
  account?: string;
  na?: string;
}

async function scoringContext(data: Dataset, flags: DataFlags): Promise<ScoringContext> {
  if (!flags.activities) {
    if (flags.asOf) throw new ConfigError('AS_OF_WITHOUT_ACTIVITIES', '--as-of is the time activities are counted at, but no --activities file was given', 'add --activities <file>, or drop --as-of');
    return flags.id ? { leadId: flags.id } : {};
  }
  const activities = await loadActivityLog({ path: flags.activities });
  const asOf = resolveAsOf(flags.asOf ?? new Date().toISOString(), data);
  return { activities, asOf, ...(flags.id ? { leadId: flags.id } : {}), ...(flags.account ? { account: flags.account } : {}) };
}

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
      const ruleSet = await loadRuleFile(file);
      if (flags.data) {
        const data = await loadDataset({ path: flags.data }, flags.na ? { na: flags.na } : {});
        const context = flags.activities ? { activities: await loadActivityLog({ path: flags.activities }), asOf: Date.now() } : {};
        bindRules(ruleSet, withActivityColumns(ruleSet, data, context), context);
      }
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
    .action(async (flags: DataFlags & { rules: string; input: string; output: string; format?: string; reasons: number; target?: string; positive?: string; force?: boolean; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      assertNotInput(flags.output, [flags.input, flags.rules, ...(flags.activities ? [flags.activities] : [])]);
      await assertMayReplace(flags.output, flags.force, '--output');
      const format = outputFormat(flags.output, flags.format);
      const ruleSet = await loadRuleFile(flags.rules);
      const data = await loadDataset({ path: flags.input }, flags.na ? { na: flags.na } : {});
      const context = await scoringContext(data, flags);
      const scores = new RuleScorer(ruleSet).score(data, context);
      const table = ruleExportColumns(data, scores, { ...(flags.id ? { id: flags.id } : {}), reasons: flags.reasons });
      await writeTable(flags.output, table.names, table.columns as Array<ArrayLike<CellValue>>, format);
      const count = (values: string[]) => values.reduce<Record<string, number>>((m, v) => ((m[v] = (m[v] ?? 0) + 1), m), {});
      // On labelled leads: what each action would have done with the buyers (a disqualify that holds many is costly).
      let conversions: ReturnType<typeof conversionByLabel> | undefined;
      if (flags.target) {
        const target = resolveTarget(data, flags.target, flags.positive ? { positive: flags.positive } : {});
        const unlabelled = new Set(target.unlabelled);
        conversions = conversionByLabel(scores.action, target.y, Int32Array.from({ length: scores.score.length }, (_, i) => i).filter((i) => !unlabelled.has(i)), ACTIONS);
      }
      const summary = { output: flags.output, rows: scores.score.length, tiers: count(scores.tier), grades: count(scores.grade), actions: count(scores.action),
        ...(conversions ? { actionConversions: conversions } : {}),
        ...(context.asOf !== undefined && typeof context.asOf === 'number' ? { asOf: new Date(context.asOf).toISOString() } : {}) };
      out.json(summary);
      out.say(`scored ${summary.rows.toLocaleString('en-US')} leads with ${ruleSet.name}; wrote ${flags.output}`);
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
    .action(async (flags: DataFlags & { data: string; target: string; out: string; exclude?: string; maxCriteria: number; positive?: string; force?: boolean; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      assertNotInput(flags.out, [flags.data, ...(flags.activities ? [flags.activities] : [])]);
      await assertMayReplace(flags.out, flags.force, '--out');
      if (flags.activities && !flags.asOf) {
        throw new ConfigError('AS_OF_REQUIRED', 'drafting behavioural criteria needs the time each lead was scored', 'add --as-of, e.g. --as-of created_at+30d (30 days after each lead was created)');
      }
      const data = await loadDataset({ path: flags.data }, flags.na ? { na: flags.na } : {});
      const target = resolveTarget(data, flags.target, flags.positive ? { positive: flags.positive } : {});
      const unlabelled = new Set(target.unlabelled);
      const rows = Int32Array.from({ length: data.table.numRows() }, (_, i) => i).filter((r) => !unlabelled.has(r));
      const context = await scoringContext(data, flags);
      const exclude = flags.exclude ? flags.exclude.split(',').map((s) => s.trim()) : [];
      const result = draftRules(data, target.y, rows, {
        target: flags.target, exclude, maxCriteria: flags.maxCriteria,
        ...(context.activities ? { activities: context.activities, asOf: context.asOf! } : {}),
        ...(flags.id ? { leadId: flags.id } : {}),
      });
      result.rules.file = flags.out;
      const header = `Drafted by leadscore rules draft from ${flags.data} (${result.trainRows} rows, base conversion rate ${percent(result.baseRate)}).\n` +
        'Points: a segment converting twice as often as average earns +15 (rounded to 5). Review before use.';
      await writeFileAtomic(flags.out, ruleSetToYaml(result.rules, header));
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
    .description('turn a fitted logistic model into a points scorecard (0–100) that the rule engine runs')
    .requiredOption('--model <artifact>', 'a logistic.model.json written by `leadscore train`')
    .requiredOption('--out <file>', 'where to write the scorecard (YAML)')
    .option('--decimals <n>', 'decimals in the points (0 for whole points)', (v: string) => Number(v), 1)
    .option('--force', 'replace --out if it exists')
    .option('--json', 'print the scorecard as JSON')
    .action(async (flags: { model: string; out: string; decimals: number; force?: boolean; json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      assertNotInput(flags.out, [flags.model]);
      await assertMayReplace(flags.out, flags.force, '--out');
      if (!(Number.isInteger(flags.decimals) && flags.decimals >= 0 && flags.decimals <= 3)) {
        throw new ConfigError('BAD_DECIMALS', `--decimals must be 0 to 3, got ${flags.decimals}`, 'use --decimals 0 for whole points');
      }
      const { artifact } = await loadModel(flags.model);
      const learned = learnScorecard(artifact, { decimals: flags.decimals });
      learned.rules.file = flags.out;
      const header = `Scorecard learned by leadscore rules learn from ${flags.model} (${artifact.contentHash.slice(0, 19)}).\n` +
        `Points are the model's contributions, ${learned.pointsPerLogit.toFixed(2)} points per unit of log-odds; each column's lowest attribute scores 0.` +
        (artifact.activities ? `\nActivity columns are computed from --activities as of ${artifact.activities.asOf}` +
          (artifact.activities.account ? `; account_* columns from other contacts of the same ${artifact.activities.account} (rules score --account ${artifact.activities.account}).` : '.') : '');
      await writeFileAtomic(flags.out, ruleSetToYaml(learned.rules, header));
      out.json({ out: flags.out, rules: learned.rules, notes: learned.notes });
      out.say(renderRules(learned.rules));
      for (const note of learned.notes) out.say(`note: ${note}`);
      out.say(`\nwrote ${flags.out}`);
    });
}
