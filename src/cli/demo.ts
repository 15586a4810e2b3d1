/**
 * `leadscore demo`: the whole pipeline on the bundled sample. Each capability joins here as it lands.
 * Now: load and infer the schema, read the target, split three ways, aggregate the activity log as of
 * each lead's scoring time, and show conversion by segment on the training rows.
 */
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { aggregateAccountActivities, aggregateActivities, joinActivities, loadActivityLog } from '../data/activities.ts';
import { loadDataset } from '../data/dataset.ts';
import { DAY_MS } from '../data/dates.ts';
import { PACKAGE_ROOT, SAMPLE } from '../data/sample-paths.ts';
import { splitDataset } from '../data/split.ts';
import { conversionByLabel, conversionBySegment, type SegmentTable } from '../data/summary.ts';
import { SCORING_DELAY_DAYS } from '../data/synthetic.ts';
import { resolveTarget } from '../data/target.ts';
import { writeFileAtomic } from '../data/write.ts';
import { createRng } from '../random.ts';
import { rocAuc } from '../evaluation/metrics.ts';
import { draftRules } from '../rules/draft.ts';
import { loadRuleFile, ruleSetToYaml } from '../rules/rule-file.ts';
import { RuleScorer, ruleExportColumns } from '../rules/rule-scorer.ts';
import { writeTable, type CellValue } from '../data/write.ts';
import { readdir, rm } from 'node:fs/promises';
import { ConfigError } from '../errors.ts';
import { spearman } from '../evaluation/metrics.ts';
import { loadModel } from '../models/artifact.ts';
import { learnScorecard } from '../rules/learn.ts';
import { trainModels } from '../train/train.ts';
import { renderLeaderboard } from './train.ts';
import { renderBacktest } from './backtest.ts';
import { backtest } from '../backtest/backtest.ts';
import { scoreLeads } from '../scoring/score.ts';
import { createOutput, formatTable, percent, shownPath } from './output.ts';
import { parseInteger } from './options.ts';
import { createProgress } from './progress.ts';
import { renderInspect } from './inspect.ts';

interface DemoFlags {
  seed: number;
  out: string;
  force?: boolean;
  json?: boolean;
}

/** The demo's own output folder (git-ignored), replaced on each run. */
const DEFAULT_OUT = join(PACKAGE_ROOT, 'models', 'demo');

const SEGMENTS = ['channel', 'seniority', 'email_type', 'company_size', 'budget_confirmed', 'pricing_page_view_30d', 'engagement_decayed'];

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole pipeline on the bundled sample and print where everything went')
    .option('--seed <n>', 'random seed', parseInteger, 42)
    .option('--out <dir>', 'folder for the demo outputs (default models/demo, replaced on each run)', DEFAULT_OUT)
    .option('--force', 'replace the demo outputs in an --out folder that is not empty')
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (flags: DemoFlags) => {
      // The default folder is the demo's own and is replaced on each run; a folder the user names is theirs.
      if (resolve(flags.out) !== DEFAULT_OUT && !flags.force && (await readdir(flags.out).catch(() => [])).length > 0) {
        throw new ConfigError('WOULD_OVERWRITE', `${flags.out} is not empty: the demo would replace its files (run/, backtest/, scores.csv, …)`,
          `choose a new folder for --out, or pass --force to replace the demo outputs in it`);
      }
      const out = createOutput(Boolean(flags.json));
      const progress = createProgress('demo', 11);
      const rng = createRng(flags.seed);

      progress.tick(0, 'loading the sample');
      const leads = await loadDataset({ path: SAMPLE.leads });
      const target = resolveTarget(leads, SAMPLE.target);
      progress.tick(1, 'reading activities');

      // Behaviour as a score made 30 days after each lead's creation would have seen it.
      const log = await loadActivityLog({ path: SAMPLE.activities });
      const created = leads.table.array(SAMPLE.date) as ArrayLike<number>;
      const scoredAt = Float64Array.from(created, (t) => t + SCORING_DELAY_DAYS * DAY_MS);
      const ids = leads.table.array(SAMPLE.id) as ArrayLike<string>;
      const data = joinActivities(
        joinActivities(leads, aggregateActivities(log, ids, scoredAt)),
        aggregateAccountActivities(log, ids, leads.table.array(SAMPLE.account) as ArrayLike<string>, scoredAt),
      );
      progress.tick(1, 'splitting');

      const stratified = splitDataset(data, target.y, { kind: 'stratified', testSize: 0.2, rng: rng.fork('split') });
      const time = splitDataset(data, target.y, { kind: 'time', date: SAMPLE.date, testSize: 0.2, rng: rng.fork('split') });
      const group = splitDataset(data, target.y, { kind: 'group', group: SAMPLE.account, testSize: 0.2, rng: rng.fork('split') });
      progress.tick(1, 'segments');

      const segments: SegmentTable[] = SEGMENTS.map((c) => conversionBySegment(data, target.y, c, stratified.train));
      const byMonth = conversionBySegmentMonth(created, target.y);
      progress.tick(1, 'rule baseline');

      // The points baseline: the hand-written sample rules, and rules drafted from the training rows only.
      const context = { activities: log, asOf: scoredAt, account: SAMPLE.account };
      const handWritten = new RuleScorer(await loadRuleFile(SAMPLE.rules));
      const handScores = handWritten.score(leads, context);
      const drafted = draftRules(leads, target.y, stratified.train, { target: SAMPLE.target, exclude: ['converted_at'], activities: log, asOf: scoredAt });
      const draftedScores = new RuleScorer(drafted.rules).score(leads, context);
      const rulesSummary = {
        file: relative(PACKAGE_ROOT, SAMPLE.rules),
        holdoutAuc: { handWritten: rocAuc(handScores.score, target.y, stratified.test), drafted: rocAuc(draftedScores.score, target.y, stratified.test) },
        scoreBands: scoreBands(handScores.score, target.y, stratified.test),
        tiers: conversionByLabel(handScores.tier, target.y, stratified.test, ['hot', 'warm', 'cold']),
        grades: conversionByLabel(handScores.grade, target.y, stratified.test, ['A', 'B', 'C', 'D']),
        actions: conversionByLabel(handScores.action, target.y, stratified.test, ['sales', 'review', 'nurture', 'disqualify']),
        drafted: { criteria: drafted.rules.criteria.length, halfLives: Object.fromEntries(drafted.notes.filter((n) => n.halfLifeDays).map((n) => [n.criterion, n.halfLifeDays])) },
      };
      progress.tick(1, 'training');

      // Models beside the hand-written rules, on the same hold-out rows; then the model as a points scorecard.
      const runDir = join(flags.out, 'run');
      await rm(runDir, { recursive: true, force: true });
      const trained = await trainModels({
        data: { path: SAMPLE.leads }, target: SAMPLE.target, activities: { path: SAMPLE.activities }, asOf: `${SAMPLE.date}+${SCORING_DELAY_DAYS}d`,
        date: SAMPLE.date, account: SAMPLE.account, rules: SAMPLE.rules, seed: flags.seed, out: runDir,
      });
      progress.tick(1, 'scorecard');
      const loaded = await loadModel(join(runDir, 'logistic.model.json'));
      const learned = learnScorecard(loaded.artifact);
      const scorecardScores = new RuleScorer(learned.rules).score(leads, context).score;
      const modelProbability = loaded.predict(data, { asOf: scoredAt });
      const scorecardPath = join(flags.out, 'scorecard.yaml');
      await writeFileAtomic(scorecardPath, ruleSetToYaml(learned.rules, 'Points scorecard learned by leadscore demo from the logistic model of the bundled sample.'));
      // The export the sales team sees: every sample lead scored with the logistic model beside the rules.
      const exported = await scoreLeads({ model: join(runDir, 'logistic.model.json'), input: { path: SAMPLE.leads }, activities: { path: SAMPLE.activities }, rules: SAMPLE.rules });
      const exportPath = join(flags.out, 'scores.csv');
      await writeTable(exportPath, exported.names, exported.columns, 'csv', { safe: true });
      const modelsSummary = {
        leaderboard: trained.metrics.models.map(({ fitSeconds: _f, details: _d, ...m }) => m),
        comparisons: trained.metrics.comparisons,
        excluded: trained.metrics.dataset.excluded,
        scorecard: { criteria: learned.rules.criteria.length, spearmanWithModel: spearman(modelProbability, scorecardScores), tiers: learned.rules.tiers },
        export: { rows: exported.summary.rows, tiers: exported.summary.tiers, actions: exported.summary.actions },
      };
      progress.tick(1, 'backtest');
      // A short walk-forward backtest: each quarter scored by models trained on what was known before it.
      const backtestDir = join(flags.out, 'backtest');
      await rm(backtestDir, { recursive: true, force: true });
      const walked = await backtest({
        data: { path: SAMPLE.leads }, target: SAMPLE.target, date: SAMPLE.date, outcomeDate: 'converted_at', activities: { path: SAMPLE.activities },
        asOf: `${SAMPLE.date}+${SCORING_DELAY_DAYS}d`, account: SAMPLE.account, period: 'quarter', maturity: 90, rules: SAMPLE.rules, seed: flags.seed, out: backtestDir,
      });
      progress.tick(1, 'writing');
      const scoresPath = join(flags.out, 'rule-scores.csv');
      const ruleExport = ruleExportColumns(leads, handScores);
      await writeTable(scoresPath, ruleExport.names, ruleExport.columns as Array<ArrayLike<CellValue>>);
      const draftPath = join(flags.out, 'rules-drafted.yaml');
      await writeFileAtomic(draftPath, ruleSetToYaml(drafted.rules, `Drafted by leadscore demo from the training rows of the bundled sample (seed ${flags.seed}).`));

      const rate = (rows: Int32Array) => rows.reduce((s, r) => s + target.y[r]!, 0) / rows.length;
      const splits = [stratified, time, group].map((s) => ({
        kind: s.kind, trainRows: s.train.length, testRows: s.test.length, trainRate: rate(s.train), testRate: rate(s.test),
        ...(s.cutoff !== undefined ? { cutoff: new Date(s.cutoff).toISOString() } : {}),
      }));
      const summary = {
        formatVersion: 1,
        dataset: { source: relative(PACKAGE_ROOT, SAMPLE.leads), rows: leads.raw.rows, positives: target.positives, rate: target.positives / leads.raw.rows, seed: flags.seed },
        activities: { events: log.times.length, types: log.typeNames, features: data.schema.columns.length - leads.schema.columns.length, asOf: `created_at + ${SCORING_DELAY_DAYS} days` },
        schema: leads.schema.columns,
        splits,
        conversionByMonth: byMonth,
        segments,
        rules: rulesSummary,
        models: modelsSummary,
        backtest: { settings: walked.json.settings, summary: walked.json.summary },
      };
      const summaryPath = join(flags.out, 'summary.json');
      await writeFileAtomic(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
      progress.tick(1, 'done');
      progress.stop();

      out.json({ ...summary, files: { summary: summaryPath, scores: exportPath, ruleScores: scoresPath, draftedRules: draftPath, run: runDir, report: join(runDir, 'report.html'), scorecard: scorecardPath, backtest: join(backtestDir, 'backtest.json') } });
      out.say('leadscore demo — the bundled synthetic sample (data/README.md describes it)\n');
      out.say(renderInspect({ source: relative(PACKAGE_ROOT, SAMPLE.leads), format: leads.raw.format, delimiter: leads.raw.delimiter ?? ',', rows: leads.raw.rows, columns: leads.schema.columns }));
      out.say(`\ntarget converted: ${target.positives.toLocaleString('en-US')} of ${leads.raw.rows.toLocaleString('en-US')} leads (${percent(summary.dataset.rate)})`);
      out.say(`activities: ${log.times.length.toLocaleString('en-US')} events aggregated per lead as of created_at + ${SCORING_DELAY_DAYS} days into ${summary.activities.features} features`);
      out.say('\nsplits (seed ' + flags.seed + '):');
      out.say(formatTable(['split', 'train', 'test', 'train rate', 'test rate', 'note'], splits.map((s) => [
        s.kind, s.trainRows, s.testRows, percent(s.trainRate), percent(s.testRate),
        s.kind === 'time' ? `train before ${s.cutoff?.slice(0, 10)}; recent test leads are partly pending` : s.kind === 'group' ? 'no account on both sides' : 'same rate on both sides',
      ])));
      out.say('\nobserved conversion by month created (recent leads are not mature yet: their outcome is still pending):');
      out.say(formatTable(['month', 'leads', 'converted', 'rate'], byMonth.map((m) => [m.month, m.leads, m.conversions, percent(m.rate)])));
      for (const s of segments) {
        out.say(`\nconversion by ${s.column} (training rows):`);
        out.say(formatTable([s.column, 'leads', 'converted', 'rate'], s.rows.map((r) => [r.segment, r.leads, r.conversions, percent(r.rate)])));
      }
      out.say(`\nrule baseline: ${rulesSummary.file}, activities counted as of created_at + ${SCORING_DELAY_DAYS} days; hold-out rows (${stratified.test.length}):`);
      out.say(formatTable(['score', 'leads', 'converted', 'rate'], rulesSummary.scoreBands.map((b) => [b.band, b.leads, b.conversions, percent(b.rate)])));
      for (const [title, rows] of [['tier', rulesSummary.tiers], ['grade (fit)', rulesSummary.grades], ['action', rulesSummary.actions]] as const) {
        out.say('');
        out.say(formatTable([title, 'leads', 'converted', 'rate'], rows.map((r) => [r.segment, r.leads, r.conversions, percent(r.rate)])));
      }
      out.say(`\nhold-out AUC: hand-written rules ${rulesSummary.holdoutAuc.handWritten.toFixed(3)}, rules drafted from the training rows ${rulesSummary.holdoutAuc.drafted.toFixed(3)}` +
        ` (${rulesSummary.drafted.criteria} criteria; fitted half-lives: ${Object.entries(rulesSummary.drafted.halfLives).map(([k, v]) => `${k} ${v}d`).join(', ')})`);
      out.say(`\nmodels on the same hold-out rows (features: lead columns + activity and account-activity aggregates as of created_at + ${SCORING_DELAY_DAYS} days):`);
      out.say(renderLeaderboard(trained.metrics));
      out.say(`\nlearned scorecard: ${learned.rules.criteria.length} point criteria from the logistic model; rank agreement with the model (Spearman) ${modelsSummary.scorecard.spearmanWithModel.toFixed(4)}`);
      const shown = shownPath;
      const t = exported.summary.tiers;
      out.say(`\nscored export: ${exported.summary.rows.toLocaleString('en-US')} leads with ${exported.summary.model} beside the sample rules — hot ${t.hot}, warm ${t.warm}, cold ${t.cold}; ` +
        `actions ${Object.entries(exported.summary.actions).map(([k, v]) => `${k} ${v}`).join(', ')} → ${shown(exportPath)}`);
      out.say(`\nbacktest (each quarter scored by models trained only on leads whose outcome was known before it; the sample rules beside them):`);
      out.say(renderBacktest(walked.json));
      out.say(`\nwrote ${shown(summaryPath)}, ${shown(exportPath)}, ${shown(scoresPath)}, ${shown(draftPath)}, ${shown(scorecardPath)}, run folder ${shown(runDir)}/, backtest ${shown(backtestDir)}/`);
      out.say(`\nthe report (open it in a browser: is the model better than the rules, and how many calls in vain at your capacity?): ${shown(join(runDir, 'report.html'))}`);
    });
}

function conversionBySegmentMonth(created: ArrayLike<number>, y: Uint8Array): Array<{ month: string; leads: number; conversions: number; rate: number }> {
  const months = new Map<string, { leads: number; conversions: number }>();
  for (let i = 0; i < created.length; i++) {
    const month = new Date(created[i]!).toISOString().slice(0, 7);
    const m = months.get(month) ?? { leads: 0, conversions: 0 };
    m.leads++;
    m.conversions += y[i]!;
    months.set(month, m);
  }
  return [...months.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, m]) => ({ month, ...m, rate: m.conversions / m.leads }));
}

/** Conversion per 10-point band of the rule score, over the given rows. */
function scoreBands(score: Float64Array, y: Uint8Array, rows: Int32Array): Array<{ band: string; leads: number; conversions: number; rate: number }> {
  const bands = Array.from({ length: 10 }, (_, k) => ({ band: k === 9 ? '90–100' : `${k * 10}–${k * 10 + 9}`, leads: 0, conversions: 0, rate: 0 }));
  for (const r of rows) {
    const b = bands[Math.min(9, Math.floor(score[r]! / 10))]!;
    b.leads++;
    b.conversions += y[r]!;
  }
  for (const b of bands) b.rate = b.leads ? b.conversions / b.leads : 0;
  return bands.filter((b) => b.leads > 0);
}
