/**
 * A model card (`model-card-<model>.md`) for each trained model, written into its run folder: what data it
 * learned from, what it is for, which columns it reads and which were left out (and why), its hold-out
 * metrics with intervals against the rules, its threshold with the false positives and negatives it
 * costs, its calibration, its known limits and the command that trains it again. Every figure comes from
 * the run's metrics.json and the model's artifact; nothing is measured here.
 */
import { type ModelArtifact, modelLabel } from '../models/artifact.ts';
import { shellWord } from '../shell-word.ts';
import { pValueText } from './words.ts';
import type { MetricsJson } from '../train/train.ts';
import { thousands } from '../thousands.ts';

export interface ModelCardInput {
  metrics: MetricsJson;
  artifact: ModelArtifact;
  /** The command line that trains this run again (flags as given). */
  command: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: number, digits = 4) => x.toFixed(digits);
const signed = (x: number, digits = 4) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/**
 * The model card's Markdown.
 *
 * @example
 * await writeFileAtomic(join(runDir, 'model-card-logistic.md'), modelCard({ metrics, artifact, command }));
 */
export function modelCard({ metrics, artifact, command }: ModelCardInput): string {
  const d = metrics.dataset;
  const m = metrics.models.find((x) => x.name === artifact.name);
  if (!m) throw new RangeError(`internal: metrics.json holds no model "${artifact.name}"`);
  const rules = metrics.models.find((x) => x.name === 'rules');
  const vsRules = metrics.comparisons.find((c) => c.model === artifact.name && c.baseline === 'rules');
  const columns = [...new Set((artifact.features.specs as Array<{ column: string }>).map((s) => s.column))];
  const kept = metrics.leakage.filter((l) => !l.dropped);
  const t = m.threshold;
  const label = modelLabel(artifact);
  const calibration = String(m.details.calibration ?? 'none');
  const eceBefore = typeof m.details.eceBeforeCalibration === 'number' ? m.details.eceBeforeCalibration : undefined;
  const lines = [
    `# Model card: ${label}`,
    '',
    `${DESCRIPTION[artifact.name] ?? artifact.name} predicting whether a lead converts (${d.targetRule}), trained by leadscore ${artifact.packageVersion} on ${artifact.createdAt.slice(0, 10)}${artifact.name === 'mlp' ? ` on TensorFlow.js's ${String(m.details.backend)} backend` : ''}.`,
    '',
    '## Data',
    '',
    `- Source: \`${d.source}\`; ${thousands(d.rows)} labelled leads, ${thousands(d.positives)} converted (${pct(d.positives / d.rows)})${d.unlabelled ? `; ${thousands(d.unlabelled)} without an outcome set aside` : ''}.`,
    `- Split: ${d.split}${d.cutoff ? ` (hold-out from ${d.cutoff.slice(0, 10)})` : ''}, seed ${d.seed}: ${thousands(d.trainRows)} training leads (${thousands(artifact.training.positives)} conversions), ${thousands(d.testRows)} hold-out leads. Everything was fitted on the training leads only.`,
    `- Read as: missing-value tokens ${artifact.reading.naTokens.filter((x) => x !== '').map((x) => `\`${x}\``).join(', ')} and empty cells; ${artifact.reading.columns.filter((c) => c.booleanTokens).length} yes/no columns by their own words; new files are read with these settings.`,
    '',
    '## Intended use',
    '',
    `Ranking new leads of the same kind — the same CRM process, market and columns — by their chance of converting, beside the points rules (\`rules.yaml\`). The probability is calibrated (${calibration}) on training leads; the tier is hot from ${num(artifact.threshold.value, 3)} (the run's ${artifact.threshold.strategy} threshold), warm from the training conversion rate ${pct(artifact.training.positives / artifact.training.rows)}. Not for leads from another source or market, nor for decisions about a person without a human looking at the reasons.`,
    '',
    '## Features',
    '',
    `- Used (${columns.length} columns): ${columns.map((c) => `\`${c}\``).join(', ')}.`,
    ...(d.excluded.length ? [`- Left out: ${d.excluded.map((e) => `\`${e.column}\` (${e.reason})`).join('; ')}.`] : ['- Left out: none besides ids, free text and constant columns.']),
    ...(kept.length ? [`- Leakage suspects kept (check them): ${kept.map((l) => l.reason).join(' ')}`] : []),
    '',
    '## Hold-out metrics',
    '',
    '| | AUC | PR-AUC | log loss | Brier | ECE | lift@10% |',
    '|---|---:|---:|---:|---:|---:|---:|',
    `| ${artifact.name} | ${num(m.auc)} | ${num(m.prAuc)} | ${num(m.logLoss)} | ${num(m.brier)} | ${num(m.ece)} | ${num(m.liftAt10, 2)} |`,
    ...(rules ? [`| rules | ${num(rules.auc)} | ${num(rules.prAuc)} | ${num(rules.logLoss)} | ${num(rules.brier)} | ${num(rules.ece)} | ${num(rules.liftAt10, 2)} |`] : []),
    '',
    ...(vsRules ? [
      `Against the rules on the same ${thousands(d.testRows)} hold-out leads: AUC ${signed(vsRules.aucDiff)} (95% CI ${num(vsRules.ci95[0])} to ${num(vsRules.ci95[1])}, DeLong ${pValueText(vsRules.pValue)}); ` +
        `lift in the top ${Math.round(vsRules.capacityShare * 100)}% ${signed(vsRules.liftDiff, 2)} (${num(vsRules.liftCi95[0], 2)} to ${num(vsRules.liftCi95[1], 2)}, paired bootstrap ×${vsRules.bootstrapResamples}). ` +
        (vsRules.ci95[0] > 0 ? 'It ranks leads better than the rules with 95% confidence.' : vsRules.ci95[1] < 0 ? 'The rules rank leads better, with 95% confidence.' : 'The hold-out cannot tell it from the rules with 95% confidence.'),
      '',
    ] : []),
    '## Threshold',
    '',
    `${t.strategy}: probability ≥ ${num(t.value, 3)} sends a lead to sales. On the hold-out that sends ${thousands(t.tp + t.fp)} of ${thousands(d.testRows)} leads: ` +
      `${thousands(t.tp)} conversions found, ${thousands(t.fn)} missed (false negatives), ${thousands(t.fp)} calls in vain (false positives); precision ${pct(t.precision)}, recall ${pct(t.recall)}.` +
      (typeof m.details.sentPerWeek === 'number' ? ` About ${(m.details.sentPerWeek as number).toFixed(1)} leads a hold-out week.` : ''),
    '',
    '## Calibration',
    '',
    `${calibration === 'none' ? 'No calibration map (the raw output was already calibrated on out-of-sample training predictions)' : `${/^[aeiou]/.test(calibration) ? 'An' : 'A'} ${calibration} map fitted on out-of-sample training predictions`}: expected calibration error on the hold-out ${eceBefore !== undefined ? `${num(eceBefore)} before, ` : ''}${num(m.ece)} after.`,
    '',
    '## Known limits',
    '',
    `- It learned from ${thousands(artifact.training.positives)} conversions; the AUC interval above says how far the hold-out can vouch for it.`,
    '- Categories never seen in training are scored as the pooled level and counted at scoring; a warning says when they pass 10% of a column.',
    ...(artifact.name === 'mlp' ? ['- Its reasons are integrated-gradients attributions against a baseline lead (training medians and most frequent levels): they add up to the score\'s distance from that lead, but unlike TreeSHAP they are not exact Shapley values.'] : []),
    ...metrics.warnings.map((w) => `- ${w}`),
    '- Outcomes recorded after the fact (a deal\'s attributes, call durations) make any model look better than it will be: the Features section above lists what was suspected.',
    '',
    '## Train it again',
    '',
    '```bash',
    command,
    '```',
    '',
    'With the same data and seed the model file is identical apart from its `createdAt` (and whole when SOURCE_DATE_EPOCH is set).',
    '',
  ];
  return lines.join('\n');
}

const DESCRIPTION: Record<string, string> = {
  logistic: 'Regularised logistic regression',
  gbdt: 'Gradient-boosted trees',
  mlp: 'A neural network (embeddings for categories, ReLU layers)',
};

/**
 * The `leadscore train` command line for a run's options, every value quoted as a shell needs.
 *
 * @example
 * trainCommand([['--data', 'leads.csv'], ['--target', 'converted'], ['--positive', undefined], ['--exclude', 'Lead Quality']]);
 * // "npx leadscore train --data leads.csv --target converted --exclude 'Lead Quality'"
 */
export function trainCommand(parts: Array<[string, string | undefined]>): string {
  return ['npx leadscore train', ...parts.filter(([, v]) => v !== undefined).map(([flag, v]) => (v === '' ? flag : `${flag} ${shellWord(v!)}`))].join(' ');
}
