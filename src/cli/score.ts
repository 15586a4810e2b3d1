import type { Command } from 'commander';
import { assertNotInput, outputFormat, writeTable } from '../data/write.ts';
import { scoreLeads } from '../scoring/score.ts';
import { createOutput, percent } from './output.ts';
import { parseInteger } from './options.ts';

interface ScoreFlags {
  model: string;
  input: string;
  output: string;
  format?: string;
  rules?: string;
  activities?: string;
  asOf?: string;
  reasons: number;
  keep?: string;
  id?: string;
  na?: string;
  json?: boolean;
}

export function registerScore(program: Command): void {
  program
    .command('score')
    .description('score new leads with a saved model: probability, score, tier, grade, action, reasons, rule score')
    .requiredOption('--model <artifact>', 'a <model>.model.json written by `leadscore train`')
    .requiredOption('--input <file>', 'the leads to score (CSV, Parquet, NDJSON)')
    .requiredOption('--output <file>', 'where to write the scores (never the input)')
    .option('--format <format>', 'csv, ndjson or parquet (default from the extension)')
    .option('--rules <file>', 'rule file for grade, action and rule score (default: the rules.yaml beside the model)')
    .option('--activities <file>', 'activity log, when the model uses activity features')
    .option('--as-of <when>', 'scoring time for activity features (default: the one the model was trained with)')
    .option('--reasons <n>', 'reasons per lead (0 for none)', parseInteger, 3)
    .option('--keep <columns>', 'input columns to copy after the scores, comma-separated')
    .option('--id <column>', 'lead id column')
    .option('--na <tokens>', 'extra missing-value tokens')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: ScoreFlags) => {
      const out = createOutput(Boolean(flags.json));
      assertNotInput(flags.output, [flags.input, flags.model, ...(flags.activities ? [flags.activities] : []), ...(flags.rules ? [flags.rules] : [])]);
      const format = outputFormat(flags.output, flags.format);
      const result = await scoreLeads({
        model: flags.model, input: { path: flags.input }, reasons: Math.max(0, flags.reasons),
        ...(flags.rules ? { rules: flags.rules } : {}),
        ...(flags.activities ? { activities: { path: flags.activities } } : {}),
        ...(flags.asOf ? { asOf: flags.asOf } : {}),
        ...(flags.keep ? { keep: flags.keep.split(',').map((k) => k.trim()).filter(Boolean) } : {}),
        ...(flags.id ? { id: flags.id } : {}),
        ...(flags.na ? { na: flags.na } : {}),
      });
      await writeTable(flags.output, result.names, result.columns, format, { safe: true });
      const s = result.summary;
      out.json({ output: flags.output, ...s });
      out.say(`scored ${s.rows.toLocaleString('en-US')} leads with ${s.model}${s.rules ? ` beside ${s.rules}` : ''}; wrote ${flags.output}`);
      out.say(`tiers: ${(['hot', 'warm', 'cold'] as const).map((t) => `${t} ${s.tiers[t]} (${percent(s.tiers[t] / s.rows)})`).join(', ')}; actions: ${Object.entries(s.actions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      const unseen = Object.entries(s.unseen);
      if (unseen.length) out.say(`categories never seen in training (scored as the pooled level): ${unseen.map(([c, k]) => `${c} ${k}`).join(', ')}`);
    });
}
