import { describe, expect, it } from 'vitest';
import type { TreeDesign } from '../../../src/features/tree-features.ts';
import { rocAuc } from '../../../src/evaluation/metrics.ts';
import { loadTf } from '../../../src/models/mlp/backend.ts';
import { embeddingDim, encodeInputs, fitInputs } from '../../../src/models/mlp/inputs.ts';
import { MultilayerPerceptron, tfLogits } from '../../../src/models/mlp/mlp.ts';
import { createRng } from '../../../src/random.ts';

/** Leads with a known signal: a number, a category with a strong level, a number with missing values. */
function leads(n: number, seed: number): { design: TreeDesign; y: Uint8Array } {
  const rng = createRng(seed);
  const a = Float64Array.from({ length: n }, () => rng.normal());
  const c = Float64Array.from({ length: n }, () => rng.int(6));
  const b = Float64Array.from({ length: n }, () => (rng.next() < 0.2 ? Number.NaN : 3 + 2 * rng.normal()));
  const y = Uint8Array.from({ length: n }, (_, i) => {
    const z = -1.5 + 1.2 * a[i]! + (c[i] === 2 ? 1.5 : 0) + (Number.isNaN(b[i]!) ? -1 : 0.3 * (b[i]! - 3));
    return rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  });
  return { design: { columns: [a, c, b], n, p: 3, names: ['a', 'c', 'b'], kinds: ['numeric', 'categorical', 'numeric'], groups: ['a', 'c', 'b'], unseen: {} }, y };
}

const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('the network inputs', () => {
  it('impute medians, standardise on the training rows, flag missing numbers, and share index 0 among rare, missing and unseen levels', () => {
    const design: TreeDesign = {
      columns: [Float64Array.of(1, 3, Number.NaN, 5, 100), Float64Array.of(0, 0, 1, Number.NaN, 7)], n: 5, p: 2,
      names: ['x', 'k'], kinds: ['numeric', 'categorical'], groups: ['x', 'k'], unseen: {},
    };
    const state = fitInputs(design, [0, 1, 2, 3], { minCount: 2, maxDim: 16 });
    // x on the training rows: 1, 3, (missing → median 3), 5: mean 3, sd √2.
    expect(state.numeric[0]).toEqual({ feature: 0, median: 3, mean: 3, sd: Math.sqrt(2), missingFlag: true });
    expect(state.categorical[0]).toEqual({ feature: 1, index: [1, 0], size: 2, dim: embeddingDim(2, 16) });
    const batch = encodeInputs(state, design);
    expect(batch.width).toBe(2);
    expect(Array.from(batch.dense)).toEqual(Array.from(Float32Array.of(-2 / Math.SQRT2, 0, 0, 0, 0, 1, 2 / Math.SQRT2, 0, 97 / Math.SQRT2, 0)));
    // level 0 kept (2 rows), level 1 rare (1 row), missing and the unseen code 7 → 0.
    expect(Array.from(batch.indices[0]!)).toEqual([1, 1, 0, 0, 0]);
  });
});

describe('the mlp', () => {
  const { design, y } = leads(3000, 11);
  const train = rows(0, 1800);
  const validation = rows(1800, 2200);
  const test = Int32Array.from(rows(2200, 3000));
  const params = { backend: 'wasm' as const, epochs: 12, hidden: [16, 8], batchSize: 128, learningRate: 0.003 };

  it('learns the signal, gives the same predictions for the same seed and others for another seed', async () => {
    const one = await new MultilayerPerceptron({ ...params, seed: 3 }).fit(design, y, { train, validation });
    const two = await new MultilayerPerceptron({ ...params, seed: 3 }).fit(design, y, { train, validation });
    const other = await new MultilayerPerceptron({ ...params, seed: 4 }).fit(design, y, { train, validation });
    const p = one.predictProba(design);
    expect(rocAuc(p, y, test)).toBeGreaterThan(0.75);
    expect(Array.from(two.predictProba(design))).toEqual(Array.from(p));
    expect(Array.from(other.predictProba(design))).not.toEqual(Array.from(p));
    expect(one.fitted.backend).toBe('wasm');
    expect(one.fitted.bestEpoch).toBeGreaterThan(0);
  }, 120_000);

  it('scores with the typed-array forward pass as tfjs does (|Δp| < 1e-6), and round-trips through JSON', async () => {
    const model = await new MultilayerPerceptron({ ...params, epochs: 4 }).fit(design, y, { train, validation });
    const z = model.decisionFunction(design);
    const viaTf = await tfLogits(model, model.encode(design), 'wasm');
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    let worst = 0;
    for (let i = 0; i < z.length; i++) worst = Math.max(worst, Math.abs(sig(z[i]!) - sig(viaTf[i]!)));
    expect(worst).toBeLessThan(1e-6);
    const back = MultilayerPerceptron.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    expect(Array.from(back.predictProba(design))).toEqual(Array.from(model.predictProba(design)));
  }, 120_000);
});

describe('reasons by integrated gradients', () => {
  it('add up per row to logit(row) − logit(baseline lead) within 1e-3, grouped per original column', async () => {
    const { design, y } = leads(1500, 17);
    const model = await new MultilayerPerceptron({ backend: 'wasm', epochs: 6, hidden: [16, 8], learningRate: 0.003 }).fit(design, y, { train: rows(0, 1000), validation: rows(1000, 1200) });
    const { columns, values, baselineLogit } = model.contributions(design);
    expect(columns).toEqual(['a', 'b', 'c']); // numbers first (a, then b with its missing flag), then the category
    const z = model.decisionFunction(design);
    let worst = 0;
    for (let i = 0; i < design.n; i++) {
      const total = values[3 * i]! + values[3 * i + 1]! + values[3 * i + 2]!;
      worst = Math.max(worst, Math.abs(total - (z[i]! - baselineLogit)));
    }
    expect(worst).toBeLessThan(1e-3);
    // a raises the odds: leads well above its median get positive attributions for it, leads well below negative ones.
    const mean = (keep: (v: number) => boolean) => {
      const picked = Array.from({ length: design.n }, (_, i) => i).filter((i) => keep(design.columns[0]![i]!));
      return picked.reduce((s, i) => s + values[3 * i]!, 0) / picked.length;
    };
    expect(mean((v) => v > 1)).toBeGreaterThan(0.1);
    expect(mean((v) => v < -1)).toBeLessThan(-0.1);
  }, 120_000);
});

describe('the backend', () => {
  it('says so and runs on WebAssembly when tfjs-node cannot load; a forced backend that cannot load is an error', async () => {
    const missing = async () => { throw new Error("Cannot find package '@tensorflow/tfjs-node'"); };
    const auto = await loadTf('auto', { tfjsNode: missing });
    expect(auto.backend).toBe('wasm');
    expect(auto.note).toMatch(/^@tensorflow\/tfjs-node cannot load \(Cannot find package.*\): the mlp runs on the WebAssembly backend$/);
    await expect(loadTf('tensorflow', { tfjsNode: missing })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', hint: expect.stringContaining('mlp.backend=wasm') });
    const cpu = await loadTf('cpu');
    expect(cpu.backend).toBe('cpu');
    expect(cpu.note).toBeUndefined();
  }, 60_000);
});
