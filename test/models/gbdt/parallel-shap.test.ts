import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { TreeDesign } from '../../../src/features/tree-features.ts';
import { GradientBoostedTrees } from '../../../src/models/gbdt/gbdt.ts';
import { shapValuesParallel, shapWorkerRows, shapWorkersStarted } from '../../../src/models/gbdt/parallel-shap.ts';
import { shapByColumn, shapValues } from '../../../src/models/gbdt/shap-values.ts';
import { createRng } from '../../../src/random.ts';
import { scoreLeads } from '../../../src/scoring/score.ts';
import { scoreStream } from '../../../src/scoring/stream.ts';
import { trainModels } from '../../../src/train/train.ts';
import { tempDir } from '../../helpers.ts';

describe('TreeSHAP on two threads', () => {
  it('gives exactly the one-thread values, across slices and a partial last slice, and they add up to the raw score', async () => {
    const rng = createRng(5);
    const n = 8192 + 4096 + 100; // two hand-offs, the second with a 100-row slice for the worker
    const columns = [
      Float64Array.from({ length: n }, () => (rng.next() < 0.1 ? Number.NaN : rng.normal())),
      Float64Array.from({ length: n }, () => rng.int(12)),
      Float64Array.from({ length: n }, () => rng.normal()),
    ];
    const y = Uint8Array.from({ length: n }, (_, i) => (rng.next() < 1 / (1 + Math.exp(-(columns[2]![i]! + (columns[1]![i]! % 3 === 0 ? 1 : -1)))) ? 1 : 0));
    const design: TreeDesign = { columns, n, p: 3, names: ['a', 'b', 'c'], kinds: ['numeric', 'categorical', 'numeric'], groups: ['a', 'b', 'c'], unseen: {} };
    const model = new GradientBoostedTrees({ trees: 8, maxDepth: 4, earlyStopping: false }).fit(design, y);
    const one = shapValues(model.trees, model.fitted.baseScore, design);
    // The worker takes rows once it says it is ready; the values are the same before and after.
    const first = shapValuesParallel(model.trees, model.fitted.baseScore, design, { threads: 2, minWork: 0 });
    expect(Array.from(first.values)).toEqual(Array.from(one.values));
    let two = first;
    await vi.waitFor(() => {
      two = shapValuesParallel(model.trees, model.fitted.baseScore, design, { threads: 2, minWork: 0 });
      expect(two.workerRows).toBe(4096 + 2098); // half of each hand-off
    }, { timeout: 20_000, interval: 100 });
    expect(two.base).toBe(one.base);
    expect(Array.from(two.values)).toEqual(Array.from(one.values));
    const raw = model.decisionFunction(design);
    for (let i = 0; i < n; i += 97) expect(two.base + two.values[3 * i]! + two.values[3 * i + 1]! + two.values[3 * i + 2]!).toBeCloseTo(raw[i]!, 9);
    // a second call reuses the worker; grouping per column takes the same values
    const grouped = shapByColumn(model.trees, model.fitted.baseScore, design, (t, b, d) => shapValuesParallel(t, b, d, { threads: 2, minWork: 0 }));
    expect(Array.from(grouped.values)).toEqual(Array.from(one.values));
  });

  it('starts its worker from an ES-module `node -e` script, and never waits on one that has not started', () => {
    // A worker inherits `--input-type`, which Node refuses for a worker file (it failed there), and Node
    // starts no ES-module worker while the main thread waits on Atomics (handing it rows before it said it
    // was ready hung such a script for ever).
    const url = (path: string) => pathToFileURL(resolve(import.meta.dirname, '../../../src/models/gbdt', path)).href;
    const script = `import { shapValuesParallel } from '${url('parallel-shap.ts')}';
      import { shapValues } from '${url('shap-values.ts')}';
      import { GradientBoostedTrees } from '${url('gbdt.ts')}';
      const n = 20000, columns = [Float64Array.from({ length: n }, (_, i) => i % 7), Float64Array.from({ length: n }, (_, i) => (i * 7919) % 101)];
      const y = Uint8Array.from({ length: n }, (_, i) => (i % 7 > 3) !== (i % 11 === 0) ? 1 : 0);
      const design = { columns, n, p: 2, names: ['a', 'b'], kinds: ['numeric', 'numeric'], groups: ['a', 'b'], unseen: {} };
      const model = new GradientBoostedTrees({ trees: 5, maxDepth: 3, earlyStopping: false }).fit(design, y);
      const one = shapValues(model.trees, model.fitted.baseScore, design);
      let r = shapValuesParallel(model.trees, model.fitted.baseScore, design, { threads: 2, minWork: 0 });
      for (let i = 0; i < 100 && r.workerRows === 0; i++) {
        await new Promise((done) => setTimeout(done, 100));
        r = shapValuesParallel(model.trees, model.fitted.baseScore, design, { threads: 2, minWork: 0 });
      }
      console.log(r.workerRows > 0 ? 'worker took rows' : 'worker idle', r.values.every((v, i) => v === one.values[i]) ? 'same values' : 'different values');
      process.exit(0);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, cwd: resolve(import.meta.dirname, '../../..') });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('worker took rows same values');
  });
});

describe('threads when scoring', () => {
  it('`threads: 1` starts no TreeSHAP worker (a file streamed or scored in memory); the default shares the reasons with one', async () => {
    const dir = await tempDir();
    const rng = createRng(11);
    const rows = ['lead_id,size,channel,converted'];
    for (let i = 0; i < 4000; i++) {
      const size = rng.normal();
      const channel = ['web', 'event', 'ads'][rng.int(3)]!;
      rows.push(`L${i},${size.toFixed(4)},${channel},${rng.next() < 1 / (1 + Math.exp(-(size + (channel === 'event' ? 1 : 0)))) ? 1 : 0}`);
    }
    const input = join(dir, 'leads.csv');
    await writeFile(input, rows.join('\n') + '\n');
    const run = join(dir, 'run');
    await trainModels({ data: { path: input }, target: 'converted', models: ['gbdt'], out: run, params: ['gbdt.trees=100', 'gbdt.maxDepth=3', 'gbdt.earlyStopping=false'] });
    const model = join(run, 'gbdt.model.json');
    // 4,000 rows × 100 trees: past PARALLEL_SHAP_MIN_WORK, so two threads would start a worker.
    const before = shapWorkersStarted();
    await scoreStream({ model, input: { path: input }, output: join(dir, 'one.csv'), format: 'csv', chunkRows: 4000, threads: 1 });
    await scoreLeads({ model, input: { path: input }, threads: 1 });
    expect(shapWorkersStarted()).toBe(before);
    await scoreLeads({ model, input: { path: input }, threads: 2 });
    expect(shapWorkersStarted()).toBe(before + 1);

    // Streamed on two threads with chunk workers running: chunks scored here take no TreeSHAP worker (the
    // other core is the chunk worker's), and the output is the one-thread output.
    const many = join(dir, 'many.csv');
    await writeFile(many, [rows[0], ...Array.from({ length: 30 }, (_, k) => rows.slice(1).map((line) => line.replace(/^L/, `L${k}-`))).flat()].join('\n') + '\n');
    const options = { model, input: { path: many }, format: 'csv' as const, chunkRows: 4000 };
    await scoreStream({ ...options, output: join(dir, 'many-one.csv'), threads: 1 });
    const rowsBefore = shapWorkerRows();
    const parallel = await scoreStream({ ...options, output: join(dir, 'many-two.csv'), threads: 2, parallelMinBytes: 0, parallelMinMs: 0 });
    expect(await readFile(join(dir, 'many-two.csv'), 'utf8')).toBe(await readFile(join(dir, 'many-one.csv'), 'utf8'));
    const { onWorkers } = parallel.chunks;
    expect(onWorkers).toBeGreaterThan(0);
    expect(onWorkers).toBeLessThan(30); // some were scored here, past PARALLEL_SHAP_MIN_WORK (4,000 rows x 100 trees)
    expect(shapWorkerRows()).toBe(rowsBefore);
  }, 120_000);
});
