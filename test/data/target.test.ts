import { describe, expect, it } from 'vitest';
import { applySchema, type Dataset } from '../../src/data/io/dataset.ts';
import type { RawTable } from '../../src/data/io/read.ts';
import { inferSchema } from '../../src/data/types/schema.ts';
import { resolveTarget } from '../../src/data/target.ts';
import { DataError } from '../../src/errors.ts';
import type { RawValue } from '../../src/types.ts';

function dataset(columns: Record<string, RawValue[]>): Dataset {
  const names = Object.keys(columns);
  const raw: RawTable = { names, columns: names.map((n) => columns[n]!), rows: columns[names[0]!]!.length, format: 'csv', source: 'test' };
  const schema = inferSchema(raw);
  const { columns: _c, ...meta } = raw;
  return { table: applySchema(raw, schema), schema, raw: meta };
}

const labels = (pos: number, neg: number, yes = '1', no = '0'): string[] => [...Array(pos).fill(yes), ...Array(neg).fill(no)];

function errorOf(run: () => unknown): DataError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('resolveTarget', () => {
  it('takes --positive 1.0, the file\'s literal value, for a numeric target; an absent value is refused with the counts', () => {
    const values = [...labels(12, 30, '1.0', '0.0'), '2.0'];
    const data = dataset({ converted: values.slice(0, -1) });
    expect(resolveTarget(data, 'converted', { positive: '1.0' }).positives).toBe(12);
    expect(resolveTarget(data, 'converted', { positive: '0' }).positives).toBe(30);
    const wonLost = dataset({ stage: labels(12, 30, 'Won', 'Lost') });
    expect(errorOf(() => resolveTarget(wonLost, 'stage')).message).toBe('target "stage" has two values ("Lost" 30 rows, "Won" 12 rows) and it is not clear which one means converted');
    expect(errorOf(() => resolveTarget(wonLost, 'stage', { positive: 'won' })).message).toBe('--positive "won" is not a value of target "stage" ("Lost" 30 rows, "Won" 12 rows)');
  });

  it.each([
    ['0/1', labels(12, 30)],
    ['yes/no', labels(12, 30, 'yes', 'no')],
    ['TRUE/FALSE', labels(12, 30, 'TRUE', 'FALSE')],
    ['0.0/1.0 (as pandas writes a column that once held a missing value)', labels(12, 30, '1.0', '0.0')],
    ['1.00/0 and 1e0', [...labels(6, 0, '1.00'), ...labels(6, 15, '1e0', '0'), ...labels(0, 15, '', '0.000')]],
    ['Y/n in mixed case', [...labels(6, 0, 'Y'), ...labels(6, 15, 'y', 'n'), ...labels(0, 15, '', 'N')]],
  ])('reads %s targets', (_kind, values) => {
    const t = resolveTarget(dataset({ converted: values }), 'converted');
    expect(t.positives).toBe(12);
    expect(t.negatives).toBe(30);
    expect(Array.from(t.y.slice(0, 13))).toEqual([...Array(12).fill(1), 0]);
  });

  it('reads a conversion date column: a date means converted', () => {
    const values = [...Array(11).fill('2025-03-01'), '2025-04-02', ...Array(20).fill('')];
    const t = resolveTarget(dataset({ converted_at: values }), 'converted_at');
    expect(t.positives).toBe(12);
    expect(t.negatives).toBe(20);
    expect(t.rule).toContain('a date in converted_at');
  });

  it('keeps rows with a missing label apart', () => {
    const t = resolveTarget(dataset({ y: [...labels(10, 5, 'yes', 'no'), ''] }), 'y');
    expect(Array.from(t.unlabelled)).toEqual([15]);
    expect(t.negatives).toBe(5);
  });

  it('reads a two-valued text target with --positive', () => {
    const values = labels(10, 10, 'won', 'lost');
    expect(errorOf(() => resolveTarget(dataset({ stage: values }), 'stage')).hint).toContain('--positive');
    expect(resolveTarget(dataset({ stage: values }), 'stage', { positive: 'won' }).positives).toBe(10);
  });

  it('suggests the closest names for a missing target column', () => {
    const err = errorOf(() => resolveTarget(dataset({ converted: labels(10, 10), converted_at: labels(10, 10) }), 'convertd'));
    expect(err.message).toBe('target column "convertd" not found');
    expect(err.hint).toBe('did you mean "converted"?');
  });

  it('refuses a target with only one class', () => {
    expect(errorOf(() => resolveTarget(dataset({ y: labels(0, 30) }), 'y')).message).toContain('only one class');
    expect(errorOf(() => resolveTarget(dataset({ y: [...labels(0, 30), ''] }), 'y')).message).toContain('only one class');
  });

  it('lists the values of a target with more than two', () => {
    const err = errorOf(() => resolveTarget(dataset({ stage: repeatValues(['lead', 'mql', 'sql', 'won'], 5) }), 'stage'));
    expect(err.message).toBe('target "stage" has 4 values, not two: "lead", "mql", "sql", "won"');
  });

  it('refuses too few positives to evaluate', () => {
    const err = errorOf(() => resolveTarget(dataset({ y: labels(9, 100) }), 'y'));
    expect(err.message).toBe('target "y" has 9 conversions; at least 10 are needed to train and evaluate');
    expect(err.code).toBe('TOO_FEW_POSITIVES');
  });
});

function repeatValues(values: string[], times: number): string[] {
  return Array.from({ length: times }, () => values).flat();
}
