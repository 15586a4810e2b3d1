/**
 * Model hyperparameters from `--param <model>.<name>=<value>` flags. Every name is known and typed; an
 * unknown model or name is a usage error that lists the known ones.
 */
import { ConfigError } from '../errors.ts';

import type { GbdtParams } from '../models/gbdt/gbdt.ts';
import type { MlpParams } from '../models/mlp/mlp.ts';
import { BACKENDS, type BackendChoice } from '../models/mlp/backend.ts';

export type Calibration = 'auto' | 'platt' | 'isotonic' | 'none';

export interface ModelParams {
  logistic: { C?: number; classWeight?: 'balanced' | null; calibration: Calibration };
  gbdt: Partial<Omit<GbdtParams, 'seed'>> & { calibration: Calibration };
  mlp: Partial<Omit<MlpParams, 'seed'>> & { calibration: Calibration };
}

const positive = (v: string) => {
  const n = Number(v);
  if (!(n > 0)) throw new Error('a positive number');
  return n;
};
const nonNegative = (v: string) => {
  const n = Number(v);
  if (!(n >= 0)) throw new Error('a number ≥ 0');
  return n;
};
const wholeNumber = (min: number) => (v: string) => {
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= min)) throw new Error(`a whole number ≥ ${min}`);
  return n;
};
const share = (v: string) => {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new Error('a number in (0, 1]');
  return n;
};
const bool = (v: string) => {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error('true or false');
};
const calibration = (v: string) => {
  if (v === 'auto' || v === 'platt' || v === 'isotonic' || v === 'none') return v;
  throw new Error('auto, platt, isotonic or none');
};
const classWeight = (v: string) => {
  if (v === 'balanced') return 'balanced';
  if (v === 'none') return null;
  throw new Error('balanced or none');
};

const backend = (v: string): BackendChoice => {
  if ((BACKENDS as readonly string[]).includes(v)) return v as BackendChoice;
  throw new Error(BACKENDS.join(', '));
};
const widths = (v: string) => {
  const list = v.split(',').map((x) => Number(x.trim()));
  if (!list.length || !list.every((n) => Number.isInteger(n) && n >= 1)) throw new Error('layer widths, comma-separated whole numbers (e.g. 64,32)');
  return list;
};
const dropout = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new Error('a number in [0, 1)');
  return n;
};

const KNOWN: Record<string, Record<string, (v: string) => unknown>> = {
  logistic: { C: positive, classWeight, calibration },
  gbdt: {
    trees: wholeNumber(1), learningRate: positive, maxDepth: wholeNumber(0), maxLeaves: wholeNumber(2), minSamplesLeaf: wholeNumber(1),
    minChildWeight: positive, lambda: nonNegative,
    rowSubsample: share, colSubsample: share, earlyStopping: bool, patience: wholeNumber(1), maxBins: wholeNumber(2), classWeight, calibration,
    catSmooth: nonNegative, minDataPerCategory: wholeNumber(1), maxCatThreshold: wholeNumber(1),
    monotone: (v) => Object.fromEntries(v.split(',').map((part) => {
      const m = /^(.+):([+-]1)$/.exec(part.trim());
      if (!m) throw new Error('feature:+1 or feature:-1 pairs, comma-separated (e.g. annual_revenue:+1)');
      return [m[1]!, Number(m[2]) as 1 | -1];
    })),
  },
  mlp: {
    epochs: wholeNumber(1), batchSize: wholeNumber(1), learningRate: positive, hidden: widths, dropout, embeddingDim: wholeNumber(1),
    patience: wholeNumber(1), minCount: wholeNumber(1), backend, calibration,
  },
};

/** All known `model.name` keys, for help texts. */
export const PARAM_NAMES = Object.entries(KNOWN).flatMap(([model, names]) => Object.keys(names).map((n) => `${model}.${n}`));

/**
 * @example
 * parseParams(['logistic.C=0.5', 'logistic.calibration=isotonic']);
 */
export function parseParams(flags: readonly string[]): ModelParams {
  const out: ModelParams = { logistic: { calibration: 'auto' }, gbdt: { calibration: 'auto' }, mlp: { calibration: 'auto' } };
  for (const flag of flags) {
    const m = /^([a-z]+)\.([A-Za-z]+)=(.*)$/.exec(flag);
    if (!m) throw new ConfigError('BAD_PARAM', `cannot read --param "${flag}"`, 'write --param <model>.<name>=<value>, e.g. --param logistic.C=0.5');
    const [, model, name, value] = m as unknown as [string, string, string, string];
    const parse = KNOWN[model]?.[name];
    if (!parse) throw new ConfigError('UNKNOWN_PARAM', `unknown parameter "${model}.${name}"`, `known parameters: ${PARAM_NAMES.join(', ')}`);
    try {
      (out as unknown as Record<string, Record<string, unknown>>)[model]![name] = parse(value);
    } catch (err) {
      throw new ConfigError('BAD_PARAM', `--param ${model}.${name}=${value}: expected ${(err as Error).message}`, `known parameters: ${PARAM_NAMES.join(', ')}`);
    }
  }
  return out;
}
