/**
 * Model artifacts: one versioned JSON file per model, never an opaque blob. It holds the feature pipeline,
 * the fitted model, its calibration, the threshold chosen by the evaluation, a fingerprint of the training
 * data, hold-out metrics, seeds and the package version. `contentHash` (SHA-256 of the canonical JSON of
 * everything but `createdAt` and itself) detects edits and corruption; the same data and seed give an
 * identical file apart from `createdAt`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import * as z from 'zod';
import type { Dataset } from '../data/io/dataset.ts';
import { writeFileAtomic } from '../data/io/write.ts';
import { ConfigError, ModelFormatError } from '../errors.ts';
import { FeaturePipeline } from '../features/pipeline.ts';
import { applyCalibrator, type Calibrator } from './calibration.ts';
import { LogisticRegression } from './logistic/logistic.ts';
import { GradientBoostedTrees } from './gbdt/gbdt.ts';
import { MultilayerPerceptron } from './mlp/mlp.ts';
import { TreeFeatures } from '../features/tree-features.ts';
import { columnValues } from '../data/columns.ts';

/** 2: the artifact records how its training file was read (`reading`) and the target's positive value. */
export const ARTIFACT_FORMAT_VERSION = 2;

const dateFormatSchema = z.object({ order: z.enum(['ymd', 'dmy', 'mdy']), separator: z.enum(['-', '/', '.']), hasTime: z.boolean(), ambiguous: z.boolean(), label: z.string() });

const artifactSchema = z.object({
  formatVersion: z.number().int(),
  kind: z.string(),
  name: z.string(),
  packageVersion: z.string(),
  createdAt: z.string(),
  contentHash: z.string(),
  seed: z.number(),
  seeds: z.record(z.string(), z.number()),
  target: z.object({ name: z.string(), rule: z.string(), positive: z.string().optional() }),
  idColumn: z.string().nullable(),
  activities: z.object({ asOf: z.string(), account: z.string().optional() }).nullable(),
  features: z.object({ formatVersion: z.number(), specs: z.array(z.any()) }).passthrough(),
  model: z.object({ kind: z.string(), params: z.any(), state: z.any() }),
  calibration: z.any(),
  threshold: z.object({ strategy: z.string(), value: z.number() }),
  reading: z.object({
    naTokens: z.array(z.string()),
    delimiter: z.string().nullable(),
    columns: z.array(z.object({
      name: z.string(), type: z.enum(['numeric', 'boolean', 'categorical', 'date', 'datetime', 'id', 'text', 'constant']),
      booleanTokens: z.object({ true: z.array(z.string()), false: z.array(z.string()) }).optional(),
      dateFormat: dateFormatSchema.optional(),
      decimalComma: z.boolean().optional(),
    })),
  }),
  training: z.object({
    rows: z.number(), positives: z.number(),
    dataHash: z.string(),
  }),
  metrics: z.record(z.string(), z.any()),
});

export type FeaturesJSON = ReturnType<FeaturePipeline['toJSON']> | ReturnType<TreeFeatures['toJSON']>;
export type ModelArtifact = z.infer<typeof artifactSchema> & { calibration: Calibrator; features: FeaturesJSON };

/**
 * JSON with object keys sorted at every level: the form the content hash is computed on. The definition:
 * `JSON.stringify` with a replacer that sorts each object's keys. A replacer is called for every value,
 * each number of a model's arrays too (75 ms for the sample's 300 trees in a fresh process, on every model
 * load), so `canonicalJson` makes a copy of the value's objects with their keys in sorted order (its arrays
 * of plain values shared, not copied) and stringifies that once: the same text wherever the value is plain
 * JSON data, which a model is; anything else (a class instance, a typed array, an object with `toJSON`)
 * takes the definition. Tested against it on the models and on random values.
 */
export function canonicalJsonReference(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
    }
    return v;
  });
}

/** `canonicalJsonReference`'s text, from one `JSON.stringify` of a key-sorted copy where the value is plain JSON data (see there). */
export function canonicalJson(value: unknown): string {
  const sorted = keySorted(value);
  return sorted === NOT_PLAIN ? canonicalJsonReference(value) : JSON.stringify(sorted);
}

const NOT_PLAIN = Symbol('not plain JSON data');

/**
 * `v` with each object's keys in sorted order (a copy of each object, made as `Object.fromEntries` makes
 * the definition's: integer-like keys then come first, as there), arrays copied only where an element is;
 * NOT_PLAIN where it holds an object that is not a plain one.
 */
function keySorted(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (x === null || typeof x !== 'object') continue;
      const sorted = keySorted(x);
      if (sorted === NOT_PLAIN) return NOT_PLAIN;
      (copy ??= v.slice())[i] = sorted;
    }
    return copy ?? v;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if ((proto !== Object.prototype && proto !== null) || typeof (v as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
  // A null prototype: a key named __proto__ is then an own property, as Object.fromEntries makes it.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(v).sort()) {
    const sorted = keySorted((v as Record<string, unknown>)[key]);
    if (sorted === NOT_PLAIN) return NOT_PLAIN;
    out[key] = sorted;
  }
  return out;
}

/**
 * An artifact's `createdAt`: now, or the time `SOURCE_DATE_EPOCH` gives (whole seconds since 1970, the
 * reproducible-builds convention), so that a rerun with the same data and seed writes the same file byte
 * for byte. A value that is not such a number is refused (exit 2) rather than ignored.
 *
 * @example
 * artifactCreatedAt({ SOURCE_DATE_EPOCH: '1767225600' }); // '2026-01-01T00:00:00.000Z'
 */
export function artifactCreatedAt(env: Record<string, string | undefined> = process.env): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date().toISOString();
  const seconds = /^\d{1,12}$/.test(epoch) ? Number(epoch) : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds * 1000 > 8.64e15) {
    throw new ConfigError('SOURCE_DATE_EPOCH_INVALID', `SOURCE_DATE_EPOCH is "${epoch}", not a number of seconds since 1970`,
      'set it to whole seconds, e.g. SOURCE_DATE_EPOCH=$(date +%s), or unset it');
  }
  return new Date(seconds * 1000).toISOString();
}

/** How outputs name a saved model: its name and the first 8 hex digits of its content hash (`logistic@41a189f5`). */
export function modelLabel(artifact: Pick<ModelArtifact, 'name' | 'contentHash'>): string {
  return `${artifact.name}@${artifact.contentHash.slice(7, 15)}`;
}

/** SHA-256 of an artifact's content: everything except `createdAt` and `contentHash`. */
export function contentHash(artifact: Omit<ModelArtifact, 'contentHash'> | ModelArtifact): string {
  const { createdAt: _c, contentHash: _h, ...content } = artifact as ModelArtifact;
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}

/** A fingerprint of a dataset's rows and columns (SHA-256 over names, types and values). */
export function dataFingerprint(data: Dataset, rows?: Int32Array): string {
  const hash = createHash('sha256');
  const names = data.schema.columns.map((c) => c.name);
  hash.update(JSON.stringify(data.schema.columns.map((c) => [c.name, c.type])));
  const columns = names.map((n) => columnValues(data.table, n) as ArrayLike<unknown>);
  const count = rows ? rows.length : data.table.numRows();
  // The rows' JSON handed over in pieces of about 64 KiB: the same bytes, so the same hash, as one update per row.
  let piece = '';
  for (let k = 0; k < count; k++) {
    const r = rows ? rows[k]! : k;
    piece += JSON.stringify(columns.map((c) => c[r] ?? null));
    if (piece.length > 1 << 16) {
      hash.update(piece);
      piece = '';
    }
  }
  hash.update(piece);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Writes an artifact, filling in its content hash.
 *
 * @example
 * await saveModel('models/runs/x/logistic.model.json', artifactWithoutHash);
 */
export async function saveModel(path: string, artifact: Omit<ModelArtifact, 'contentHash'>): Promise<ModelArtifact> {
  const full = { ...artifact, contentHash: contentHash(artifact) } as ModelArtifact;
  // Key order as written: readable, with createdAt and the hash at the top.
  const { formatVersion, kind, name, packageVersion, createdAt, contentHash: hash, ...rest } = full;
  await writeFileAtomic(path, `${JSON.stringify({ formatVersion, kind, name, packageVersion, createdAt, contentHash: hash, ...rest }, null, 2)}\n`);
  return full;
}

/** Encodes a dataset for its model (one-hot pipeline for logistic, tree features for gbdt). */
export interface FeatureEncoder {
  transform(data: Dataset, options?: { rows?: Int32Array; asOf?: number | ArrayLike<number> }): { n: number; unseen: Record<string, number> };
}

/** A model that scores the design its encoder makes. */
export interface ScoringModel {
  readonly kind: string;
  predictProba(design: never): Float64Array;
}

/** A loaded model, ready to score a dataset. */
export interface LoadModelOptions {
  /** Load a model whose content no longer matches its stored hash (edited by hand); `edited` then says so. */
  trust?: boolean;
}

export interface LoadedModel {
  artifact: ModelArtifact;
  /** True when the content no longer matches the stored hash (loaded only with `trust`). */
  edited: boolean;
  pipeline: FeatureEncoder;
  model: ScoringModel;
  /** Calibrated P(converted) for every row of a dataset (activity columns already joined if needed). */
  predict(data: Dataset, options?: { asOf?: number | ArrayLike<number> }): Float64Array;
}

interface RegistryEntry {
  model: (json: { params: unknown; state: unknown }) => ScoringModel;
  features: (json: FeaturesJSON) => FeatureEncoder;
}

/** Model kinds this version loads, each with the encoder its features need. */
const REGISTRY: Record<string, RegistryEntry> = {
  logistic: {
    model: (json) => LogisticRegression.fromJSON(json as Parameters<typeof LogisticRegression.fromJSON>[0]),
    features: (json) => FeaturePipeline.fromJSON(json as Parameters<typeof FeaturePipeline.fromJSON>[0]),
  },
  gbdt: {
    model: (json) => GradientBoostedTrees.fromJSON(json as Parameters<typeof GradientBoostedTrees.fromJSON>[0]),
    features: (json) => TreeFeatures.fromJSON(json as Parameters<typeof TreeFeatures.fromJSON>[0]),
  },
  mlp: {
    model: (json) => MultilayerPerceptron.fromJSON(json as Parameters<typeof MultilayerPerceptron.fromJSON>[0]),
    features: (json) => TreeFeatures.fromJSON(json as Parameters<typeof TreeFeatures.fromJSON>[0]),
  },
};

/**
 * Reads and validates an artifact: refuses a file that is not JSON (truncated), lacks fields, was written
 * by a newer format, was edited (hash mismatch) or holds an unknown model kind.
 *
 * @example
 * const { predict } = await loadModel('models/latest/logistic.model.json');
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  let text: string;
  try {
    if ((await stat(path)).isDirectory()) {
      throw new ModelFormatError('MODEL_NOT_FOUND', `${path} is a folder, not a model file`, 'name the artifact inside the run folder, e.g. <run>/logistic.model.json');
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof ModelFormatError) throw err;
    throw new ModelFormatError('MODEL_NOT_FOUND', `cannot read model ${path}`, 'check the path; `leadscore train` writes <run>/<model>.model.json');
  }
  if (text.trim() === '') throw new ModelFormatError('MODEL_CORRUPT', `${path} is empty`, 'use an intact copy of the artifact, or train again');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    if (/^\s*criteria\s*:/m.test(text)) {
      throw new ModelFormatError('MODEL_INVALID', `${path} is a rule file, not a model`, 'pass a rule file with --rules; a model is a <model>.model.json written by `leadscore train`');
    }
    throw new ModelFormatError('MODEL_CORRUPT', `${path} is not valid JSON (truncated or corrupted)`, 'use an intact copy of the artifact, or train again');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json) || !('model' in json) || !('contentHash' in json)) {
    throw new ModelFormatError('MODEL_INVALID', `${path} is not a leadscore model: it holds no model and content hash (metrics.json and examples.json sit beside the models)`,
      'use a <model>.model.json written by `leadscore train`');
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > ARTIFACT_FORMAT_VERSION) {
    throw new ModelFormatError('MODEL_TOO_NEW', `${path} has format version ${version}; this leadscore reads up to ${ARTIFACT_FORMAT_VERSION}`, 'upgrade leadscore to load it');
  }
  if (typeof version === 'number' && version < ARTIFACT_FORMAT_VERSION) {
    throw new ModelFormatError('MODEL_VERSION', `${path} has format version ${version}, written before models recorded how their training file was read`,
      'train the model again with this leadscore (it then reads new files exactly as its training file was read)');
  }
  // Parsed once per file: zod's compiled fast path (a `new Function` per object schema) costs more to make than it saves (-13 ms a command).
  const parsed = artifactSchema.safeParse(json, { jitless: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelFormatError('MODEL_INVALID', `${path} is not a leadscore model: ${issue.path.join('.') || 'top level'}: ${issue.message}`, 'use a file written by `leadscore train`');
  }
  const artifact = parsed.data as ModelArtifact;
  const edited = contentHash(artifact) !== artifact.contentHash;
  if (edited && options.trust !== true) {
    throw new ModelFormatError('MODEL_EDITED', `${path} was changed after it was written (content hash mismatch)`,
      'use the file as `leadscore train` wrote it, or retrain; pass --trust to use an edited model on purpose');
  }
  const entry = REGISTRY[artifact.model.kind];
  if (!entry) throw new ModelFormatError('MODEL_KIND', `${path} holds an unknown model kind "${artifact.model.kind}"`, `this leadscore loads: ${Object.keys(REGISTRY).join(', ')}`);
  const pipeline = entry.features(artifact.features);
  const model = entry.model(artifact.model);
  return {
    artifact,
    edited,
    pipeline,
    model,
    predict(data, options = {}) {
      const design = pipeline.transform(data, options.asOf !== undefined ? { asOf: options.asOf } : {});
      return applyCalibrator(artifact.calibration, model.predictProba(design as never));
    },
  };
}
