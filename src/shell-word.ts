/**
 * A word as a shell takes it, for hints a user copies: quoted when it holds spaces or characters a shell
 * reads (`--exclude 'Lead Quality'`), as it is otherwise (`--exclude duration`). Imports nothing.
 *
 * @example
 * shellWord('Lead Quality'); // "'Lead Quality'"
 */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
