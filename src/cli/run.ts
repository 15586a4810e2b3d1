/**
 * The one place where errors become text and exit codes: a `LeadscoreError` (known bad input) prints
 * `error: …` and `hint: …` and exits 2; so does a write the machine refused (a full disk, a file-size limit,
 * a read-only or unwritable place: `writeRefusal`), which the user can act on; anything else is a bug,
 * printed with its stack, exit 1.
 */
import { CommanderError } from 'commander';
import { DataError, LeadscoreError } from '../errors.ts';

export function reportError(err: unknown): number {
  if (err instanceof LeadscoreError) {
    process.stderr.write(`error: ${err.message}\n`);
    // Every further problem, one per line (a rule file with several mistakes, say).
    const issues = (err as { issues?: unknown }).issues;
    if (Array.isArray(issues) && issues.length > 1) {
      for (const issue of issues.slice(1)) process.stderr.write(`  ${describeIssue(issue)}\n`);
    }
    process.stderr.write(`hint: ${err.hint}\n`);
    return 2;
  }
  const refused = writeRefusal(err);
  if (refused) return reportError(refused);
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

/** The machine refused a write: what to tell the user (the output was not written: writes go to a temporary file renamed at the end). */
const WRITE_REFUSALS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file would pass the size limit set for this process (ulimit -f) or the file system',
  EROFS: 'the file system is read-only',
  EIO: 'an input/output error on the device',
};

function writeRefusal(err: unknown): DataError | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (!code || !(code in WRITE_REFUSALS)) return null;
  const path = (err as NodeJS.ErrnoException).path;
  return new DataError('OUTPUT_NOT_WRITABLE', `cannot write${path ? ` ${path}` : ' the output'}: ${WRITE_REFUSALS[code]} (${code}); nothing was written`,
    'free space (or choose an --out/--output on another disk) and run the command again');
}

function describeIssue(issue: unknown): string {
  if (issue && typeof issue === 'object') {
    const i = issue as { file?: string; line?: number; rule?: string; row?: number; column?: string; message?: string };
    const where = [i.file && i.line ? `${i.file}:${i.line}` : undefined, i.rule ? `rule "${i.rule}"` : undefined,
      i.column ? `column "${i.column}"` : undefined, i.row !== undefined ? `row ${i.row}` : undefined].filter(Boolean).join(': ');
    return `${where ? `${where}: ` : ''}${i.message ?? ''}`;
  }
  return String(issue);
}
