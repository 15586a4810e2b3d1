/**
 * `inspect`: what a file holds, as the schema inference sees it, plus target-aware checks when a target
 * is named (columns filled only for converted rows leak the outcome).
 */
import { type LoadOptions, loadDataset } from './io/dataset.ts';
import { columnValues } from './columns.ts';
import type { Source, SourceFormat } from './io/read.ts';
import type { ColumnSchema } from './types/schema.ts';
import { resolveTarget, type TargetOptions } from './target.ts';

export interface InspectReport {
  source: string;
  format: SourceFormat;
  delimiter?: string;
  rows: number;
  columns: ColumnSchema[];
  target?: { name: string; positives: number; negatives: number; unlabelled: number; rate: number; rule: string };
}

export interface InspectOptions extends LoadOptions, TargetOptions {
  target?: string;
}

/**
 * Reads a source and reports its inferred schema.
 *
 * @example
 * const report = await inspectSource({ path: 'bank-marketing.csv' });
 * report.columns.find((c) => c.name === 'Cust_num')?.type; // 'id'
 */
export async function inspectSource(source: Source, options: InspectOptions = {}): Promise<InspectReport> {
  const data = await loadDataset(source, options);
  const report: InspectReport = {
    source: data.raw.source,
    format: data.raw.format,
    ...(data.raw.delimiter ? { delimiter: data.raw.delimiter } : {}),
    rows: data.raw.rows,
    columns: data.schema.columns,
  };
  if (options.target) {
    const target = resolveTarget(data, options.target, options);
    const labelled = target.positives + target.negatives;
    report.target = {
      name: target.name, positives: target.positives, negatives: target.negatives, unlabelled: target.unlabelled.length,
      rate: target.positives / labelled, rule: target.rule,
    };
    const unlabelled = new Set(target.unlabelled);
    for (const column of data.schema.columns) {
      if (column.name === target.name || column.missing === 0 || column.type === 'constant') continue;
      const values = columnValues(data.table, column.name) as ArrayLike<unknown>;
      let agree = 0;
      for (let i = 0; i < values.length; i++) {
        if (unlabelled.has(i)) continue;
        if ((values[i] !== null) === (target.y[i] === 1)) agree++;
      }
      if (agree / labelled >= 0.99) {
        column.warnings.push(`filled only where ${target.name} is positive (${((agree / labelled) * 100).toFixed(1)}% agreement): it leaks the outcome; exclude it`);
        column.feature = false;
      }
    }
  }
  return report;
}
