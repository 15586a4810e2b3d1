/**
 * Model hyperparameters from `--param <model>.<name>=<value>` flags. Every name is known and typed; an
 * unknown model or name is a usage error that lists the known ones.
 */
import { ConfigError } from '../errors.ts';

export interface ModelParams {
  logistic: { C?: number; classWeight?: 'balanced' | null; calibration: 'auto' | 'platt' | 'isotonic' | 'none' };
}

const KNOWN: Record<string, Record<string, (v: string) => unknown>> = {
  logistic: {
    C: (v) => {
      const n = Number(v);
      if (!(n > 0)) throw new Error('a positive number');
      return n;
    },
    classWeight: (v) => {
      if (v === 'balanced') return 'balanced';
      if (v === 'none') return null;
      throw new Error('balanced or none');
    },
    calibration: (v) => {
      if (v === 'auto' || v === 'platt' || v === 'isotonic' || v === 'none') return v;
      throw new Error('auto, platt, isotonic or none');
    },
  },
};

/** All known `model.name` keys, for help texts. */
export const PARAM_NAMES = Object.entries(KNOWN).flatMap(([model, names]) => Object.keys(names).map((n) => `${model}.${n}`));

/**
 * @example
 * parseParams(['logistic.C=0.5', 'logistic.calibration=isotonic']);
 */
export function parseParams(flags: readonly string[]): ModelParams {
  const out: ModelParams = { logistic: { calibration: 'auto' } };
  for (const flag of flags) {
    const m = /^([a-z]+)\.([A-Za-z]+)=(.*)$/.exec(flag);
    if (!m) throw new ConfigError('BAD_PARAM', `cannot read --param "${flag}"`, 'write --param <model>.<name>=<value>, e.g. --param logistic.C=0.5');
    const [, model, name, value] = m as unknown as [string, string, string, string];
    const parse = KNOWN[model]?.[name];
    if (!parse) {
      const later = ['gbdt', 'mlp'].includes(model) ? ` (the ${model} model is not available in this version)` : '';
      throw new ConfigError('UNKNOWN_PARAM', `unknown parameter "${model}.${name}"${later}`, `known parameters: ${PARAM_NAMES.join(', ')}`);
    }
    try {
      (out as unknown as Record<string, Record<string, unknown>>)[model]![name] = parse(value);
    } catch (err) {
      throw new ConfigError('BAD_PARAM', `--param ${model}.${name}=${value}: expected ${(err as Error).message}`, `e.g. --param ${model}.${name}=${name === 'C' ? '0.5' : 'none'}`);
    }
  }
  return out;
}
