import { describe, expect, it } from 'vitest';
import { chooseC, stratifiedFolds } from '../../../src/models/logistic/cv.ts';
import type { EncodedParts } from '../../../src/features/pipeline.ts';
import { coefficientTable, featureLevel, linearScores } from '../../../src/models/logistic/coefficients.ts';
import { type Design, LogisticRegression } from '../../../src/models/logistic/logistic.ts';
import { columnValues, denseDesign, designRows } from '../../../src/features/design.ts';

/** A dense design as encoded parts: one value column per feature. */
const partsOf = (design: Design, groups: string[]): EncodedParts => ({
  parts: design.names.map((_, j) => ({ kind: 'value' as const, offset: j, values: columnValues(design, j) })),
  n: design.n, p: design.p, names: design.names, groups, unseen: {},
});
const columnContributions = (model: LogisticRegression, design: Design, groups: string[]) => {
  const r = linearScores(model, partsOf(design, groups), { contributions: true });
  return { columns: r.columns, values: r.values!, base: r.base, raw: r.raw };
};
import { createRng } from '../../../src/random.ts';

function problem(n: number, seed: number): { design: Design; y: Uint8Array } {
  const rng = createRng(seed);
  const p = 3;
  const X = new Float64Array(n * p);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.normal();
    const b = rng.next() < 0.4 ? 1 : 0;
    const c = b ? 0 : rng.next() < 0.5 ? 1 : 0;
    X[i] = a;
    X[n + i] = b;
    X[2 * n + i] = c;
    y[i] = rng.next() < 1 / (1 + Math.exp(-(-0.5 + a + 0.8 * b - 0.6 * c))) ? 1 : 0;
  }
  return { design: denseDesign(X, n, p, ['score', 'channel=webinar', 'channel=referral']), y };
}

/** Inverse of a small dense matrix by Gauss–Jordan elimination (independent of the Cholesky path). */
function inverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const d = m[c]![c]!;
    for (let k = 0; k < 2 * n; k++) m[c]![k]! /= d;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      for (let k = 0; k < 2 * n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row) => row.slice(n));
}

describe('coefficientTable', () => {
  const { design, y } = problem(800, 4);
  const model = new LogisticRegression({ C: 10 }).fit(design, y);
  const groups = ['score', 'channel', 'channel'];
  const table = coefficientTable(model, design, y, groups);

  it('maps features back to columns and levels, intercept first', () => {
    expect(table.map((r) => [r.column, r.level])).toEqual([['(intercept)', ''], ['score', ''], ['channel', 'webinar'], ['channel', 'referral']]);
    expect(table[2]!.oddsRatio).toBeCloseTo(Math.exp(table[2]!.coefficient), 12);
    expect(featureLevel('visits__missing__', 'visits')).toBe('missing');
    expect(featureLevel('created__age_days', 'created')).toBe('age_days');
  });

  it('takes standard errors from the inverse penalised Hessian (checked by Gauss–Jordan)', () => {
    const beta = model.fitted.beta;
    const d = 4;
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < design.n; i++) {
      const x = [1, ...[0, 1, 2].map((j) => columnValues(design, j)[i]!)];
      const z = x.reduce((s, v, k) => s + v * beta[k]!, 0);
      const p = 1 / (1 + Math.exp(-z));
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) h[a]![b]! += p * (1 - p) * x[a]! * x[b]!;
    }
    for (let a = 1; a < d; a++) h[a]![a]! += 1 / 10;
    const inv = inverse(h);
    table.forEach((row, j) => expect(row.standardError).toBeCloseTo(Math.sqrt(inv[j]![j]!), 10));
    expect(table[1]!.pValue).toBeLessThan(1e-10); // a strong true effect
  });

  it('sums contributions per original column, against the average training lead: base + contributions = raw score', () => {
    const { columns, values, base } = columnContributions(model, design, groups);
    expect(columns).toEqual(['score', 'channel']);
    const raw = model.decisionFunction(design);
    expect(Array.from(columnContributions(model, design, groups).raw)).toEqual(Array.from(raw));
    for (let i = 0; i < design.n; i++) expect(base + values[2 * i]! + values[2 * i + 1]!).toBeCloseTo(raw[i]!, 12);
    // On the rows it was fitted on, every column's contributions average to zero (the average lead),
    // and the base is the raw score of that average lead, computed independently from the column means.
    for (let c = 0; c < 2; c++) {
      let sum = 0;
      for (let i = 0; i < design.n; i++) sum += values[2 * i + c]!;
      expect(Math.abs(sum / design.n)).toBeLessThan(1e-12);
    }
    const means = Array.from({ length: design.p }, (_, j) => columnValues(design, j).reduce((s, v) => s + v, 0) / design.n);
    expect(base).toBeCloseTo(model.fitted.beta.reduce((s, b, k) => s + b * (k === 0 ? 1 : means[k - 1]!), 0), 12);
  });

  it('measures against zero for a model saved before training means were kept (base = intercept)', () => {
    const { featureMeans: _dropped, ...older } = model.toJSON().state;
    const legacy = LogisticRegression.fromJSON({ params: model.params, state: older });
    const { values, base } = columnContributions(legacy, design, groups);
    expect(base).toBe(legacy.fitted.beta[0]);
    const raw = legacy.decisionFunction(design);
    for (let i = 0; i < 20; i++) expect(values[2 * i]! + values[2 * i + 1]!).toBeCloseTo(raw[i]! - base, 12);
  });
});

describe('chooseC', () => {
  it('makes stratified folds of equal class shares', () => {
    const y = Uint8Array.from({ length: 103 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const folds = stratifiedFolds(y, 5, createRng(1));
    for (let f = 0; f < 5; f++) {
      const members = [...folds.keys()].filter((i) => folds[i] === f);
      const positives = members.filter((i) => y[i]).length;
      expect(Math.abs(positives - 26 / 5)).toBeLessThanOrEqual(1);
    }
  });

  it('chooses the C with the lowest out-of-fold log loss, reproducibly, and returns its out-of-fold predictions', () => {
    const { design, y } = problem(600, 8);
    const a = chooseC(design, y, { rng: createRng(42) });
    const b = chooseC(design, y, { rng: createRng(42) });
    expect(b).toEqual(a);
    const best = a.scores.reduce((m, s) => (s.logLoss < m.logLoss ? s : m));
    expect(a.C).toBe(best.C);
    expect(a.oof.length).toBe(600);
    expect(a.oof.every((p) => p > 0 && p < 1)).toBe(true);
    expect(a.scores.map((s) => s.C)).toEqual([0.01, 0.03, 0.1, 0.3, 1, 3, 10]);
    expect(a.method).toBe('folds');
    expect(Array.from(a.rows)).toEqual(Array.from({ length: 600 }, (_, i) => i));
  });

  it('on a large training set chooses C on one stratified slice of a tenth of the rows, fitted on the rest', () => {
    const { design, y } = problem(2000, 9);
    const cv = chooseC(design, y, { rng: createRng(42), sliceAboveRows: 1000 });
    expect(cv.method).toBe('slice');
    // Each class dealt round-robin into 10 folds: the slice holds a tenth of each, rounded up.
    const positives = Array.from(y).filter((v) => v).length;
    const heldPositives = Array.from(cv.rows).filter((i) => y[i]).length;
    expect(heldPositives).toBe(Math.ceil(positives / 10));
    expect(cv.rows.length - heldPositives).toBe(Math.ceil((2000 - positives) / 10));
    expect(cv.oof.length).toBe(cv.rows.length);
    // Independently: the chosen C fitted on the other 1,800 rows predicts the slice as the out-of-sample probabilities say.
    const held = new Set(cv.rows);
    const rest = Array.from({ length: 2000 }, (_, i) => i).filter((i) => !held.has(i));
    const model = new LogisticRegression({ C: cv.C }).fit(designRows(design, rest), Uint8Array.from(rest, (i) => y[i]!));
    const p = model.predictProba(designRows(design, cv.rows));
    cv.oof.forEach((v, k) => expect(v).toBeCloseTo(p[k]!, 8));
    const best = cv.scores.reduce((m, s) => (s.logLoss < m.logLoss ? s : m));
    expect(cv.C).toBe(best.C);
    expect(chooseC(design, y, { rng: createRng(42), sliceAboveRows: 1000 })).toEqual(cv);
    expect(chooseC(design, y, { rng: createRng(42) }).method).toBe('folds');
  });
});
