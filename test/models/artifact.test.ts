import fc from 'fast-check';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonReference, contentHash, loadModel } from '../../src/models/artifact.ts';
import { ModelFormatError } from '../../src/errors.ts';
import { trainModels } from '../../src/train/train.ts';
import { smallSample } from '../train/fixture.ts';

let good: string;
let dir: string;

beforeAll(async () => {
  const sample = await smallSample();
  dir = sample.dir;
  const run = await trainModels({ data: { path: sample.leads }, target: 'converted', out: join(dir, 'run') });
  good = await readFile(join(run.runDir, 'logistic.model.json'), 'utf8');
});

async function refusal(name: string, content: string): Promise<ModelFormatError> {
  const path = join(dir, name);
  await writeFile(path, content);
  const err = await loadModel(path).then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(ModelFormatError);
  return err as ModelFormatError;
}

describe('model artifacts', () => {
  it('hash everything but createdAt: a changed timestamp still loads', async () => {
    const json = JSON.parse(good);
    expect(json.contentHash).toBe(contentHash(json));
    json.createdAt = '2030-01-01T00:00:00.000Z';
    const path = join(dir, 'retimed.model.json');
    await writeFile(path, JSON.stringify(json));
    await expect(loadModel(path)).resolves.toBeTruthy();
  });

  it('sort keys for hashing, so key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":0,"z":1}]},"b":1}');
  });

  it('write the canonical JSON its definition (a key-sorting replacer) writes, on models and on random values', () => {
    expect(canonicalJson(JSON.parse(good))).toBe(canonicalJsonReference(JSON.parse(good)));
    // Values JSON.stringify treats apart: integer-like keys, undefined and functions, typed arrays, toJSON, class instances, -0 and NaN.
    const odd = fc.constantFrom<unknown>(undefined, () => 1, Float64Array.of(1, -0, 2.5), new Date(0), { toJSON: () => ({ b: 1, a: 2 }) }, new Map([[1, 2]]), -0, Number.NaN, Infinity);
    const key = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('0', '1', '9', '10', '01', '4294967295', '-1', '1.5', '__proto__', 'toJSON'));
    const { tree } = fc.letrec<{ tree: unknown }>((t) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true },
        fc.jsonValue({ maxDepth: 1 }), odd,
        fc.array(t('tree'), { maxLength: 5 }), fc.array(fc.double(), { maxLength: 5 }),
        fc.dictionary(key, t('tree'), { maxKeys: 5 })),
    }));
    fc.assert(fc.property(tree, (value) => {
      expect(canonicalJson(value)).toBe(canonicalJsonReference(value));
    }), { numRuns: 500, seed: 7 });
  });

  it('refuse a truncated file', async () => {
    expect((await refusal('cut.model.json', good.slice(0, good.length / 2))).message).toContain('is not valid JSON (truncated or corrupted)');
  });

  it('refuse an edited file (hash mismatch)', async () => {
    const json = JSON.parse(good);
    json.model.state.beta[1] += 0.5;
    expect((await refusal('edited.model.json', JSON.stringify(json))).message).toContain('was changed after it was written (content hash mismatch)');
  });

  it('refuse a newer format', async () => {
    const json = JSON.parse(good);
    json.formatVersion = 3;
    const err = await refusal('newer.model.json', JSON.stringify(json));
    expect(err.message).toContain('has format version 3; this leadscore reads up to 2');
    expect(err.hint).toBe('upgrade leadscore to load it');
  });

  it('refuse a format-1 model, written before models recorded how their training file was read', async () => {
    const json = JSON.parse(good);
    json.formatVersion = 1;
    delete json.reading;
    const err = await refusal('old.model.json', JSON.stringify(json));
    expect(err.message).toContain('has format version 1, written before models recorded how their training file was read');
    expect(err.hint).toContain('train the model again');
  });

  it('refuse a file missing fields, and an unknown model kind', async () => {
    const json = JSON.parse(good);
    delete json.features;
    expect((await refusal('partial.model.json', JSON.stringify(json))).message).toContain('is not a leadscore model: features');
    const other = JSON.parse(good);
    other.model.kind = 'forest';
    other.contentHash = contentHash(other);
    expect((await refusal('kind.model.json', JSON.stringify(other))).message).toContain('unknown model kind "forest"');
  });

  it('refuse a missing file with a hint', async () => {
    const err = await loadModel(join(dir, 'nope.json')).then(() => null, (e: unknown) => e as ModelFormatError);
    expect(err?.message).toContain('cannot read model');
  });
});
