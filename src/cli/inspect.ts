import type { Command } from 'commander';
import type { InspectReport } from '../data/inspect.ts';
import { createOutput, formatTable, percent, truncate } from './output.ts';
import { parseDateOrder, parseDelimiter, sourceOf } from './options.ts';
import { thousands } from '../thousands.ts';

interface InspectFlags {
  sql?: string;
  na?: string;
  delimiter?: string;
  dateOrder?: 'dmy' | 'mdy';
  target?: string;
  positive?: string;
  json?: boolean;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show the inferred schema of a file: type, missing share, cardinality, examples, warnings')
    .argument('[file]', 'CSV/TSV, Parquet, NDJSON or JSON file')
    .option('--sql <query>', 'read the rows of a DuckDB query instead of a file')
    .option('--na <tokens>', 'extra missing-value tokens, comma-separated (e.g. Select,unknown)')
    .option('--delimiter <char>', 'CSV delimiter (default: detected); tab, comma, semicolon, pipe also accepted', parseDelimiter)
    .option('--date-order <order>', 'read ambiguous dates day-first (dmy, default) or month-first (mdy)', parseDateOrder)
    .option('--target <column>', 'also check the target and flag columns that leak it')
    .option('--positive <value>', 'for a two-valued text target: the value meaning converted')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (file: string | undefined, flags: InspectFlags) => {
      const out = createOutput(Boolean(flags.json));
      const { inspectSource } = await import('../data/inspect.ts');
      const report = await inspectSource(sourceOf(file, flags.sql), {
        ...(flags.na ? { na: flags.na } : {}),
        ...(flags.delimiter ? { delimiter: flags.delimiter } : {}),
        ...(flags.dateOrder ? { dateOrder: flags.dateOrder } : {}),
        ...(flags.target ? { target: flags.target } : {}),
        ...(flags.positive ? { positive: flags.positive } : {}),
      });
      if (out.jsonMode) out.json(report);
      else out.say(renderInspect(report));
    });
}

const DELIMITER_LABEL: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/** The human form of an inspect report. */
export function renderInspect(report: InspectReport): string {
  const head = [`${report.source}`, `${thousands(report.rows)} rows × ${report.columns.length} columns, ${report.format}` +
    (report.delimiter ? `, ${DELIMITER_LABEL[report.delimiter] ?? JSON.stringify(report.delimiter)}-separated` : '')];
  const table = formatTable(
    ['column', 'type', 'feature', 'missing', 'distinct', 'examples'],
    report.columns.map((c) => [
      c.name,
      c.type + (c.decimalComma ? ' (decimal comma)' : '') + (c.dateFormat && c.dateFormat.order !== 'ymd' ? ` (${c.dateFormat.label})` : ''),
      c.feature ? 'yes' : 'no',
      percent(c.missingShare),
      c.distinct,
      truncate(c.examples.join(', '), 48),
    ]),
  );
  const warnings = report.columns.flatMap((c) => c.warnings.map((w) => `  ${c.name}: ${w}`));
  const parts = [head.join('\n'), '', table];
  if (report.target) {
    const t = report.target;
    parts.push('', `target ${t.name}: ${thousands(t.positives)} converted of ${thousands(t.positives + t.negatives)} (${percent(t.rate)}); ${t.rule}` +
      (t.unlabelled ? `; ${t.unlabelled} rows without a label` : ''));
  }
  if (warnings.length > 0) parts.push('', 'warnings:', ...warnings);
  return parts.join('\n');
}
