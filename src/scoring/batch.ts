/**
 * What a batch adds beside each lead: the account roll-up (`--account`) and earlier scores for the trend
 * (`--previous`).
 */
import { columnValues, groupRows } from '../data/columns.ts';
import { loadDataset } from '../data/io/dataset.ts';
import type { Source } from '../data/io/read.ts';
import { columnSchema } from '../data/types/schema.ts';
import { DataError } from '../errors.ts';

/**
 * Per account: the chance that at least one of its leads converts (1 − ∏(1 − p)), or the max or mean, and
 * its three most likely leads. Leads without an account get nulls.
 */
export function accountRollup(accounts: ArrayLike<unknown>, p: Float64Array, ids: ArrayLike<unknown>, agg: 'any' | 'max' | 'mean'):
  { probability: Array<number | null>; top: Array<string | null>; rule: string } {
  const members = groupRows(accounts);
  const probability = new Array<number | null>(p.length).fill(null);
  const top = new Array<string | null>(p.length).fill(null);
  for (const list of members.values()) {
    let value: number;
    if (agg === 'max') value = Math.max(...list.map((i) => p[i]!));
    else if (agg === 'mean') value = list.reduce((s, i) => s + p[i]!, 0) / list.length;
    else value = 1 - list.reduce((s, i) => s * (1 - p[i]!), 1);
    const best = [...list].sort((a, b) => p[b]! - p[a]! || a - b).slice(0, 3).map((i) => String(ids[i])).join(' ');
    for (const i of list) {
      probability[i] = Number(value.toFixed(6));
      top[i] = best;
    }
  }
  const rule = agg === 'any' ? '1 − ∏(1 − p) over the account\'s leads: the chance that at least one converts'
    : agg === 'max' ? 'the highest lead probability in the account' : 'the mean lead probability in the account';
  return { probability, top, rule };
}

/** Earlier scores by lead id, from a file written by an earlier `leadscore score` run. */
export async function loadPrevious(previous: Source, idName: string): Promise<Map<string, number>> {
  const earlier = await loadDataset(previous);
  if (!columnSchema(earlier.schema, idName) || !columnSchema(earlier.schema, 'score')) {
    throw new DataError('PREVIOUS_COLUMNS', `the earlier scores need the columns "${idName}" and "score"`, 'pass a file written by an earlier `leadscore score` run');
  }
  const before = new Map<string, number>();
  const prevIds = columnValues(earlier.table, idName) as ArrayLike<unknown>;
  const prevScores = columnValues(earlier.table, 'score') as ArrayLike<unknown>;
  for (let i = 0; i < prevIds.length; i++) if (typeof prevScores[i] === 'number') before.set(String(prevIds[i]), prevScores[i] as number);
  return before;
}
