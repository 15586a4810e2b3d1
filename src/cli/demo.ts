/** `leadscore demo`: runs the library's runDemo (src/demo/demo.ts) on the bundled sample and prints what it found. */
import type { Command } from 'commander';
import { DEFAULT_DEMO_OUT, DEMO_STEPS } from '../demo/settings.ts';
import { renderBacktest } from './backtest.ts';
import { renderInspect } from './inspect.ts';
import { createOutput, formatTable, percent, shownPath } from './output.ts';
import { parseInteger } from './options.ts';
import { createProgress } from './progress.ts';
import { renderLeaderboard } from './train.ts';
import { thousands } from '../thousands.ts';

interface DemoFlags {
  seed: number;
  out: string;
  force?: boolean;
  json?: boolean;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole pipeline on the bundled sample and print where everything went')
    .option('--seed <n>', 'random seed', parseInteger, 42)
    .option('--out <dir>', 'folder for the demo outputs (default models/demo, replaced on each run)', DEFAULT_DEMO_OUT)
    .option('--force', 'replace the demo outputs in an --out folder that is not empty')
    .option('--json', 'print the summary as JSON on stdout')
    .action(async (flags: DemoFlags) => {
      const out = createOutput(Boolean(flags.json));
      const progress = createProgress('demo', DEMO_STEPS.length - 1);
      let started = false;
      const { runDemo } = await import('../demo/demo.ts');
      const result = await runDemo({ seed: flags.seed, out: flags.out, ...(flags.force ? { force: true } : {}), onStep: (step) => {
        progress.tick(started ? 1 : 0, step);
        started = true;
      } });
      progress.stop();
      const { summary, files } = result;
      out.json({ ...summary, files });
      out.say('leadscore demo — the bundled synthetic sample (data/README.md describes it)\n');
      out.say(renderInspect({ source: summary.dataset.source, format: result.input.format, delimiter: result.input.delimiter, rows: summary.dataset.rows, columns: summary.schema }));
      out.say(`\ntarget converted: ${thousands(summary.dataset.positives)} of ${thousands(summary.dataset.rows)} leads (${percent(summary.dataset.rate)})`);
      out.say(`activities: ${thousands(summary.activities.events)} events aggregated per lead as of ${summary.activities.asOf} into ${summary.activities.features} features`);
      out.say('\nsplits (seed ' + summary.dataset.seed + '):');
      out.say(formatTable(['split', 'train', 'test', 'train rate', 'test rate', 'note'], summary.splits.map((s) => [
        s.kind, s.trainRows, s.testRows, percent(s.trainRate), percent(s.testRate),
        s.kind === 'time' ? `train before ${s.cutoff?.slice(0, 10)}; recent test leads are partly pending` : s.kind === 'group' ? 'no account on both sides' : 'same rate on both sides',
      ])));
      out.say('\nobserved conversion by month created (recent leads are not mature yet: their outcome is still pending):');
      out.say(formatTable(['month', 'leads', 'converted', 'rate'], summary.conversionByMonth.map((m) => [m.month, m.leads, m.conversions, percent(m.rate)])));
      for (const s of summary.segments) {
        out.say(`\nconversion by ${s.column} (training rows):`);
        out.say(formatTable([s.column, 'leads', 'converted', 'rate'], s.rows.map((r) => [r.segment, r.leads, r.conversions, percent(r.rate)])));
      }
      out.say(`\nrule baseline: ${summary.rules.file}, activities counted as of ${summary.activities.asOf}; hold-out rows (${summary.splits[0]!.testRows}):`);
      out.say(formatTable(['score', 'leads', 'converted', 'rate'], summary.rules.scoreBands.map((b) => [b.band, b.leads, b.conversions, percent(b.rate)])));
      for (const [title, rows] of [['tier', summary.rules.tiers], ['grade (fit)', summary.rules.grades], ['action', summary.rules.actions]] as const) {
        out.say('');
        out.say(formatTable([title, 'leads', 'converted', 'rate'], rows.map((r) => [r.segment, r.leads, r.conversions, percent(r.rate)])));
      }
      out.say(`\nhold-out AUC: hand-written rules ${summary.rules.holdoutAuc.handWritten.toFixed(3)}, rules drafted from the training rows ${summary.rules.holdoutAuc.drafted.toFixed(3)}` +
        ` (${summary.rules.drafted.criteria} criteria; fitted half-lives: ${Object.entries(summary.rules.drafted.halfLives).map(([k, v]) => `${k} ${v}d`).join(', ')})`);
      out.say(`\nmodels on the same hold-out rows (features: lead columns + activity and account-activity aggregates as of ${summary.activities.asOf}):`);
      out.say(renderLeaderboard(result.metrics));
      for (const note of result.info) out.say(`info: ${note}`);
      const shown = shownPath;
      const card = summary.models.scorecard;
      out.say(`\nlearned scorecard: ${card.criteria} criteria in whole points (chosen from ${card.candidates}), hot from ${card.tiers.hot}, warm from ${card.tiers.warm}; hold-out AUC ${card.holdoutAuc.scorecard.toFixed(4)} beside the logistic model's ${card.holdoutAuc.model.toFixed(4)}` +
        `${card.holdoutAuc.rules !== null ? ` and the sample rules' ${card.holdoutAuc.rules.toFixed(4)}` : ''}; for a marketing tool: ${shown(files.scorecardCsv)}`);
      const exported = summary.models.export;
      const t = exported.tiers;
      out.say(`\nscored export: ${thousands(exported.rows)} leads with ${exported.model} beside the sample rules — hot ${t.hot}, warm ${t.warm}, cold ${t.cold}; ` +
        `actions ${Object.entries(exported.actions).map(([k, v]) => `${k} ${v}`).join(', ')} → ${shown(files.scores)}`);
      const w = summary.warehouse;
      out.say(`\nwarehouse SQL: ${w.model}, trained from the sample as a warehouse table (${shown(files.warehouse)}/${w.table}) on the leads' own columns (SQL cannot compute the activity aggregates), as one SELECT per dialect (${w.dialects.join(', ')}) → ${shown(files.warehouse)}/; ` +
        `the DuckDB form run on that table's ${thousands(w.rows)} leads gives leadscore's probabilities to within ${w.maxAbsDiff.toExponential(0)}`);
      out.say(`\nbacktest (each quarter scored by models trained only on leads whose outcome was known before it; the sample rules beside them):`);
      out.say(renderBacktest(result.backtest));
      out.say(`\nwrote ${shown(files.summary)}, ${shown(files.scores)}, ${shown(files.ruleScores)}, ${shown(files.draftedRules)}, ${shown(files.scorecard)}, run folder ${shown(files.run)}/, warehouse SQL ${shown(files.warehouse)}/, backtest ${shown(files.backtest.replace(/\/backtest\.json$/, ''))}/`);
      out.say(`\nthe report (open it in a browser: is the model better than the rules, and how many calls in vain at your capacity?): ${shown(files.report)}`);
    });
}
