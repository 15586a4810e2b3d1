/**
 * Five hold-out leads that show how a model decides: the top lead, a borderline one, a false positive, a
 * false negative and a low score, each scored as `leadscore score` scores it (the saved artifact, the same
 * reasons) so that what the report says of them is what an export would say. Written by `train` as
 * `examples.json` in the run folder; the report shows them with their reasons in words.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Dataset, subsetDataset } from '../data/io/dataset.ts';
import { writeFileAtomic } from '../data/io/write.ts';
import { floatsAt } from '../data/columns.ts';
import { stableOrder } from '../data/types/order-statistic.ts';
import { DataError } from '../errors.ts';
import type { Source } from '../data/io/read.ts';
import { prepareScorer, scoreDataset } from '../scoring/score.ts';

export type ExampleKind = 'top' | 'borderline' | 'false positive' | 'false negative' | 'low score';

/** What each kind is, in the report's words. */
export const EXAMPLE_MEANING: Record<ExampleKind, string> = {
  top: 'the hold-out lead the model rates highest',
  borderline: 'the lead closest to the threshold: a small change decides whether sales calls it',
  'false positive': 'the highest-rated lead sent to sales that did not convert (after the top lead): a call in vain',
  'false negative': 'the lowest-rated lead that converted but was not sent: a buyer missed',
  'low score': 'the hold-out lead the model rates lowest',
};

export interface ExampleLead {
  kind: ExampleKind;
  /** The input's 1-based data-row number (as holdout.csv's `row`). */
  row: number;
  id: string | number | null;
  outcome: 0 | 1;
  probability: number;
  score: number;
  tier: string;
  action: string;
  reasons: string;
  ruleScore: number | null;
}

export interface Examples {
  model: string;
  threshold: number;
  leads: ExampleLead[];
}

/**
 * The rows (indices into the data) of the five kinds, among the hold-out rows. Each kind takes the first
 * lead of its own ranking not shown already (so a top lead that did not convert leaves "false positive" to
 * the next one); a kind with no such lead (no false negative at this threshold, say) is left out. Ties go
 * to the earlier row, so the choice is the same on every run.
 *
 * @example
 * pickExamples(p, y, split.test, 0.31); // [{ kind: 'top', index: 812 }, { kind: 'borderline', index: 77 }, …]
 */
export function pickExamples(p: ArrayLike<number>, y: ArrayLike<number>, rows: ArrayLike<number>, threshold: number): Array<{ kind: ExampleKind; index: number }> {
  // The rows in ascending order, ranked by `stableOrder` (ties in position order, so to the earlier row).
  const rowsUp = Int32Array.from(rows).sort();
  const ranked = (keys: Float64Array, direction: 'ascending' | 'descending') => Array.from(stableOrder(keys, direction), (k) => rowsUp[k]!);
  const distance = new Float64Array(rowsUp.length);
  for (let k = 0; k < rowsUp.length; k++) distance[k] = Math.abs(p[rowsUp[k]!]! - threshold);
  const order = ranked(floatsAt(p, rowsUp), 'descending'); // highest first
  const lowest = [...order].reverse();
  const sent = (r: number) => p[r]! >= threshold;
  const rankings: Array<[ExampleKind, number[]]> = [
    ['top', order],
    ['borderline', ranked(distance, 'ascending')],
    ['false positive', order.filter((r) => sent(r) && y[r] === 0)],
    ['false negative', lowest.filter((r) => !sent(r) && y[r] === 1)],
    ['low score', lowest],
  ];
  const seen = new Set<number>();
  const picked: Array<{ kind: ExampleKind; index: number }> = [];
  for (const [kind, ranking] of rankings) {
    const index = ranking.find((r) => !seen.has(r));
    if (index === undefined) continue;
    seen.add(index);
    picked.push({ kind, index });
  }
  return picked;
}

/**
 * Scores the picked leads with a saved model as `leadscore score` would (rules beside it, three reasons).
 *
 * @example
 * const examples = await scoreExamples('run/gbdt.model.json', leads, y, picked, { threshold: 0.31 });
 */
async function scoreExamples(modelPath: string, leads: Dataset, y: ArrayLike<number>, picked: Array<{ kind: ExampleKind; index: number }>,
  options: { threshold: number; activities?: Source; id?: string; rules?: string }): Promise<Examples> {
  // Rules: the given file, else the rules.yaml beside the model (as `score` does).
  const scorer = await prepareScorer({ model: modelPath, input: { path: modelPath }, reasons: 3,
    ...(options.activities ? { activities: options.activities } : {}), ...(options.id ? { id: options.id } : {}), ...(options.rules ? { rules: options.rules } : {}) });
  const indices = picked.map((x) => x.index);
  const chunk = scoreDataset(scorer, subsetDataset(leads, indices), indices.map((i) => i + 1));
  const column = (name: string) => chunk.columns[chunk.names.indexOf(name)];
  const [score, tier, action, reasons, ruleScore] = ['score', 'tier', 'action', 'reasons', 'rule_score'].map(column);
  return {
    model: scorer.loaded.artifact.name,
    threshold: options.threshold,
    leads: picked.map(({ kind, index }, i) => ({
      kind, row: index + 1, id: chunk.ids[i] ?? null, outcome: y[index] === 1 ? 1 : 0,
      probability: chunk.probability[i]!, score: Number(score![i]), tier: String(tier![i]), action: String(action![i]),
      reasons: String(reasons![i] ?? ''), ruleScore: ruleScore && ruleScore[i] !== null && ruleScore[i] !== undefined ? Number(ruleScore[i]) : null,
    })),
  };
}

/**
 * Picks the five example leads among `rows` by `probability`, scores them with the saved model and writes
 * `examples.json` into the folder; returns its path.
 *
 * @example
 * await writeExamples(runDir, 'run/gbdt.model.json', leads, y, { probability: p, rows: split.test, threshold: 0.31 });
 */
export async function writeExamples(dir: string, modelPath: string, leads: Dataset, y: ArrayLike<number>,
  options: { probability: ArrayLike<number>; rows: ArrayLike<number>; threshold: number; activities?: Source; id?: string; rules?: string }): Promise<string> {
  const { probability, rows, ...scoring } = options;
  const examples = await scoreExamples(modelPath, leads, y, pickExamples(probability, y, rows, options.threshold), scoring);
  const path = join(dir, 'examples.json');
  await writeFileAtomic(path, `${JSON.stringify(examples, null, 2)}\n`);
  return path;
}

/** A run's examples.json; null when the run has none (no model, or written by an earlier leadscore). */
export async function readExamples(runDir: string): Promise<Examples | null> {
  const path = join(runDir, 'examples.json');
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text === null) return null;
  try {
    return JSON.parse(text) as Examples;
  } catch {
    throw new DataError('NOT_A_RUN', `${path} is not valid JSON`, 'train again to write the run folder anew, or delete examples.json to leave the examples out of the report');
  }
}
