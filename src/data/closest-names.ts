/** "Did you mean" suggestions for misspelled column names. */
import { ConfigError } from '../errors.ts';
import { shellWord } from '../shell-word.ts';

/** Levenshtein edit distance, case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/**
 * Up to `max` names closest to `wanted`: those within a third of its length in edits, or containing it.
 *
 * @example
 * closestNames('convertd', ['lead_id', 'converted', 'converted_at']); // ['converted', 'converted_at']
 */
export function closestNames(wanted: string, names: readonly string[], max = 3): string[] {
  const limit = Math.max(2, Math.ceil(wanted.length / 3));
  const w = wanted.toLowerCase();
  return names
    .map((name) => ({ name, d: editDistance(wanted, name), contains: name.toLowerCase().includes(w) || w.includes(name.toLowerCase()) }))
    .filter((x) => x.d <= limit || x.contains)
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((x) => x.name);
}

/**
 * The exit-2 error for a column a flag names that the file does not have, with the nearest names as flags
 * a user can paste (`did you mean --exclude 'Lead Quality'?`), else the columns there are.
 *
 * @example
 * throw columnNotFound('--keep', 'chanel', ['lead_id', 'channel']); // hint: did you mean --keep channel?
 */
export function columnNotFound(flag: string, name: string, names: readonly string[]): ConfigError {
  const near = closestNames(name, names);
  return new ConfigError('COLUMN_MISSING', `${flag} column "${name}" not found`, near.length
    ? `did you mean ${near.map((n) => `${flag} ${shellWord(n)}`).join(' or ')}?`
    : `the columns are: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}`);
}
