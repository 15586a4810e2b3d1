/**
 * The one place where errors become text and exit codes: a `LeadscoreError` (known bad input) prints
 * `error: …` and `hint: …` and exits 2; anything else is a bug, printed with its stack, exit 1.
 */
import { CommanderError } from 'commander';
import { LeadscoreError } from '../errors.ts';

export function reportError(err: unknown): number {
  if (err instanceof LeadscoreError) {
    process.stderr.write(`error: ${err.message}\nhint: ${err.hint}\n`);
    return 2;
  }
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    // commander has already printed "error: ..."
    process.stderr.write(`hint: run "leadscore --help" or "leadscore <command> --help" for the usage\n`);
    return 2;
  }
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`internal error (a bug in leadscore, please report it):\n${stack}\n`);
  return 1;
}
