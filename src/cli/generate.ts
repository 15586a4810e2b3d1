import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../errors.ts';
import { createOutput } from './output.ts';
import { parseInteger, parsePositiveInteger } from './options.ts';
import { thousands } from '../thousands.ts';

interface GenerateFlags {
  rows: number;
  seed: number;
  out: string;
  start: string;
  months: number;
  force?: boolean;
  json?: boolean;
}

const FILES = ['leads.csv', 'activities.csv', 'truth.csv'];

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write the synthetic sample (leads.csv, activities.csv, truth.csv) with a known true conversion probability')
    .option('--rows <n>', 'number of leads', parsePositiveInteger, 20000)
    .option('--seed <n>', 'random seed', parseInteger, 42)
    .option('--out <dir>', 'output folder', 'data/sample')
    .option('--start <date>', 'first day of the history (ISO date)', '2024-01-01')
    .option('--months <n>', 'months of history', parsePositiveInteger, 24)
    .option('--force', 'replace sample files already in the output folder')
    .option('--json', 'print what was written as JSON on stdout')
    .action(async (flags: GenerateFlags) => {
      const out = createOutput(Boolean(flags.json));
      if (!/^\d{4}-\d{2}-\d{2}$/.test(flags.start) || Number.isNaN(Date.parse(flags.start))) {
        throw new ConfigError('BAD_DATE', `--start must be an ISO date such as 2024-01-01, got "${flags.start}"`, 'write the date as yyyy-mm-dd');
      }
      if (!flags.force) {
        const existing: string[] = [];
        for (const f of FILES) {
          try {
            await access(join(flags.out, f));
            existing.push(f);
          } catch {
            // not there: fine
          }
        }
        if (existing.length > 0) {
          throw new ConfigError('WOULD_OVERWRITE', `${flags.out} already has ${existing.join(', ')}`, 'pass --force to replace them, or choose another --out folder');
        }
      }
      const { writeSample } = await import('../data/sample/synthetic.ts');
      const { files, sample } = await writeSample(flags.out, { rows: flags.rows, seed: flags.seed, start: flags.start, months: flags.months });
      const summary = {
        files,
        leads: sample.leads.columns[0]!.length,
        activities: sample.activities.columns[0]!.length,
        seed: flags.seed,
        extractedAt: new Date(sample.extractedAt).toISOString(),
      };
      out.json(summary);
      out.say(`wrote ${thousands(summary.leads)} leads and ${thousands(summary.activities)} activities (seed ${flags.seed}):`);
      for (const f of files) out.say(`  ${f}`);
    });
}
