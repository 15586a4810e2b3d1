/** The `leadscore` command line: one file per command, errors mapped to exit codes in run.ts. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { PACKAGE_ROOT } from '../data/sample/sample-paths.ts';
import { registerBacktest } from './backtest.ts';
import { registerDemo } from './demo.ts';
import { registerEvaluate } from './evaluate.ts';
import { registerExportSql } from './export-sql.ts';
import { registerGenerate } from './generate.ts';
import { registerInspect } from './inspect.ts';
import { registerReport } from './report.ts';
import { registerRules } from './rules.ts';
import { registerScore } from './score.ts';
import { registerTrain } from './train.ts';
import { reportError } from './run.ts';
import { loadArquero } from '../data/io/arquero.ts';

export function buildProgram(): Command {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  const program = new Command('leadscore')
    .description('Predictive lead scoring: models beside the points baseline, honest hold-out evaluation, backtests and batch exports.')
    .version(version)
    .exitOverride()
    .showSuggestionAfterError(true);
  // Tables (arquero) are loaded before any command but `score`, which loads them only where it makes one
  // (data/io/arquero.ts): its byte path never does, and they cost its start ~40 ms.
  program.hook('preAction', async (_program, command) => {
    if (!(command.name() === 'score' && command.parent === program)) await loadArquero();
  });
  registerDemo(program);
  registerGenerate(program);
  registerInspect(program);
  registerRules(program);
  registerTrain(program);
  registerEvaluate(program);
  registerBacktest(program);
  registerScore(program);
  registerExportSql(program);
  registerReport(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`leadscore inspect f | head`) is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
