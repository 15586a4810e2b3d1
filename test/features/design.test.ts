import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { columnValues, type Design, type DesignColumn, designColumn, designRows, denseDesign, onesByRow } from '../../src/features/design.ts';
import { hessian, type LogisticProblem, objectiveAndGradient } from '../../src/models/logistic/objective.ts';
import { LogisticRegression } from '../../src/models/logistic/logistic.ts';
import { createRng } from '../../src/random.ts';

/** The same design with every column held dense: the reference the columns of ones must match bit for bit. */
const allDense = (design: Design): Design => ({ ...design, columns: design.names.map((_, j) => ({ kind: 'dense', values: Float64Array.from(columnValues(design, j)) })) });

/**
 * A random design as the feature pipeline builds one: numeric columns (some 0/1, some mostly 1), one-hot
 * blocks (a level per row, sometimes none) and missing flags, with a label drawn from a logistic model.
 */
function randomDesign(seed: number, n: number): { design: Design; y: Uint8Array; w: Float64Array } {
  const rng = createRng(seed);
  const columns: DesignColumn[] = [];
  const names: string[] = [];
  const z = new Float64Array(n);
  const blocks = 1 + Math.floor(rng.next() * 3);
  for (let b = 0; b < blocks; b++) {
    const width = 2 + Math.floor(rng.next() * 6);
    const level = Int32Array.from({ length: n }, () => (rng.next() < 0.1 ? -1 : Math.floor(rng.next() ** 2 * width)));
    for (let l = 0; l < width; l++) {
      const values = Float64Array.from(level, (k) => (k === l ? 1 : 0));
      columns.push(designColumn(values));
      names.push(`block${b}=${l}`);
      const effect = rng.normal();
      level.forEach((k, i) => k === l && (z[i]! += effect));
    }
  }
  for (let k = 0; k < 4; k++) {
    const kind = k % 4;
    // Normal values; 0/1 mostly 1 (dense); 0/1 mostly 0 (ones); mostly zeros of either sign (dense, sparse).
    const sparse = () => (rng.next() < 0.6 ? (rng.next() < 0.5 ? 0 : -0) : rng.normal());
    const values = Float64Array.from({ length: n }, () => (kind === 0 ? rng.normal() : kind === 1 ? (rng.next() < 0.8 ? 1 : 0) : kind === 2 ? (rng.next() < 0.05 ? 1 : 0) : sparse()));
    columns.push(designColumn(values));
    names.push(`x${k}`);
    values.forEach((v, i) => (z[i]! += 0.7 * v));
  }
  const y = Uint8Array.from(z, (v) => (rng.next() < 1 / (1 + Math.exp(-v)) ? 1 : 0));
  const w = Float64Array.from({ length: n }, () => 0.5 + rng.next());
  return { design: { columns, n, p: columns.length, names }, y, w };
}

describe('design columns', () => {
  it('holds a 0/1 column that is 1 on at most half the rows as its rows of ones, anything else as values', () => {
    expect(designColumn(Float64Array.from([0, 1, 0, 1]))).toEqual({ kind: 'ones', rows: Int32Array.from([1, 3]) });
    expect(designColumn(Float64Array.from([1, 1, 0, 1])).kind).toBe('dense');
    expect(designColumn(Float64Array.from([0, 1, 0.5, 0])).kind).toBe('dense');
    expect(designColumn(new Float64Array(3))).toEqual({ kind: 'ones', rows: new Int32Array(0) });
    const design = denseDesign(Float64Array.from([0, 1, 0, 2, 3, 4]), 3, 2, ['flag', 'x']);
    expect(Array.from(columnValues(design, 0))).toEqual([0, 1, 0]);
    expect(Array.from(columnValues(design, 1))).toEqual([2, 3, 4]);
    expect(() => denseDesign(new Float64Array(5), 3, 2, ['a', 'b'])).toThrow('X has 5 values, 3 rows × 2 features need 6');
  });

  it('restricts to rows in any order, with the columns of ones renumbered and ascending', () => {
    const { design } = randomDesign(3, 200);
    const rows = [150, 2, 77, 3, 199, 0, 64];
    const sub = designRows(design, rows);
    sub.columns.forEach((column, j) => {
      expect(Array.from(columnValues(sub, j))).toEqual(rows.map((r) => columnValues(design, j)[r]!));
      if (column.kind === 'ones') expect(Array.from(column.rows)).toEqual([...column.rows].sort((a, b) => a - b));
    });
  });

  it('lists each row\'s columns of ones in ascending order', () => {
    const { design } = randomDesign(5, 100);
    const { start, columns } = onesByRow(design);
    for (let i = 0; i < design.n; i++) {
      const expected = design.columns.flatMap((c, j) => (c.kind === 'ones' && c.rows.includes(i) ? [j] : []));
      expect(Array.from(columns.subarray(start[i]!, start[i + 1]!))).toEqual(expected);
    }
  });

  it('gives the logistic objective, gradient and Hessian the same bits as the dense matrix (property, 60 random designs)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 5, max: 120 }), (seed, n) => {
      const { design, y, w } = randomDesign(seed, n);
      const beta = Float64Array.from({ length: design.p + 1 }, (_, j) => Math.sin(seed + j));
      const run = (d: Design) => {
        const prob: LogisticProblem = { columns: d.columns, n, p: d.p, y, w, lambda: 0.3 };
        const grad = new Float64Array(d.p + 1);
        const z = new Float64Array(n);
        const f = objectiveAndGradient(prob, beta, grad, z, new Float64Array(n));
        const h = new Float64Array((d.p + 1) ** 2);
        hessian(prob, z, h, new Float64Array(n));
        return { f, grad: Array.from(grad), z: Array.from(z), h: Array.from(h) };
      };
      expect(run(design)).toEqual(run(allDense(design)));
    }), { numRuns: 60, seed: 22 });
  });

  it('fits the same coefficients, to the last bit, from columns of ones as from the dense matrix (Newton and L-BFGS)', () => {
    const { design, y, w } = randomDesign(11, 3000);
    expect(design.columns.some((c) => c.kind === 'ones')).toBe(true);
    for (const solver of ['newton', 'lbfgs'] as const) {
      const a = new LogisticRegression({ C: 0.5, solver }).fit(design, y, { sampleWeight: w }).fitted;
      const b = new LogisticRegression({ C: 0.5, solver }).fit(allDense(design), y, { sampleWeight: w }).fitted;
      expect(a.beta).toEqual(b.beta);
      expect(a.featureMeans).toEqual(b.featureMeans);
      expect(a.iterations).toBe(b.iterations);
    }
  });
});
