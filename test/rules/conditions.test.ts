import { describe, expect, it } from 'vitest';
import { columnSchema } from '../../src/data/types/schema.ts';
import { compileCondition } from '../../src/rules/conditions.ts';
import type { Condition } from '../../src/rules/rule-file.ts';
import { dataset } from './fixtures.ts';

// Row 3 is missing in every column.
const data = dataset({
  channel: ['Webinar', 'referral', ' paid social', '', 'webinar'],
  size: ['10', '50', '200', 'NA', '1000'],
  opt_in: ['yes', 'no', 'yes', '', 'no'],
  created: ['2025-01-01', '2025-02-01', '2025-03-01', '', '2025-04-01'],
  title: ['VP Marketing', 'Head of IT', 'Student', '', 'vp sales'],
});

function rowsWhere(cond: Condition): number[] {
  const result = compileCondition(cond, data.table.array(cond.column) as ArrayLike<unknown>, columnSchema(data.schema, cond.column)!);
  if (!result.ok) throw new Error(result.message);
  return [0, 1, 2, 3, 4].filter((i) => result.predicate(i));
}

describe('compileCondition: every operator, and missing values under each', () => {
  it.each<[string, Condition, number[]]>([
    ['eq (text, any case)', { column: 'channel', op: 'eq', value: 'webinar' }, [0, 4]],
    ['neq (text), false on missing', { column: 'channel', op: 'neq', value: 'webinar' }, [1, 2]],
    ['in', { column: 'channel', op: 'in', value: ['referral', 'Paid Social'] }, [1, 2]],
    ['not_in, false on missing', { column: 'channel', op: 'not_in', value: ['referral'] }, [0, 2, 4]],
    ['eq (number)', { column: 'size', op: 'eq', value: 50 }, [1]],
    ['eq (number written as text)', { column: 'size', op: 'eq', value: '50' }, [1]],
    ['neq (number), false on missing', { column: 'size', op: 'neq', value: 50 }, [0, 2, 4]],
    ['gt', { column: 'size', op: 'gt', value: 50 }, [2, 4]],
    ['gte', { column: 'size', op: 'gte', value: 50 }, [1, 2, 4]],
    ['lt', { column: 'size', op: 'lt', value: 50 }, [0]],
    ['lte', { column: 'size', op: 'lte', value: 50 }, [0, 1]],
    ['between (inclusive)', { column: 'size', op: 'between', value: [50, 200] }, [1, 2]],
    ['gt on dates', { column: 'created', op: 'gt', value: '2025-02-01' }, [2, 4]],
    ['between on dates', { column: 'created', op: 'between', value: ['2025-01-15', '2025-03-01'] }, [1, 2]],
    ['eq on booleans with yes', { column: 'opt_in', op: 'eq', value: 'yes' }, [0, 2]],
    ['eq on booleans with false', { column: 'opt_in', op: 'eq', value: false }, [1, 4]],
    ['neq on booleans, false on missing', { column: 'opt_in', op: 'neq', value: true }, [1, 4]],
    ['contains (any case)', { column: 'title', op: 'contains', value: 'vp' }, [0, 4]],
    ['matches (regex, any case)', { column: 'title', op: 'matches', value: '^(vp|head) ' }, [0, 1, 4]],
    ['is_missing', { column: 'title', op: 'is_missing' }, [3]],
    ['not_missing', { column: 'size', op: 'not_missing' }, [0, 1, 2, 4]],
  ])('%s', (_what, cond, expected) => {
    expect(rowsWhere(cond)).toEqual(expected);
  });

  it('refuses order comparisons on text and values of the wrong type', () => {
    const bad = (cond: Condition) => compileCondition(cond, data.table.array(cond.column) as ArrayLike<unknown>, columnSchema(data.schema, cond.column)!);
    expect(bad({ column: 'channel', op: 'gt', value: 3 })).toEqual({ ok: false, message: 'gt needs a numeric or date column; "channel" is categorical' });
    expect(bad({ column: 'size', op: 'gt', value: 'big' })).toMatchObject({ ok: false, message: expect.stringContaining('not a number') });
    expect(bad({ column: 'opt_in', op: 'eq', value: 'maybe' })).toMatchObject({ ok: false, message: expect.stringContaining('not a yes/no value') });
    expect(bad({ column: 'created', op: 'lt', value: 'soon' })).toMatchObject({ ok: false, message: expect.stringContaining('not a date') });
  });
});
