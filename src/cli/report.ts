import type { Command } from 'commander';
import { createOutput, shownPath } from './output.ts';

export function registerReport(program: Command): void {
  program
    .command('report <folder>')
    .description('(re)write report.html in a training run folder (summary, decision panel, curves, decisions, understanding) or a backtest folder (period by period)')
    .option('--json', 'print where it went as JSON')
    .action(async (folder: string, flags: { json?: boolean }) => {
      const out = createOutput(Boolean(flags.json));
      const t0 = performance.now();
      const { reportFolder } = await import('../report/report.ts');
      const { path, bytes, kind } = await reportFolder(folder);
      out.json({ report: path, bytes, kind });
      out.say(`wrote ${shownPath(path)} (${(bytes / 1024).toFixed(0)} KiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    });
}
