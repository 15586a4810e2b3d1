import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { EvaluationResult } from '../evaluation/evaluate.ts';
import { basename, join } from 'node:path';
import { createOutput, formatTable, percent, shownPath, warnEditedModels } from './output.ts';
import { pValueText, thresholdText } from '../report/words.ts';
import { parseInteger, sourceOf } from './options.ts';
import { thousands } from '../thousands.ts';

/** Exit code when a challenger is worse than its champion: not bad input, not a bug, a failed gate. */
export const GATE_FAILED = 3;

interface EvaluateFlags {
  model: string;
  data?: string;
  sql?: string;
  activities?: string;
  asOf?: string;
  target?: string;
  positive?: string;
  rules?: string;
  champion?: string;
  trust?: boolean;
  margin: number;
  na?: string;
  id?: string;
  seed: number;
  out?: string;
  json?: boolean;
}

function parseMargin(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a number from 0 to 1 (an AUC difference)');
  return n;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('evaluate a saved model on labelled data; with --champion, gate a retrained model (exit 3 when it is worse)')
    .requiredOption('--model <artifact>', 'the model to evaluate (with --champion, the challenger): <run>/logistic.model.json')
    .option('--data <file>', 'labelled leads (CSV, Parquet, NDJSON)')
    .option('--sql <query>', 'read the leads from a DuckDB query instead of --data')
    .option('--activities <file>', 'activity log, when the model uses activity features')
    .option('--as-of <when>', 'scoring time for activity features (default: the one the model was trained with)')
    .option('--target <column>', 'target column (default: the one the model was trained on)')
    .option('--positive <value>', 'for a two-valued text target: the value meaning converted (default: the model\'s; a different one is refused)')
    .option('--rules <file>', 'also evaluate this rule file on the same rows')
    .option('--champion <artifact>', 'the live model to compare with on the same rows')
    .option('--margin <auc>', 'how much worse in AUC the challenger may be (lower 95% bound), default 0.005', parseMargin, 0.005)
    .option('--na <tokens>', 'missing-value tokens: the model reads the file with its training tokens; given again, they must be the same')
    .option('--id <column>', 'lead id column for the activity log')
    .option('--seed <n>', 'random seed for the paired bootstrap of the comparisons', parseInteger, 42)
    .option('--out <dir>', 'also write the evaluation as a folder: evaluation.json, holdout.csv, examples.json and report.html')
    .option('--trust', 'use models edited after training (their content hash no longer matches), with a warning')
    .option('--json', 'print the evaluation as JSON')
    .action(async (flags: EvaluateFlags) => {
      const out = createOutput(Boolean(flags.json));
      const { evaluateModel } = await import('../evaluation/evaluate.ts');
      await warnEditedModels(flags.trust, flags.model, flags.champion);
      const result = await evaluateModel({
        model: flags.model, trust: flags.trust === true, data: sourceOf(flags.data, flags.sql, 'a --data file'), margin: flags.margin, seed: flags.seed,
        ...(flags.activities ? { activities: { path: flags.activities } } : {}),
        ...(flags.asOf ? { asOf: flags.asOf } : {}),
        ...(flags.target ? { target: flags.target } : {}),
        ...(flags.positive ? { positive: flags.positive } : {}),
        ...(flags.rules ? { rules: flags.rules } : {}),
        ...(flags.champion ? { champion: flags.champion } : {}),
        ...(flags.na ? { na: flags.na } : {}),
        ...(flags.id ? { id: flags.id } : {}),
        ...(flags.out ? { out: flags.out } : {}),
      });
      out.json(result);
      out.say(renderEvaluation(result));
      if (result.written) out.say(`\nwrote ${shownPath(result.written.folder)}/: ${result.written.files.map((f) => basename(f)).join(', ')}\nreport: ${shownPath(join(result.written.folder, 'report.html'))}`);
      if (result.gate && !result.gate.passed) process.exitCode = GATE_FAILED;
    });
}

export function renderEvaluation(r: EvaluationResult): string {
  const d = r.dataset;
  const lines = [
    `${d.source}: ${thousands(d.rows)} labelled leads, ${thousands(d.positives)} converted (${percent(d.positives / d.rows)})`,
    '',
    formatTable(['model', 'role', 'PR-AUC', 'AUC', 'log loss', 'Brier', 'ECE', 'lift@10%', 'threshold', 'TP', 'FP', 'FN', 'TN'],
      r.models.map((m) => [m.name, String(m.details.role ?? 'baseline'), m.prAuc.toFixed(4), m.auc.toFixed(4), m.logLoss.toFixed(4), m.brier.toFixed(4), m.ece.toFixed(4),
        m.liftAt10.toFixed(2), thresholdText(m.name, m.threshold.value), m.threshold.tp, m.threshold.fp, m.threshold.fn, m.threshold.tn])),
  ];
  for (const c of r.comparisons) {
    lines.push(`${c.model} vs ${c.baseline}: AUC ${c.aucDiff >= 0 ? '+' : ''}${c.aucDiff.toFixed(4)} (95% CI ${c.ci95[0].toFixed(4)} to ${c.ci95[1].toFixed(4)}, DeLong ${pValueText(c.pValue)}); lift@10% ${c.liftDiff >= 0 ? '+' : ''}${c.liftDiff.toFixed(2)} (${c.liftCi95[0].toFixed(2)} to ${c.liftCi95[1].toFixed(2)})`);
  }
  if (r.gate) {
    lines.push(r.gate.passed
      ? `gate: PASSED — the challenger is not worse than the champion (lower bound ${r.gate.lowerBound.toFixed(4)} > −${r.gate.margin})`
      : `gate: FAILED — the challenger may be worse than the champion (lower bound ${r.gate.lowerBound.toFixed(4)} ≤ −${r.gate.margin}); keep the champion`);
  }
  const unseen = Object.entries(r.unseen);
  if (unseen.length) lines.push(`categories never seen in training (scored as __other__): ${unseen.map(([c, n]) => `${c} ${n}`).join(', ')}`);
  for (const note of r.notes ?? []) lines.push(`note: ${note}`);
  return lines.join('\n');
}
