import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { artifactCreatedAt } from '../../src/models/artifact.ts';
import { trainModels } from '../../src/train/train.ts';
import { smallSample } from './fixture.ts';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'leadscore.js');

describe('SOURCE_DATE_EPOCH', () => {
  let sample: Awaited<ReturnType<typeof smallSample>>;
  beforeAll(async () => {
    sample = await smallSample();
  });
  afterEach(() => {
    delete process.env.SOURCE_DATE_EPOCH;
  });

  it('sets createdAt from whole seconds since 1970; unset or empty, the time now', () => {
    expect(artifactCreatedAt({ SOURCE_DATE_EPOCH: '1767225600' })).toBe('2026-01-01T00:00:00.000Z');
    expect(artifactCreatedAt({ SOURCE_DATE_EPOCH: '0' })).toBe('1970-01-01T00:00:00.000Z');
    for (const env of [{}, { SOURCE_DATE_EPOCH: '' }]) {
      const at = Date.parse(artifactCreatedAt(env));
      expect(Math.abs(at - Date.now())).toBeLessThan(60_000);
    }
    for (const bad of ['yesterday', '-5', '1.5', '1e9', '99999999999999']) {
      expect(() => artifactCreatedAt({ SOURCE_DATE_EPOCH: bad })).toThrow(`SOURCE_DATE_EPOCH is "${bad}", not a number of seconds since 1970`);
    }
  });

  it('makes two training runs with the same data and seed write byte-identical model files', async () => {
    process.env.SOURCE_DATE_EPOCH = '1767225600';
    const runs = [join(sample.dir, 'run-a'), join(sample.dir, 'run-b')];
    for (const out of runs) await trainModels({ data: { path: sample.leads }, target: 'converted', models: ['rules', 'logistic', 'gbdt'], out, seed: 3, exclude: ['converted_at'] });
    for (const file of ['logistic.model.json', 'gbdt.model.json', 'rules.yaml']) {
      const [a, b] = await Promise.all(runs.map((run) => readFile(join(run, file), 'utf8')));
      expect(b, file).toBe(a);
    }
    expect(JSON.parse(await readFile(join(runs[0]!, 'logistic.model.json'), 'utf8')).createdAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('refuses a malformed value before reading the data (exit 2, a hint, no run folder)', () => {
    const out = join(sample.dir, 'run-bad');
    const r = spawnSync(process.execPath, [BIN, 'train', '--data', sample.leads, '--target', 'converted', '--out', out], { encoding: 'utf8', env: { ...process.env, SOURCE_DATE_EPOCH: 'yesterday' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: SOURCE_DATE_EPOCH is "yesterday", not a number of seconds since 1970');
    expect(r.stderr).toContain('hint: set it to whole seconds');
    expect(r.stderr).not.toContain('    at ');
    expect(existsSync(out)).toBe(false);
  });
});
