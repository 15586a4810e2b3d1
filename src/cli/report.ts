import type { Command } from 'commander';
import { writeReport } from '../report/report.ts';
import { createOutput, shownPath } from './output.ts';

export function registerReport(program: Command): void {
  program
    .command('report <run-dir>')
    .description('(re)write report.html in a training run folder: summary, decision panel, curves, decisions, understanding')
    .option('--json', 'print where it went as JSON')
    .action(async (runDir: string, flags: { json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const t0 = performance.now();
      const { path, bytes } = await writeReport(runDir);
      out.json({ report: path, bytes });
      out.say(`wrote ${shownPath(path)} (${(bytes / 1024).toFixed(0)} KiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    });
}
