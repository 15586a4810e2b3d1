import { describe, expect, it } from 'vitest';
import { FeaturePipeline } from '../../src/features/pipeline.ts';
import { linearScores } from '../../src/models/logistic/coefficients.ts';
import { LogisticRegression } from '../../src/models/logistic/logistic.ts';
import { columnValues, type Design } from '../../src/features/design.ts';
import { dataset } from '../rules/fixtures.ts';

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** Column `name` of an encoded design, as a plain array. */
function column(design: Design, name: string): number[] {
  const j = design.names.indexOf(name);
  if (j < 0) throw new Error(`no feature ${name} in ${design.names.join(', ')}`);
  return Array.from(columnValues(design, j));
}

/** Every column of a design, dense, in feature order. */
const dense = (design: Design) => design.names.map((_, j) => Array.from(columnValues(design, j)));

describe('FeaturePipeline', () => {
  // 40 training rows (0–39), 4 test rows (40–43) with values the training rows never had.
  const channel = [...Array(20).fill('webinar'), ...Array(15).fill('referral'), 'events', 'events', 'partner', '', '', 'SECRET', 'webinar', 'referral', ''];
  const visits = [...Array.from({ length: 38 }, (_, i) => String(i % 7)), '', '', '1000000', '', '3', '2'];
  const data = dataset({
    lead_id: channel.map((_, i) => `L${i}`),
    channel,
    visits,
    flag: channel.map((_, i) => (i % 3 === 0 ? 'yes' : 'no')),
    constant_here: channel.map((_, i) => (i < 40 ? '5' : String(i))),
    created: channel.map((_, i) => `2025-0${1 + (i % 6)}-1${i % 10}`),
  });
  const train = range(40);
  const test = Int32Array.from([40, 41, 42, 43]);
  const pipeline = FeaturePipeline.fit(data, train, { minFrequency: 5 });

  it('encodes the expected features, ids excluded and train-constant columns dropped with a note', () => {
    const { names } = pipeline.featureNames();
    expect(names.filter((n) => n.startsWith('channel'))).toEqual(['channel=referral', 'channel=webinar', 'channel=__other__', 'channel=__missing__']);
    expect(names).toContain('visits__missing__');
    expect(names).not.toContain('lead_id');
    expect(names.some((n) => n.startsWith('constant_here'))).toBe(false);
    expect(pipeline.notes.join('\n')).toContain('constant_here: constant on the training rows, dropped');
    expect(pipeline.notes.join('\n')).toContain('channel: 2 rare levels (< 5 rows) pooled into __other__');
  });

  it('standardises numeric columns on the training rows (mean 0, sd 1 there), median-imputed', () => {
    const design = pipeline.transform(data, { rows: train });
    const x = column(design, 'visits');
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
    expect(mean).toBeCloseTo(0, 12);
    expect(sd).toBeCloseTo(1, 12);
    expect(column(design, 'visits__missing__').slice(38)).toEqual([1, 1]);
  });

  it('uses training statistics only: a huge test value does not move the median or scale', () => {
    const again = FeaturePipeline.fit(data, train, { minFrequency: 5 });
    const spec = again.specs.find((s) => s.column === 'visits');
    expect(spec).toMatchObject({ kind: 'numeric', median: 3, indicator: true, log1p: false });
    const testDesign = again.transform(data, { rows: test });
    const trainDesign = again.transform(data, { rows: train });
    // the missing test row gets the training median, encoded like a training row with the median
    expect(column(testDesign, 'visits')[1]).toBeCloseTo(column(trainDesign, 'visits')[38]!, 12);
  });

  it('maps a level never seen in training to __other__ and counts it; rare levels are not "unseen"', () => {
    const design = pipeline.transform(data, { rows: test });
    expect(column(design, 'channel=__other__')).toEqual([1, 0, 0, 0]);
    expect(column(design, 'channel=__missing__')).toEqual([0, 0, 0, 1]);
    expect(design.unseen).toEqual({ channel: 1 });
    const trainDesign = pipeline.transform(data, { rows: train });
    expect(trainDesign.unseen).toEqual({});
  });

  it('encodes booleans as 0/1 and dates as age from the scoring time, month and weekday', () => {
    const design = pipeline.transform(data, { rows: Int32Array.from([0, 1]), asOf: Date.UTC(2025, 5, 1) });
    expect(column(design, 'flag')).toEqual([1, 0]);
    const spec = pipeline.specs.find((s) => s.kind === 'date')!;
    if (spec.kind !== 'date') throw new Error('expected a date spec');
    const ageDays = (Date.UTC(2025, 5, 1) - Date.UTC(2025, 0, 10)) / 86_400_000;
    expect(column(design, 'created__age_days')[0]).toBeCloseTo((ageDays - spec.age.mean) / spec.age.sd, 12);
    expect(column(design, 'created__month=1')).toEqual([1, 0]);
    expect(column(design, 'created__month=2')).toEqual([0, 1]);
  });

  it('takes log1p of heavy-tailed counts when chosen on train', () => {
    const counts = Array.from({ length: 200 }, (_, i) => String(i < 190 ? i % 3 : 500 + i));
    const d = dataset({ pages: counts, other: counts.map((_, i) => String(i % 10)) });
    const auto = FeaturePipeline.fit(d, range(200));
    expect(auto.specs.find((s) => s.column === 'pages')).toMatchObject({ log1p: true });
    expect(FeaturePipeline.fit(d, range(200), { log1p: false }).specs.find((s) => s.column === 'pages')).toMatchObject({ log1p: false });
  });

  it('round-trips through JSON with an identical design matrix', () => {
    const again = FeaturePipeline.fromJSON(JSON.parse(JSON.stringify(pipeline.toJSON())));
    const a = pipeline.transform(data, { asOf: Date.UTC(2025, 8, 1) });
    const b = again.transform(data, { asOf: Date.UTC(2025, 8, 1) });
    expect(dense(b)).toEqual(dense(a));
    expect(b.columns.map((c) => c.kind)).toEqual(a.columns.map((c) => c.kind));
    expect(b.names).toEqual(a.names);
  });

  it('refuses data without a column the pipeline was fitted on', () => {
    const missing = dataset({ channel: ['a', 'b'], visits: ['1', '2'] });
    expect(() => pipeline.transform(missing)).toThrow('column "flag" that the model was trained on is missing');
  });

  it('encodes the same features without the matrix: a linear model scores the parts bit for bit as the dense matrix', () => {
    const all = range(44);
    const design = pipeline.transform(data, { rows: all });
    const encoded = pipeline.encode(data, { rows: all });
    expect(encoded.names).toEqual(design.names);
    expect(encoded.unseen).toEqual(design.unseen);
    const y = Uint8Array.from({ length: 40 }, (_, i) => (i % 3 === 0 || channel[i] === 'referral' ? 1 : 0));
    const model = new LogisticRegression({ C: 1 }).fit(pipeline.transform(data, { rows: train }), y);
    const scored = linearScores(model, encoded, { contributions: true });
    expect(Array.from(scored.raw)).toEqual(Array.from(model.decisionFunction(design)));
    // contributions: Σ coefficient × (value − training mean) per column, computed here from the dense matrix
    const beta = model.fitted.beta;
    const means = model.fitted.featureMeans!;
    scored.columns.forEach((col, g) => {
      for (let i = 0; i < 44; i++) {
        let expected = 0;
        design.names.forEach((_, j) => {
          if (design.groups[j] === col) expected += beta[j + 1]! * (columnValues(design, j)[i]! - means[j]!);
        });
        expect(scored.values![i * scored.columns.length + g]).toBeCloseTo(expected, 12);
      }
    });
  });
});
